"""Offboarding (issue 4, "Done when" 4): ending a vendor's contract or removing one person turns each live
access into a revocation task; the PMO confirms each, citing its delegation, and the timeline shows it all.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import (
    AccessEvent,
    AccessRequest,
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    RequestKind,
    RequestStatus,
)
from accounts.services.access_requests import ItemSpec
from pmo_portal.models import AuditEvent, Notification

from ..access_factories import delegation_for, draft_request, level, period, person_for, system_with_levels
from ..factories import MembershipFactory, UserFactory


def _message(excinfo) -> str:
    return " ".join(excinfo.value.messages) if isinstance(excinfo.value, ValidationError) else str(excinfo.value)


def _expired_delegation(project, holder):
    """A delegation granted earlier whose period is over (a delegation already ended cannot be granted)."""
    delegation = delegation_for(project, holder)
    today = timezone.localdate()
    Delegation.objects.filter(pk=delegation.pk).update(valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1))  # fmt: skip
    delegation.refresh_from_db()
    return delegation


def _provisioned(project, vendor_user, pmo, client_pm, delegation, *, person_name, level_name="Read only", system="Claims test DB", days=90):  # fmt: skip
    """One active grant for ``person_name`` of ``vendor_user``'s company, made through the whole workflow."""
    person = person_for(project, vendor_user.organization, person_name)
    request = services.access_request_create(
        actor=vendor_user, project=project, person=person, items=[ItemSpec(level(project, level_name, system), *period(days))],  # fmt: skip
        justification="Integration tests.",
    )  # fmt: skip
    services.access_request_submit(actor=vendor_user, request=request)
    services.access_request_forward(actor=pmo, request=request)
    request = services.access_request_approve(actor=client_pm, request=request)
    item = request.items.get()
    services.access_request_provision(actor=pmo, request=request, delegation=delegation, login_names={item.pk: f"{person_name.lower()}-{item.level_id}"})  # fmt: skip
    return Grant.objects.get(request_item=item)


@pytest.fixture
def company(pmo, client_pm, security, vendor_a, vendor_b, project, orgs):
    """Vendor A: Tanaka with two accesses, Sato with one and an open request; vendor B: Kim with one access."""
    system_with_levels(project)
    system_with_levels(project, "Billing DB")
    delegation = delegation_for(project, pmo, systems=[system_with_levels(project), system_with_levels(project, "Billing DB")])  # fmt: skip
    grants_a = [
        _provisioned(project, vendor_a, pmo, client_pm, delegation, person_name="Tanaka"),
        _provisioned(project, vendor_a, pmo, client_pm, delegation, person_name="Tanaka", system="Billing DB"),
        _provisioned(project, vendor_a, pmo, client_pm, delegation, person_name="Sato"),
    ]
    sato = person_for(project, orgs.vendor_a, "Sato")
    open_request = services.access_request_create(actor=vendor_a, project=project, person=sato, items=[ItemSpec(level(project, "Read only", "Billing DB"), *period(30))], justification="Billing tests.")  # fmt: skip
    services.access_request_submit(actor=vendor_a, request=open_request)
    grant_b = _provisioned(project, vendor_b, pmo, client_pm, delegation, person_name="Kim")
    return {"delegation": delegation, "grants_a": grants_a, "open_request": open_request, "grant_b": grant_b}


def _statuses(grants):
    return [Grant.objects.get(pk=g.pk).status for g in grants]


def test_it_turns_every_active_grant_of_an_ended_contract_into_a_revocation_task(company, project, pmo, orgs):
    contract = company["grants_a"][0].person.contract
    tasks = services.vendor_contract_end(actor=pmo, contract=contract, reason="Phase 1 is over.")
    assert tasks == 3
    assert _statuses(company["grants_a"]) == [GrantStatus.REVOKING] * 3
    assert set(Grant.objects.to_remove()) == set(company["grants_a"])
    assert {g.revoke_reason for g in Grant.objects.filter(vendor=orgs.vendor_a)} == {"Phase 1 is over."}
    contract.refresh_from_db()
    assert not contract.is_active and contract.ended_by == pmo
    assert not contract.people.filter(removed_at__isnull=True).exists()
    open_request = AccessRequest.objects.get(pk=company["open_request"].pk)
    assert open_request.status == RequestStatus.WITHDRAWN


