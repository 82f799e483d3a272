"""Vendor access requests through their workflow, at the service level (issue 4, "Done when" 2).

draft → submitted (vendor) → PMO review → client PM → security only above the reviewer's delegation →
approved → provisioned under a delegation. Each guard is asserted with its message.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from accounts import services
from accounts.models import (
    AccessEvent,
    AccessRequest,
    AccessRequestItem,
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    RequestKind,
    RequestStatus,
    Risk,
)
from accounts.services.access_requests import ItemSpec
from pmo_portal import inbox
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import AuditEvent, Notification
from projects.models import Membership, Role

from ..access_factories import (
    contract_for,
    delegation_for,
    draft_request,
    level,
    period,
    person_for,
    request_in,
    system_with_levels,
)
from ..factories import MembershipFactory, UserFactory


@pytest.fixture
def people(pmo, client_pm, security, vendor_a, vendor_b, project):
    """Everyone of project Alpha, vendor A before vendor B (the factories ask the first vendor)."""
    system_with_levels(project)
    return project


@pytest.fixture
def second_pm(people, project):
    user = UserFactory(username="pm2", organization=project.client)
    MembershipFactory(project=project, user=user, role=Role.CLIENT_PM)
    return user


@pytest.fixture
def second_pmo(people, project):
    user = UserFactory(username="pmo2", organization=project.pmo_firm)
    MembershipFactory(project=project, user=user, role=Role.PMO)
    return user


def _timeline(request):
    return list(request.events.order_by("pk").values_list("verb", "actor__username", "comment", "delegation_id"))


def _audit_verbs(prefix="access.request"):
    return list(
        AuditEvent.objects.filter(verb__startswith=prefix).order_by("pk").values_list("verb", "actor__username")
    )


def _message(excinfo) -> str:
    return " ".join(excinfo.value.messages) if isinstance(excinfo.value, ValidationError) else str(excinfo.value)


def _expired_delegation(project, holder):
    """A delegation granted earlier whose period is over (a delegation already ended cannot be granted)."""
    delegation = delegation_for(project, holder)
    today = timezone.localdate()
    Delegation.objects.filter(pk=delegation.pk).update(valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1))  # fmt: skip
    delegation.refresh_from_db()
    return delegation


def _fresh(request):
    """The factories return the object they created; the services moved a fresh copy on."""
    request.refresh_from_db()
    return request


# --- the whole path --------------------------------------------------------------------------------------


def test_it_runs_draft_to_provisioned_with_an_audit_event_and_a_timeline_step_for_each(people, project, pmo, client_pm, vendor_a):  # fmt: skip
    delegation = delegation_for(project, pmo)
    request = draft_request(project, vendor_a)
    services.access_request_submit(actor=vendor_a, request=request)
    services.access_request_forward(actor=pmo, request=request, comment="Complete.")
    request = services.access_request_approve(actor=client_pm, request=request, comment="Fine by me.")
    assert request.status == RequestStatus.APPROVED
    item = request.items.get()
    request = services.access_request_provision(actor=pmo, request=request, delegation=delegation, login_names={item.pk: "kaito-tanaka"}, comment="Created in AD.")  # fmt: skip
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONED and request.closed_at is not None
    assert _timeline(request) == [
        (EventVerb.CREATED, "vendor-a", "", None),
        (EventVerb.SUBMITTED, "vendor-a", "", None),
        (EventVerb.FORWARDED, "pmo", "Complete.", delegation.pk),
        (EventVerb.APPROVED, "pm", "Fine by me.", None),
        (EventVerb.PROVISIONED, "pmo", "Created in AD.", delegation.pk),
    ]
    assert _audit_verbs("access.request") + _audit_verbs("access.grant") == [
        ("access.request_create", "vendor-a"),
        ("access.request_submit", "vendor-a"),
        ("access.request_forward", "pmo"),
        ("access.request_approve", "pm"),
        ("access.request_provision", "pmo"),
        ("access.grant_provision", "pmo"),
    ]
    assert AuditEvent.objects.get(verb="access.request_approve").after["comment"] == "Fine by me."
    grant = Grant.objects.get()
    assert (grant.login_name, grant.level, grant.person.name, grant.vendor, grant.status) == ("kaito-tanaka", item.level, "Tanaka", vendor_a.organization, GrantStatus.ACTIVE)  # fmt: skip
    assert (grant.delegation, grant.provisioned_by, grant.request_item, grant.start_date, grant.end_date) == (delegation, pmo, item, item.start_date, item.end_date)  # fmt: skip
    assert AuditEvent.objects.get(verb="access.grant_provision").after["delegation"] == delegation.pk
    step = AccessEvent.objects.get(grant=grant)
    assert (step.verb, step.delegation, step.system, step.vendor, step.person) == (EventVerb.PROVISIONED, delegation, item.level.system, vendor_a.organization, grant.person)  # fmt: skip


def test_it_tells_each_next_actor(people, project, pmo, client_pm, security, vendor_a):
    delegation_for(project, pmo)
    request = request_in(project, RequestStatus.APPROVED)
    told = set(Notification.objects.values_list("kind", "recipient__username"))
    assert told == {("access.submitted", "pmo"), ("access.waiting", "pm"), ("access.decided", "vendor-a"), ("access.to_provision", "pmo")}  # fmt: skip
    assert request.status == RequestStatus.APPROVED


# --- sending back, rejecting, withdrawing ----------------------------------------------------------------


def test_it_requires_a_comment_to_send_back(people, project, pmo):
    request = request_in(project, RequestStatus.SUBMITTED)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_send_back(actor=pmo, request=request, comment="  ")
    assert _message(excinfo) == "Say what is missing, so that the vendor can complete it."
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and not AuditEvent.objects.filter(verb="access.request_send_back").exists()  # fmt: skip


def test_it_lets_the_vendor_correct_a_sent_back_request_and_submit_it_again(people, project, pmo, vendor_a):
    request = request_in(project, RequestStatus.RETURNED)
    assert Notification.objects.get(kind="access.sent_back").recipient == vendor_a
    start, end = period(60)
    services.access_request_update(actor=vendor_a, request=request, items=[ItemSpec(level(project, "Read only"), start, end)], justification="Runs the claims regression tests.")  # fmt: skip
    services.access_request_submit(actor=vendor_a, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and request.justification == "Runs the claims regression tests."
    assert request.items.get().end_date == end
    assert [verb for verb, *_rest in _timeline(request)] == [EventVerb.CREATED, EventVerb.SUBMITTED, EventVerb.SENT_BACK, EventVerb.SUBMITTED]  # fmt: skip
    assert _timeline(request)[2][2] == "Add the project role."


@pytest.mark.parametrize(
    ("status", "decider", "level_name", "days"),
    [
        (RequestStatus.SUBMITTED, "pmo", "Read only", 90),
        (RequestStatus.PM_APPROVAL, "client_pm", "Read only", 90),
        (RequestStatus.SECURITY_APPROVAL, "security", "Administrator", 30),
    ],
)
def test_it_requires_a_comment_to_reject_at_each_step(people, personas, project, vendor_a, status, decider, level_name, days):  # fmt: skip
    request = request_in(project, status, level_name=level_name, days=days)
    actor = personas[decider]
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_reject(actor=actor, request=request, comment=" ")
    assert _message(excinfo) == "Say why you reject it, so that the vendor understands."
    request.refresh_from_db()
    assert request.status == status and not AuditEvent.objects.filter(verb="access.request_reject").exists()
    services.access_request_reject(actor=actor, request=request, comment="Not needed for this phase.")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED and request.closed_at is not None
    assert _timeline(request)[-1] == (EventVerb.REJECTED, actor.username, "Not needed for this phase.", None)
    note = Notification.objects.get(kind="access.decided", recipient=vendor_a)
    assert "rejected access request" in note.sentence and "Not needed for this phase." in note.sentence


def test_it_keeps_a_rejected_request_final(people, project, pmo, client_pm, vendor_a):
    delegation = delegation_for(project, pmo)
    request = request_in(project, RequestStatus.PM_APPROVAL)
    services.access_request_reject(actor=client_pm, request=request, comment="Not in scope.")
    with pytest.raises(AlreadyDecided) as excinfo:
        services.access_request_approve(actor=client_pm, request=request)
    assert _message(excinfo) == "This request was already decided by Pm (now: Rejected)."
    with pytest.raises(AlreadyDecided):
        services.access_request_forward(actor=pmo, request=request)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_withdraw(actor=vendor_a, request=request)
    assert _message(excinfo) == "This request is rejected; it can no longer be withdrawn."
    with pytest.raises(ValidationError):
        services.access_request_submit(actor=vendor_a, request=request)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_provision(actor=pmo, request=request, delegation=delegation, login_names={})
    assert _message(excinfo) == "Only an approved request can be provisioned (this one is rejected)."
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED and not Grant.objects.exists()


def test_it_keeps_a_withdrawn_request_final(people, project, pmo, client_pm, vendor_a):
    request = request_in(project, RequestStatus.PM_APPROVAL)
    services.access_request_withdraw(actor=vendor_a, request=request, comment="Tanaka left the team.")
    assert _timeline(request)[-1] == (EventVerb.WITHDRAWN, "vendor-a", "Tanaka left the team.", None)
    with pytest.raises(AlreadyDecided) as excinfo:
        services.access_request_approve(actor=client_pm, request=request)
    assert _message(excinfo) == "This request was already decided by Vendor-A (now: Withdrawn)."
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_withdraw(actor=vendor_a, request=request)
    assert _message(excinfo) == "This request is withdrawn; it can no longer be withdrawn."
    with pytest.raises(ValidationError):
        services.access_request_submit(actor=vendor_a, request=request)
    with pytest.raises(ValidationError):
        services.access_request_update(actor=vendor_a, request=request, items=[ItemSpec(level(project), *period(30))], justification="Again.")  # fmt: skip
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_it_does_not_let_the_vendor_withdraw_an_approved_request(people, project, pmo, vendor_a):
    request = request_in(project, RequestStatus.APPROVED)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_withdraw(actor=vendor_a, request=request)
    assert _message(excinfo) == "This request is approved, to be provisioned; it can no longer be withdrawn."


# --- routing to the security officer (Done when 2) -------------------------------------------------------


def test_it_never_sends_a_request_within_the_reviewers_delegation_to_security(people, project, pmo, client_pm, security):  # fmt: skip
    delegation = delegation_for(project, pmo, max_risk=Risk.MEDIUM, max_days=180)
    request = _fresh(request_in(project, RequestStatus.PM_APPROVAL, level_name="Read and write", days=90))
    assert (request.needs_security, request.within_delegation, request.reviewed_by) == (False, delegation, pmo)
    assert not AccessRequest.objects.waiting_for(security).exists()
    assert list(AccessRequest.objects.waiting_for(client_pm)) == [request]
    request = services.access_request_approve(actor=client_pm, request=request)
    assert request.status == RequestStatus.APPROVED
    assert not AccessRequest.objects.waiting_for(security).exists() and inbox.PendingItems(security).count() == 0
    assert EventVerb.ESCALATED not in [verb for verb, *_rest in _timeline(request)]
    assert not Notification.objects.filter(recipient=security, kind="access.waiting").exists()


def _billing(project):
    return system_with_levels(project, "Billing DB")


@pytest.mark.parametrize(
    ("why", "level_name", "days", "delegation_kwargs"),
    [
        ("a higher risk", "Administrator", 30, {}),
        ("a longer period", "Read only", 120, {"max_days": 90}),
        ("a system outside it", "Read only", 90, {"systems": "billing"}),
    ],
)
def test_it_sends_a_request_above_the_reviewers_delegation_to_security(people, project, pmo, client_pm, security, why, level_name, days, delegation_kwargs):  # fmt: skip
    if delegation_kwargs.get("systems") == "billing":
        delegation_kwargs = {"systems": [_billing(project)]}
    delegation_for(project, pmo, max_risk=Risk.MEDIUM, **({"max_days": 180} | delegation_kwargs))
    request = _fresh(request_in(project, RequestStatus.PM_APPROVAL, level_name=level_name, days=days))
    assert request.needs_security and request.within_delegation is None, why
    assert not AccessRequest.objects.waiting_for(security).exists()  # the client PM decides first
    request = services.access_request_approve(actor=client_pm, request=request, comment="OK for me.")
    assert request.status == RequestStatus.SECURITY_APPROVAL
    assert _timeline(request)[-1] == (EventVerb.ESCALATED, "pm", "OK for me.", None)
    assert list(AccessRequest.objects.waiting_for(security)) == [request]
    assert [item.obj for item in inbox.PendingItems(security)[0:20]] == [request]
    assert "above PMO delegation: the security officer decides too" in inbox.PendingItems(security)[0].summary
    assert Notification.objects.filter(recipient=security, kind="access.waiting").count() == 1
    request = services.access_request_approve(actor=security, request=request)
    assert request.status == RequestStatus.APPROVED and not AccessRequest.objects.waiting_for(security).exists()


@pytest.mark.parametrize("state", ["expired", "revoked", "not yet valid", "someone else's"])
def test_it_sends_everything_to_security_when_the_reviewer_has_no_valid_delegation(people, project, pmo, second_pmo, client_pm, security, state):  # fmt: skip
    today = timezone.localdate()
    if state == "expired":
        _expired_delegation(project, pmo)
    elif state == "not yet valid":
        delegation_for(project, pmo, valid_from=today + timedelta(days=1), valid_until=today + timedelta(days=60))
    elif state == "revoked":
        services.delegation_revoke(actor=security, delegation=delegation_for(project, pmo), reason="Moved to another team.")  # fmt: skip
    else:
        delegation_for(project, second_pmo)
    request = _fresh(request_in(project, RequestStatus.PM_APPROVAL, level_name="Read only", days=30))  # the lowest risk
    assert request.needs_security
    request = services.access_request_approve(actor=client_pm, request=request)
    assert request.status == RequestStatus.SECURITY_APPROVAL
    assert list(AccessRequest.objects.waiting_for(security)) == [request]


# --- provisioning needs a valid delegation of one's own --------------------------------------------------


@pytest.fixture
def approved(people, project, pmo):
    """A request approved within the PMO's delegation (read only, 90 days, low risk)."""
    valid = delegation_for(project, pmo)
    request = request_in(project, RequestStatus.APPROVED)
    assert not request.needs_security
    return request, valid


