"""Confirming a changed screenshot from its page, its pictures, and the manual's way to readers (submit, publish,
export, "still right"): who reaches what, and what each button does."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from manuals import services
from manuals.models import Decision, Edition, ManualStatus, ScreenshotVersion, Step, VersionState
from pmo_portal.models import ExportJob
from projects.models import Role

from ..conftest import client_for
from ..factories import MembershipFactory
from ..manual_factories import START_CENTRE, START_LEFT, desktop, manual_with_steps, published, replace

pytestmark = pytest.mark.django_db


def url(manual, name, **kwargs):
    return reverse(f"manuals:{name}", kwargs={"code": manual.project.code, "pk": manual.pk, **kwargs})


def text(response) -> str:
    return html.unescape(response.content.decode())


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def everyone(pmo, client_pm, security, vendor_a, vendor_b, reader, outsider):
    """Every persona exists before the manual is made (the factories take the first PMO)."""


@pytest.fixture
def other_reader(hidden_project):
    """A reader of another project."""
    return MembershipFactory(project=hidden_project, role=Role.READER).user


def _start_step(manual):
    step = manual.steps.order_by("position").first()
    return step, step.screenshots.get(variant__name="Windows 10")


@pytest.fixture
def waiting(project, everyone, pmo, client_pm):
    """A published manual whose reviewer is the client PM; PMO replaced step 1's Windows 10 picture: Start moved."""
    manual = published(project)
    services.manual_update(actor=pmo, manual=manual, title=manual.title, audience=manual.audience, language="ja", reviewer=client_pm)  # fmt: skip
    step, shot = _start_step(manual)
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1), by=pmo)
    assert version.state == VersionState.AWAITING and version.touched == [0, 1]
    manual.refresh_from_db()
    return manual, version


# --- the version page -----------------------------------------------------------------------------------------


def test_version_page_shows_old_and_new_the_overlay_the_slider_and_the_callout_warning(waiting, pmo):
    manual, version = waiting
    response = client_for(pmo).get(url(manual, "version", version=version.pk))
    assert response.status_code == 200
    page = text(response)
    assert url(manual, "version_image", version=version.compared_to_id) in page  # old
    assert url(manual, "version_image", version=version.pk) in page  # new
    assert url(manual, "version_overlay", version=version.pk) in page
    assert 'class="diff-overlay"' in page and "data-compare-slider" in page
    assert page.count("data-region") == len(version.regions) > 0
    assert 'data-testid="callout-warning"' in page
    assert "The element this callout points at may have moved." in page
    assert "callout 1" in page and "arrow 1" in page  # the first (and only) arrow
    assert version.screenshot.step.title in page
    assert 'data-state="awaiting"' in page
    # the uploader may not decide on their own picture: no forms for them
    assert 'data-testid="confirm-form"' not in page


def test_without_a_moved_callout_there_is_no_warning(project, everyone, pmo, client_pm):
    manual = published(project)
    step = manual.steps.order_by("position").last()  # no annotations on this step
    shot = step.screenshots.get(variant__name="Windows 10")
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=3), by=pmo)
    page = text(client_for(client_pm).get(url(manual, "version", version=version.pk)))
    assert "may have moved" not in page
    assert 'data-testid="confirm-form"' in page  # no named reviewer: the client PM may confirm


def test_a_new_size_asks_to_check_the_text(project, everyone, pmo, client_pm):
    manual = published(project)
    step, shot = _start_step(manual)
    version = replace(step, shot.variant, desktop(START_LEFT, size=(1366, 768)), by=pmo)
    page = text(client_for(client_pm).get(url(manual, "version", version=version.pk)))
    assert "Size or layout changed: check the text too." in page


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
def test_who_reaches_the_version_page(waiting, personas, persona, expected):
    manual, version = waiting
    assert client_for(personas[persona]).get(url(manual, "version", version=version.pk)).status_code == expected