def test_it_leaves_the_other_vendor_untouched(company, project, pmo, orgs):
    services.vendor_contract_end(actor=pmo, contract=company["grants_a"][0].person.contract, reason="Phase 1 is over.")
    grant_b = Grant.objects.get(pk=company["grant_b"].pk)
    assert grant_b.status == GrantStatus.ACTIVE and grant_b.person.is_active and grant_b.person.contract.is_active
    assert not AccessEvent.objects.filter(vendor=orgs.vendor_b, verb__in=[EventVerb.CONTRACT_ENDED, EventVerb.PERSON_REMOVED, EventVerb.REVOCATION_ASKED]).exists()  # fmt: skip


def test_it_tells_the_pmo_how_many_accounts_to_revoke(company, project, pmo, orgs):
    second_pmo = UserFactory(username="pmo2", organization=project.pmo_firm)
    MembershipFactory(project=project, user=second_pmo)
    services.vendor_contract_end(actor=pmo, contract=company["grants_a"][0].person.contract, reason="Phase 1 is over.")
    note = Notification.objects.get(kind="access.revocations")
    assert note.recipient == second_pmo  # not the one who ended it
    assert note.sentence == "The contract of Kaito Systems ended: 3 accounts are to be revoked."


def test_the_pmo_confirms_each_revocation_citing_its_delegation_and_the_timeline_shows_each_step(company, project, pmo, orgs):  # fmt: skip
    delegation = company["delegation"]
    services.vendor_contract_end(actor=pmo, contract=company["grants_a"][0].person.contract, reason="Phase 1 is over.")
    for grant in company["grants_a"]:
        services.grant_confirm_revocation(actor=pmo, grant=grant, delegation=delegation, comment=f"Removed {grant.login_name}.")  # fmt: skip
    assert _statuses(company["grants_a"]) == [GrantStatus.REVOKED] * 3
    assert not Grant.objects.to_remove().exists()
    for grant in Grant.objects.filter(vendor=orgs.vendor_a):
        assert (grant.removed_by, grant.removal_delegation) == (pmo, delegation) and grant.removed_at is not None
    timeline = AccessEvent.objects.filter(vendor=orgs.vendor_a).exclude(verb__in=[EventVerb.CREATED, EventVerb.SUBMITTED, EventVerb.FORWARDED, EventVerb.APPROVED, EventVerb.PROVISIONED]).order_by("pk")  # fmt: skip
    steps = [(e.verb, e.person.name if e.person else None, e.grant_id, e.delegation_id) for e in timeline]
    tanaka_read, tanaka_billing, sato_read = (g.pk for g in company["grants_a"])
    revocations = [s for s in steps if s[0] in (EventVerb.REVOCATION_ASKED, EventVerb.REVOKED)]
    assert steps[0] == (EventVerb.CONTRACT_ENDED, None, None, None)
    assert sorted(revocations) == sorted([
        (EventVerb.REVOCATION_ASKED, "Tanaka", tanaka_read, None),
        (EventVerb.REVOCATION_ASKED, "Tanaka", tanaka_billing, None),
        (EventVerb.REVOCATION_ASKED, "Sato", sato_read, None),
        (EventVerb.REVOKED, "Tanaka", tanaka_read, delegation.pk),
        (EventVerb.REVOKED, "Tanaka", tanaka_billing, delegation.pk),
        (EventVerb.REVOKED, "Sato", sato_read, delegation.pk),
    ])  # fmt: skip
    assert steps.index(revocations[0]) < steps.index(next(s for s in steps if s[0] == EventVerb.REVOKED))
    assert {(s[0], s[1]) for s in steps if s[0] in (EventVerb.PERSON_REMOVED, EventVerb.WITHDRAWN)} == {
        (EventVerb.PERSON_REMOVED, "Tanaka"), (EventVerb.PERSON_REMOVED, "Sato"), (EventVerb.WITHDRAWN, "Sato"),
    }  # fmt: skip
    audits = AuditEvent.objects.filter(verb="access.grant_revoke")
    assert audits.count() == 3 and {a.after["delegation"] for a in audits} == {delegation.pk}
    assert AuditEvent.objects.filter(verb="access.contract_end").count() == 1
    assert AuditEvent.objects.filter(verb="access.grant_revocation_ask").count() == 3


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_it_refuses_to_confirm_a_revocation_under_an_unusable_delegation(company, project, pmo, security, state):
    if state == "expired":
        delegation = _expired_delegation(project, pmo)
    else:
        delegation = services.delegation_revoke(actor=security, delegation=delegation_for(project, pmo), reason="Audit finding.")  # fmt: skip
    grant = company["grants_a"][0]
    services.vendor_contract_end(actor=pmo, contract=grant.person.contract, reason="Phase 1 is over.")
    with pytest.raises(ValidationError) as excinfo:
        services.grant_confirm_revocation(actor=pmo, grant=grant, delegation=delegation)
    assert (
        _message(excinfo) == f"This delegation is {state}; it cannot be used. Ask the security officer for a new one."
    )
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKING and not AccessEvent.objects.filter(verb=EventVerb.REVOKED).exists()


