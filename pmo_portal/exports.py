"""PDF exports of any registered document: the registry each app adds to, and the job services.

An app registers a kind once (see ``projects/exports.py``)::

    exports.register(ExportKind(
        key="project_brief",
        load=lambda object_id: Project.objects.get(pk=object_id),
        visible=lambda user: Project.objects.visible_to(user),
        permission="projects.view_project",
        project=lambda project: project,
        title=lambda project: project.name,
        document=build_brief,          # (obj, language, user) -> pdf.Document
    ))

Views start a job with :func:`export_request`; the worker runs :func:`export_run`; the periodic
sweep (:func:`export_sweep`) re-sends jobs that were never picked up or whose worker died.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit, pdf
from .models import ExportJob, ExportStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportKind:
    key: str
    load: Callable  # object_id -> the object (raises ObjectDoesNotExist when gone)
    visible: Callable  # user -> queryset of the objects this user may see
    permission: str  # rules permission the requester needs on the object
    project: Callable  # obj -> Project
    title: Callable  # obj -> str
    document: Callable  # (obj, language, user) -> pdf.Document


registry: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    registry[kind.key] = kind
    return kind


class ExportFailed(Exception):
    """A failure that retrying cannot fix; its message is for the requester."""


# Failures worth another attempt: the database or the file storage had a hiccup.
TRANSIENT_ERRORS = (DatabaseError, OSError)


def _enqueue(job_id) -> None:
    """Ring the doorbell. If the broker is down the job stays queued and the sweep sends it later."""
    from .tasks import run_export

    try:
        run_export.delay(str(job_id))
    except Exception:  # noqa: BLE001  (any broker failure: the row is already safe in the database)
        log.warning("export %s saved but not sent to the broker; the sweep will send it", job_id, exc_info=True)
        return
    ExportJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())


# --- services ---------------------------------------------------------------------------------------------


def export_request(*, actor, kind: str, obj, language: str) -> ExportJob:
    """Someone asks for a PDF: the job row is saved now, the worker is called once the transaction commits."""
    spec = registry[kind]
    if not actor.has_perm(spec.permission, obj):
        raise PermissionDenied(_("You may not export this document."))
    if language not in dict(settings.LANGUAGES):
        language = actor.language  # not chosen (or not one we ship): the requester's own
    with transaction.atomic():
        project = spec.project(obj)
        job = ExportJob.objects.create(
            kind=kind, object_id=str(obj.pk), title=str(spec.title(obj))[:300], project=project, language=language,
            requested_by=actor,
        )  # fmt: skip
        audit.record(actor=actor, verb="export.request", obj=obj, project=project, after={"kind": kind, "language": language})  # fmt: skip
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def export_claim(job_id) -> ExportJob | None:
    """Take the job for this worker, or None when it is done, failed, or running elsewhere under a valid lease.

    One conditional UPDATE decides, so two deliveries of the same message never both run it.
    """
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, lease_until__lt=now)
    claimed = (
        ExportJob.objects.filter(claimable, pk=job_id, attempts__lt=settings.EXPORT_MAX_ATTEMPTS)
        .update(status=ExportStatus.RUNNING, attempts=F("attempts") + 1, lease_until=now + _lease(), started_at=now, progress=0, error="")  # fmt: skip
    )
    return ExportJob.objects.select_related("requested_by").get(pk=job_id) if claimed else None


def _lease() -> timedelta:
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def _heartbeat(job: ExportJob, percent: int) -> None:
    """Report progress and extend the lease: a live worker keeps its job, a dead one loses it."""
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, attempts=job.attempts).update(
        progress=min(max(percent, 0), 99), lease_until=timezone.now() + _lease()
    )


def export_run(job: ExportJob) -> None:
    """Render the claimed job's PDF and store it under the job's own name. Raises on failure."""
    spec = registry.get(job.kind)
    if spec is None:
        raise ExportFailed(_("This kind of document can no longer be exported."))
    try:
        obj = spec.load(job.object_id)
    except ObjectDoesNotExist as exc:
        raise ExportFailed(_("The document no longer exists.")) from exc
    # The requester may have lost access since asking: the worker checks again.
    if not (spec.visible(job.requested_by).filter(pk=obj.pk).exists() and job.requested_by.has_perm(spec.permission, obj)):
        raise ExportFailed(_("You no longer have access to this document."))
    with translation.override(job.language):  # titles and headings the kind writes come out in the PDF's language
        document = spec.document(obj, job.language, job.requested_by)
    content = pdf.render_pdf(document, progress=lambda percent: _heartbeat(job, percent))
    # Deterministic name: a retry replaces its own earlier attempt. The row points at the file only
    # once it is complete, and downloads require DONE, so a half-written file is never served.
    if default_storage.exists(job.file_name):
        default_storage.delete(job.file_name)
    stored = default_storage.save(job.file_name, ContentFile(content))
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, attempts=job.attempts).update(
        status=ExportStatus.DONE, file=stored, progress=100, finished_at=timezone.now(), lease_until=None
    )
    if not finished:
        log.warning("export %s finished after losing its lease; another attempt owns it now", job.pk)


def export_release(job_id, attempts: int) -> None:
    """A transient failure: give the job back so the retry (or the sweep) can claim it."""
    ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING, attempts=attempts).update(
        status=ExportStatus.QUEUED, lease_until=None
    )


def export_fail(job_id, reason: str | None = None) -> None:
    """The last attempt failed: the requester reads why, in plain words, in their language."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status == ExportStatus.DONE:
        return
    with translation.override(job.requested_by.language):
        message = reason or _(
            "The PDF could not be made after %(attempts)d tries. Please try again later; if it keeps failing, tell the PMO team."  # noqa: E501
        ) % {"attempts": job.attempts}
        message = str(message)
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now(), lease_until=None
    )


def export_sweep() -> int:
    """Re-send what the broker lost: queued jobs nobody picked up, running jobs whose worker died.

    Jobs that used up their attempts are failed instead. Returns how many jobs were re-sent.
    """
    from .tasks import run_export

    now = timezone.now()
    stale_queue = Q(status=ExportStatus.QUEUED) & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - timedelta(seconds=settings.EXPORT_REQUEUE_AFTER_SECONDS)))  # fmt: skip
    dead_worker = Q(status=ExportStatus.RUNNING, lease_until__lt=now)
    for job_id in ExportJob.objects.filter(dead_worker, attempts__gte=settings.EXPORT_MAX_ATTEMPTS).values_list("pk", flat=True):  # fmt: skip
        export_fail(job_id)
    resent = 0
    for job_id in ExportJob.objects.filter(stale_queue | dead_worker, attempts__lt=settings.EXPORT_MAX_ATTEMPTS).values_list("pk", flat=True):  # fmt: skip
        try:
            run_export.apply_async(args=[str(job_id)])
        except Exception:  # noqa: BLE001  (broker still down: the next sweep tries again)
            log.warning("sweep could not reach the broker; %s stays queued", job_id)
            break
        ExportJob.objects.filter(pk=job_id).update(enqueued_at=now)
        resent += 1
    return resent
