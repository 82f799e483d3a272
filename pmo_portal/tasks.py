"""Celery tasks of the portal. Thin: they take ids and call services (DESIGN.md §4)."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from . import exports

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    """Send one rendered e-mail; SMTP hiccups are retried with backoff."""
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=text, to=[to], from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach_alternative(html, "text/html")
    message.send()


class ExportTask(Task):
    """Marks the job failed if the task dies of something nobody planned for (a bug, a time limit)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        exports.export_fail(args[0] if args else kwargs.get("job_id"))


@shared_task(bind=True, base=ExportTask, max_retries=None)
def run_export(self, job_id: str) -> None:
    """Produce one export's PDF. A second delivery of the same job does nothing (see export_claim)."""
    job = exports.export_claim(job_id)
    if job is None:
        return
    try:
        exports.export_run(job)
    except exports.ExportFailed as exc:
        exports.export_fail(job.pk, str(exc))  # retrying cannot help: say why and stop
    except exports.TRANSIENT_ERRORS as exc:
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            exports.export_fail(job.pk)
            raise
        exports.export_release(job.pk, job.attempts)
        # Backoff 10 s, 40 s, 90 s ...; the attempt count lives on the row, not in Celery.
        raise self.retry(exc=exc, countdown=10 * job.attempts**2) from exc


@shared_task
def sweep_exports() -> int:
    """Beat runs this every minute: re-send jobs the broker lost, fail jobs out of attempts."""
    return exports.export_sweep()
