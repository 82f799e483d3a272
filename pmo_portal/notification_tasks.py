"""Periodic tasks of notifications and reminders, run by Celery beat (CELERY_BEAT_SCHEDULE in settings).

Thin, and safe to run twice: reminders are recorded under a unique key before they are sent, and the
digest claims its notification rows before it sends (DESIGN.md §2). Found by Celery through
``app.autodiscover_tasks(related_name="notification_tasks")`` in ``pmo_portal/celery.py``.
"""

from celery import shared_task
from django.db import OperationalError

from . import notifications, reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def send_due_reminders() -> int:
    """Hourly: every reminder kind's due items, each sent once."""
    return reminders.send_due_reminders()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def send_daily_digests() -> int:
    """Daily: one e-mail per person with the notifications they chose to get as a digest."""
    return notifications.send_daily_digests()