def test_it_refuses_to_confirm_a_revocation_on_a_system_the_delegation_does_not_cover(company, project, pmo):
    claims_only = delegation_for(project, pmo)  # the factory's default: Claims test DB only
    billing = company["grants_a"][1]
    services.vendor_contract_end(actor=pmo, contract=billing.person.contract, reason="Phase 1 is over.")
    with pytest.raises(ValidationError) as excinfo:
        services.grant_confirm_revocation(actor=pmo, grant=billing, delegation=claims_only)
    assert _message(excinfo) == "This delegation does not cover Billing DB."


def test_it_lets_only_pmo_staff_offboard_and_confirm(company, project, pmo, client_pm, vendor_a, security):
    grant = company["grants_a"][0]
    contract = grant.person.contract
    for actor in (client_pm, vendor_a, security):
        with pytest.raises(PermissionDenied) as excinfo:
            services.vendor_contract_end(actor=actor, contract=contract, reason="Over.")
        assert _message(excinfo) == "Only PMO staff of this project end vendor contracts."
        with pytest.raises(PermissionDenied) as excinfo:
            services.vendor_person_remove(actor=actor, person=grant.person, reason="Left.")
        assert _message(excinfo) == "Only PMO staff of this project offboard vendor staff."
    services.vendor_contract_end(actor=pmo, contract=contract, reason="Over.")
    with pytest.raises(PermissionDenied) as excinfo:
        services.grant_confirm_revocation(actor=security, grant=grant, delegation=company["delegation"])
    assert _message(excinfo) == "Only PMO staff of this project remove accounts."


def test_it_asks_why_and_refuses_to_end_a_contract_twice(company, project, pmo):
    contract = company["grants_a"][0].person.contract
    with pytest.raises(ValidationError) as excinfo:
        services.vendor_contract_end(actor=pmo, contract=contract, reason=" ")
    assert _message(excinfo) == "Say why the contract ends."
    assert _statuses(company["grants_a"]) == [GrantStatus.ACTIVE] * 3
    services.vendor_contract_end(actor=pmo, contract=contract, reason="Over.")
    with pytest.raises(ValidationError) as excinfo:
        services.vendor_contract_end(actor=pmo, contract=contract, reason="Over.")
    assert _message(excinfo) == "The contract of Kaito Systems has already ended."


def test_it_refuses_to_confirm_a_revocation_twice(company, project, pmo):
    grant = company["grants_a"][0]
    services.vendor_contract_end(actor=pmo, contract=grant.person.contract, reason="Over.")
    services.grant_confirm_revocation(actor=pmo, grant=grant, delegation=company["delegation"])
    with pytest.raises(ValidationError) as excinfo:
        services.grant_confirm_revocation(actor=pmo, grant=grant, delegation=company["delegation"])
    assert _message(excinfo) == "This access is not waiting for revocation (it is revoked)."
    assert AuditEvent.objects.filter(verb="access.grant_revoke").count() == 1


def test_an_approved_request_not_yet_provisioned_is_closed_when_the_contract_ends(company, project, pmo, client_pm, vendor_a, orgs):  # fmt: skip
    sato = person_for(project, orgs.vendor_a, "Sato")
    request = AccessRequest.objects.get(pk=company["open_request"].pk)
    services.access_request_forward(actor=pmo, request=request)
    services.access_request_approve(actor=client_pm, request=request)
    services.vendor_contract_end(actor=pmo, contract=sato.contract, reason="Over.")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN, "an approved request of an offboarded company must leave the provisioning queue"  # fmt: skip
    assert request.events.order_by("pk").last().verb == EventVerb.WITHDRAWN
    assert AuditEvent.objects.filter(verb="access.request_withdraw", object_id=str(request.pk)).count() == 1


# --- one person --------------------------------------------------------------------------------------------