def _provision(actor, request, delegation):
    return services.access_request_provision(actor=actor, request=request, delegation=delegation, login_names={item.pk: "kaito-tanaka" for item in request.items.all()})  # fmt: skip


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("expired", "This delegation is expired; it cannot be used. Ask the security officer for a new one."),
        ("revoked", "This delegation is revoked; it cannot be used. Ask the security officer for a new one."),
        (
            "not yet valid",
            "This delegation is not yet valid; it cannot be used. Ask the security officer for a new one.",
        ),  # fmt: skip
        ("other system", "This delegation does not cover Claims test DB."),
        ("too narrow", "“Claims test DB: Read only” for 90 days is beyond this delegation."),
    ],
)
def test_it_refuses_to_provision_under_an_unusable_delegation(approved, project, pmo, security, state, message):
    request, _valid = approved
    today = timezone.localdate()
    if state == "expired":
        delegation = _expired_delegation(project, pmo)
    elif state == "not yet valid":
        delegation = delegation_for(project, pmo, valid_from=today + timedelta(days=1))
    elif state == "revoked":
        delegation = services.delegation_revoke(actor=security, delegation=delegation_for(project, pmo), reason="Audit finding.")  # fmt: skip
    elif state == "other system":
        delegation = delegation_for(project, pmo, systems=[_billing(project)])
    else:
        delegation = delegation_for(project, pmo, max_risk=Risk.LOW, max_days=30)
    with pytest.raises(ValidationError) as excinfo:
        _provision(pmo, request, delegation)
    assert _message(excinfo) == message
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and not Grant.objects.exists()
    assert not AuditEvent.objects.filter(verb__in=["access.grant_provision", "access.request_provision"]).exists()


