"""Notifications: the bell, the page, e-mail in the recipient's language, per-kind delivery, the digest."""

import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo_portal import notifications
from pmo_portal.models import AuditEvent, Delivery, Notification, NotificationPreference

from ..conftest import client_for
from ..factories import NotificationFactory, ProjectFactory

PARAMS = {"requester": "Ken Sato", "title": "Kick-off minutes", "summary": "Please sign off the minutes."}


def _notify(user, project=None, kind="signoff.requested", **kwargs):
    return notifications.notify(recipient=user, kind=kind, project=project, url=kwargs.pop("url", "/projects/"), params=kwargs.pop("params", PARAMS), **kwargs)  # fmt: skip


def _prefer(user, delivery, kind="signoff.requested"):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


# --- notify and e-mail -----------------------------------------------------------------------------------


def test_an_immediate_notification_is_mailed_after_commit(client_pm, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        note = _notify(client_pm, project)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert note.delivery == Delivery.IMMEDIATE and Notification.objects.get().emailed_at is not None
    message = mail.outbox[0]
    assert message.to == [client_pm.email]
    assert message.subject == "[PMO Portal] Ken Sato asks you to sign off “Kick-off minutes”: Please sign off the minutes."
    assert "http://127.0.0.1:8000/projects/" in message.body and "/notifications/settings/" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html and 'href="http://127.0.0.1:8000/projects/"' in html


def test_the_mail_is_written_in_the_recipients_language(client_pm, vendor_b, project, django_capture_on_commit_callbacks):
    client_pm.language = "ja"
    client_pm.save()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(client_pm, project)
        _notify(vendor_b, project)  # Korean
    ja, ko = mail.outbox
    assert ja.to == [client_pm.email] and '<html lang="ja">' in ja.alternatives[0][0]
    assert ko.to == [vendor_b.email] and '<html lang="ko">' in ko.alternatives[0][0]
    assert "http://127.0.0.1:8000/projects/" in ja.body and "http://127.0.0.1:8000/projects/" in ko.body


def test_in_app_only_and_digest_send_no_immediate_mail(client_pm, project, django_capture_on_commit_callbacks):
    _prefer(client_pm, Delivery.IN_APP)
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(client_pm, project).delivery == Delivery.IN_APP
        _prefer(client_pm, Delivery.DIGEST)
        assert _notify(client_pm, project).delivery == Delivery.DIGEST
    assert mail.outbox == [] and Notification.objects.filter(emailed_at__isnull=False).count() == 0


def test_inactive_people_are_not_notified(client_pm):
    client_pm.is_active = False
    client_pm.save()
    assert _notify(client_pm) is None and not Notification.objects.exists()


def test_unknown_kinds_and_foreign_links_are_programming_errors(client_pm):
    with pytest.raises(ValueError, match="unknown notification kind"):
        _notify(client_pm, kind="no.such.kind")
    with pytest.raises(ValueError, match="a path on this site"):
        _notify(client_pm, url="https://evil.example/")
    with pytest.raises(ValueError, match="a path on this site"):
        _notify(client_pm, url="//evil.example/")


def test_the_sentence_is_written_when_read_and_survives_missing_parameters(client_pm):
    note = _notify(client_pm, params={"title": "Minutes"})
    assert note.sentence == " asks you to sign off “Minutes”: "
    assert Notification(kind="gone.kind").sentence == "Something changed."


def test_several_people_are_told_in_one_insert_and_mailed_by_one_task(client_pm, pmo, vendor_b, project, django_capture_on_commit_callbacks, django_assert_num_queries):  # fmt: skip
    client_pm.language = "ja"
    client_pm.save()
    _prefer(pmo, Delivery.DIGEST)
    notes = [notifications.Note(recipient=user, kind="signoff.requested", project=project, url="/projects/", params=PARAMS) for user in (client_pm, pmo, vendor_b)]  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        with django_assert_num_queries(2):  # everyone's delivery choices, then one insert
            written = notifications.notify_many(notes)
    assert [n.recipient for n in written] == [client_pm, pmo, vendor_b] and all(n.pk for n in written)
    assert [n.delivery for n in written] == [Delivery.IMMEDIATE, Delivery.DIGEST, Delivery.IMMEDIATE]
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()  # the worker writes each e-mail in its recipient's language
    ja, ko = mail.outbox
    assert ja.to == [client_pm.email] and '<html lang="ja">' in ja.alternatives[0][0]
    assert ko.to == [vendor_b.email] and '<html lang="ko">' in ko.alternatives[0][0]


def test_a_rolled_back_notification_is_not_mailed(client_pm, project):
    note = _notify(client_pm, project)
    Notification.objects.filter(pk=note.pk).delete()  # as if its transaction had rolled back after all
    assert notifications.notifications_email([note.pk]) == 0 and mail.outbox == []


def test_an_smtp_failure_retries_only_the_mails_not_sent_yet(client_pm, vendor_b, project, monkeypatch):
    from pmo_portal import notification_tasks

    first, second = _notify(client_pm, project), _notify(vendor_b, project)
    send_now, failures = notifications.send_now, []

    def flaky(*, to, **message):
        if to == vendor_b.email and not failures:
            failures.append(to)
            raise ConnectionRefusedError("SMTP is down")
        send_now(to=to, **message)

    monkeypatch.setattr(notifications, "send_now", flaky)
    with pytest.raises(notifications.EmailsInterrupted) as stop:
        notifications.notifications_email([first.pk, second.pk])
    assert stop.value.unsent == [second.pk] and [m.to for m in mail.outbox] == [[client_pm.email]]
    failures.clear()
    mail.outbox.clear()
    # As a worker runs it (here at once, retry included): the retry sends only what was not sent.
    notification_tasks.send_notification_emails.apply(args=[[first.pk, second.pk]], throw=False)
    assert [m.to for m in mail.outbox] == [[client_pm.email], [vendor_b.email]]  # nobody mailed twice


def test_an_smtp_server_that_is_down_leaves_every_mail_to_the_retry(client_pm, vendor_b, project, settings):
    notes = [_notify(client_pm, project), _notify(vendor_b, project)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    with pytest.raises(notifications.EmailsInterrupted) as stop:
        notifications.notifications_email([n.pk for n in notes])
    assert stop.value.unsent == [n.pk for n in notes]


# --- the daily digest ------------------------------------------------------------------------------------


def test_the_digest_gathers_a_days_unread_notifications_into_one_mail_once(pmo, client_pm, project, django_capture_on_commit_callbacks):  # fmt: skip
    _prefer(client_pm, Delivery.DIGEST)
    _prefer(pmo, Delivery.DIGEST)
    first = _notify(client_pm, project, params=PARAMS | {"title": "First minutes"})
    _notify(client_pm, project, params=PARAMS | {"title": "Second minutes"})
    already_read = _notify(client_pm, project, params=PARAMS | {"title": "Read in the portal"})
    notifications.notification_mark_read(actor=client_pm, notification=already_read)
    _notify(pmo, project)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_daily_digests() == 2
        assert notifications.send_daily_digests() == 0  # a second run (another beat, a retry) sends nothing
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_pm.email, pmo.email])
    digest = next(m for m in mail.outbox if m.to == [client_pm.email])
    assert digest.subject == "[PMO Portal] Your daily summary: 2 new notifications"
    assert "First minutes" in digest.body and "Second minutes" in digest.body and "Read in the portal" not in digest.body
    assert "(ALPHA)" in digest.body and '<html lang="en">' in digest.alternatives[0][0]
    assert not Notification.objects.filter(delivery=Delivery.DIGEST, digested_at__isnull=True).exists()
    first.refresh_from_db()
    assert first.digested_at is not None and first.read_at is None  # still unread under the bell


