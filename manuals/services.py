"""Every state change of a screenshot manual: one function each (DESIGN.md §4).

PMO staff write the manual: environments, steps, screenshots and their annotations. A new picture of a screenshot
readers have already seen is compared with it in the background (:func:`screenshot_compare`); unless nothing
visible changed it waits for the reviewer's confirmation, and until then the manual is neither published nor
exported. Publishing keeps an edition (what readers read), with its change log and its PDF. Readers report a
screen that looks different; the PMO resolves the report.
"""

import base64
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit, exports, notifications
from pmo_portal.inbox import AlreadyDecided
from projects.models import Membership, Project, Role
from projects.services import require_role

from . import annotations as shapes_mod
from . import imagediff, images
from .models import (
    BLOCKING_STATES,
    Band,
    Decision,
    Edition,
    Manual,
    ManualSettings,
    ManualStatus,
    ScreenReport,
    Screenshot,
    ScreenshotVersion,
    Step,
    Variant,
    VersionState,
)

log = logging.getLogger(__name__)

MANUAL_AUDIT_FIELDS = ("title", "audience", "language", "status", "edition", "reviewer_id", "share_with_all_readers")
STEP_AUDIT_FIELDS = ("position", "title", "instruction", "expected")
COMPARE_MAX_ATTEMPTS = 3


def require_pmo(actor, project) -> None:
    require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project can change its manuals."))


def lock_manual(manual: Manual) -> Manual:
    return Manual.objects.select_for_update(of=("self",)).select_related("project").get(pk=manual.pk)


def _working_copy_changed(manual: Manual) -> None:
    """A change to a published manual (or one in review) starts the next edition: it is a draft again."""
    if manual.status != ManualStatus.DRAFT:
        manual.reopen()
        manual.save(update_fields=["status", "updated_at"])


def _edit(actor, manual: Manual) -> Manual:
    """Lock the manual for a change of its working copy by PMO staff."""
    manual = lock_manual(manual)
    require_pmo(actor, manual.project)
    return manual


def _pmo_people(project, *, exclude=None) -> list:
    members = Membership.objects.filter(project=project, role=Role.PMO).select_related("user")
    return [m.user for m in members if exclude is None or m.user_id != exclude.pk]


def blocking_versions(manual: Manual):
    """The current pictures that still wait (being compared, or for a confirmation), in step order."""
    return (
        ScreenshotVersion.objects.filter(screenshot__step__manual=manual, state__in=BLOCKING_STATES, screenshot__current=F("pk"))  # fmt: skip
        .select_related("screenshot__step", "screenshot__variant")
        .order_by("screenshot__step__position", "screenshot__step__pk", "pk")
    )


def publish_blockers(manual: Manual) -> list[str]:
    """Why the manual cannot be published or exported now, one sentence per step (empty: it can)."""
    reasons = []
    for version in blocking_versions(manual):
        params = {"step": version.screenshot.step.title, "variant": version.screenshot.variant or _("all environments")}
        if version.state == VersionState.COMPARING:
            reasons.append(_("“%(step)s” (%(variant)s): the new screenshot is still being compared.") % params)
        else:
            reasons.append(_("“%(step)s” (%(variant)s): the changed screenshot waits for confirmation.") % params)
    for step in manual.steps.filter(needs_text_change=True):
        reasons.append(_("“%(step)s”: the reviewer said its text needs a change.") % {"step": step.title})
    if not manual.steps.exists():
        reasons.append(_("The manual has no steps yet."))
    return reasons


# --- the manual -----------------------------------------------------------------------------------------------