def test_it_refuses_to_provision_under_someone_elses_delegation(approved, project, pmo, second_pmo):
    request, valid = approved
    with pytest.raises(PermissionDenied) as excinfo:
        _provision(second_pmo, request, valid)
    assert _message(excinfo) == "You can act only under a delegation given to you in this project."
    assert not Grant.objects.exists()


def test_it_lets_another_pmo_member_provision_under_their_own_covering_delegation(approved, project, second_pmo):
    request, _valid = approved
    own = delegation_for(project, second_pmo)
    _provision(second_pmo, request, own)
    assert Grant.objects.get().delegation == own


def test_it_provisions_a_security_approved_request_under_a_delegation_that_covers_the_system(people, project, pmo):
    delegation = delegation_for(project, pmo, max_risk=Risk.LOW, max_days=30)
    request = request_in(project, RequestStatus.APPROVED, level_name="Administrator", days=30)
    assert request.needs_security  # critical: above the delegation, so the security officer approved it
    _provision(pmo, request, delegation)
    assert Grant.objects.get().delegation == delegation


# --- separation of duties --------------------------------------------------------------------------------


def test_it_lets_security_decide_only_after_the_client_pm(people, project, security):
    request = request_in(project, RequestStatus.PM_APPROVAL, level_name="Administrator", days=30)
    with pytest.raises(PermissionDenied) as excinfo:
        services.access_request_approve(actor=security, request=request)
    assert _message(excinfo) == "The client PM decides this request first."
    with pytest.raises(PermissionDenied):
        services.access_request_reject(actor=security, request=request, comment="No.")
    request.refresh_from_db()
    assert request.status == RequestStatus.PM_APPROVAL


