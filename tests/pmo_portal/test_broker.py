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


def test_an_export_travels_through_redis_and_is_rendered_by_the_worker(celery_worker, pmo, project):
    from django.db import transaction

    from pmo_portal import exports
    from pmo_portal.models import ExportJob, ExportStatus

    with transaction.atomic():  # the task is sent when this commits, as in a request
        job = exports.export_request(actor=pmo, kind="project_brief", obj=project, language="ko")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert (job.status, job.attempts, job.progress) == (ExportStatus.DONE, 1, 100)
    assert job.enqueued_at is not None
    assert job.file.read(5) == b"%PDF-"
    assert ExportJob.objects.count() == 1


def test_notification_mails_travel_through_redis_and_are_written_by_the_worker(celery_worker, client_pm, vendor_b, project):  # fmt: skip
    from django.db import transaction

    from pmo_portal import notifications

    client_pm.language = "ja"
    client_pm.save()
    with transaction.atomic():  # one task for both, sent when this commits, as in a request
        notifications.notify_many([
            notifications.Note(recipient=user, kind="signoff.requested", project=project, url="/projects/", params={"requester": "Ken Sato", "title": "Minutes", "summary": "Please."})  # fmt: skip
            for user in (client_pm, vendor_b)
        ])  # fmt: skip
    deadline = time.monotonic() + 20
    while len(mail.outbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [[client_pm.email], [vendor_b.email]]
    assert '<html lang="ja">' in mail.outbox[0].alternatives[0][0] and '<html lang="ko">' in mail.outbox[1].alternatives[0][0]