def manual_create(*, actor, project: Project, title: str, language: str, audience: str = "", variants: list[str] = ()) -> Manual:  # noqa: E501
    """PMO staff start a manual, with the environments its readers work in (at least one)."""
    with transaction.atomic():
        require_pmo(actor, project)
        manual = Manual(project=project, title=title.strip(), audience=audience.strip(), language=language, created_by=actor)  # fmt: skip
        manual.full_clean(exclude=["status"])  # the protected state field changes only by transition
        manual.save()
        names = list(dict.fromkeys(n.strip() for n in variants if n.strip())) or [_("Standard")]
        for position, name in enumerate(names, start=1):
            variant = Variant(manual=manual, name=name, position=position)
            variant.full_clean()
            variant.save()
        audit.record(actor=actor, verb="manual.create", obj=manual, project=project, after=audit.snapshot(manual, MANUAL_AUDIT_FIELDS))  # fmt: skip
    return manual


def manual_update(*, actor, manual: Manual, title: str, audience: str, language: str, reviewer=None, share_with_all_readers: bool = True, shared_with=()) -> Manual:  # noqa: E501
    with transaction.atomic():
        manual = _edit(actor, manual)
        if reviewer is not None and not Membership.objects.filter(project=manual.project, user=reviewer, role__in=[Role.PMO, Role.CLIENT_PM]).exists():  # fmt: skip
            raise ValidationError({"reviewer": _("The reviewer must be PMO staff or the client PM of this project.")})
        readers = list(shared_with)
        if any(not Membership.objects.filter(project=manual.project, user=r, role=Role.READER).exists() for r in readers):
            raise ValidationError({"shared_with": _("Only readers of this project can be named here.")})
        before = audit.snapshot(manual, MANUAL_AUDIT_FIELDS)
        manual.title, manual.audience, manual.language = title.strip(), audience.strip(), language
        manual.reviewer, manual.share_with_all_readers = reviewer, share_with_all_readers
        manual.full_clean(exclude=["status"])
        manual.save()
        manual.shared_with.set(readers)
        old, new = audit.changed(before, audit.snapshot(manual, MANUAL_AUDIT_FIELDS))
        audit.record(actor=actor, verb="manual.update", obj=manual, project=manual.project, before=old, after={**new, "shared_with": [r.pk for r in readers]})  # fmt: skip
    return manual


def manual_settings_update(*, actor, project: Project, unchanged_max_percent, layout_min_percent, review_months: int) -> ManualSettings:  # noqa: E501
    """How this project's screenshots are judged (the bands) and how often published manuals are re-read."""
    with transaction.atomic():
        require_pmo(actor, project)
        found = ManualSettings.objects.select_for_update().filter(project=project).first() or ManualSettings(project=project)  # fmt: skip
        before = {"unchanged": str(found.unchanged_max_percent), "layout": str(found.layout_min_percent), "months": found.review_months}  # fmt: skip
        found.unchanged_max_percent, found.layout_min_percent, found.review_months = unchanged_max_percent, layout_min_percent, review_months  # fmt: skip
        if found.unchanged_max_percent >= found.layout_min_percent:
            raise ValidationError({"layout_min_percent": _("A new layout must start above the share that counts as unchanged.")})  # fmt: skip
        found.full_clean()
        found.save()
        after = {"unchanged": str(found.unchanged_max_percent), "layout": str(found.layout_min_percent), "months": found.review_months}  # fmt: skip
        audit.record(actor=actor, verb="manual.settings", obj=found, project=project, before=before, after=after)
    return found


def variant_add(*, actor, manual: Manual, name: str) -> Variant:
    with transaction.atomic():
        manual = _edit(actor, manual)
        if manual.variants.filter(name__iexact=name.strip()).exists():
            raise ValidationError({"name": _("This manual already has an environment called “%(name)s”.") % {"name": name.strip()}})  # fmt: skip
        position = (manual.variants.aggregate(m=Max("position"))["m"] or 0) + 1
        variant = Variant(manual=manual, name=name.strip(), position=position)
        variant.full_clean()
        variant.save()
        _working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.variant_add", obj=manual, project=manual.project, after={"variant": variant.name})  # fmt: skip
    return variant


