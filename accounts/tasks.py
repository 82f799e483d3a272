"""Celery tasks of vendor access. Thin: they call services (DESIGN.md §4)."""

from celery import shared_task
from django.db import DatabaseError

from . import services


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def expire_grants() -> int:
    """Mark access past its end date expired (each grant in its own transaction; safe to run twice)."""
    return services.grants_expire_due()