def test_it_does_not_let_a_client_pm_decide_the_security_step(people, project, second_pm):
    request = request_in(project, RequestStatus.SECURITY_APPROVAL, level_name="Administrator", days=30)
    with pytest.raises(AlreadyDecided) as excinfo:
        services.access_request_approve(actor=second_pm, request=request)
    assert _message(excinfo) == "This request was already decided by Pm (now: Waiting for the security officer)."
    request.refresh_from_db()
    assert request.status == RequestStatus.SECURITY_APPROVAL


@pytest.mark.parametrize("who", ["pmo", "vendor_b", "reader", "outsider"])
def test_it_lets_only_client_pm_and_security_approve(people, personas, project, who):
    request = request_in(project, RequestStatus.PM_APPROVAL)
    with pytest.raises(PermissionDenied) as excinfo:
        services.access_request_approve(actor=personas[who], request=request)
    assert _message(excinfo) == "Only the client PM or the security officer of this project decides access requests."
    request.refresh_from_db()
    assert request.status == RequestStatus.PM_APPROVAL


@pytest.mark.parametrize("who", ["vendor_a", "client_pm", "security"])
def test_it_lets_only_pmo_staff_review(people, personas, project, who):
    request = request_in(project, RequestStatus.SUBMITTED)
    for review in (services.access_request_forward, services.access_request_send_back):
        with pytest.raises(PermissionDenied) as excinfo:
            review(actor=personas[who], request=request, comment="Looks fine.")
        assert _message(excinfo) == "Only PMO staff of this project review access requests."
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_it_lets_only_pmo_staff_provision(approved, client_pm, security):
    request, valid = approved
    for actor in (client_pm, security):
        with pytest.raises(PermissionDenied) as excinfo:
            _provision(actor, request, valid)
        assert _message(excinfo) == "Only PMO staff of this project provision accounts."


