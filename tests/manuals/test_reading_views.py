"""Reading published editions: the reader view (one step at a time, in the reader's environment), its pictures
(blurred where the PMO drew blur boxes) and PDF, "my screen looks different", the PMO's list of reports, and what
nobody outside may reach."""

import html
import io
import re

import numpy as np
import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from manuals import services
from manuals.models import Edition, ScreenReport
from pmo_portal.models import ExportJob, ExportStatus, Notification
from projects.models import Role

from ..conftest import client_for
from ..factories import MembershipFactory
from ..manual_factories import START_CENTRE, desktop, manual_with_steps, published, replace, upload

pytestmark = pytest.mark.django_db


def url(manual, name, **kwargs):
    return reverse(f"manuals:{name}", kwargs={"code": manual.project.code, "pk": manual.pk, **kwargs})


def text(response) -> str:
    return html.unescape(response.content.decode())


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def shown_steps(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="reader-step" data-step="(\d+)"', page)]


def image_of(response) -> np.ndarray:
    assert response["Content-Type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("L"), dtype=float)


@pytest.fixture
def everyone(pmo, client_pm, security, vendor_a, vendor_b, reader, outsider):
    """Every persona exists before the manual is made (the factories take the first PMO)."""


@pytest.fixture
def other_reader(hidden_project):
    """A reader of another project."""
    return MembershipFactory(project=hidden_project, role=Role.READER).user


@pytest.fixture
def manual(project, everyone):
    """Published once: 3 steps, Windows 10 and Windows 11 pictures each."""
    return published(project)


def edition_of(manual, number=1) -> Edition:
    return Edition.objects.get(manual=manual, number=number)


def shot_version(edition, step_number, variant_name) -> int:
    variant = next(v for v in edition.snapshot["variants"] if v["name"] == variant_name)
    step = edition.snapshot["steps"][step_number - 1]
    return step["shots"][str(variant["id"])]["version"]


def pdf_done(edition) -> ExportJob:
    job = edition.export
    name = default_storage.save(job.file_name, ContentFile(b"%PDF-1.7\n% test\n"))
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.DONE, file=name, progress=100)
    return job


# --- the latest edition, the list ------------------------------------------------------------------------------


def test_read_goes_to_the_latest_edition(manual, reader):
    response = client_for(reader).get(url(manual, "read"))
    assert response.status_code == 302 and response["Location"] == edition_of(manual).get_absolute_url()


def test_an_insider_reading_an_unpublished_manual_is_told_so(project, everyone, client_pm):
    draft = manual_with_steps(project, steps=1)
    response = client_for(client_pm).get(url(draft, "read"))
    assert response.status_code == 404
    assert "no published edition yet" in text(response)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("pmo", 200),
        ("client_pm", 200),
        ("security", 200),
        ("reader", 200),
        ("vendor_a", 404),
        ("vendor_b", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_who_reads_the_editions(manual, personas, persona, expected):
    client = client_for(personas[persona])
    assert client.get(url(manual, "editions")).status_code == expected
    assert client.get(url(manual, "edition", number=1)).status_code == expected


def test_the_edition_list_shows_number_publisher_changes_and_pdf(manual, reader, pmo):
    edition = edition_of(manual)
    client = client_for(reader)
    page = text(client.get(url(manual, "editions")))
    assert "Edition 1" in page and str(pmo) in page and "初版" in page and "new step" in page
    assert "Being prepared" in page and 'data-testid="edition-pdf"' not in page
    pdf_done(edition)
    page = text(client.get(url(manual, "editions")))
    assert url(manual, "edition_pdf", number=1) in page


# --- the reader view ---------------------------------------------------------------------------------------------


def test_the_reader_sees_one_step_at_a_time(manual, reader):
    edition = edition_of(manual)
    steps = edition.snapshot["steps"]
    client = client_for(reader)
    first = text(client.get(url(manual, "edition", number=1)))
    assert first.count('data-testid="reader-step"') == 1
    assert shown_steps(first) == [1] and steps[0]["title"] in first
    assert "Step 1 of 3" in first and 'data-testid="next-step"' in first and 'data-testid="previous-step"' not in first
    assert (
        "スタート" in first and "メニューが開きます。" in first
    )  # the instruction (Markdown) and "what you should see"
    assert "<strong>スタート</strong>" in first
    second = text(client.get(url(manual, "edition", number=1) + "?step=2"))
    assert shown_steps(second) == [2] and steps[1]["title"] in second
    assert 'data-testid="previous-step"' in second and 'data-testid="next-step"' in second
    last = text(client.get(url(manual, "edition", number=1) + "?step=99"))  # past the end: the last step
    assert shown_steps(last) == [3] and 'data-testid="next-step"' not in last
    assert client.get(url(manual, "edition", number=1) + "?step=x").status_code == 200
    every = text(client.get(url(manual, "edition", number=1) + "?all=1"))
    assert shown_steps(every) == [1, 2, 3] and 'data-testid="step-pager"' not in every


def test_the_reader_picks_their_environment_and_it_is_remembered(manual, reader):
    edition = edition_of(manual)
    windows10, windows11 = edition.snapshot["variants"]
    client = client_for(reader)
    default = text(client.get(url(manual, "edition", number=1)))
    assert url(manual, "edition_image", number=1, version=shot_version(edition, 1, "Windows 10")) in default
    assert url(manual, "edition_image", number=1, version=shot_version(edition, 1, "Windows 11")) not in default
    picked = text(client.get(url(manual, "edition", number=1) + f"?variant={windows11['id']}"))
    assert url(manual, "edition_image", number=1, version=shot_version(edition, 1, "Windows 11")) in picked
    assert url(manual, "edition_image", number=1, version=shot_version(edition, 1, "Windows 10")) not in picked
    remembered = text(client.get(url(manual, "edition", number=1) + "?step=2"))
    assert url(manual, "edition_image", number=1, version=shot_version(edition, 2, "Windows 11")) in remembered
    unknown = text(client.get(url(manual, "edition", number=1) + "?variant=999999"))  # not one of this manual's
    assert url(manual, "edition_image", number=1, version=shot_version(edition, 1, "Windows 11")) in unknown


def test_readers_see_the_change_log_collapsed_insiders_open(manual, reader, pmo):
    for_reader = text(client_for(reader).get(url(manual, "edition", number=1)))
    for_pmo = text(client_for(pmo).get(url(manual, "edition", number=1)))
    assert '<details class="mb-3 bg-white border rounded p-3" data-testid="change-log">' in for_reader
    assert '<details class="mb-3 bg-white border rounded p-3" open data-testid="change-log">' in for_pmo
    assert "初版" in for_reader


def test_the_pdf_link_appears_once_the_pdf_is_made(manual, reader):
    edition = edition_of(manual)
    client = client_for(reader)
    assert "The PDF is being prepared." in text(client.get(url(manual, "edition", number=1)))
    waiting = client.get(url(manual, "edition_pdf", number=1))
    assert waiting.status_code == 302 and any("being prepared" in m for m in flashed(waiting))
    pdf_done(edition)
    assert url(manual, "edition_pdf", number=1) in text(client.get(url(manual, "edition", number=1)))
    response = client.get(url(manual, "edition_pdf", number=1))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_older_edition_points_at_the_newer_one(manual, pmo, reader):
    services.step_update(actor=pmo, step=manual.steps.order_by("position").first(), title="新しい題", instruction="押します。", expected="")  # fmt: skip
    services.manual_publish(actor=pmo, manual=manual)
    assert 'data-testid="newer-edition"' in text(client_for(reader).get(url(manual, "edition", number=1)))
    assert 'data-testid="newer-edition"' not in text(client_for(reader).get(url(manual, "edition", number=2)))
    assert client_for(reader).get(url(manual, "read"))["Location"] == url(manual, "edition", number=2)


# --- the edition's pictures ------------------------------------------------------------------------------------


def test_the_edition_image_is_served_only_for_a_version_in_the_edition(manual, reader, pmo):
    edition = edition_of(manual)
    version = shot_version(edition, 1, "Windows 10")
    response = client_for(reader).get(url(manual, "edition_image", number=1, version=version))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private"
    assert image_of(response).shape == (1080, 1920)
    # a newer picture of the same step, not published: not part of edition 1
    step = manual.steps.order_by("position").first()
    newer = replace(step, step.screenshots.get(variant__name="Windows 10").variant, desktop(START_CENTRE, seed_text=1), by=pmo)  # fmt: skip
    assert client_for(reader).get(url(manual, "edition_image", number=1, version=newer.pk)).status_code == 404
    assert client_for(pmo).get(url(manual, "edition_image", number=1, version=newer.pk)).status_code == 404
    assert client_for(reader).get(url(manual, "edition_image", number=2, version=version)).status_code == 404


def test_blur_boxes_are_burned_into_the_edition_picture_but_not_the_original(project, everyone, pmo, reader):
    """The window's text lines (dark on light) under a blur box: readers get flat pixels there, insiders the original."""
    manual = manual_with_steps(project, steps=1)
    shot = manual.steps.get().screenshots.get(variant__name="Windows 10")
    box = {"type": "blur", "x": 0.18, "y": 0.16, "w": 0.15, "h": 0.2}  # 345..633 × 173..389 px of 1920×1080
    services.screenshot_annotate(actor=pmo, screenshot=shot, shapes=[*shot.annotations, box])
    services.manual_publish(actor=pmo, manual=manual)
    shot.refresh_from_db()
    inside = (slice(180, 380), slice(355, 625))

    original = image_of(client_for(pmo).get(url(manual, "version_image", version=shot.current_id)))
    assert original[inside].std() > 40  # high contrast: text lines on a light window

    edition_url = url(manual, "edition_image", number=1, version=shot.current_id)
    for person in (reader, pmo):  # the edition's copy, whoever looks at it
        blurred = image_of(client_for(person).get(edition_url))
        assert blurred.shape == original.shape
        assert blurred[inside].std() < 5
        outside = (slice(500, 700), slice(900, 1200))  # away from the box: untouched
        assert np.abs(blurred[outside] - original[outside]).max() == 0
    page = text(client_for(reader).get(url(manual, "edition", number=1)))
    assert 'data-blur=""' not in page  # the reader view does not draw the blur box: the picture is already blurred


# --- "my screen looks different" ------------------------------------------------------------------------------


def _report_url(manual, step_index=0, number=1):
    edition = edition_of(manual, number)
    return url(manual, "report", number=number, step_id=edition.snapshot["steps"][step_index]["id"])


def test_a_reader_reports_a_different_screen_without_a_picture(manual, reader, pmo):
    client = client_for(reader)
    windows11 = edition_of(manual).snapshot["variants"][1]
    assert client.get(_report_url(manual) + f"?variant={windows11['id']}").status_code == 200
    response = client.post(_report_url(manual), {"comment": "スタートが見つかりません"})
    assert response.status_code == 302 and response["Location"] == url(manual, "edition", number=1) + "?step=1"
    assert any("Thank you" in m and "PMO team has been told" in m for m in flashed(response))
    report = ScreenReport.objects.get()
    assert (report.reporter, report.comment, report.step_number, report.variant.name, report.image.name) == (reader, "スタートが見つかりません", 1, "Windows 11", "")  # fmt: skip
    assert Notification.objects.filter(recipient=pmo, kind="manual.screen_report").exists()


def test_a_reader_reports_with_their_own_picture(manual, reader, pmo):
    response = client_for(reader).post(
        _report_url(manual, 1), {"comment": "", "image": upload(desktop(START_CENTRE), "mine.png")}
    )
    assert response.status_code == 302
    report = ScreenReport.objects.get()
    assert report.image.name and report.step_number == 2
    mine = client_for(reader).get(url(manual, "report_image", report_pk=report.pk))
    assert mine.status_code == 200 and image_of(mine).shape == (1080, 1920)
    assert client_for(pmo).get(url(manual, "report_image", report_pk=report.pk)).status_code == 200


def test_a_bad_picture_is_refused_and_the_comment_kept(manual, reader):
    fake = upload(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "screen.png")
    response = client_for(reader).post(_report_url(manual), {"comment": "ボタンがない", "image": fake})
    assert response.status_code == 422
    page = text(response)
    assert "ボタンがない" in page and "invalid-feedback" in page
    assert not ScreenReport.objects.exists()


def test_a_step_not_in_the_edition_cannot_be_reported(manual, reader):
    assert client_for(reader).get(url(manual, "report", number=1, step_id=999999)).status_code == 404
    assert client_for(reader).post(url(manual, "report", number=1, step_id=999999), {"comment": "x"}).status_code == 404


@pytest.mark.parametrize(("persona", "expected"), [("vendor_a", 404), ("vendor_b", 404), ("outsider", 404), ("anonymous", 302)])  # fmt: skip
def test_outsiders_cannot_report(manual, personas, persona, expected):
    assert client_for(personas[persona]).post(_report_url(manual), {"comment": "x"}).status_code == expected
    assert not ScreenReport.objects.exists()


# --- the PMO's list of reports ---------------------------------------------------------------------------------


def _report(manual, reader, step_index=0, comment="違います", image=None):
    edition = edition_of(manual)
    return services.report_create(actor=reader, edition=edition, step_id=edition.snapshot["steps"][step_index]["id"], variant_id=None, comment=comment, file=image)  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("pmo", 200),
        ("client_pm", 200),
        ("security", 200),
        ("reader", 403),
        ("vendor_a", 404),
        ("vendor_b", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_who_sees_the_reports(manual, personas, persona, expected):
    _report(manual, personas["reader"])
    assert client_for(personas[persona]).get(url(manual, "reports")).status_code == expected


def test_open_reports_come_first_and_only_the_pmo_resolves(manual, reader, pmo, client_pm):
    done = _report(manual, reader, 0, "一つ目")
    services.report_resolve(actor=pmo, report=done, resolution="直しました")
    still_open = _report(manual, reader, 1, "二つ目", image=upload(desktop(START_CENTRE)))
    page = text(client_for(pmo).get(url(manual, "reports")))
    assert page.index("二つ目") < page.index("一つ目")
    assert page.count('data-testid="resolve-form"') == 1
    assert url(manual, "report_image", report_pk=still_open.pk) in page and "直しました" in page
    assert 'data-testid="resolve-form"' not in text(client_for(client_pm).get(url(manual, "reports")))
    assert client_for(client_pm).post(url(manual, "report_resolve", report_pk=still_open.pk)).status_code == 403


def test_resolving_a_report_and_a_second_click(manual, reader, pmo):
    report = _report(manual, reader)
    client = client_for(pmo)
    response = client.post(url(manual, "report_resolve", report_pk=report.pk), {"resolution": "手順を直しました"})
    assert response.status_code == 302 and response["Location"] == url(manual, "reports")
    report.refresh_from_db()
    assert (report.resolved_by, report.resolution) == (pmo, "手順を直しました")
    assert Notification.objects.filter(recipient=reader, kind="manual.report_resolved").exists()
    again = client.post(url(manual, "report_resolve", report_pk=report.pk), {"resolution": "もう一度"})
    assert again.status_code == 302 and any("already dealt with" in m for m in flashed(again))
    htmx = client.post(url(manual, "report_resolve", report_pk=report.pk), {"resolution": "もう一度"}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert htmx.status_code == 409 and "already dealt with" in text(htmx)
    report.refresh_from_db()
    assert report.resolution == "手順を直しました"


def test_a_report_picture_is_for_insiders_and_its_reader_only(manual, reader, project, security):
    report = _report(manual, reader, image=upload(desktop(START_CENTRE)))
    another_reader = MembershipFactory(project=project, role=Role.READER).user
    assert client_for(security).get(url(manual, "report_image", report_pk=report.pk)).status_code == 200
    assert client_for(another_reader).get(url(manual, "report_image", report_pk=report.pk)).status_code == 404
    without = _report(manual, reader)
    assert client_for(reader).get(url(manual, "report_image", report_pk=without.pk)).status_code == 404


# --- isolation ----------------------------------------------------------------------------------------------------


@pytest.fixture
def every_manual_url(manual, reader, pmo):
    """Every URL of a published manual with a waiting picture and a reader's report with a picture."""
    edition = edition_of(manual)
    pdf_done(edition)
    step = manual.steps.order_by("position").first()
    shot = step.screenshots.get(variant__name="Windows 10")
    newer = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1), by=pmo)
    report = _report(manual, reader, image=upload(desktop(START_CENTRE)))
    in_edition = shot_version(edition, 1, "Windows 10")
    return {
        "version": url(manual, "version", version=newer.pk),
        "version_image": url(manual, "version_image", version=newer.pk),
        "version_overlay": url(manual, "version_overlay", version=newer.pk),
        "edition_image": url(manual, "edition_image", number=1, version=in_edition),
        "edition_pdf": url(manual, "edition_pdf", number=1),
        "report_image": url(manual, "report_image", report_pk=report.pk),
        "reading_view": url(manual, "edition", number=1),
        "read": url(manual, "read"),
        "editions": url(manual, "editions"),
        "report": _report_url(manual),
        "reports": url(manual, "reports"),
    }


@pytest.mark.parametrize("who", ["vendor_b", "vendor_a", "other_reader", "outsider"])
def test_nobody_outside_reaches_any_manual_url(every_manual_url, personas, other_reader, who):
    person = other_reader if who == "other_reader" else personas[who]
    client = client_for(person)
    reached = {name: client.get(target).status_code for name, target in every_manual_url.items()}
    assert reached == dict.fromkeys(every_manual_url, 404)


def test_the_same_projects_reader_reaches_the_edition_but_never_the_working_copy(every_manual_url, reader):
    client = client_for(reader)
    assert client.get(every_manual_url["version_image"]).status_code == 404
    assert client.get(every_manual_url["version_overlay"]).status_code == 404
    for name in ("edition_image", "edition_pdf", "report_image", "reading_view", "editions", "report"):
        assert client.get(every_manual_url[name]).status_code == 200, name


def test_a_manual_not_shared_with_a_reader_is_not_found(manual, reader, pmo, project):
    services.manual_update(actor=pmo, manual=manual, title=manual.title, audience=manual.audience, language="ja", share_with_all_readers=False)  # fmt: skip
    edition = edition_of(manual)
    pdf_done(edition)
    client = client_for(reader)
    version = shot_version(edition, 1, "Windows 10")
    for target in (
        url(manual, "read"),
        url(manual, "editions"),
        url(manual, "edition", number=1),
        url(manual, "edition_image", number=1, version=version),
        url(manual, "edition_pdf", number=1),
        _report_url(manual),
    ):
        assert client.get(target).status_code == 404, target
    services.manual_update(actor=pmo, manual=manual, title=manual.title, audience=manual.audience, language="ja", share_with_all_readers=False, shared_with=[reader])  # fmt: skip
    assert client.get(url(manual, "edition", number=1)).status_code == 200


# --- a constant number of queries ---------------------------------------------------------------------------


def _queries(client, target) -> int:
    client.get(target)  # the session's first request does its own bookkeeping once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


def test_the_edition_list_runs_a_constant_number_of_queries(manual, reader, pmo):
    client = client_for(reader)
    first = edition_of(manual)
    small = _queries(client, url(manual, "editions"))
    for number in range(2, 8):
        Edition.objects.create(manual=manual, number=number, title=first.title, language="ja", snapshot=first.snapshot, change_log=first.change_log, published_by=pmo, published_at=first.published_at, export=first.export)  # fmt: skip
    manual.__class__.objects.filter(pk=manual.pk).update(edition=7)
    large = _queries(client, url(manual, "editions"))
    assert "Edition 7" in text(client.get(url(manual, "editions")))
    assert large == small


def test_the_report_list_runs_a_constant_number_of_queries(manual, reader, pmo, project):
    client = client_for(pmo)
    _report(manual, reader)
    small = _queries(client, url(manual, "reports"))
    others = [MembershipFactory(project=project, role=Role.READER).user for _ in range(3)]
    for index, person in enumerate(others * 2):
        report = _report(manual, person, index % 3, f"報告{index}")
        if index % 2:
            services.report_resolve(actor=pmo, report=report, resolution="済")
    large = _queries(client, url(manual, "reports"))
    assert large == small
