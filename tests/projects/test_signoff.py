"""Sign-off requests: the PMO asks, the client PM or security officer decides, once, and never their own."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import AuditEvent, Notification
from projects import services
from projects.models import Membership, Role, SignOffRequest, SignOffStatus

from ..conftest import client_for
from ..factories import MembershipFactory, SignOffFactory, UserFactory

MINUTES = {"title": "Kick-off meeting minutes", "summary": "The minutes of the kick-off on 1 April: scope, people, next steps.", "details": ""}  # fmt: skip


def _ask(pmo, project, role=Role.CLIENT_PM, **fields):
    return services.signoff_request(actor=pmo, project=project, approver_role=role, **(MINUTES | fields))


# --- asking ----------------------------------------------------------------------------------------------


def test_pmo_asks_and_the_client_pm_is_told_by_email(pmo, client_pm, security, project, django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        signoff = _ask(pmo, project)
    assert (signoff.status, signoff.requested_by, signoff.decided_by) == (SignOffStatus.PENDING, pmo, None)
    note = Notification.objects.get(kind="signoff.requested")
    assert note.recipient == client_pm and note.url == signoff.get_absolute_url() and note.project == project
    assert "Pmo asks you to sign off “Kick-off meeting minutes”" in note.sentence
    assert [m.to for m in mail.outbox] == [[client_pm.email]]  # not the security officer: not asked
    assert AuditEvent.objects.filter(verb="signoff.request", project=project).count() == 1


def test_only_pmo_staff_of_the_project_ask_for_a_signoff(client_pm, project):
    with pytest.raises(PermissionDenied, match="Only PMO staff of this project can ask for a sign-off"):
        _ask(client_pm, project)
    assert not SignOffRequest.objects.exists()


def test_someone_must_hold_the_asked_for_role(pmo, client_pm, project):
    with pytest.raises(ValidationError, match="Nobody in this project has the role Security officer yet"):
        _ask(pmo, project, role=Role.SECURITY)


def test_only_the_client_pm_or_the_security_officer_can_be_asked(pmo, vendor_a, project):
    with pytest.raises(ValidationError, match="Choose the client PM or the security officer"):
        _ask(pmo, project, role=Role.VENDOR)


def test_a_title_with_hidden_characters_is_refused(pmo, client_pm, project):
    with pytest.raises(ValidationError, match="invisible or control character"):
        _ask(pmo, project, title="Minutes\u202efdp.exe")


def test_the_state_changes_only_by_transition(pmo, client_pm, project):
    signoff = _ask(pmo, project)
    with pytest.raises(AttributeError):
        signoff.status = SignOffStatus.APPROVED


# --- deciding --------------------------------------------------------------------------------------------


def test_the_client_pm_signs_off_and_the_requester_is_told(pmo, client_pm, project, django_capture_on_commit_callbacks):
    signoff = _ask(pmo, project)
    with django_capture_on_commit_callbacks(execute=True):
        signoff = services.signoff_approve(actor=client_pm, signoff=signoff, comment="Looks right.")
    signoff.refresh_from_db()
    assert (signoff.status, signoff.decided_by, signoff.comment) == (SignOffStatus.APPROVED, client_pm, "Looks right.")
    assert signoff.decided_at is not None
    note = Notification.objects.get(kind="signoff.decided")
    assert note.recipient == pmo and note.sentence == "Pm signed off “Kick-off meeting minutes”."
    event = AuditEvent.objects.get(verb="signoff.approve")
    assert event.actor == client_pm and event.before == {"status": "pending", "comment": ""}
    assert event.after == {"status": "approved", "comment": "Looks right."}


def test_a_rejection_says_why(pmo, client_pm, project):
    signoff = _ask(pmo, project)
    with pytest.raises(ValidationError, match="Say why you reject it"):
        services.signoff_reject(actor=client_pm, signoff=signoff, comment="   ")
    signoff = services.signoff_reject(actor=client_pm, signoff=signoff, comment="Section 3 is missing.")
    assert signoff.status == SignOffStatus.REJECTED
    assert Notification.objects.get(kind="signoff.decided").sentence == "Pm rejected “Kick-off meeting minutes”: Section 3 is missing."  # fmt: skip


def test_nobody_decides_their_own_request(pmo, client_pm, project):
    signoff = _ask(pmo, project)
    # The requester later becomes the client PM (another PMO consultant takes over): still not theirs to decide.
    MembershipFactory(project=project, role=Role.PMO, user=UserFactory(username="pmo2", organization=project.pmo_firm))
    services.membership_change_role(actor=pmo, membership=Membership.objects.get(user=pmo), role=Role.CLIENT_PM)
    with pytest.raises(PermissionDenied, match="Nobody can decide their own request"):
        services.signoff_approve(actor=pmo, signoff=signoff)
    assert SignOffRequest.objects.get().status == SignOffStatus.PENDING


def test_only_the_asked_for_role_decides(pmo, client_pm, security, vendor_a, reader, project):
    signoff = _ask(pmo, project, role=Role.CLIENT_PM)
    for person in (security, vendor_a, reader):
        with pytest.raises(PermissionDenied, match="Only the Client PM of this project can decide this request"):
            services.signoff_approve(actor=person, signoff=signoff)
    with pytest.raises(PermissionDenied, match="Only the Security officer"):
        services.signoff_reject(actor=client_pm, signoff=_ask(pmo, project, role=Role.SECURITY), comment="No.")


def test_a_decided_request_says_who_decided_it(pmo, client_pm, project):
    stale = _ask(pmo, project)
    services.signoff_approve(actor=client_pm, signoff=SignOffRequest.objects.get(pk=stale.pk))
    # `stale` still says "pending": the service re-reads the row under a lock and sees the decision.
    with pytest.raises(AlreadyDecided, match=r"already decided by Pm \(Signed off\)"):
        services.signoff_reject(actor=client_pm, signoff=stale, comment="Changed my mind.")
    assert AuditEvent.objects.filter(verb__startswith="signoff.").count() == 2  # the request and one decision


def test_the_database_refuses_a_decision_without_who_and_when(pmo, client_pm, project):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SignOffFactory(project=project, requested_by=pmo, status=SignOffStatus.APPROVED)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL)")
def test_two_approvers_at_once_make_exactly_one_decision(transactional_db, pmo, client_pm, project):
    second_pm = UserFactory(username="pm2", organization=project.client)
    MembershipFactory(project=project, user=second_pm, role=Role.CLIENT_PM)
    signoff = _ask(pmo, project)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(person, service, **kwargs):
        try:
            barrier.wait(timeout=10)
            service(actor=person, signoff=signoff, **kwargs)
            outcomes.append("decided")
        except AlreadyDecided as error:
            outcomes.append(error.messages[0])
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=decide, args=(client_pm, services.signoff_approve)),
        threading.Thread(target=decide, args=(second_pm, services.signoff_reject), kwargs={"comment": "No."}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "decided" and outcomes.count("decided") == 1
    assert "already decided by" in sorted(outcomes)[0]
    assert AuditEvent.objects.filter(verb__in=["signoff.approve", "signoff.reject"]).count() == 1
    assert Notification.objects.filter(kind="signoff.decided").count() == 1


# --- screens ---------------------------------------------------------------------------------------------


def test_pmo_asks_through_the_form(pmo, client_pm, project):
    url = reverse("projects:signoff_create", kwargs={"code": project.code})
    response = client_for(pmo).post(url, {**MINUTES, "approver_role": "client_pm"})
    signoff = SignOffRequest.objects.get()
    assert response["Location"] == signoff.get_absolute_url()
    page = client_for(client_pm).get(signoff.get_absolute_url()).content.decode()
    assert MINUTES["summary"] in page and reverse("inbox:approve", kwargs={"kind": "signoff", "pk": signoff.pk}) in page


def test_the_form_explains_a_missing_approver_and_keeps_the_text(pmo, project):
    url = reverse("projects:signoff_create", kwargs={"code": project.code})
    response = client_for(pmo).post(url, {**MINUTES, "approver_role": "security"})
    html = response.content.decode()
    assert response.status_code == 200 and "Nobody in this project has the role Security officer yet" in html
    assert MINUTES["summary"] in html and not SignOffRequest.objects.exists()


def test_the_requester_sees_no_decision_buttons(pmo, client_pm, project):
    signoff = _ask(pmo, project)
    page = client_for(pmo).get(signoff.get_absolute_url()).content.decode()
    assert reverse("inbox:approve", kwargs={"kind": "signoff", "pk": signoff.pk}) not in page


def test_deciding_from_the_detail_page_returns_there(pmo, client_pm, project):
    signoff = _ask(pmo, project)
    url = reverse("inbox:approve", kwargs={"kind": "signoff", "pk": signoff.pk})
    response = client_for(client_pm).post(url, {"comment": "", "next": signoff.get_absolute_url()}, follow=True)
    assert response.redirect_chain[-1][0] == signoff.get_absolute_url()
    assert "Approved." in response.content.decode() and "Signed off" in response.content.decode()


def test_vendors_and_readers_see_no_signoffs(pmo, client_pm, vendor_a, reader, project):
    _ask(pmo, project)
    for person in (vendor_a, reader):
        assert not SignOffRequest.objects.visible_to(person).exists()
    assert SignOffRequest.objects.visible_to(client_pm).count() == 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_list_runs_a_constant_number_of_queries(pmo, client_pm, project):
    # session, user, project, role, navbar (unread, approver?, inbox count), count, page = constant
    url = reverse("projects:signoffs", kwargs={"code": project.code})
    client = client_for(client_pm)
    client.get(url)

    def grow(n):
        for i in range(n):
            s = SignOffFactory(project=project, requested_by=pmo)
            if i % 2:
                services.signoff_approve(actor=client_pm, signoff=s)

    grow(5)
    small = _queries(client, url)
    grow(40)
    large = _queries(client, url)
    assert len(small) == len(large), "\n".join(large)