def test_removing_one_person_revokes_their_access_only(company, project, pmo, orgs):
    tanaka = company["grants_a"][0].person
    tasks = services.vendor_person_remove(actor=pmo, person=tanaka, reason="Left Kaito Systems.")
    assert tasks == 2
    assert _statuses(company["grants_a"]) == [GrantStatus.REVOKING, GrantStatus.REVOKING, GrantStatus.ACTIVE]
    assert Grant.objects.get(pk=company["grant_b"].pk).status == GrantStatus.ACTIVE
    assert AccessRequest.objects.get(pk=company["open_request"].pk).status == RequestStatus.SUBMITTED  # Sato's
    tanaka.refresh_from_db()
    assert not tanaka.is_active and tanaka.contract.is_active
    steps = list(AccessEvent.objects.filter(person=tanaka, verb__in=[EventVerb.REVOCATION_ASKED, EventVerb.PERSON_REMOVED]).values_list("verb", "comment"))  # fmt: skip
    assert sorted(steps) == sorted([(EventVerb.PERSON_REMOVED, "Left Kaito Systems."), (EventVerb.REVOCATION_ASKED, "Left Kaito Systems."), (EventVerb.REVOCATION_ASKED, "Left Kaito Systems.")])  # fmt: skip
    for grant in company["grants_a"][:2]:
        services.grant_confirm_revocation(actor=pmo, grant=grant, delegation=company["delegation"])
    assert AccessEvent.objects.filter(person=tanaka, verb=EventVerb.REVOKED, delegation=company["delegation"]).count() == 2  # fmt: skip


def test_a_removed_person_gets_no_new_access(company, project, pmo, vendor_a):
    tanaka = company["grants_a"][0].person
    services.vendor_person_remove(actor=pmo, person=tanaka, reason="Left.")
    with pytest.raises(ValidationError) as excinfo:
        draft_request(project, vendor_a, person_name="Tanaka", level_name="Read and write", days=30)
    assert _message(excinfo) == "Tanaka was removed from the project."
    with pytest.raises(ValidationError) as excinfo:
        services.vendor_person_remove(actor=pmo, person=tanaka, reason="Left.")
    assert _message(excinfo) == "Tanaka was already removed."


def test_removing_a_person_asks_why(company, project, pmo):
    with pytest.raises(ValidationError) as excinfo:
        services.vendor_person_remove(actor=pmo, person=company["grants_a"][0].person, reason="")
    assert _message(excinfo) == "Say why this person leaves (e.g. left the company, moved to another project)."
    assert _statuses(company["grants_a"]) == [GrantStatus.ACTIVE] * 3


def test_a_removal_request_provisioned_by_the_pmo_creates_the_revocation_tasks(company, project, pmo, client_pm, security, vendor_a):  # fmt: skip
    tanaka = company["grants_a"][0].person
    request = services.access_request_create(actor=vendor_a, project=project, person=tanaka, items=[], justification="Tanaka leaves on Friday.", kind=RequestKind.REMOVE)  # fmt: skip
    services.access_request_submit(actor=vendor_a, request=request)
    request = services.access_request_forward(actor=pmo, request=request)
    assert not request.needs_security
    request = services.access_request_approve(actor=client_pm, request=request)
    assert request.status == RequestStatus.APPROVED
    services.access_request_provision(actor=pmo, request=request, delegation=company["delegation"], login_names={})
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONED and not request.events.filter(verb=EventVerb.WITHDRAWN).exists()
    assert _statuses(company["grants_a"]) == [GrantStatus.REVOKING, GrantStatus.REVOKING, GrantStatus.ACTIVE]
    tanaka.refresh_from_db()
    assert not tanaka.is_active
    assert AccessEvent.objects.filter(person=tanaka, verb=EventVerb.REVOCATION_ASKED).count() == 2
    assert {g.revoke_reason for g in Grant.objects.filter(person=tanaka)} == {f"Removal request #{request.pk}"}


def test_a_removal_request_lists_no_systems(company, project, vendor_a):
    tanaka = company["grants_a"][0].person
    with pytest.raises(ValidationError) as excinfo:
        services.access_request_create(actor=vendor_a, project=project, person=tanaka, items=[ItemSpec(level(project), *period(30))], justification="Leaves.", kind=RequestKind.REMOVE)  # fmt: skip
    assert _message(excinfo) == "A removal request lists no systems: all of the person's access is removed."