def test_it_lets_only_the_vendors_own_staff_act_on_its_request(people, project, vendor_b):
    request = request_in(project, RequestStatus.DRAFT)
    for act in (services.access_request_submit, services.access_request_withdraw):
        with pytest.raises(PermissionDenied) as excinfo:
            act(actor=vendor_b, request=request)
        assert _message(excinfo) == "Only the vendor's own staff can do this."


def _becomes(user, project, role):
    Membership.objects.filter(project=project, user=user).update(role=role)


def test_it_does_not_let_the_requester_review_decide_or_provision_their_own_request(people, project, pmo, vendor_a):
    """Someone who asked as a vendor and later holds another role in the project still never decides it."""
    delegation_for(project, pmo)
    request = request_in(project, RequestStatus.SUBMITTED)
    _becomes(vendor_a, project, Role.PMO)
    with pytest.raises(PermissionDenied) as excinfo:
        services.access_request_forward(actor=vendor_a, request=request)
    assert _message(excinfo) == "Nobody can review their own request."
    _becomes(vendor_a, project, Role.VENDOR)
    services.access_request_forward(actor=pmo, request=request)
    _becomes(vendor_a, project, Role.CLIENT_PM)
    assert not AccessRequest.objects.waiting_for(vendor_a).exists()
    with pytest.raises(PermissionDenied) as excinfo:
        services.access_request_approve(actor=vendor_a, request=request)
    assert _message(excinfo) == "Nobody can decide their own request."
    _becomes(vendor_a, project, Role.VENDOR)
    services.access_request_approve(actor=member_user(project, Role.CLIENT_PM), request=request)
    _becomes(vendor_a, project, Role.PMO)
    own = delegation_for(project, vendor_a)
    with pytest.raises(PermissionDenied) as excinfo:
        _provision(vendor_a, request, own)
    assert _message(excinfo) == "Nobody can provision their own request."
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and not Grant.objects.exists()