def variant_delete(*, actor, variant: Variant) -> None:
    """Drop an environment with its own screenshots (the shared ones stay). A manual keeps at least one."""
    with transaction.atomic():
        manual = _edit(actor, variant.manual)
        if manual.variants.count() <= 1:
            raise ValidationError(_("A manual needs at least one environment."))
        audit.record(actor=actor, verb="manual.variant_delete", obj=manual, project=manual.project, before={"variant": variant.name})  # fmt: skip
        variant.delete()
        _working_copy_changed(manual)


# --- steps ----------------------------------------------------------------------------------------------------


def _renumber(manual: Manual, ordered_ids: list[int]) -> None:
    steps = {s.pk: s for s in manual.steps.all()}
    for position, step_id in enumerate(ordered_ids, start=1):
        steps[step_id].position = position
    Step.objects.bulk_update(steps.values(), ["position"])


def _ordered_ids(manual: Manual) -> list[int]:
    return list(manual.steps.order_by("position", "pk").values_list("pk", flat=True))


def step_add(*, actor, manual: Manual, title: str, instruction: str = "", expected: str = "", after: Step | None = None) -> Step:  # noqa: E501
    """A new step at the end, or right after ``after``."""
    with transaction.atomic():
        manual = _edit(actor, manual)
        step = Step(manual=manual, title=title.strip(), instruction=instruction, expected=expected)
        step.full_clean(exclude=["position"])
        step.save()
        order = [pk for pk in _ordered_ids(manual) if pk != step.pk]
        index = order.index(after.pk) + 1 if after is not None and after.pk in order else len(order)
        order.insert(index, step.pk)
        _renumber(manual, order)
        step.refresh_from_db()
        _working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.step_add", obj=step, project=manual.project, after=audit.snapshot(step, STEP_AUDIT_FIELDS))  # fmt: skip
    return step


def step_update(*, actor, step: Step, title: str, instruction: str, expected: str) -> Step:
    """Edit a step's words; this answers a reviewer's "the text needs a change"."""
    with transaction.atomic():
        manual = _edit(actor, step.manual)
        step = Step.objects.select_for_update().get(pk=step.pk)
        before = audit.snapshot(step, STEP_AUDIT_FIELDS)
        step.title, step.instruction, step.expected = title.strip(), instruction, expected
        step.full_clean()
        changed = audit.changed(before, audit.snapshot(step, STEP_AUDIT_FIELDS))
        if not changed[1] and not step.needs_text_change:
            return step
        step.needs_text_change = False
        step.save()
        _working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.step_update", obj=step, project=manual.project, before=changed[0], after=changed[1])  # fmt: skip
    return step


def step_duplicate(*, actor, step: Step) -> Step:
    """A copy right after it: its words, and its current pictures with their annotations (as first versions)."""
    with transaction.atomic():
        copy = step_add(actor=actor, manual=step.manual, title=step.title, instruction=step.instruction, expected=step.expected, after=step)  # fmt: skip
        for shot in step.screenshots.select_related("current"):
            if shot.current is None:
                continue
            new_shot = Screenshot.objects.create(step=copy, variant_id=shot.variant_id, annotations=shot.annotations)
            name = default_storage.save(images.random_name("manuals/shots"), ContentFile(_read(shot.current.image.name)))
            version = ScreenshotVersion.objects.create(
                screenshot=new_shot, number=1, image=name, width=shot.current.width, height=shot.current.height,
                sha256=shot.current.sha256, uploaded_by=actor, state=VersionState.ACCEPTED,
            )  # fmt: skip
            Screenshot.objects.filter(pk=new_shot.pk).update(current=version)
    return copy


def step_delete(*, actor, step: Step) -> None:
    with transaction.atomic():
        manual = _edit(actor, step.manual)
        audit.record(actor=actor, verb="manual.step_delete", obj=manual, project=manual.project, before=audit.snapshot(step, STEP_AUDIT_FIELDS))  # fmt: skip
        step.delete()
        _renumber(manual, _ordered_ids(manual))
        _working_copy_changed(manual)


