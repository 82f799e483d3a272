"""Screenshots: upload, annotate, the background comparison, and the confirmation of a changed picture."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided

from .. import annotations as shapes_mod
from .. import imagediff, images
from ..models import (
    BLOCKING_STATES,
    Band,
    Decision,
    Manual,
    ManualSettings,
    Screenshot,
    ScreenshotVersion,
    Step,
    Variant,
    VersionState,
    manual_changed,
)
from .common import COMPARE_MAX_ATTEMPTS, edit_working_copy, pmo_people, read_stored, working_copy_changed

log = logging.getLogger(__name__)

# --- screenshots ----------------------------------------------------------------------------------------------


def screenshot_upload(*, actor, step: Step, variant: Variant | None, file) -> ScreenshotVersion:
    """Add or replace the picture of a step in one environment (``variant`` None: all environments).

    The file is checked and re-encoded first (nothing of the original is stored). A picture replacing one readers
    have already seen is compared with it in the background; until that is done, the manual cannot be published.
    """
    clean = images.clean_upload(file, max_bytes=settings.MANUAL_IMAGE_MAX_BYTES, max_pixels=settings.MANUAL_IMAGE_MAX_PIXELS)  # fmt: skip
    if variant is not None and variant.manual_id != step.manual_id:
        raise ValidationError(_("This environment belongs to another manual."))
    name = default_storage.save(images.random_name("manuals/shots"), ContentFile(clean.content))
    try:
        with transaction.atomic():
            manual = edit_working_copy(actor, step.manual)
            shot, _created = Screenshot.objects.select_for_update().get_or_create(step=step, variant=variant)
            number = (shot.versions.aggregate(m=Max("number"))["m"] or 0) + 1
            waiting = shot.baseline_id is not None
            version = ScreenshotVersion.objects.create(
                screenshot=shot, number=number, image=name, width=clean.width, height=clean.height, sha256=clean.sha256,
                uploaded_by=actor, state=VersionState.COMPARING if waiting else VersionState.ACCEPTED,
                compared_to_id=shot.baseline_id,
            )  # fmt: skip
            # An earlier picture still waiting is replaced by this one: only the newest is confirmed.
            shot.versions.filter(state__in=BLOCKING_STATES).exclude(pk=version.pk).update(state=VersionState.SUPERSEDED)
            shot.current = version
            shot.save(update_fields=["current"])
            working_copy_changed(manual)
            audit.record(actor=actor, verb="manual.screenshot_upload", obj=version, project=manual.project, after={"step": step.pk, "variant": variant.name if variant else "", "number": number, "sha256": clean.sha256})  # fmt: skip
            if waiting:
                transaction.on_commit(lambda: _enqueue_compare(version.pk))
    except BaseException:
        default_storage.delete(name)
        raise
    return version


def screenshot_annotate(*, actor, screenshot: Screenshot, shapes: list[dict]) -> Screenshot:
    """Save the rectangles, arrows, numbered callouts and blur boxes drawn on a screenshot."""
    with transaction.atomic():
        manual = edit_working_copy(actor, screenshot.step.manual)
        shot = Screenshot.objects.select_for_update().get(pk=screenshot.pk)
        parsed = shapes_mod.parse(shapes)
        if parsed == shot.annotations:
            return shot
        before, shot.annotations = shot.annotations, parsed
        shot.save(update_fields=["annotations"])
        working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.annotate", obj=shot, project=manual.project, before={"annotations": before}, after={"annotations": parsed})  # fmt: skip
    return shot


def screenshot_delete(*, actor, screenshot: Screenshot) -> None:
    """Take the picture away from one environment (its versions go with it; editions keep their copies)."""
    with transaction.atomic():
        manual = edit_working_copy(actor, screenshot.step.manual)
        audit.record(actor=actor, verb="manual.screenshot_delete", obj=manual, project=manual.project, before={"step": screenshot.step_id, "variant": screenshot.variant.name if screenshot.variant else ""})  # fmt: skip
        screenshot.delete()
        working_copy_changed(manual)


def _enqueue_compare(version_id) -> None:
    """Ring the doorbell; when the broker is down the version stays "being compared" and the sweep sends it."""
    from ..tasks import compare_screenshot

    try:
        compare_screenshot.delay(version_id)
    except Exception:  # noqa: BLE001  (any broker failure: the row is already safe in the database)
        log.warning("screenshot version %s saved but not sent to the broker; the sweep will send it", version_id, exc_info=True)  # fmt: skip


def screenshot_compare(version_id) -> ScreenshotVersion | None:
    """The background comparison of a new picture with the one it replaces. Safe to run twice.

    Unchanged (by the project's band) is accepted at once; anything else waits for a confirmation, with the
    changed regions, an overlay, and the annotations those regions touch ("the element this callout points at may
    have moved").
    """
    claimed = ScreenshotVersion.objects.filter(pk=version_id, state=VersionState.COMPARING, compare_attempts__lt=COMPARE_MAX_ATTEMPTS).update(compare_attempts=F("compare_attempts") + 1)  # fmt: skip
    if not claimed:
        return None
    version = ScreenshotVersion.objects.select_related("compared_to", "screenshot__step__manual__project").get(pk=version_id)  # fmt: skip
    shot = version.screenshot
    if version.compared_to is None:  # the baseline vanished: a person looks instead
        return _compare_done(version, state=VersionState.AWAITING, band=Band.LAYOUT, fields={"changed_ratio": 1.0})
    policy = ManualSettings.for_project(shot.step.manual.project)
    result, overlay = imagediff.compare_bytes(
        read_stored(version.compared_to.image.name), read_stored(version.image.name),
        unchanged_max=float(policy.unchanged_max_percent) / 100, layout_min=float(policy.layout_min_percent) / 100,
    )  # fmt: skip
    overlay_name = default_storage.save(images.random_name("manuals/overlays"), ContentFile(overlay)) if overlay else ""
    touched = shapes_mod.touched_by(shot.annotations, result.regions, version.width, version.height) if not result.size_changed else []  # fmt: skip
    fields = {"changed_ratio": result.changed_ratio, "regions": [list(r) for r in result.regions], "touched": touched, "overlay": overlay_name}  # fmt: skip
    state = VersionState.ACCEPTED if result.band == imagediff.UNCHANGED else VersionState.AWAITING
    done = _compare_done(version, state=state, band=result.band, fields=fields)
    if done is None and overlay_name:
        default_storage.delete(overlay_name)  # another run finished first
    return done


def _compare_done(version: ScreenshotVersion, *, state: str, band: str, fields: dict) -> ScreenshotVersion | None:
    with transaction.atomic():
        written = ScreenshotVersion.objects.filter(pk=version.pk, state=VersionState.COMPARING).update(state=state, band=band, **fields)  # fmt: skip
        if not written:
            return None
        manual_changed(version.manuals())  # update() bypasses the version's save()
        version.refresh_from_db()
        shot = Screenshot.objects.select_for_update(of=("self",)).select_related("step__manual__project", "step__manual__reviewer").get(pk=version.screenshot_id)  # fmt: skip
        manual = shot.step.manual
        if state == VersionState.ACCEPTED and shot.current_id == version.pk:
            shot.baseline = version
            shot.save(update_fields=["baseline"])
        audit.record(actor=None, verb="manual.screenshot_compared", obj=version, project=manual.project, after={"band": band, "state": state, "changed_ratio": version.changed_ratio, "touched": version.touched})  # fmt: skip
        if state == VersionState.AWAITING:
            for person in confirmers(manual, exclude=version.uploaded_by):
                notifications.notify(recipient=person, kind="manual.screenshot_changed", project=manual.project, obj=version, url=version.get_absolute_url(), params={"manual": manual.title, "step": shot.step.title, "variant": str(shot.variant or _("all environments")), "percent": version.changed_percent or 0})  # fmt: skip
    return version


def confirmers(manual: Manual, *, exclude) -> list:
    """Who is asked to confirm: the manual's reviewer, or else the PMO staff (never the uploader)."""
    if manual.reviewer_id and manual.reviewer_id != exclude.pk:
        return [manual.reviewer]
    return pmo_people(manual.project, exclude=exclude)


def screenshot_compare_failed(version_id) -> None:
    """The comparison could not be made (the attempts are used up): a person looks at the picture instead."""
    version = ScreenshotVersion.objects.filter(pk=version_id, state=VersionState.COMPARING).first()
    if version is not None:
        _compare_done(version, state=VersionState.AWAITING, band=Band.LAYOUT, fields={"changed_ratio": None})


def screenshot_compare_sweep(now=None) -> int:
    """Re-send comparisons the broker lost; give the ones out of attempts to a person. Returns how many were sent."""
    from ..tasks import compare_screenshot

    now = now or timezone.now()
    stale = ScreenshotVersion.objects.filter(state=VersionState.COMPARING, uploaded_at__lt=now - timedelta(seconds=settings.EXPORT_REQUEUE_AFTER_SECONDS))  # fmt: skip
    for version_id in stale.filter(compare_attempts__gte=COMPARE_MAX_ATTEMPTS).values_list("pk", flat=True):
        screenshot_compare_failed(version_id)
    sent = 0
    for version_id in stale.filter(compare_attempts__lt=COMPARE_MAX_ATTEMPTS).values_list("pk", flat=True):
        try:
            compare_screenshot.apply_async(args=[version_id])
        except Exception:  # noqa: BLE001  (broker still down: the next sweep tries again)
            log.warning("sweep could not reach the broker; screenshot version %s stays queued", version_id)
            break
        sent += 1
    return sent


# --- confirming changed pictures ------------------------------------------------------------------------------


def _lock_waiting(actor, version: ScreenshotVersion) -> ScreenshotVersion:
    version = ScreenshotVersion.objects.select_for_update(of=("self",)).select_related("screenshot__step__manual__project", "decided_by").get(pk=version.pk)  # fmt: skip
    if not actor.has_perm("manuals.confirm_screenshot", version):
        raise PermissionDenied(_("You may not confirm this screenshot: ask the manual's reviewer."))
    if version.state in (VersionState.CONFIRMED, VersionState.REJECTED):
        raise AlreadyDecided(_("%(who)s already decided on this screenshot.") % {"who": version.decided_by})
    if version.state != VersionState.AWAITING or version.screenshot.current_id != version.pk:
        raise AlreadyDecided(_("This screenshot no longer waits for a confirmation."))
    return version


def version_confirm(
    *, actor, version: ScreenshotVersion, decision: str = Decision.MOVED_TEXT_RIGHT, comment: str = ""
) -> ScreenshotVersion:  # noqa: E501
    """The changed picture is right. "The text needs a change" also holds publishing until the step is edited."""
    if decision not in (Decision.MOVED_TEXT_RIGHT, Decision.TEXT_NEEDS_CHANGE):
        raise ValidationError({"decision": _("Choose whether the text is still right.")})
    with transaction.atomic():
        version = _lock_waiting(actor, version)
        now = timezone.now()
        version.state, version.decision, version.decided_by, version.decided_at, version.comment = VersionState.CONFIRMED, decision, actor, now, comment.strip()  # fmt: skip
        version.full_clean(exclude=["image", "overlay"])
        version.save()  # counts in the manual's revision, for the update()s after it too (same transaction)
        shot = version.screenshot
        Screenshot.objects.filter(pk=shot.pk).update(baseline=version)
        if decision == Decision.TEXT_NEEDS_CHANGE:
            Step.objects.filter(pk=shot.step_id).update(needs_text_change=True)
        _decided(actor, version, "manual.screenshot_confirm")
    return version


def version_reject(*, actor, version: ScreenshotVersion, comment: str) -> ScreenshotVersion:
    """The new picture is wrong: the step goes back to the picture readers know."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the screenshot is rejected, so that the PMO can take a better one.")})  # fmt: skip
    with transaction.atomic():
        version = _lock_waiting(actor, version)
        version.state, version.decision, version.decided_by, version.decided_at, version.comment = VersionState.REJECTED, Decision.REJECTED, actor, timezone.now(), comment.strip()  # fmt: skip
        version.full_clean(exclude=["image", "overlay"])
        version.save()  # counts in the manual's revision, for the update()s after it too (same transaction)
        shot = version.screenshot
        Screenshot.objects.filter(pk=shot.pk).update(current=shot.baseline_id)
        _decided(actor, version, "manual.screenshot_reject")
    return version


def _decided(actor, version: ScreenshotVersion, verb: str) -> None:
    manual = version.screenshot.step.manual
    audit.record(actor=actor, verb=verb, obj=version, project=manual.project, after={"decision": version.decision, "comment": version.comment})  # fmt: skip
    if version.uploaded_by_id != actor.pk:
        notifications.notify(recipient=version.uploaded_by, kind="manual.screenshot_decided", project=manual.project, obj=version, url=version.get_absolute_url(), params={"manual": manual.title, "step": version.screenshot.step.title, "decider": str(actor), "decision": version.get_decision_display(), "comment": version.comment})  # fmt: skip
