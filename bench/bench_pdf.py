"""How much the portal's PDF layer costs on top of plain WeasyPrint, and what Japanese text costs.

Run:  .venv/bin/python bench/bench_pdf.py

Measurements (median of 5 runs after one warm-up, time.perf_counter):

* raw        - a 50-page manual with 40 full-HD screenshots: WeasyPrint alone on HTML rendered once,
               with the same stylesheet and URL fetcher;
* render_pdf - the same document through pmo_portal.pdf.render_pdf (template + WeasyPrint);
* ja / en    - a one-page Japanese PDF and the same page in English (font shaping and subsetting;
               without libharfbuzz-subset0 Japanese is ~35x slower, DESIGN.md §7);
* end-to-end - only when END_TO_END is set (see below).

Goals: P-raw render_pdf/raw <= 1.15, P-cjk ja/en <= 10, P1 end-to-end/raw <= 1.15. The numbers also go
to var/bench-pdf.json. A benchmark, not a test: the exit code is 0 whether goals are met or not.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
PAGES_GOAL = 50
SCREENSHOTS = 40
SCREENSHOT_SIZE = (1920, 1080)
GOALS = {"P-raw": 1.15, "P-cjk": 10.0, "P1": 1.15}

if TYPE_CHECKING:
    from pmo_portal.pdf import Document

#: The export-job measurement, for the lead engineer to plug in: a function that takes the benchmark's
#: Document, runs it through a real export job (row, task, storage) and returns the seconds it took,
#: timed inside the function so that setting up users and projects is left out. None: not measured.
END_TO_END: Callable[[Document], float] | None = None


def export_job_seconds(document: Document) -> float:
    """One export job end to end: the row saved in a transaction, the task run on commit (in-process, as
    the embedded settings do), the PDF rendered and stored, the row marked done. Set-up is not timed."""
    from django.db import transaction

    from pmo_portal import exports
    from pmo_portal.models import ExportStatus

    actor, project = _export_world(document)
    started = time.perf_counter()
    with transaction.atomic():
        job = exports.export_request(actor=actor, kind="bench_document", obj=project, language=document.language)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, (job.status, job.error)
    return elapsed


_WORLD: dict = {}


def _export_world(document: Document):
    """A throw-away database with one PMO consultant and one project, and a kind that exports `document`."""
    if "actor" in _WORLD:
        return _WORLD["actor"], _WORLD["project"]
    from datetime import date

    from django.core.management import call_command

    from accounts.models import Organization, User
    from pmo_portal import exports
    from projects.models import Membership, Project

    call_command("migrate", verbosity=0)
    pmo_firm = Organization.objects.create(name="Bench PMO", kind="pmo")
    client = Organization.objects.create(name="Bench client", kind="client")
    actor = User.objects.create(username="bench", organization=pmo_firm, language=document.language)
    project = Project.objects.create(client=client, pmo_firm=pmo_firm, code="BENCH", name="Bench", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))  # fmt: skip
    Membership.objects.create(project=project, user=actor, role="pmo", organization=pmo_firm)
    exports.register(exports.ExportKind(
        key="bench_document", load=lambda pk: Project.objects.get(pk=pk), visible=Project.objects.visible_to,
        permission="projects.view_project", project=lambda p: p, title=lambda p: document.title,
        document=lambda obj, language, user: document,
    ))  # fmt: skip
    _WORLD.update(actor=actor, project=project)
    return actor, project


# --- set-up -----------------------------------------------------------------------------------------


def setup_django(media_root: str) -> None:
    """Settings as in production code paths, but stored files in a throw-away folder."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo_portal.settings")
    os.environ["DJANGO_MEDIA_ROOT"] = media_root
    # A throw-away SQLite database beside the files, and tasks in-process (no broker).
    os.environ["DJANGO_VAR_DIR"] = media_root
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # WeasyPrint logs every page at INFO

    import django

    django.setup()