def steps_reorder(*, actor, manual: Manual, order: list[int]) -> None:
    """The steps in this order (every step once); their screenshots and annotations go with them."""
    with transaction.atomic():
        manual = _edit(actor, manual)
        current = _ordered_ids(manual)
        if sorted(order) != sorted(current) or len(set(order)) != len(order):
            raise ValidationError(_("The steps changed while you were moving them. Reload the page and try again."))
        if order == current:
            return
        _renumber(manual, order)
        _working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.steps_reorder", obj=manual, project=manual.project, before={"order": current}, after={"order": order})  # fmt: skip


def step_move(*, actor, step: Step, delta: int) -> None:
    """One place up (-1) or down (+1): the keyboard's way of dragging."""
    order = _ordered_ids(step.manual)
    index = order.index(step.pk)
    target = min(max(index + delta, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    steps_reorder(actor=actor, manual=step.manual, order=order)


# --- screenshots ----------------------------------------------------------------------------------------------


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


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
            manual = _edit(actor, step.manual)
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
            _working_copy_changed(manual)
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
        manual = _edit(actor, screenshot.step.manual)
        shot = Screenshot.objects.select_for_update().get(pk=screenshot.pk)
        parsed = shapes_mod.parse(shapes)
        if parsed == shot.annotations:
            return shot
        before, shot.annotations = shot.annotations, parsed
        shot.save(update_fields=["annotations"])
        _working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.annotate", obj=shot, project=manual.project, before={"annotations": before}, after={"annotations": parsed})  # fmt: skip
    return shot


def screenshot_delete(*, actor, screenshot: Screenshot) -> None:
    """Take the picture away from one environment (its versions go with it; editions keep their copies)."""
    with transaction.atomic():
        manual = _edit(actor, screenshot.step.manual)
        audit.record(actor=actor, verb="manual.screenshot_delete", obj=manual, project=manual.project, before={"step": screenshot.step_id, "variant": screenshot.variant.name if screenshot.variant else ""})  # fmt: skip
        screenshot.delete()
        _working_copy_changed(manual)


def _enqueue_compare(version_id) -> None:
    """Ring the doorbell; when the broker is down the version stays "being compared" and the sweep sends it."""
    from .tasks import compare_screenshot

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
        _read(version.compared_to.image.name), _read(version.image.name),
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
        version.refresh_from_db()
        shot = Screenshot.objects.select_for_update().select_related("step__manual__project", "step__manual__reviewer").get(pk=version.screenshot_id)  # fmt: skip
        manual = shot.step.manual
        if state == VersionState.ACCEPTED and shot.current_id == version.pk:
            shot.baseline = version
            shot.save(update_fields=["baseline"])
        audit.record(actor=None, verb="manual.screenshot_compared", obj=version, project=manual.project, after={"band": band, "state": state, "changed_ratio": version.changed_ratio, "touched": version.touched})  # fmt: skip
        if state == VersionState.AWAITING:
            for person in _confirmers(manual, exclude=version.uploaded_by):
                notifications.notify(recipient=person, kind="manual.screenshot_changed", project=manual.project, obj=version, url=version.get_absolute_url(), params={"manual": manual.title, "step": shot.step.title, "variant": str(shot.variant or _("all environments")), "percent": version.changed_percent or 0})  # fmt: skip
    return version


def _confirmers(manual: Manual, *, exclude) -> list:
    """Who is asked to confirm: the manual's reviewer, or else the PMO staff (never the uploader)."""
    if manual.reviewer_id and manual.reviewer_id != exclude.pk:
        return [manual.reviewer]
    return _pmo_people(manual.project, exclude=exclude)


def screenshot_compare_failed(version_id) -> None:
    """The comparison could not be made (the attempts are used up): a person looks at the picture instead."""
    version = ScreenshotVersion.objects.filter(pk=version_id, state=VersionState.COMPARING).first()
    if version is not None:
        _compare_done(version, state=VersionState.AWAITING, band=Band.LAYOUT, fields={"changed_ratio": None})


def screenshot_compare_sweep(now=None) -> int:
    """Re-send comparisons the broker lost; give the ones out of attempts to a person. Returns how many were sent."""
    from .tasks import compare_screenshot

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


def version_confirm(*, actor, version: ScreenshotVersion, decision: str = Decision.MOVED_TEXT_RIGHT, comment: str = "") -> ScreenshotVersion:  # noqa: E501
    """The changed picture is right. "The text needs a change" also holds publishing until the step is edited."""
    if decision not in (Decision.MOVED_TEXT_RIGHT, Decision.TEXT_NEEDS_CHANGE):
        raise ValidationError({"decision": _("Choose whether the text is still right.")})
    with transaction.atomic():
        version = _lock_waiting(actor, version)
        now = timezone.now()
        version.state, version.decision, version.decided_by, version.decided_at, version.comment = VersionState.CONFIRMED, decision, actor, now, comment.strip()  # fmt: skip
        version.full_clean(exclude=["image", "overlay"])
        version.save()
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
        version.save()
        shot = version.screenshot
        Screenshot.objects.filter(pk=shot.pk).update(current=shot.baseline_id)
        _decided(actor, version, "manual.screenshot_reject")
    return version


def _decided(actor, version: ScreenshotVersion, verb: str) -> None:
    manual = version.screenshot.step.manual
    audit.record(actor=actor, verb=verb, obj=version, project=manual.project, after={"decision": version.decision, "comment": version.comment})  # fmt: skip
    if version.uploaded_by_id != actor.pk:
        notifications.notify(recipient=version.uploaded_by, kind="manual.screenshot_decided", project=manual.project, obj=version, url=version.get_absolute_url(), params={"manual": manual.title, "step": version.screenshot.step.title, "decider": str(actor), "decision": version.get_decision_display(), "comment": version.comment})  # fmt: skip


# --- review and publishing ------------------------------------------------------------------------------------


def manual_submit(*, actor, manual: Manual) -> Manual:
    """PMO staff ask the reviewer (or the client PM) to read the manual before it is published."""
    with transaction.atomic():
        manual = _edit(actor, manual)
        if manual.status == ManualStatus.IN_REVIEW:
            raise ValidationError(_("This manual is already in review."))
        if not manual.steps.exists():
            raise ValidationError(_("The manual has no steps yet."))
        manual.submit(by=actor, at=timezone.now())
        manual.save()
        audit.record(actor=actor, verb="manual.submit", obj=manual, project=manual.project, after={"status": manual.status})  # fmt: skip
        people = [manual.reviewer] if manual.reviewer_id else [m.user for m in Membership.objects.filter(project=manual.project, role=Role.CLIENT_PM).select_related("user")]  # fmt: skip
        for person in people:
            if person.pk != actor.pk:
                notifications.notify(recipient=person, kind="manual.review", project=manual.project, obj=manual, url=manual.get_absolute_url(), params={"manual": manual.title, "pmo": str(actor)})  # fmt: skip
    return manual


def _snapshot(manual: Manual, *, keep_blurred: bool = True) -> dict:
    """What readers of this edition see: the steps' words and, per environment, the picture and its annotations.

    Pictures with blur boxes get a copy with those areas destroyed: the hidden part never reaches a reader. An
    edition stores that copy; a preview (``keep_blurred=False``) carries it inline as a ``data:`` URL.
    """
    variants = list(manual.variants.all())
    steps = []
    for number, step in enumerate(manual.steps.prefetch_related("screenshots__current").order_by("position", "pk"), start=1):  # fmt: skip
        shots = {}
        for shot in step.screenshots.all():
            version = shot.current
            if version is None:
                continue
            boxes = shapes_mod.blur_boxes(shot.annotations)
            file = version.image.name
            key = str(shot.variant_id) if shot.variant_id else "all"
            shots[key] = {"version": version.pk, "file": file, "width": version.width, "height": version.height, "annotations": shot.annotations}  # fmt: skip
            if boxes:
                blurred = images.apply_blur(_read(file), boxes)
                if keep_blurred:
                    shots[key]["file"] = default_storage.save(images.random_name("manuals/editions"), ContentFile(blurred))
                else:
                    shots[key]["data"] = "data:image/png;base64," + base64.b64encode(blurred).decode()
        steps.append({"id": step.pk, "number": number, "title": step.title, "instruction": step.instruction, "expected": step.expected, "shots": shots})  # fmt: skip
    return {"audience": manual.audience, "variants": [{"id": v.pk, "name": v.name} for v in variants], "steps": steps}


def preview_snapshot(manual: Manual) -> dict:
    """The working copy as an edition would show it (for the draft's PDF); stores nothing."""
    return _snapshot(manual, keep_blurred=False)


def change_log(previous: dict | None, snapshot: dict) -> list[dict]:
    """Which steps and screenshots changed since the edition before (every step, for the first edition)."""
    names = {str(v["id"]): v["name"] for v in snapshot["variants"]}
    before = {s["id"]: s for s in (previous or {}).get("steps", [])}
    log_entries = []
    for step in snapshot["steps"]:
        old = before.pop(step["id"], None)
        what = []
        if old is None:
            what.append("added")
        else:
            if any(old[k] != step[k] for k in ("title", "instruction", "expected")):
                what.append("text")
            if old["number"] != step["number"]:
                what.append("moved")
            for key in sorted(set(old["shots"]) | set(step["shots"])):
                was, now = old["shots"].get(key), step["shots"].get(key)
                if (was or {}).get("version") != (now or {}).get("version"):
                    what.append(f"screenshot:{names.get(key, '') if key != 'all' else ''}")
                elif was and was.get("annotations") != now.get("annotations"):
                    what.append(f"annotations:{names.get(key, '') if key != 'all' else ''}")
        if what:
            log_entries.append({"step": step["number"], "title": step["title"], "what": what})
    for old in sorted(before.values(), key=lambda s: s["number"]):
        log_entries.append({"step": old["number"], "title": old["title"], "what": ["removed"]})
    return log_entries


def manual_publish(*, actor, manual: Manual, note: str = "") -> Edition:
    """A new numbered edition readers read, with its change log; its PDF is made by the export job."""
    with transaction.atomic():
        manual = _edit(actor, manual)
        if manual.status == ManualStatus.PUBLISHED:
            raise ValidationError(_("Nothing changed since edition %(number)s.") % {"number": manual.edition})
        blockers = publish_blockers(manual)
        if blockers:
            raise ValidationError([_("The manual cannot be published yet:"), *blockers])
        previous = manual.editions.order_by("-number").first()
        snapshot = _snapshot(manual)
        now = timezone.now()
        manual.publish(at=now)
        manual.save()
        edition = Edition.objects.create(
            manual=manual, number=manual.edition, title=manual.title, language=manual.language, snapshot=snapshot,
            change_log=change_log(previous.snapshot if previous else None, snapshot), note=note.strip(),
            published_by=actor, published_at=now,
        )  # fmt: skip
        # What readers have now seen is what the next pictures are compared with.
        current = Screenshot.objects.filter(step__manual=manual, current__isnull=False)
        current.update(baseline=F("current"))
        audit.record(actor=actor, verb="manual.publish", obj=edition, project=manual.project, after={"edition": edition.number, "steps": len(snapshot["steps"]), "changes": len(edition.change_log)})  # fmt: skip
        edition.export = exports.export_request(actor=actor, kind="manual_edition", obj=edition, language=manual.language)  # fmt: skip
        edition.save(update_fields=["export"])
        for person in _readers(manual):
            notifications.notify(recipient=person, kind="manual.published", project=manual.project, obj=edition, url=edition.get_absolute_url(), params={"manual": manual.title, "edition": edition.number})  # fmt: skip
    return edition


def _readers(manual: Manual) -> list:
    readers = Membership.objects.filter(project=manual.project, role=Role.READER).select_related("user")
    if not manual.share_with_all_readers:
        readers = readers.filter(user__in=manual.shared_with.all())
    return [m.user for m in readers]


def manual_mark_reviewed(*, actor, manual: Manual) -> Manual:
    """The PMO re-read the published manual against today's screens: it is still right."""
    with transaction.atomic():
        manual = _edit(actor, manual)
        if not manual.edition:
            raise ValidationError(_("Only a published manual can be marked as reviewed."))
        manual.reviewed_at = timezone.now()
        manual.save(update_fields=["reviewed_at"])
        audit.record(actor=actor, verb="manual.reviewed", obj=manual, project=manual.project, after={"reviewed_at": manual.reviewed_at.isoformat()})  # fmt: skip
    return manual


# --- readers' reports -----------------------------------------------------------------------------------------


def report_create(*, actor, edition: Edition, step_id: int, variant_id: int | None, comment: str = "", file=None) -> ScreenReport:  # noqa: E501
    """A reader's screen does not match a step: the PMO hears of it, with the reader's picture if they gave one."""
    step = next((s for s in edition.snapshot["steps"] if s["id"] == step_id), None)
    if step is None:
        raise ValidationError(_("This step is not in this edition."))
    clean = images.clean_upload(file, max_bytes=settings.MANUAL_IMAGE_MAX_BYTES, max_pixels=settings.MANUAL_IMAGE_MAX_PIXELS) if file else None  # fmt: skip
    name = default_storage.save(images.random_name("manuals/reports"), ContentFile(clean.content)) if clean else ""
    try:
        with transaction.atomic():
            manual = Manual.objects.select_related("project").get(pk=edition.manual_id)
            if not Edition.objects.visible_to(actor).filter(pk=edition.pk).exists():
                raise PermissionDenied
            variant = manual.variants.filter(pk=variant_id).first() if variant_id else None
            report = ScreenReport(
                manual=manual, edition=edition, step=Step.objects.filter(pk=step_id, manual=manual).first(), step_number=step["number"],
                step_title=step["title"], variant=variant, reporter=actor, comment=comment.strip(), image=name,
            )  # fmt: skip
            report.full_clean(exclude=["step", "image"])
            report.save()
            audit.record(actor=actor, verb="manual.report", obj=report, project=manual.project, after={"edition": edition.number, "step": step["number"], "variant": variant.name if variant else "", "picture": bool(name)})  # fmt: skip
            for person in _pmo_people(manual.project, exclude=actor):
                notifications.notify(recipient=person, kind="manual.screen_report", project=manual.project, obj=report, url=reverse_reports(manual), params={"manual": manual.title, "step": step["title"], "number": step["number"], "reader": str(actor), "variant": variant.name if variant else "", "comment": report.comment})  # fmt: skip
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return report


def reverse_reports(manual: Manual) -> str:
    return reverse("manuals:reports", kwargs={"code": manual.project.code, "pk": manual.pk})


def report_resolve(*, actor, report: ScreenReport, resolution: str = "") -> ScreenReport:
    with transaction.atomic():
        report = ScreenReport.objects.select_for_update(of=("self",)).select_related("manual__project", "resolved_by").get(pk=report.pk)  # fmt: skip
        require_pmo(actor, report.manual.project)
        if report.resolved_at:
            raise AlreadyDecided(_("%(who)s already dealt with this report.") % {"who": report.resolved_by})
        report.resolved_by, report.resolved_at, report.resolution = actor, timezone.now(), resolution.strip()
        report.full_clean(exclude=["step", "image"])
        report.save()
        audit.record(actor=actor, verb="manual.report_resolve", obj=report, project=report.manual.project, after={"resolution": report.resolution})  # fmt: skip
        notifications.notify(recipient=report.reporter, kind="manual.report_resolved", project=report.manual.project, obj=report, url=report.edition.get_absolute_url(), params={"manual": report.manual.title, "step": report.step_title, "pmo": str(actor), "resolution": report.resolution})  # fmt: skip
    return report

