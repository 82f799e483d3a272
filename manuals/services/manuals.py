"""The manual, its environments and steps, its review and publishing: one function per state change."""

import base64

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit, exports, notifications
from projects.models import Membership, Project, Role

from .. import annotations as shapes_mod
from .. import images
from ..models import (
    BLOCKING_STATES,
    Edition,
    Manual,
    ManualSettings,
    ManualStatus,
    Screenshot,
    ScreenshotVersion,
    Step,
    Variant,
    VersionState,
    manual_changed,
)
from .common import (
    MANUAL_AUDIT_FIELDS,
    STEP_AUDIT_FIELDS,
    edit_working_copy,
    read_stored,
    require_pmo,
    working_copy_changed,
)


def blocking_versions(manual: Manual):
    """The current pictures that still wait (being compared, or for a confirmation), in step order."""
    return (
        ScreenshotVersion.objects.filter(
            screenshot__step__manual=manual, state__in=BLOCKING_STATES, screenshot__current=F("pk")
        )  # fmt: skip
        .select_related("screenshot__step", "screenshot__variant")
        .order_by("screenshot__step__position", "screenshot__step__pk", "pk")
    )


def publish_blockers(manual: Manual, waiting=None, steps=None) -> list[str]:
    """Why the manual cannot be published or exported now, one sentence per step (empty: it can).

    ``waiting``: :func:`blocking_versions` of the manual, and ``steps``: its steps in order, when the caller has
    already fetched them.
    """
    reasons = []
    for version in blocking_versions(manual) if waiting is None else waiting:
        params = {"step": version.screenshot.step.title, "variant": version.screenshot.variant or _("all environments")}
        if version.state == VersionState.COMPARING:
            reasons.append(_("“%(step)s” (%(variant)s): the new screenshot is still being compared.") % params)
        else:
            reasons.append(_("“%(step)s” (%(variant)s): the changed screenshot waits for confirmation.") % params)
    text_changes = manual.steps.filter(needs_text_change=True) if steps is None else [s for s in steps if s.needs_text_change]  # fmt: skip
    for step in text_changes:
        reasons.append(_("“%(step)s”: the reviewer said its text needs a change.") % {"step": step.title})
    if not (manual.steps.exists() if steps is None else steps):
        reasons.append(_("The manual has no steps yet."))
    return reasons


# --- the manual -----------------------------------------------------------------------------------------------


def manual_create(
    *, actor, project: Project, title: str, language: str, audience: str = "", variants: list[str] = ()
) -> Manual:  # noqa: E501
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


def manual_update(
    *,
    actor,
    manual: Manual,
    title: str,
    audience: str,
    language: str,
    reviewer=None,
    share_with_all_readers: bool = True,
    shared_with=(),
) -> Manual:  # noqa: E501
    with transaction.atomic():
        manual = edit_working_copy(actor, manual)
        if reviewer is not None and not Membership.objects.filter(project=manual.project, user=reviewer, role__in=[Role.PMO, Role.CLIENT_PM]).exists():  # fmt: skip
            raise ValidationError({"reviewer": _("The reviewer must be PMO staff or the client PM of this project.")})
        readers = list(shared_with)
        if any(
            not Membership.objects.filter(project=manual.project, user=r, role=Role.READER).exists() for r in readers
        ):
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


def manual_settings_update(
    *, actor, project: Project, unchanged_max_percent, layout_min_percent, review_months: int
) -> ManualSettings:  # noqa: E501
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
        manual = edit_working_copy(actor, manual)
        if manual.variants.filter(name__iexact=name.strip()).exists():
            raise ValidationError({"name": _("This manual already has an environment called “%(name)s”.") % {"name": name.strip()}})  # fmt: skip
        position = (manual.variants.aggregate(m=Max("position"))["m"] or 0) + 1
        variant = Variant(manual=manual, name=name.strip(), position=position)
        variant.full_clean()
        variant.save()
        working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.variant_add", obj=manual, project=manual.project, after={"variant": variant.name})  # fmt: skip
    return variant


def variant_delete(*, actor, variant: Variant) -> None:
    """Drop an environment with its own screenshots (the shared ones stay). A manual keeps at least one."""
    with transaction.atomic():
        manual = edit_working_copy(actor, variant.manual)
        if manual.variants.count() <= 1:
            raise ValidationError(_("A manual needs at least one environment."))
        audit.record(actor=actor, verb="manual.variant_delete", obj=manual, project=manual.project, before={"variant": variant.name})  # fmt: skip
        variant.delete()
        working_copy_changed(manual)


# --- steps ----------------------------------------------------------------------------------------------------


