"""Tasks of notifications and reminders: the e-mails of new notifications, and the periodic ones run by Celery
beat (CELERY_BEAT_SCHEDULE in settings).

Thin, and safe to run twice: reminders are recorded under a unique key before they are sent, and the
digest claims its notification rows before it sends (DESIGN.md §2). The e-mails of new notifications are
retried for those not sent yet; only a second delivery of the same task (a worker lost mid-task) mails again,
as ``send_email`` would. Found by Celery through
``app.autodiscover_tasks(related_name="notification_tasks")`` in ``pmo_portal/celery.py``.
"""

from celery import shared_task
from django.db import OperationalError

from . import notifications, reminders


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """After a service's commit: write and send the e-mails of its new notifications (one task per service call).

    An SMTP hiccup is retried with backoff, for the e-mails not sent yet only.
    """
    try:
        return notifications.notifications_email(notification_ids)
    except notifications.EmailsInterrupted as stop:
        raise self.retry(args=[stop.unsent], exc=stop.__cause__, countdown=min(600, 30 * 2**self.request.retries)) from stop  # fmt: skip


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def send_due_reminders() -> int:
    """Hourly: every reminder kind's due items, each sent once."""
    return reminders.send_due_reminders()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def send_daily_digests() -> int:
    """Daily: one e-mail per person with the notifications they chose to get as a digest."""
    return notifications.send_daily_digests()