def test_the_digest_is_written_in_the_recipients_language(client_pm, project, django_capture_on_commit_callbacks):
    client_pm.language = "ko"
    client_pm.save()
    _prefer(client_pm, Delivery.DIGEST)
    _notify(client_pm, project)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_daily_digests()
    (digest,) = mail.outbox
    assert digest.to == [client_pm.email] and '<html lang="ko">' in digest.alternatives[0][0]
    assert "http://127.0.0.1:8000/projects/" in digest.body


def test_the_task_runs_the_digest(client_pm, project, django_capture_on_commit_callbacks):
    from pmo_portal.notification_tasks import send_daily_digests

    _prefer(client_pm, Delivery.DIGEST)
    _notify(client_pm, project)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1  # as beat runs it (the worker calls the task)
    assert len(mail.outbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL)")
def test_two_digest_runs_at_once_send_one_mail(transactional_db, client_pm, project):
    _prefer(client_pm, Delivery.DIGEST)
    for _ in range(3):
        _notify(client_pm, project)
    barrier = threading.Barrier(2)
    sent = []

    def run():
        try:
            barrier.wait(timeout=10)
            sent.append(notifications.send_daily_digests())
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == [0, 1] and len(mail.outbox) == 1
    assert mail.outbox[0].body.count("Kick-off minutes") == 3