def member_user(project, role):
    return Membership.objects.filter(project=project, role=role).order_by("pk").first().user


# --- bad input -------------------------------------------------------------------------------------------


def _nothing_saved():
    return not AccessRequest.objects.exists() and not AccessRequestItem.objects.exists() and not AuditEvent.objects.filter(verb="access.request_create").exists()  # fmt: skip


def test_it_refuses_a_period_ending_after_the_contract(people, project, vendor_a, orgs):
    end = timezone.localdate() + timedelta(days=60)
    contract_for(project, orgs.vendor_a, end=end)
    with pytest.raises(ValidationError) as excinfo:
        draft_request(project, vendor_a, days=90)
    assert (
        _message(excinfo) == f"The contract of Kaito Systems ends on {date_format(end)}; access cannot last beyond it."
    )
    assert _nothing_saved()


def test_it_refuses_a_period_longer_than_the_level_allows(people, project, vendor_a):
    with pytest.raises(ValidationError) as excinfo:
        draft_request(project, vendor_a, level_name="Administrator", days=31)
    assert _message(excinfo) == "“Claims test DB: Administrator” can be granted for at most 30 days at a time; this period has 31."  # fmt: skip
    assert _nothing_saved()


def test_it_refuses_a_period_ending_before_it_starts(people, project, vendor_a, orgs):
    start = timezone.localdate()
    person = person_for(project, orgs.vendor_a)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_create(actor=vendor_a, project=project, person=person, items=[ItemSpec(level(project), start, start - timedelta(days=1))], justification="Tests.")  # fmt: skip
    assert _message(excinfo) == "The access cannot end before it starts."
    assert _nothing_saved()


def test_it_refuses_a_person_of_another_company(people, project, vendor_b, orgs):
    tanaka = person_for(project, orgs.vendor_a)
    with pytest.raises(PermissionDenied) as excinfo:
        services.access_request_create(actor=vendor_b, project=project, person=tanaka, items=[ItemSpec(level(project), *period(30))], justification="Tests.")  # fmt: skip
    assert _message(excinfo) == "You can ask for access for people of your own company only."
    assert _nothing_saved()


def test_it_refuses_a_level_of_another_projects_system(people, project, hidden_project, vendor_a, orgs):
    foreign = level(hidden_project, "Read only", system="Warehouse DB")
    person = person_for(project, orgs.vendor_a)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_create(actor=vendor_a, project=project, person=person, items=[ItemSpec(foreign, *period(30))], justification="Tests.")  # fmt: skip
    assert _message(excinfo) == "Choose systems of this project only."
    assert _nothing_saved()