@pytest.mark.parametrize("name", ["version_image", "version_overlay"])
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("pmo", 200),
        ("client_pm", 200),
        ("security", 200),
        ("reader", 404),
        ("vendor_a", 404),
        ("vendor_b", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_the_working_copy_pictures_are_for_insiders_only(waiting, personas, name, persona, expected):
    manual, version = waiting
    response = client_for(personas[persona]).get(url(manual, name, version=version.pk))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == "inline"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_reader_of_another_project_reaches_no_working_copy_picture(waiting, other_reader):
    manual, version = waiting
    for name in ("version", "version_image", "version_overlay"):
        assert client_for(other_reader).get(url(manual, name, version=version.pk)).status_code == 404


def test_a_version_of_another_manual_is_not_found_under_this_one(waiting, project, pmo):
    manual, version = waiting
    other = manual_with_steps(project, steps=1, title="別の手順")
    assert client_for(pmo).get(url(other, "version", version=version.pk)).status_code == 404
    assert client_for(pmo).get(url(other, "version_image", version=version.pk)).status_code == 404


def test_the_first_picture_has_no_overlay(project, everyone, pmo):
    manual = manual_with_steps(project, steps=1)
    version = ScreenshotVersion.objects.filter(screenshot__step__manual=manual).first()
    assert client_for(pmo).get(url(manual, "version_overlay", version=version.pk)).status_code == 404
    page = text(client_for(pmo).get(url(manual, "version", version=version.pk)))
    assert "no earlier picture" in page and "data-compare-slider" not in page


# --- deciding ---------------------------------------------------------------------------------------------------


def test_the_client_pm_confirms_from_the_page_and_a_second_click_is_told_it_is_decided(waiting, client_pm):
    manual, version = waiting
    client = client_for(client_pm)
    assert 'data-testid="confirm-form"' in text(client.get(url(manual, "version", version=version.pk)))
    response = client.post(url(manual, "version_confirm", version=version.pk), {"decision": Decision.MOVED_TEXT_RIGHT, "comment": "Windows 11 の位置です"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    version.refresh_from_db()
    assert (version.state, version.decision, version.decided_by, version.comment) == (VersionState.CONFIRMED, Decision.MOVED_TEXT_RIGHT, client_pm, "Windows 11 の位置です")  # fmt: skip
    page = text(client.get(url(manual, "version", version=version.pk)))
    assert 'data-testid="decision-record"' in page and "Windows 11 の位置です" in page
    assert 'data-testid="confirm-form"' not in page

    again = client.post(url(manual, "version_confirm", version=version.pk), {"decision": Decision.MOVED_TEXT_RIGHT})
    assert again.status_code == 302
    assert any("already decided" in m for m in flashed(again))
    htmx = client.post(url(manual, "version_reject", version=version.pk), {"comment": "古い"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 409
    assert "already decided" in text(htmx) and 'id="version-decision"' in text(htmx)
    version.refresh_from_db()
    assert version.state == VersionState.CONFIRMED


def test_text_needs_change_is_recorded_on_the_step(waiting, client_pm):
    manual, version = waiting
    response = client_for(client_pm).post(url(manual, "version_confirm", version=version.pk), {"decision": Decision.TEXT_NEEDS_CHANGE}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and 'data-testid="decision-record"' in text(response)
    assert Step.objects.get(pk=version.screenshot.step_id).needs_text_change


def test_the_uploader_may_not_confirm_their_own_picture(waiting, pmo):
    manual, version = waiting
    response = client_for(pmo).post(url(manual, "version_confirm", version=version.pk), {"decision": Decision.MOVED_TEXT_RIGHT})  # fmt: skip
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.state == VersionState.AWAITING


@pytest.mark.parametrize(
    ("persona", "expected"), [("security", 403), ("reader", 403), ("vendor_b", 404), ("outsider", 404)]
)
def test_others_may_not_decide(waiting, personas, persona, expected):
    manual, version = waiting
    response = client_for(personas[persona]).post(url(manual, "version_confirm", version=version.pk), {"decision": Decision.MOVED_TEXT_RIGHT})  # fmt: skip
    assert response.status_code == expected
    version.refresh_from_db()
    assert version.state == VersionState.AWAITING


def test_rejecting_needs_a_reason_and_keeps_the_earlier_picture(waiting, client_pm):
    manual, version = waiting
    client = client_for(client_pm)
    refused = client.post(url(manual, "version_reject", version=version.pk), {"comment": "  "})
    assert refused.status_code == 422
    assert "Say why the screenshot is rejected" in text(refused)
    version.refresh_from_db()
    assert version.state == VersionState.AWAITING
    done = client.post(url(manual, "version_reject", version=version.pk), {"comment": "古い画面です"})
    assert done.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.REJECTED
    assert version.screenshot.current_id == version.compared_to_id


def test_a_bad_decision_value_is_refused_with_the_form(waiting, client_pm):
    manual, version = waiting
    response = client_for(client_pm).post(url(manual, "version_confirm", version=version.pk), {"decision": "rejected"})
    assert response.status_code == 422
    assert "Choose whether the text is still right." in text(response)
    version.refresh_from_db()
    assert version.state == VersionState.AWAITING


def test_deciding_is_post_only(waiting, client_pm):
    manual, version = waiting
    assert client_for(client_pm).get(url(manual, "version_confirm", version=version.pk)).status_code == 405


# --- publishing, exporting, submitting, "still right" ----------------------------------------------------------


def test_publishing_is_refused_while_a_picture_waits_and_names_the_step(waiting, pmo):
    manual, version = waiting
    response = client_for(pmo).post(url(manual, "publish"), {"note": "第2版"})
    assert response.status_code == 302 and response["Location"] == manual.get_absolute_url()
    said = " ".join(flashed(response))
    assert "cannot be published yet" in said and version.screenshot.step.title in said
    assert Edition.objects.filter(manual=manual).count() == 1


def test_publishing_after_the_confirmation_makes_the_next_edition(waiting, pmo, client_pm):
    manual, version = waiting
    services.version_confirm(actor=client_pm, version=version)
    response = client_for(pmo).post(url(manual, "publish"), {"note": "スタートの位置"})
    assert response.status_code == 302
    edition = Edition.objects.get(manual=manual, number=2)
    assert edition.note == "スタートの位置"
    assert any("Edition 2 is published" in m for m in flashed(response))


@pytest.mark.parametrize(("persona", "expected"), [("client_pm", 403), ("security", 403), ("reader", 403), ("vendor_a", 404), ("outsider", 404)])  # fmt: skip
def test_only_the_pmo_publishes(project, everyone, personas, persona, expected):
    manual = published(project)
    services.step_add(actor=personas["pmo"], manual=manual, title="追加の手順")
    for name in ("publish", "submit", "reviewed"):
        assert client_for(personas[persona]).post(url(manual, name)).status_code == expected
    assert Edition.objects.filter(manual=manual).count() == 1


def test_exporting_is_refused_while_a_picture_waits(waiting, client_pm):
    manual, version = waiting
    response = client_for(client_pm).post(url(manual, "export"))
    assert response.status_code == 302 and response["Location"] == manual.get_absolute_url()
    said = " ".join(flashed(response))
    assert "cannot be exported yet" in said and version.screenshot.step.title in said
    assert not ExportJob.objects.filter(kind="manual").exists()


def test_exporting_the_draft_starts_an_export_job(waiting, client_pm, django_capture_on_commit_callbacks):
    manual, version = waiting
    services.version_confirm(actor=client_pm, version=version)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(client_pm).post(url(manual, "export"))
    job = ExportJob.objects.get(kind="manual", object_id=str(manual.pk))
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", kwargs={"pk": job.pk})
    assert (job.requested_by, job.language) == (client_pm, "ja")


@pytest.mark.parametrize(("persona", "expected"), [("reader", 403), ("vendor_b", 404), ("outsider", 404)])
def test_only_insiders_export_the_draft(project, everyone, personas, persona, expected):
    manual = published(project)
    assert client_for(personas[persona]).post(url(manual, "export")).status_code == expected
    assert not ExportJob.objects.filter(kind="manual").exists()


def test_submitting_for_review_and_marking_reviewed(project, everyone, pmo, client_pm):
    manual = manual_with_steps(project, steps=1)
    client = client_for(pmo)
    response = client.post(url(manual, "submit"))
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.status == ManualStatus.IN_REVIEW
    again = client.post(url(manual, "submit"))
    assert "already in review" in " ".join(flashed(again))
    refused = client.post(url(manual, "reviewed"))
    assert "Only a published manual" in " ".join(flashed(refused))
    services.manual_publish(actor=pmo, manual=manual)
    manual.refresh_from_db()
    before = manual.reviewed_at
    assert client.post(url(manual, "reviewed")).status_code == 302
    manual.refresh_from_db()
    assert manual.reviewed_at > before


def test_the_manual_actions_are_post_only(project, everyone, pmo):
    manual = manual_with_steps(project, steps=1)
    for name in ("submit", "publish", "export", "reviewed"):
        assert client_for(pmo).get(url(manual, name)).status_code == 405