def screenshot_png(index: int) -> bytes:
    """A full-HD screen mock-up, different for each index (so WeasyPrint cannot share one image)."""
    from PIL import Image, ImageDraw

    width, height = SCREENSHOT_SIZE
    hue = (index * 37) % 200
    image = Image.new("RGB", SCREENSHOT_SIZE, (245, 247 - hue // 10, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 64), fill=(30 + hue // 2, 60, 120 + hue // 4))  # title bar
    draw.rectangle((0, 64, 320, height), fill=(225, 230, 236))  # side menu
    for row in range(12):
        top = 120 + row * 70
        draw.rectangle((380, top, 380 + 400 + (index * 53 + row * 97) % 900, top + 44), outline=(120, 130, 140))
        draw.text((390, top + 14), f"Screen {index + 1} field {row + 1}", fill=(20, 20, 20))
    draw.ellipse((1500 + index % 7 * 20, 800, 1700 + index % 7 * 20, 1000), fill=(200, 60 + index * 4 % 190, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def store_screenshots() -> list[str]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return [
        default_storage.save(f"bench/screen-{index:02}.png", ContentFile(screenshot_png(index)))
        for index in range(SCREENSHOTS)
    ]


def manual_document(screenshot_names: list[str]) -> Document:
    """A step-by-step manual of about 50 pages: 20 chapters of text, two screenshots and a table each."""
    from datetime import date

    from pmo_portal.pdf import Document, Section

    chapters = []
    per_chapter = 2
    for number in range(SCREENSHOTS // per_chapter):
        names = screenshot_names[number * per_chapter : (number + 1) * per_chapter]
        paragraphs = 7 if number % 3 == 0 else 5  # every third chapter runs a page longer: 50 pages in all
        chapters.append(
            {
                "section": Section(f"step-{number + 1}", f"手順 {number + 1}: 保険金請求の登録"),
                "paragraphs": ["画面の指示に従って請求内容を入力し、「確認」を押します。" * 5] * paragraphs,
                "figures": [{"name": name, "caption": f"画面 {number + 1}-{i + 1}"} for i, name in enumerate(names)],
                "rows": [
                    {"item": f"確認項目 {row + 1}", "owner": "山田", "due": date(2026, 5, 1), "status": "未着手"}
                    for row in range(4)
                ],
            }
        )
    return Document(
        template_name="pdf/sample.html",
        context={"chapters": chapters},
        language="ja",
        title="保険金請求システム 操作マニュアル",
        project_name="Alpha claims renewal",
        version="2.0",
        sections=[chapter["section"] for chapter in chapters],
        change_log=[{"version": "2.0", "date": date(2026, 4, 1), "author": "Meridian PMO", "summary": "改訂"}],
    )


def one_page_html(language: str) -> str:
    """One A4 page of running text, Japanese or English, same markup (fonts are the only difference)."""
    from django.utils.html import escape

    sentence = {
        "ja": "協力会社の担当者は、ポータルからシステム利用申請を行い、顧客側のプロジェクト責任者が内容を確認して承認します。",
        "en": "Vendor staff request system accounts through the portal; the client's project manager reviews and approves. ",
    }[language]
    paragraphs = "".join(f"<p>{escape(sentence * 4)}</p>" for _ in range(5))
    return f'<html lang="{language}"><body><h2>{escape(sentence[:24])}</h2>{paragraphs}</body></html>'


# --- measuring --------------------------------------------------------------------------------------


Timer = Callable[[], float]  # runs one measurement, returns its seconds


def timed(run: Callable[[], object]) -> Timer:
    def timer() -> float:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    return timer


def measure(timers: dict[str, Timer], runs: int = RUNS) -> dict[str, list[float]]:
    """Seconds of `runs` runs of each timer after one warm-up each (fonts, caches, imports).

    The timers take turns (a, b, a, b...) so that a noisy neighbour on the machine slows both alike
    instead of skewing their ratio.
    """
    for timer in timers.values():
        timer()
    seconds: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(runs):
        for name, timer in timers.items():
            seconds[name].append(timer())
    return seconds


def raw_weasyprint(html: str) -> bytes:
    import weasyprint

    from pmo_portal.pdf import BASE_URL, document_stylesheet, portal_url_fetcher

    source = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=portal_url_fetcher)
    return source.write_pdf(stylesheets=[document_stylesheet()])


def count_pages(html: str) -> int:
    """Pages of the laid-out document (from WeasyPrint's layout: the PDF's page tree may be compressed)."""
    import weasyprint

    from pmo_portal.pdf import BASE_URL, document_stylesheet, portal_url_fetcher

    source = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=portal_url_fetcher)
    return len(source.render(stylesheets=[document_stylesheet()]).pages)


def report(results: dict[str, dict], name: str, label: str, times: list[float]) -> None:
    seconds = statistics.median(times)
    results[name] = {"median_s": round(seconds, 4), "runs_s": [round(t, 4) for t in times]}
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"{label}: median {seconds:.3f} s (runs: {runs})")


def ratio(results: dict[str, dict], goal: str, label: str, numerator: str, denominator: str) -> None:
    value = results[numerator]["median_s"] / results[denominator]["median_s"]
    met = value <= GOALS[goal]
    results.setdefault("ratios", {})[goal] = {"value": round(value, 3), "goal": GOALS[goal], "met": met}
    print(f"{goal}: {label} = {value:.2f} (goal <= {GOALS[goal]:g}) {'met' if met else 'missed'}")


def run_benchmark() -> dict:
    from pmo_portal.pdf import html_to_pdf, render_html, render_pdf

    results: dict = {}
    document = manual_document(store_screenshots())
    html = render_html(document)
    pages = count_pages(html)
    results["document"] = {"pages": pages, "screenshots": SCREENSHOTS, "screenshot_size": list(SCREENSHOT_SIZE)}
    print(f"document: {pages} pages, {SCREENSHOTS} screenshots of {SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]}")

    timers = {"raw": timed(lambda: raw_weasyprint(html)), "render_pdf": timed(lambda: render_pdf(document))}
    if END_TO_END is not None:
        _export_world(document)  # set up outside the timing
        timers["end_to_end"] = lambda: END_TO_END(document)
    labels = {"raw": "raw WeasyPrint", "render_pdf": "render_pdf", "end_to_end": "end-to-end export job"}
    for name, times in measure(timers).items():
        report(results, name, labels[name], times)

    short = {language: one_page_html(language) for language in ("ja", "en")}
    results["one_page_pages"] = {language: count_pages(html) for language, html in short.items()}
    one_page = measure({language: timed(lambda page=page: html_to_pdf(page)) for language, page in short.items()})
    for language, times in one_page.items():
        report(results, f"one_page_{language}", f"1-page {language}", times)

    ratio(results, "P-raw", "render_pdf/raw", "render_pdf", "raw")
    if END_TO_END is not None:
        ratio(results, "P1", "end-to-end/raw", "end_to_end", "raw")
    ratio(results, "P-cjk", "ja/en 1-page", "one_page_ja", "one_page_en")
    return results


def write_results(results: dict) -> Path:
    path = ROOT / "var" / "bench-pdf.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-pdf-media-") as media_root:
        try:
            setup_django(media_root)
            print(f"results written to {write_results(run_benchmark()).relative_to(ROOT)}")
        except Exception:  # a benchmark reports, it does not fail the build
            traceback.print_exc()
            print("benchmark did not finish (see the error above)", file=sys.stderr)
    return 0


END_TO_END = export_job_seconds

if __name__ == "__main__":
    sys.exit(main())