def test_it_refuses_a_duplicate_open_request_for_the_same_person_and_level(people, project, vendor_a):
    first = request_in(project, RequestStatus.PM_APPROVAL)
    with pytest.raises(ValidationError) as excinfo:
        draft_request(project, vendor_a, days=30)
    assert _message(excinfo) == "There is already an open request for Tanaka and “Claims test DB: Read only”."
    assert list(AccessRequest.objects.all()) == [first] and AccessRequestItem.objects.count() == 1


def test_it_refuses_new_access_the_person_already_has(people, project, pmo, vendor_a):
    delegation_for(project, pmo)
    request_in(project, RequestStatus.PROVISIONED)
    with pytest.raises(ValidationError) as excinfo:
        draft_request(project, vendor_a, days=30)
    assert _message(excinfo) == "Tanaka already has “Claims test DB: Read only”. Ask for an extension instead."
    assert AccessRequest.objects.count() == 1


def test_it_refuses_requests_under_an_ended_contract(people, project, pmo, vendor_a, orgs):
    person = person_for(project, orgs.vendor_a)
    services.vendor_contract_end(actor=pmo, contract=person.contract, reason="Phase 1 is over.")
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_create(actor=vendor_a, project=project, person=person, items=[ItemSpec(level(project), *period(30))], justification="Tests.")  # fmt: skip
    assert _message(excinfo) == "The contract of Kaito Systems has ended: no new access can be asked for."
    assert _nothing_saved()


def test_it_refuses_a_request_without_a_justification(people, project, vendor_a, orgs):
    person = person_for(project, orgs.vendor_a)
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_create(actor=vendor_a, project=project, person=person, items=[ItemSpec(level(project), *period(30))], justification="   ")  # fmt: skip
    assert _message(excinfo) == "Say why this person needs the access."
    assert _nothing_saved()


def test_it_checks_the_rules_again_when_a_draft_is_submitted_later(people, project, vendor_a, orgs):
    """A draft written within the contract, then the contract is shortened: submitting says why it cannot go."""
    request = draft_request(project, vendor_a, days=90)
    contract = contract_for(project, orgs.vendor_a)
    contract.end_date = timezone.localdate() + timedelta(days=10)
    contract.save()
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_submit(actor=vendor_a, request=request)
    assert "access cannot last beyond it" in _message(excinfo)
    request.refresh_from_db()
    assert request.status == RequestStatus.DRAFT


# --- change of level and extension -----------------------------------------------------------------------


def _through(project, request, pmo, client_pm, vendor_a, delegation, login_names=None):
    services.access_request_submit(actor=vendor_a, request=request)
    services.access_request_forward(actor=pmo, request=request)
    request = services.access_request_approve(actor=client_pm, request=request)
    assert request.status == RequestStatus.APPROVED
    return services.access_request_provision(actor=pmo, request=request, delegation=delegation, login_names=login_names or {})  # fmt: skip


def test_it_changes_the_level_with_a_new_grant_replacing_the_old_one(people, project, pmo, client_pm, vendor_a):
    delegation = delegation_for(project, pmo)
    request_in(project, RequestStatus.PROVISIONED)
    old = Grant.objects.get()
    change = draft_request(project, vendor_a, kind=RequestKind.CHANGE, grant=old, level_name="Read and write", days=60)
    _through(project, change, pmo, client_pm, vendor_a, delegation)
    old.refresh_from_db()
    new = Grant.objects.exclude(pk=old.pk).get()
    assert (old.status, old.replaced_by) == (GrantStatus.REPLACED, new)
    assert (new.status, new.level.name, new.login_name, new.delegation) == (GrantStatus.ACTIVE, "Read and write", old.login_name, delegation)  # fmt: skip
    assert AccessEvent.objects.filter(grant=new, verb=EventVerb.PROVISIONED, delegation=delegation).count() == 1


