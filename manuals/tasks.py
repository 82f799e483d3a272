"""Celery tasks of the manuals: thin, they take ids and call services (DESIGN.md §4)."""

from celery import Task, shared_task
from django.db import DatabaseError

from . import services


class CompareTask(Task):
    """A comparison that keeps failing is handed to a person: the picture waits for a confirmation."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.screenshot_compare_failed(args[0] if args else kwargs.get("version_id"))


@shared_task(base=CompareTask, autoretry_for=(OSError, DatabaseError), retry_backoff=10, retry_backoff_max=300, max_retries=services.COMPARE_MAX_ATTEMPTS)  # fmt: skip
def compare_screenshot(version_id: int) -> None:
    """Compare a new screenshot with the one it replaces. A second delivery does nothing (the state moved on)."""
    services.screenshot_compare(version_id)


@shared_task
def sweep_comparisons() -> int:
    """Beat runs this every minute: re-send comparisons the broker lost."""
    return services.screenshot_compare_sweep()
