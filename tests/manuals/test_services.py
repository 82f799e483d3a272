"""The manual's life, through the real services: write, publish, replace a picture, confirm, publish again."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from manuals import services
from manuals.models import Band, Decision, Edition, ManualStatus, ScreenReport, ScreenshotVersion, VersionState
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import AuditEvent, ExportJob, Notification

from ..manual_factories import START_CENTRE, START_LEFT, desktop, manual_with_steps, published, replace, upload

pytestmark = pytest.mark.django_db


def _windows10_step1(manual):
    step = manual.steps.order_by("position").first()
    return step, step.screenshots.get(variant__name="Windows 10")


def test_it_accepts_first_pictures_without_asking(project, pmo):
    manual = manual_with_steps(project)
    states = set(ScreenshotVersion.objects.filter(screenshot__step__manual=manual).values_list("state", flat=True))
    assert states == {VersionState.ACCEPTED}
    assert services.publish_blockers(manual) == []


def test_publishing_keeps_an_edition_with_a_change_log_and_asks_for_its_pdf(project, pmo, reader):
    manual = published(project)
    edition = manual.editions.get()
    assert (manual.status, manual.edition, edition.number) == (ManualStatus.PUBLISHED, 1, 1)
    assert [e["what"] for e in edition.change_log] == [["added"]] * 3
    assert ExportJob.objects.filter(kind="manual_edition", object_id=str(edition.pk)).exists()
    assert Notification.objects.filter(recipient=reader, kind="manual.published").exists()
    # readers saw these pictures: they are now what new ones are compared with
    step, shot = _windows10_step1(manual)
    assert shot.baseline_id == shot.current_id


def test_a_moved_start_button_waits_for_confirmation_with_the_callout_warning(project, pmo, client_pm):
    manual = published(project)
    services.manual_update(actor=pmo, manual=manual, title=manual.title, audience=manual.audience, language="ja", reviewer=client_pm)  # fmt: skip
    step, shot = _windows10_step1(manual)
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1))
    version.refresh_from_db()
    assert version.state == VersionState.AWAITING
    assert version.band == Band.CHANGED
    assert 0 < version.changed_ratio < 0.3
    assert version.touched == [0, 1]  # the callout and the arrow both point at where Start was
    assert version.overlay.name
    # boxes around the old and the new place of the button
    xs = sorted(r[0] for r in version.regions)
    assert xs[0] <= START_LEFT[0] and any(r[0] <= START_CENTRE[0] <= r[0] + r[2] for r in version.regions)
    manual.refresh_from_db()
    assert manual.status == ManualStatus.DRAFT
    blockers = services.publish_blockers(manual)
    assert len(blockers) == 1 and step.title in blockers[0]
    with pytest.raises(ValidationError) as refused:
        services.manual_publish(actor=pmo, manual=manual)
    assert step.title in str(refused.value)
    assert list(ScreenshotVersion.objects.waiting_for(client_pm)) == [version]
    assert Notification.objects.filter(recipient=client_pm, kind="manual.screenshot_changed").exists()


def test_confirming_lets_the_next_edition_name_the_changed_screenshot(project, pmo, client_pm):
    manual = published(project)
    step, shot = _windows10_step1(manual)
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1))
    services.version_confirm(actor=client_pm, version=version, comment="Windows 11 の位置です")
    shot.refresh_from_db()
    assert shot.baseline_id == version.pk
    edition = services.manual_publish(actor=pmo, manual=manual, note="スタートの位置")
    assert edition.number == 2
    assert edition.change_log == [{"step": 1, "title": step.title, "what": ["screenshot:Windows 10"]}]
    with pytest.raises(AlreadyDecided):
        services.version_confirm(actor=client_pm, version=version)


def test_text_needs_change_holds_publishing_until_the_step_is_edited(project, pmo, client_pm):
    manual = published(project)
    step, shot = _windows10_step1(manual)
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1))
    services.version_confirm(actor=client_pm, version=version, decision=Decision.TEXT_NEEDS_CHANGE)
    assert any("text needs a change" in reason for reason in services.publish_blockers(manual))
    services.step_update(actor=pmo, step=step, title=step.title, instruction="画面下中央の **スタート** を押します。", expected=step.expected)  # fmt: skip
    assert services.publish_blockers(manual) == []


def test_rejecting_goes_back_to_the_picture_readers_know(project, pmo, client_pm):
    manual = published(project)
    step, shot = _windows10_step1(manual)
    before = shot.current_id
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1))
    with pytest.raises(ValidationError):
        services.version_reject(actor=client_pm, version=version, comment="  ")
    services.version_reject(actor=client_pm, version=version, comment="古い画面です")
    shot.refresh_from_db()
    assert shot.current_id == before
    assert services.publish_blockers(manual) == []


def test_nobody_confirms_their_own_picture(project, pmo):
    manual = published(project)
    step, shot = _windows10_step1(manual)
    version = replace(step, shot.variant, desktop(START_CENTRE, seed_text=1))
    with pytest.raises(PermissionDenied):
        services.version_confirm(actor=pmo, version=version)


def test_an_unchanged_picture_is_accepted_by_itself(project, pmo):
    manual = published(project)
    step, shot = _windows10_step1(manual)
    version = replace(step, shot.variant, desktop(START_LEFT, seed_text=1))
    version.refresh_from_db()
    assert (version.state, version.band, version.changed_ratio) == (VersionState.ACCEPTED, Band.UNCHANGED, 0.0)
    assert services.publish_blockers(manual) == []


def test_a_different_size_is_the_layout_band(project, pmo, client_pm):
    manual = published(project)
    step, shot = _windows10_step1(manual)
    version = replace(step, shot.variant, desktop(START_LEFT, size=(1366, 768)))
    version.refresh_from_db()
    assert (version.state, version.band) == (VersionState.AWAITING, Band.LAYOUT)


def test_reordering_keeps_pictures_with_their_steps(project, pmo):
    manual = manual_with_steps(project)
    ids = list(manual.steps.order_by("position").values_list("pk", flat=True))
    services.steps_reorder(actor=pmo, manual=manual, order=[ids[2], ids[0], ids[1]])
    assert list(manual.steps.order_by("position").values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]
    with pytest.raises(ValidationError):
        services.steps_reorder(actor=pmo, manual=manual, order=[ids[0], ids[1]])
    copy = services.step_duplicate(actor=pmo, step=manual.steps.get(pk=ids[0]))
    assert copy.position == 3 and copy.screenshots.count() == 2


def test_a_reader_report_reaches_the_pmo(project, pmo, reader):
    manual = published(project)
    edition = Edition.objects.get(manual=manual)
    step = edition.snapshot["steps"][0]
    report = services.report_create(actor=reader, edition=edition, step_id=step["id"], variant_id=None, comment="ボタンがありません", file=upload(desktop(START_CENTRE)))  # fmt: skip
    assert report.image.name and report.step_number == 1
    assert Notification.objects.filter(recipient=pmo, kind="manual.screen_report").exists()
    assert AuditEvent.objects.filter(verb="manual.report").exists()
    services.report_resolve(actor=pmo, report=report, resolution="手順を直しました")
    assert ScreenReport.objects.get().resolved_by == pmo
