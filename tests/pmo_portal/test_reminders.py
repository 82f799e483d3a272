"""Reminders: due items found by query, each sent exactly once however often (or however parallel) beat runs."""

import threading
import zoneinfo
from datetime import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection

from pmo_portal import reminders
from pmo_portal.models import Notification, SentReminder
from projects import services
from projects.models import Role, SignOffRequest

from ..factories import SignOffFactory

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def tokyo(day, hour=10, minute=0):
    """A moment of November 2026 in Tokyo: the 23rd is a Monday, the 28th and 29th a weekend."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TOKYO)


def _requested(project, requester, at, **fields):
    signoff = SignOffFactory(project=project, requested_by=requester, **fields)
    SignOffRequest.objects.filter(pk=signoff.pk).update(created_at=at)
    return signoff


def _reminded(user=None):
    qs = Notification.objects.filter(kind="approval.waiting")
    return qs.filter(recipient=user) if user else qs


# --- working days ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (tokyo(23, 10), 3, tokyo(26, 10)),  # Monday + 3 = Thursday, same hour
        (tokyo(27, 15), 1, tokyo(30, 15)),  # Friday + 1 = Monday: the weekend does not count
        (tokyo(28, 11), 1, datetime(2026, 12, 1, 0, 0, tzinfo=TOKYO)),  # Saturday: counting starts Monday 0:00
        (tokyo(23, 10), 0, tokyo(23, 10)),
    ],
)
def test_working_days_skip_the_weekend(start, days, due):
    assert reminders.add_working_days(start, days, TOKYO) == due


# --- the approval reminder -------------------------------------------------------------------------------


def test_an_approval_waiting_longer_than_n_working_days_reminds_its_approver(pmo, client_pm, security, project, django_capture_on_commit_callbacks):  # fmt: skip
    signoff = _requested(project, pmo, tokyo(23, 10))  # Monday; the project waits 3 working days
    _requested(project, pmo, tokyo(23, 10), approver_role=Role.SECURITY, title="Firewall rules")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders(now=tokyo(26, 9)) == 0  # Thursday 9:00: not yet three full days
        assert reminders.send_due_reminders(now=tokyo(26, 11)) == 2  # 11:00: the client PM and the security officer
    note = _reminded(client_pm).get()
    assert note.url == signoff.get_absolute_url() and note.object_repr == signoff.title
    assert note.sentence.startswith("Waiting for your decision for more than 3 working days: Meeting minutes")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_pm.email, security.email])
    assert f"http://127.0.0.1:8000{signoff.get_absolute_url()}" in next(m for m in mail.outbox if m.to == [client_pm.email]).body  # fmt: skip
    assert not _reminded(pmo).exists()  # the requester is not asked to decide


def test_a_reminder_is_sent_once_a_day_however_often_beat_runs(pmo, client_pm, project):
    _requested(project, pmo, tokyo(23, 10))
    assert reminders.send_due_reminders(now=tokyo(26, 11)) == 1
    assert reminders.send_due_reminders(now=tokyo(26, 11)) == 0  # a second beat, a retry
    assert reminders.send_due_reminders(now=tokyo(26, 17)) == 0  # later the same day
    assert reminders.send_due_reminders(now=tokyo(27, 9)) == 1  # Friday: once more
    assert reminders.send_due_reminders(now=tokyo(28, 9)) == 0  # Saturday: nobody is reminded at the weekend
    assert reminders.send_due_reminders(now=tokyo(30, 9)) == 1  # Monday
    assert _reminded(client_pm).count() == 3 and SentReminder.objects.count() == 3


def test_the_days_are_counted_in_the_approvers_time_zone(pmo, client_pm, project):
    client_pm.time_zone = "America/Los_Angeles"
    client_pm.save()
    # Monday 10:00 in Tokyo is Sunday 17:00 in Los Angeles: there, the wait starts on Monday 0:00 (17:00 Tokyo).
    _requested(project, pmo, tokyo(23, 10))
    assert reminders.send_due_reminders(now=tokyo(26, 11)) == 0  # a Tokyo approver would be reminded now
    assert reminders.send_due_reminders(now=tokyo(26, 18)) == 1  # Thursday 1:00 in Los Angeles
    assert SentReminder.objects.get().key.endswith(":2026-11-26")  # the day is the approver's day


def test_each_project_sets_its_own_limit_and_zero_turns_reminders_off(pmo, client_pm, project):
    _requested(project, pmo, tokyo(23, 10))
    project.approval_reminder_days = 1
    project.save()
    assert reminders.send_due_reminders(now=tokyo(24, 11)) == 1  # Tuesday: one working day passed
    project.approval_reminder_days = 0
    project.save()
    assert reminders.send_due_reminders(now=tokyo(25, 11)) == 0


def test_decided_items_are_not_reminded(pmo, client_pm, project):
    signoff = _requested(project, pmo, tokyo(23, 10))
    services.signoff_approve(actor=client_pm, signoff=signoff)
    assert reminders.send_due_reminders(now=tokyo(27, 11)) == 0


# --- the framework ---------------------------------------------------------------------------------------


@pytest.fixture
def custom_kind(monkeypatch):
    """A made-up kind: one due item per recipient given in `due`, sent by calling `sender`."""
    state = {"due": [], "fail": False, "sent": []}

    def send(recipient, item):
        if state["fail"]:
            raise OSError("mail server down")
        state["sent"].append((recipient, item))

    monkeypatch.setitem(reminders._kinds, "custom", reminders.ReminderKind("custom", lambda now: state["due"], send))
    return state


def test_a_failed_send_is_not_recorded_and_is_tried_again(custom_kind, client_pm):
    custom_kind["due"] = [(client_pm, "item", "item-1")]
    custom_kind["fail"] = True
    assert reminders.send_due_reminders() == 0 and not SentReminder.objects.filter(key="custom:item-1").exists()
    custom_kind["fail"] = False
    assert reminders.send_due_reminders() == 1 and SentReminder.objects.filter(key="custom:item-1").exists()
    assert reminders.send_due_reminders() == 0 and len(custom_kind["sent"]) == 1


def test_one_broken_kind_does_not_stop_the_others(monkeypatch, custom_kind, client_pm):
    def broken(now):
        raise RuntimeError("bug in a query")

    monkeypatch.setitem(reminders._kinds, "broken", reminders.ReminderKind("broken", broken, lambda r, i: None))
    custom_kind["due"] = [(client_pm, "item", "item-2")]
    assert reminders.send_due_reminders() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (two connections at once)")
def test_two_workers_at_once_send_each_reminder_once(transactional_db, pmo, client_pm, security, project):
    items = reminders.GROUP_REMINDERS_ABOVE  # as many as are still reminded one by one
    for i in range(items):
        _requested(project, pmo, tokyo(23, 10), title=f"Minutes {i}")
    barrier = threading.Barrier(2)
    counts = []

    def beat():
        try:
            barrier.wait(timeout=10)
            counts.append(reminders.send_due_reminders(now=tokyo(26, 11)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == items and _reminded(client_pm).count() == items
    assert len(mail.outbox) == items and SentReminder.objects.count() == items


# --- schedule --------------------------------------------------------------------------------------------


def test_beat_runs_reminders_hourly_and_the_digest_at_eight_in_tokyo():
    from pmo_portal.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    schedule = settings.CELERY_BEAT_SCHEDULE
    reminders_entry, digest_entry = schedule["send-due-reminders"], schedule["send-daily-digests"]
    assert {reminders_entry["task"], digest_entry["task"]} <= set(app.tasks)
    assert reminders_entry["schedule"].minute == {5} and len(reminders_entry["schedule"].hour) == 24
    (hour,) = digest_entry["schedule"].hour
    (minute,) = digest_entry["schedule"].minute
    utc_run = datetime(2026, 11, 23, hour, minute, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert settings.CELERY_TIMEZONE == "UTC" and utc_run.astimezone(TOKYO).strftime("%H:%M") == "08:00"
    assert utc_run.astimezone(SEOUL).strftime("%H:%M") == "08:00"  # Seoul keeps the same clock as Tokyo


def test_many_items_of_one_kind_are_reminded_in_one_notification(pmo, client_pm, project):
    """An import of many dictionary terms must not send the client PM one e-mail per term every day."""
    for n in range(reminders.GROUP_REMINDERS_ABOVE + 2):
        _requested(project, pmo, tokyo(23, 10), title=f"Minutes {n}")
    assert reminders.send_due_reminders(now=tokyo(26, 11)) == 1
    note = Notification.objects.get(recipient=client_pm)
    assert note.kind == "approval.waiting_many" and note.url == "/inbox/"
    assert note.sentence == "5 items (Sign-off) in ALPHA Alpha claims renewal have waited for your decision for more than 3 working days."  # fmt: skip
    assert reminders.send_due_reminders(now=tokyo(26, 15)) == 0  # once a day