def _renumber(manual: Manual, ordered_ids: list[int]) -> None:
    steps = {s.pk: s for s in manual.steps.all()}
    for position, step_id in enumerate(ordered_ids, start=1):
        steps[step_id].position = position
    Step.objects.bulk_update(steps.values(), ["position"])
    manual_changed(Manual.objects.filter(pk=manual.pk))  # bulk_update() bypasses the steps' save()


def _ordered_ids(manual: Manual) -> list[int]:
    return list(manual.steps.order_by("position", "pk").values_list("pk", flat=True))


def step_add(
    *, actor, manual: Manual, title: str, instruction: str = "", expected: str = "", after: Step | None = None
) -> Step:  # noqa: E501
    """A new step at the end, or right after ``after``."""
    with transaction.atomic():
        manual = edit_working_copy(actor, manual)
        step = Step(manual=manual, title=title.strip(), instruction=instruction, expected=expected)
        step.full_clean(exclude=["position"])
        step.save()
        order = [pk for pk in _ordered_ids(manual) if pk != step.pk]
        index = order.index(after.pk) + 1 if after is not None and after.pk in order else len(order)
        order.insert(index, step.pk)
        _renumber(manual, order)
        step.refresh_from_db()
        working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.step_add", obj=step, project=manual.project, after=audit.snapshot(step, STEP_AUDIT_FIELDS))  # fmt: skip
    return step


def step_update(*, actor, step: Step, title: str, instruction: str, expected: str) -> Step:
    """Edit a step's words; this answers a reviewer's "the text needs a change"."""
    with transaction.atomic():
        manual = edit_working_copy(actor, step.manual)
        step = Step.objects.select_for_update().get(pk=step.pk)
        before = audit.snapshot(step, STEP_AUDIT_FIELDS)
        step.title, step.instruction, step.expected = title.strip(), instruction, expected
        step.full_clean()
        changed = audit.changed(before, audit.snapshot(step, STEP_AUDIT_FIELDS))
        if not changed[1] and not step.needs_text_change:
            return step
        step.needs_text_change = False
        step.save()
        working_copy_changed(manual)
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
            name = default_storage.save(
                images.random_name("manuals/shots"), ContentFile(read_stored(shot.current.image.name))
            )
            version = ScreenshotVersion.objects.create(
                screenshot=new_shot, number=1, image=name, width=shot.current.width, height=shot.current.height,
                sha256=shot.current.sha256, uploaded_by=actor, state=VersionState.ACCEPTED,
            )  # fmt: skip
            Screenshot.objects.filter(pk=new_shot.pk).update(current=version)
    return copy


def step_delete(*, actor, step: Step) -> None:
    with transaction.atomic():
        manual = edit_working_copy(actor, step.manual)
        audit.record(actor=actor, verb="manual.step_delete", obj=manual, project=manual.project, before=audit.snapshot(step, STEP_AUDIT_FIELDS))  # fmt: skip
        step.delete()
        _renumber(manual, _ordered_ids(manual))
        working_copy_changed(manual)


def steps_reorder(*, actor, manual: Manual, order: list[int]) -> None:
    """The steps in this order (every step once); their screenshots and annotations go with them."""
    with transaction.atomic():
        manual = edit_working_copy(actor, manual)
        current = _ordered_ids(manual)
        if sorted(order) != sorted(current) or len(set(order)) != len(order):
            raise ValidationError(_("The steps changed while you were moving them. Reload the page and try again."))
        if order == current:
            return
        _renumber(manual, order)
        working_copy_changed(manual)
        audit.record(actor=actor, verb="manual.steps_reorder", obj=manual, project=manual.project, before={"order": current}, after={"order": order})  # fmt: skip


def step_move(*, actor, step: Step, delta: int) -> None:
    """One place up (-1) or down (+1): the keyboard's way of dragging."""
    order = _ordered_ids(step.manual)
    index = order.index(step.pk)
    target = min(max(index + delta, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    steps_reorder(actor=actor, manual=step.manual, order=order)


# --- review and publishing ------------------------------------------------------------------------------------


def manual_submit(*, actor, manual: Manual) -> Manual:
    """PMO staff ask the reviewer (or the client PM) to read the manual before it is published."""
    with transaction.atomic():
        manual = edit_working_copy(actor, manual)
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
                blurred = images.apply_blur(read_stored(file), boxes)
                if keep_blurred:
                    shots[key]["file"] = default_storage.save(
                        images.random_name("manuals/editions"), ContentFile(blurred)
                    )
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
        manual = edit_working_copy(actor, manual)
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
        manual = edit_working_copy(actor, manual)
        if not manual.edition:
            raise ValidationError(_("Only a published manual can be marked as reviewed."))
        manual.reviewed_at = timezone.now()
        manual.save(update_fields=["reviewed_at"])
        audit.record(actor=actor, verb="manual.reviewed", obj=manual, project=manual.project, after={"reviewed_at": manual.reviewed_at.isoformat()})  # fmt: skip
    return manual
