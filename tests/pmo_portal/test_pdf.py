"""The PDF layer (pmo_portal/pdf.py): what a reader of an exported PDF sees, checked on the PDF itself.

The PDFs are read back with poppler (pdftotext, pdffonts, pdfimages, pdftohtml, pdfdetach, pdfinfo), as a
reader's viewer would, rather than trusting WeasyPrint's own view of what it wrote. Poppler is a test
dependency (`make test` installs Debian's poppler-utils); when a tool is missing the test fails, saying so.
"""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from pmo_portal.pdf import Document, Section, html_to_pdf, portal_url_fetcher, render_html, render_pdf, storage_url

JAPANESE = "保険金請求システム"
KOREAN = "한빛소프트 계정 신청"
ENGLISH = "Claims system renewal"

SECTIONS = [
    Section("background", "はじめに：保険金請求システム"),
    Section("vendor-accounts", KOREAN),
    Section("scope", "Scope of the claims system renewal"),
    Section("scope-out", "Out of scope", level=2),
]


# --- helpers ------------------------------------------------------------------------------------


def _poppler(tool: str, *args: str) -> str:
    """Run a poppler tool and return its output; fail (never skip) when poppler is not installed."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(
            f"`{tool}` was not found: the PDF tests read PDFs back with poppler "
            "(`make test` installs it; by hand: apt-get install poppler-utils).",
            pytrace=False,
        )
    result = subprocess.run([path, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def _page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", str(pdf)), re.M).group(1))


def _page_texts(pdf: Path) -> dict[int, str]:
    """{page number: its text}, one pdftotext call per page, so we know where each thing is."""
    return {
        n: _poppler("pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-")
        for n in range(1, _page_count(pdf) + 1)
    }


def _heading_page(pages: dict[int, str], title: str, after: int) -> int:
    """The first page after the table of contents with a line that is exactly `title` (its heading)."""
    for number, text in pages.items():
        if number > after and any(line.strip() == title for line in text.splitlines()):
            return number
    raise AssertionError(f"no page after {after} has the heading {title!r}")


def _image_count(pdf: Path) -> int:
    lines = _poppler("pdfimages", "-list", str(pdf)).splitlines()
    return len(lines) - 2  # a header line and a rule, then one line per image


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _write(tmp_path: Path, pdf: bytes, name: str = "out.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def _chapters(figures: list[dict] | None = None) -> list[dict]:
    """Three scripts; the first chapter is long, so the later ones do not simply start on pages 3, 4, 5."""
    return [
        {
            "section": SECTIONS[0],
            "paragraphs": [f"{JAPANESE}の刷新にあたり、現行業務と課題を整理します。" * 6] * 12,
            "figures": figures or [],
        },
        {
            "section": SECTIONS[1],
            "lang": "ko",
            "paragraphs": ["협력사 직원의 시스템 계정은 포털에서 신청하고 고객사 PM이 승인합니다. " * 4] * 3,
            "rows": [{"item": "계정 신청", "owner": "김민수", "due": date(2026, 5, 1), "status": "승인 대기"}],
        },
        {
            "section": SECTIONS[2],
            "lang": "en",
            "paragraphs": [f"{ENGLISH}: online claims, payment and the reporting warehouse. " * 3] * 2,
            "subsections": [{"section": SECTIONS[3], "paragraphs": ["Call-centre telephony stays as it is."]}],
        },
    ]


def _document(**overrides) -> Document:
    document = Document(
        template_name="pdf/sample.html",
        context={"chapters": _chapters()},
        language="en",
        title=f"{JAPANESE} requirements",
        project_name="Alpha claims renewal",
        version="1.2",
        approved_by="Hanako Yamada",
        approved_at=datetime(2026, 4, 1, 9, 30, tzinfo=UTC),
        sections=SECTIONS,
        change_log=[
            {"version": "1.0", "date": date(2026, 3, 2), "author": "Meridian PMO", "summary": "First draft"},
            {"version": "1.2", "date": date(2026, 4, 1), "author": "Meridian PMO", "summary": "Review comments"},
        ],
    )
    return replace(document, **overrides)


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    """The sample document, rendered once for the layout tests (it touches no stored file)."""
    return _write(tmp_path_factory.mktemp("pdf"), render_pdf(_document()), "sample.pdf")


@pytest.fixture(scope="module")
def pages(sample_pdf) -> dict[int, str]:
    return _page_texts(sample_pdf)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Stored files go to a fresh folder; anything outside it must stay unreachable."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- what the reader sees -----------------------------------------------------------------------


def test_it_prints_japanese_korean_and_english_text(sample_pdf):
    text = _poppler("pdftotext", "-layout", str(sample_pdf), "-")

    assert JAPANESE in text
    assert KOREAN in text
    assert ENGLISH in text


def test_it_embeds_the_japanese_and_korean_fonts(sample_pdf):
    fonts = {}
    for line in _poppler("pdffonts", str(sample_pdf)).splitlines()[2:]:
        columns = line.split()
        # name ... emb sub uni object-number generation
        fonts[re.sub(r"[^a-z]", "", columns[0].split("+")[-1].lower())] = columns[-5]

    japanese = {name: emb for name, emb in fonts.items() if name.startswith("notosanscjkjp")}
    korean = {name: emb for name, emb in fonts.items() if name.startswith("notosanscjkkr")}
    assert japanese, f"no Noto Sans CJK JP font in the PDF: {sorted(fonts)}"
    assert korean, f"no Noto Sans CJK KR font in the PDF: {sorted(fonts)}"
    assert set(japanese.values()) == set(korean.values()) == {"yes"}, fonts


def test_the_cover_has_title_project_version_and_approval(pages):
    cover = pages[1]

    assert f"{JAPANESE} requirements" in cover
    assert "Alpha claims renewal" in cover
    assert "Version 1.2" in cover
    assert "Approved by Hanako Yamada on April 1, 2026" in " ".join(cover.split())


def test_an_unapproved_document_says_so_on_the_cover(tmp_path):
    pdf = _write(tmp_path, render_pdf(_document(approved_by="", approved_at=None)))

    cover = _page_texts(pdf)[1]

    assert "Not yet approved" in cover
    assert "Approved by" not in cover


def test_the_table_of_contents_shows_the_page_of_each_heading(pages):
    toc_page = next(number for number, text in pages.items() if "Contents" in text)
    assert toc_page == 2
    toc = pages[toc_page]

    found = {}
    for section in [*SECTIONS, Section("change-log", "Change log")]:
        line = re.search(rf"^\s*{re.escape(section.title)}[\s.]*(\d+)\s*$", toc, re.M)
        assert line, f"the table of contents has no line for {section.title!r}:\n{toc}"
        found[section.title] = int(line.group(1))
        assert found[section.title] == _heading_page(pages, section.title, after=toc_page), section.title

    # The long first chapter pushes the Korean one further than the page after it starts.
    assert found[KOREAN] > found[SECTIONS[0].title] + 1


def test_every_page_but_the_cover_has_header_and_page_x_of_y_footer(pages):
    total = len(pages)
    assert total >= 6

    assert not re.search(r"\b1\s*/\s*\d+\b", pages[1]), "the cover has no footer"
    for number in range(2, total + 1):
        assert re.search(rf"(?<!\d){number}\s*/\s*{total}\s*$", pages[number].rstrip()), (
            f"page {number} has no '{number} / {total}' footer:\n{pages[number]}"
        )
        assert "Alpha claims renewal" in pages[number]
        assert "Version 1.2" in pages[number]


def test_the_last_page_is_the_change_log(pages):
    last = " ".join(pages[len(pages)].split())

    assert "Change log" in last
    assert "1.0 March 2, 2026 Meridian PMO First draft" in last
    assert "1.2 April 1, 2026 Meridian PMO Review comments" in last


def test_headings_are_pdf_bookmarks_with_their_pages(sample_pdf, pages):
    xml = _poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", str(sample_pdf))
    outline = re.search(r"<outline>.*</outline>", xml, re.S)
    assert outline, "the PDF has no outline (bookmarks)"
    root = ET.fromstring(outline.group(0))

    top = [(item.text, int(item.get("page"))) for item in root.findall("item")]
    nested = [(item.text, int(item.get("page"))) for item in root.findall("outline/item")]

    def where(title: str) -> int:
        return _heading_page(pages, title, after=2)

    assert top == [("Contents", 2)] + [(s.title, where(s.title)) for s in SECTIONS[:3]] + [
        ("Change log", where("Change log"))
    ]
    assert nested == [("Out of scope", where("Out of scope"))]


def test_the_document_language_is_set_for_the_fonts():
    html = render_html(_document(language="ko"))

    assert '<html lang="ko">' in html
    assert '<section class="chapter" lang="en">' in html


def test_it_prints_markup_from_the_context_as_text(tmp_path):
    chapters = _chapters()
    chapters[2]["paragraphs"] = ["<script>x</script> and <b>not bold</b>"]
    document = _document(context={"chapters": chapters}, title="<i>Plan</i>")

    html = render_html(document)
    pdf = _write(tmp_path, render_pdf(document))

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    text = _poppler("pdftotext", "-layout", str(pdf), "-")
    assert "<script>x</script> and <b>not bold</b>" in text
    assert "<i>Plan</i>" in text


def test_it_reports_progress_after_html_layout_and_the_end():
    seen = []

    render_pdf(_document(), progress=seen.append)

    assert seen == [10, 70, 100]


# --- what it may fetch --------------------------------------------------------------------------


def test_a_stored_screenshot_appears_in_the_pdf(media, tmp_path):
    name = default_storage.save("screenshots/step-1.png", ContentFile(_png(320, 180, (30, 90, 160))))
    document = _document(context={"chapters": _chapters([{"name": name, "caption": "Step 1"}])})

    pdf = _write(tmp_path, render_pdf(document))

    listing = _poppler("pdfimages", "-list", str(pdf))
    assert _image_count(pdf) == 1, listing
    assert re.search(r"\b320\s+180\b", listing), listing


def test_the_fetcher_serves_stored_files(media):
    name = default_storage.save("screenshots/step-2.png", ContentFile(_png(4, 4, (0, 0, 0))))

    response = portal_url_fetcher(storage_url(name))

    assert response.content_type == "image/png"
    assert response.read() == default_storage.open(name).read()


def test_the_fetcher_serves_inline_images_only():
    response = portal_url_fetcher(
        "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E"
    )

    assert response.content_type == "image/svg+xml"
    assert response.read() == b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(ValueError, match="not allowed in PDFs"):
        portal_url_fetcher("data:text/html,<p>hello</p>")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
        "portal-file:../secret",
        "portal-file:screenshots/../../secret",
        "portal-file:%2e%2e/secret",
        "portal-file:/etc/passwd",
        "portal-file:",
        "secret",
    ],
)
def test_the_fetcher_refuses_anything_but_stored_files(media, url):
    (media.parent / "secret").write_text("not for PDFs")

    with pytest.raises(ValueError, match="not allowed in PDFs"):
        portal_url_fetcher(url)


def test_a_refused_image_leaves_no_image_and_no_crash(media, tmp_path, caplog):
    html = (
        '<html lang="en"><body><h1>Evidence</h1>'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        '<img src="portal-file:../secret.png"><p style="background: url(file:///etc/hostname)">x</p>'
        "</body></html>"
    )

    pdf = _write(tmp_path, html_to_pdf(html))

    assert _image_count(pdf) == 0
    assert "Evidence" in _poppler("pdftotext", str(pdf), "-")
    refused = [r for r in caplog.records if "not allowed in PDFs" in r.getMessage()]
    assert len(refused) == 4, [r.getMessage() for r in caplog.records]


def test_a_stored_name_escaping_the_storage_is_refused_in_a_document(media, tmp_path):
    document = _document(context={"chapters": _chapters([{"name": "../../../../etc/passwd", "caption": "x"}])})

    pdf = _write(tmp_path, render_pdf(document))

    assert _image_count(pdf) == 0


def test_no_file_is_ever_attached_to_the_pdf(media, tmp_path):
    name = default_storage.save("evidence/contract.txt", ContentFile(b"confidential"))
    html = (
        f'<html lang="en"><head><link rel="attachment" href="{storage_url(name)}"></head>'
        f'<body><p><a rel="attachment" href="{storage_url(name)}">contract</a></p></body></html>'
    )

    pdf = _write(tmp_path, html_to_pdf(html))

    assert "0 embedded files" in _poppler("pdfdetach", "-list", str(pdf))
