"""With CELERY_BROKER_URL set, work really travels through Redis to a Celery worker."""

import time

import pytest
from django.core import mail

from pmo_portal.tasks import send_email

pytestmark = pytest.mark.broker


def test_a_task_sent_through_redis_is_run_by_a_worker(celery_worker):
    send_email.delay(to="pm@example.test", subject="ping", text="through the broker", html="<p>through the broker</p>")
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.subject for m in mail.outbox] == ["[PMO Portal] ping"]
