"""Readers' reports: "my screen looks different", and the PMO's answer."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided

from .. import images
from ..models import (
    Edition,
    Manual,
    ScreenReport,
    Step,
)
from .common import pmo_people, require_pmo

# --- readers' reports -----------------------------------------------------------------------------------------


def report_create(
    *, actor, edition: Edition, step_id: int, variant_id: int | None, comment: str = "", file=None
) -> ScreenReport:  # noqa: E501
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
            for person in pmo_people(manual.project, exclude=actor):
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