def test_it_extends_a_grant_by_moving_its_end_date(people, project, pmo, client_pm, vendor_a):
    delegation = delegation_for(project, pmo)
    request_in(project, RequestStatus.PROVISIONED)
    grant = Grant.objects.get()
    old_end = grant.end_date
    extension = draft_request(project, vendor_a, kind=RequestKind.EXTEND, grant=grant, days=30)
    _through(project, extension, pmo, client_pm, vendor_a, delegation)
    grant.refresh_from_db()
    assert Grant.objects.count() == 1
    assert (grant.status, grant.end_date) == (GrantStatus.ACTIVE, old_end + timedelta(days=30))
    audit = AuditEvent.objects.get(verb="access.grant_extend")
    assert audit.before == {"end_date": old_end.isoformat()} and audit.after["delegation"] == delegation.pk
    assert AccessEvent.objects.filter(grant=grant, request=extension, verb=EventVerb.PROVISIONED, delegation=delegation).count() == 1  # fmt: skip


def test_it_refuses_an_extension_that_does_not_end_later(people, project, pmo, vendor_a):
    delegation_for(project, pmo)
    request_in(project, RequestStatus.PROVISIONED)
    grant = Grant.objects.get()
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_create(actor=vendor_a, project=project, person=grant.person, kind=RequestKind.EXTEND, items=[ItemSpec(grant.level, grant.start_date, grant.end_date, grant)], justification="More tests.")  # fmt: skip
    assert _message(excinfo) == f"An extension must end after the current expiry ({date_format(grant.end_date)})."


# --- two approvers ---------------------------------------------------------------------------------------


def test_it_tells_a_second_approver_who_decided_first(people, project, pmo, client_pm, second_pm):
    delegation_for(project, pmo)
    request = request_in(project, RequestStatus.PM_APPROVAL)
    services.access_request_approve(actor=client_pm, request=request)
    for decide, kwargs in ((services.access_request_approve, {}), (services.access_request_reject, {"comment": "No."})):
        with pytest.raises(AlreadyDecided) as excinfo:
            decide(actor=second_pm, request=request, **kwargs)
        assert _message(excinfo) == "This request was already decided by Pm (now: Approved, to be provisioned)."
    assert AuditEvent.objects.filter(verb__in=["access.request_approve", "access.request_reject"]).count() == 1


# --- what a decision reads again -------------------------------------------------------------------------


def _with_items(request):
    """The request as the inbox's approve reads it: its project, people and items loaded with it."""
    return inbox.get_kind("access").visible(request.requested_by).get(pk=request.pk)


def test_a_decision_reads_the_items_again_when_the_caller_read_them_before_the_approval_step(people, project, pmo, client_pm, vendor_a):  # fmt: skip
    delegation_for(project, pmo)
    returned = request_in(project, RequestStatus.RETURNED)
    stale = _with_items(returned)  # read while the vendor may still change the items
    start, end = period(30)
    services.access_request_update(actor=vendor_a, request=returned, items=[ItemSpec(level(project, "Read and write"), start, end)], justification="Tests.")  # fmt: skip
    services.access_request_submit(actor=vendor_a, request=returned)
    services.access_request_forward(actor=pmo, request=returned)
    services.access_request_approve(actor=client_pm, request=stale)
    note = Notification.objects.get(kind="access.decided", recipient=vendor_a)
    assert note.params["what"] == "Claims test DB: Read and write"
    assert returned.events.get(verb=EventVerb.APPROVED).system.name == "Claims test DB"


def test_a_decision_takes_over_the_items_the_caller_read_at_the_approval_step(people, project, pmo, client_pm, vendor_a, django_assert_num_queries):  # fmt: skip
    delegation_for(project, pmo)
    waiting = _with_items(request_in(project, RequestStatus.PM_APPROVAL))
    # The lock (with the approver's role), the request's row, the audit event, the timeline step, the PMO
    # staff to tell, their delivery choices and the notifications; savepoint and release: no item query.
    with django_assert_num_queries(9):
        decided = services.access_request_approve(actor=client_pm, request=waiting)
    assert decided.status == RequestStatus.APPROVED
    assert Notification.objects.get(kind="access.decided", recipient=vendor_a).params["what"] == "Claims test DB: Read only"  # fmt: skip
