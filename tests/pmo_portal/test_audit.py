"""The audit trail is append-only, and the events the foundation promises are written."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from pmo_portal import audit
from pmo_portal.models import AuditEvent
from projects import services
from projects.models import Role

from ..conftest import client_for


@pytest.fixture
def event(pmo, project):
    return audit.record(actor=pmo, verb="test.event", obj=project, project=project, after={"x": 1})


def test_it_refuses_to_save_an_event_twice(event):
    event.verb = "tampered"
    with pytest.raises(AuditEvent.Immutable):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.event"


def test_it_refuses_queryset_update_and_delete(event):
    with pytest.raises(AuditEvent.Immutable):
        AuditEvent.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(AuditEvent.Immutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditEvent.Immutable):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk, verb="test.event").exists()


def test_the_database_refuses_update_even_in_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE pmo_portal_auditevent SET verb = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's trigger refuses UPDATE only (see migration 0002)")
def test_postgresql_refuses_delete_in_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM pmo_portal_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_keeps_request_id_and_ip_of_the_request(pmo, project):
    client = client_for(pmo)
    response = client.post(
        reverse("projects:edit", kwargs={"code": project.code}),
        {**_project_form_data(project), "name": "Renamed"},
        HTTP_X_REQUEST_ID="req-12345678",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="project.update")
    assert (event.actor, event.project, event.request_id, event.ip) == (pmo, project, "req-12345678", "203.0.113.7")
    assert event.before == {"name": "Alpha claims renewal"} and event.after == {"name": "Renamed"}
    assert response["X-Request-ID"] == "req-12345678"


def _project_form_data(project):
    return {
        "code": project.code,
        "name": project.name,
        "description": project.description,
        "phase": project.phase,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "default_language": project.default_language,
        "approval_reminder_days": project.approval_reminder_days,
    }


def test_sign_in_success_and_failure_are_recorded(pmo):
    client = client_for(None)
    client.post(reverse("accounts:login"), {"username": "pmo", "password": "wrong password"}, REMOTE_ADDR="198.51.100.1")
    client.post(reverse("accounts:login"), {"username": "pmo", "password": "correct horse battery"})
    failed = AuditEvent.objects.get(verb="auth.login_failed")
    assert failed.actor is None and failed.after == {"username": "pmo"} and failed.ip == "198.51.100.1"
    assert AuditEvent.objects.get(verb="auth.login").actor == pmo
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.get(verb="auth.logout").after == {"reason": "user"}


def test_membership_changes_are_recorded(pmo, vendor_a, project, orgs):
    membership = services.membership_invite(actor=pmo, project=project, email="New@Example.test", display_name="New Person", role=Role.READER)  # fmt: skip
    services.membership_change_role(actor=pmo, membership=membership, role=Role.VENDOR, vendor=orgs.vendor_a)
    services.membership_remove(actor=pmo, membership=membership)
    events = list(AuditEvent.objects.filter(verb__startswith="membership.").order_by("id"))
    assert [e.verb for e in events] == ["membership.invite", "membership.change", "membership.remove"]
    assert events[0].after["user"] == "New Person" and events[0].after["new_account"] is True
    assert events[1].before == {"role": "reader", "organization": "Sakura Insurance"}
    assert events[1].after == {"role": "vendor", "organization": "Kaito Systems"}
    assert all(e.project == project and e.actor == pmo for e in events)


def test_project_creation_is_recorded(pmo, orgs):
    from datetime import date

    project = services.project_create(actor=pmo, client=orgs.client, code="BETA", name="Beta", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))  # fmt: skip
    event = AuditEvent.objects.get(verb="project.create")
    assert event.project == project and event.after["code"] == "BETA" and event.after["client"] == "Sakura Insurance"


def test_the_audit_page_lists_events_newest_first(pmo, security, project):
    audit.record(actor=pmo, verb="first.thing", project=project)
    audit.record(actor=pmo, verb="second.thing", project=project)
    html = client_for(security).get(reverse("projects:audit", kwargs={"code": project.code})).content.decode()
    assert html.index("second.thing") < html.index("first.thing")


def test_password_changes_are_recorded(pmo):
    client = client_for(pmo)
    response = client.post(reverse("accounts:password_change"), {"old_password": "correct horse battery", "new_password1": "Lantern-Harbor-42", "new_password2": "Lantern-Harbor-42"})  # fmt: skip
    assert response.status_code == 302
    assert AuditEvent.objects.get(verb="auth.password_changed").actor == pmo