# --- reading ---------------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_loads_the_five_newest(client_pm, project):
    for i in range(7):
        _notify(client_pm, project, params=PARAMS | {"title": f"Minutes {i}"})
    client = client_for(client_pm)
    home = client.get(reverse("home")).content.decode()
    assert re.search(r'data-testid="unread-count">7<', home)
    assert 'hx-get="/notifications/menu/"' in home and 'hx-trigger="show.bs.dropdown"' in home
    menu = client.get(reverse("notifications:menu"), HTTP_HX_REQUEST="true").content.decode()
    assert [t for t in re.findall(r"Minutes \d", menu)] == ["Minutes 6", "Minutes 5", "Minutes 4", "Minutes 3", "Minutes 2"]  # fmt: skip
    assert "<script" not in menu and " style=" not in menu


def test_opening_a_notification_marks_it_read_and_goes_there(client_pm, project):
    note = _notify(client_pm, project, url=f"/projects/{project.code}/")
    response = client_for(client_pm).post(reverse("notifications:open", kwargs={"pk": note.pk}))
    assert response["Location"] == f"/projects/{project.code}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_and_mark_all_read(client_pm, project):
    notes = [_notify(client_pm, project) for _ in range(3)]
    client = client_for(client_pm)
    response = client.post(reverse("notifications:read", kwargs={"pk": notes[0].pk}), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")  # never off the site
    assert Notification.objects.unread().count() == 2
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "All notifications are marked as read." in response.content.decode()
    assert Notification.objects.unread().count() == 0


def test_notifications_are_private(client_pm, pmo, project):
    note = _notify(client_pm, project)
    assert client_for(pmo).post(reverse("notifications:read", kwargs={"pk": note.pk})).status_code == 404
    with pytest.raises(PermissionDenied, match="This notification is for someone else"):
        notifications.notification_mark_read(actor=pmo, notification=note)
    assert notifications.notifications_mark_all_read(actor=pmo) == 0
    assert Notification.objects.unread().count() == 1
    assert "Kick-off minutes" not in client_for(pmo).get(reverse("notifications:list")).content.decode()


def test_each_person_chooses_the_delivery_per_kind(client_pm):
    url = reverse("notifications:settings")
    client = client_for(client_pm)
    page = client.get(url).content.decode()
    assert "Sign-off requests waiting for you" in page and "Reminders of approvals waiting for you" in page
    # Every kind as it is by default, but the sign-off requests: only that choice changes.
    choices = {kind.key: kind.default_delivery for kind in notifications.kinds()} | {"signoff.requested": Delivery.DIGEST}
    assert client.post(url, choices)["Location"] == url
    assert notifications.delivery_for(client_pm, "signoff.requested") == Delivery.DIGEST
    event = AuditEvent.objects.get(verb="user.notification_preferences")
    assert event.before == {"signoff.requested": "immediate"} and event.after == {"signoff.requested": "digest"}
    response = client.post(url, choices | {"signoff.requested": "carrier-pigeon"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert notifications.delivery_for(client_pm, "signoff.requested") == Delivery.DIGEST


# --- query counts ----------------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url_name", ["notifications:list", "notifications:menu"])
def test_the_lists_run_a_constant_number_of_queries(url_name, client_pm, project):
    # session, user, navbar (unread count, approver?), count, page with projects joined = constant
    client = client_for(client_pm)
    client.get(reverse(url_name))

    def grow(n):
        for i in range(n):
            NotificationFactory(recipient=client_pm, project=ProjectFactory() if i % 2 else project)

    grow(5)
    small = _queries(client, reverse(url_name))
    grow(40)
    large = _queries(client, reverse(url_name))
    assert len(small) == len(large), "\n".join(large)
