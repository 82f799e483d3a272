"""Vendor-access setup screens: systems and levels, vendor contracts and people, delegations of authority."""

import itertools
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    AccessRequest,
    Delegation,
    GrantStatus,
    PermissionLevel,
    RequestKind,
    RequestStatus,
    Risk,
    TargetSystem,
    VendorContract,
    VendorPerson,
)
from accounts.models import OrganizationKind as Kind
from projects.models import Role

from ..access_factories import (
    MEMO,
    contract_for,
    delegation_for,
    member,
    memo_pdf,
    person_for,
    request_in,
    system_with_levels,
)
from ..conftest import client_for
from ..factories import MembershipFactory, OrganizationFactory, UserFactory

TODAY = timezone.localdate()


def url(name, project, pk=None):
    kwargs = {"code": project.code} | ({"pk": pk} if pk is not None else {})
    return reverse(f"access:{name}", kwargs=kwargs)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def page(response) -> str:
    return response.content.decode()


# --- who reaches what: allowed → 200, read-only → 403, outsider → 404 --------------------------------------


def _targets(project):
    system = system_with_levels(project)
    return {
        "system": system,
        "level": system.levels.first(),
        "contract_b": contract_for(project, OrganizationFactory(name="Hanbit Soft", kind=Kind.VENDOR)),
        "person_a": person_for(project, OrganizationFactory(name="Kaito Systems", kind=Kind.VENDOR)),
    }


TRIADS = [
    # (url name, pk of, allowed, read-only (403), invisible (404))
    ("systems", None, ["pmo", "client_pm", "security", "vendor_a"], ["reader"], ["outsider"]),
    ("system_create", None, ["pmo", "security"], ["client_pm", "vendor_a", "reader"], ["outsider"]),
    ("system_edit", "system", ["pmo", "security"], ["client_pm", "vendor_b"], ["reader", "outsider"]),
    ("level_create", "system", ["security"], ["client_pm", "vendor_a"], ["reader", "outsider"]),
    ("level_edit", "level", ["pmo"], ["client_pm", "vendor_a"], ["reader", "outsider"]),
    ("vendors", None, ["pmo", "client_pm", "security", "vendor_b"], ["reader"], ["outsider"]),
    ("contract_create", None, ["pmo"], ["client_pm", "security", "vendor_a", "reader"], ["outsider"]),
    ("contract_edit", "contract_b", ["pmo"], ["client_pm", "security", "vendor_b"], ["vendor_a", "reader", "outsider"]),
    ("person_add", "contract_b", ["pmo", "vendor_b"], ["client_pm", "security"], ["vendor_a", "reader", "outsider"]),
    ("person_request_removal", "person_a", ["vendor_a"], ["pmo", "client_pm"], ["vendor_b", "reader", "outsider"]),
    ("delegations", None, ["pmo", "client_pm", "security"], ["vendor_a", "reader"], ["outsider"]),
    ("delegation_create", None, ["security"], ["pmo", "client_pm", "vendor_a", "reader"], ["outsider"]),
]


@pytest.mark.parametrize(("name", "target", "allowed", "read_only", "invisible"), TRIADS, ids=[t[0] for t in TRIADS])
def test_it_gives_each_role_its_status(name, target, allowed, read_only, invisible, personas, project):
    pk = _targets(project)[target].pk if target else None
    for expected, who in [(200, allowed), (403, read_only), (404, invisible)]:
        for persona in who:
            response = client_for(personas[persona]).get(url(name, project, pk))
            assert response.status_code == expected, f"{persona} GET {name}"


def test_it_hides_objects_under_another_project_code(personas, project, hidden_project):
    system = system_with_levels(project)
    delegation = delegation_for(project, personas["pmo"])
    for name, pk in [("system_edit", system.pk), ("level_edit", system.levels.first().pk), ("delegation_detail", delegation.pk), ("delegation_evidence", delegation.pk)]:  # fmt: skip
        assert client_for(personas["pmo"]).get(url(name, hidden_project, pk)).status_code == 404, name
        assert client_for(personas["outsider"]).get(url(name, hidden_project, pk)).status_code == 404, name


# --- systems and levels -----------------------------------------------------------------------------------


def test_it_lists_systems_with_their_levels_and_risk(vendor_a, project):
    system_with_levels(project)
    response = client_for(vendor_a).get(url("systems", project))
    html = page(response)
    assert "Claims test DB" in html and "Can change everything, including other people&#x27;s access." in html
    assert "Critical" in html and "30 days" in html and "180 days" in html
    assert 'data-testid="system-create"' not in html and 'data-testid="level-edit"' not in html


def test_it_offers_setup_buttons_to_pmo_and_security(pmo, security, project):
    system_with_levels(project)
    for user in (pmo, security):
        html = page(client_for(user).get(url("systems", project)))
        assert 'data-testid="system-create"' in html and 'data-testid="level-create"' in html and 'data-testid="level-edit"' in html  # fmt: skip


def test_it_creates_a_system_then_asks_for_its_levels(security, project):
    response = client_for(security).post(url("system_create", project), {"name": "Billing API", "owner": "Billing team", "description": "Staging"}, follow=True)  # fmt: skip
    system = TargetSystem.objects.get(project=project, name="Billing API")
    assert response.redirect_chain[-1][0] == url("level_create", project, system.pk)
    assert "Billing API is added. Describe its permission levels next." in messages_of(response)
    assert system.owner == "Billing team"


def test_it_refuses_a_second_system_of_the_same_name(pmo, project):
    system_with_levels(project)
    response = client_for(pmo).post(url("system_create", project), {"name": "Claims test DB", "owner": "Someone"})
    assert response.status_code == 200 and "This project already has a system of this name." in page(response)
    assert TargetSystem.objects.filter(project=project).count() == 1


def test_it_edits_a_system(pmo, project):
    system = system_with_levels(project)
    response = client_for(pmo).post(url("system_edit", project, system.pk), {"name": "Claims DB (test)", "owner": "Claims IT", "description": ""})  # fmt: skip
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.name == "Claims DB (test)" and system.description == ""


def test_it_offers_risk_as_named_choices(pmo, project):
    system = system_with_levels(project)
    html = page(client_for(pmo).get(url("level_create", project, system.pk)))
    for value, label in [(1, "Low"), (2, "Medium"), (3, "High"), (4, "Critical")]:
        assert f'<option value="{value}"' in html and f">{label}</option>" in html


def test_it_adds_and_edits_a_level(pmo, project):
    system = system_with_levels(project)
    data = {"name": "Deployer", "explanation": "Can deploy to the test environment.", "risk": Risk.HIGH, "max_duration_days": 14}  # fmt: skip
    response = client_for(pmo).post(url("level_create", project, system.pk), data, follow=True)
    level = PermissionLevel.objects.get(system=system, name="Deployer")
    assert level.risk == Risk.HIGH and level.max_duration_days == 14
    assert "The level “Deployer” is added to Claims test DB." in messages_of(response)
    response = client_for(pmo).post(url("level_edit", project, level.pk), data | {"max_duration_days": 7})
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.max_duration_days == 7


@pytest.mark.parametrize(("days", "message"), [(0, "greater than or equal to 1"), (731, "less than or equal to 730")])
def test_it_refuses_an_impossible_duration(pmo, project, days, message):
    system = system_with_levels(project)
    data = {"name": "Deployer", "explanation": "Can deploy.", "risk": Risk.HIGH, "max_duration_days": days}
    response = client_for(pmo).post(url("level_create", project, system.pk), data)
    assert response.status_code == 200 and message in page(response)
    assert not PermissionLevel.objects.filter(name="Deployer").exists()


# --- vendor companies and their people --------------------------------------------------------------------


@pytest.fixture
def two_vendors(project, orgs, pmo):
    person_for(project, orgs.vendor_a, "Tanaka")
    person_for(project, orgs.vendor_b, "Kim")
    return contract_for(project, orgs.vendor_a), contract_for(project, orgs.vendor_b)


def test_a_vendor_sees_only_their_own_company(vendor_a, vendor_b, two_vendors, project):
    html = page(client_for(vendor_a).get(url("vendors", project)))
    assert "Kaito Systems" in html and "Tanaka" in html
    assert "Hanbit Soft" not in html and "Kim" not in html
    assert 'data-testid="person-add"' in html and 'data-testid="person-request-removal"' in html
    assert 'data-testid="contract-end"' not in html and 'data-testid="person-remove"' not in html
    html = page(client_for(vendor_b).get(url("vendors", project)))
    assert "Hanbit Soft" in html and "Kim" in html and "Kaito Systems" not in html and "Tanaka" not in html


def test_a_vendor_cannot_reach_the_other_company(vendor_a, two_vendors, project):
    contract_b = two_vendors[1]
    kim = contract_b.people.get()
    client = client_for(vendor_a)
    assert client.get(url("contract_edit", project, contract_b.pk)).status_code == 404
    assert client.get(url("person_add", project, contract_b.pk)).status_code == 404
    assert client.post(url("person_add", project, contract_b.pk), {"name": "Spy", "email": "spy@x.test", "job_role": "Spy"}).status_code == 404  # fmt: skip
    assert client.get(url("person_request_removal", project, kim.pk)).status_code == 404
    assert client.post(url("person_remove", project, kim.pk), {"reason": "Gone"}).status_code == 404
    assert client.post(url("contract_end", project, contract_b.pk), {"reason": "Gone"}).status_code == 404
    assert contract_b.people.count() == 1 and kim.is_active and contract_b.is_active


def test_pmo_sees_every_company_with_its_actions(pmo, client_pm, two_vendors, project):
    html = page(client_for(pmo).get(url("vendors", project)))
    assert "Kaito Systems" in html and "Hanbit Soft" in html and "Tanaka" in html and "Kim" in html
    assert 'data-testid="contract-create"' in html and html.count('data-testid="contract-end"') == 2
    assert "Every active access of the company becomes a revocation task" in html
    html = page(client_for(client_pm).get(url("vendors", project)))
    assert "Kim" in html and 'data-testid="contract-end"' not in html and 'data-testid="person-add"' not in html


def test_it_records_a_contract(pmo, vendor_a, project, orgs):
    data = {"vendor": orgs.vendor_a.pk, "start_date": "2026-04-01", "end_date": "2027-03-31", "contact_name": "佐藤", "contact_email": "sato@kaito.test"}  # fmt: skip
    response = client_for(pmo).post(url("contract_create", project), data, follow=True)
    contract = VendorContract.objects.get(project=project, vendor=orgs.vendor_a)
    assert contract.contact_name == "佐藤" and str(contract.end_date) == "2027-03-31"
    assert "The contract with Kaito Systems is recorded." in messages_of(response)
    # Under contract now, the company is no longer offered for a second one.
    html = page(client_for(pmo).get(url("contract_create", project)))
    assert f'<option value="{orgs.vendor_a.pk}"' not in html


def test_it_refuses_a_client_as_vendor_and_dates_in_the_wrong_order(pmo, vendor_a, project, orgs):
    data = {"vendor": orgs.client.pk, "start_date": "2026-04-01", "end_date": "2027-03-31", "contact_name": "X", "contact_email": "x@x.test"}  # fmt: skip
    response = client_for(pmo).post(url("contract_create", project), data)
    assert response.status_code == 200 and "Select a valid choice" in page(response)
    response = client_for(pmo).post(url("contract_create", project), data | {"vendor": orgs.vendor_a.pk, "end_date": "2026-03-01"})  # fmt: skip
    assert response.status_code == 200 and "The contract cannot end before it starts." in page(response)
    assert "2026-03-01" in page(response)  # what was typed is kept
    assert not VendorContract.objects.exists()


def test_it_edits_a_contract_but_not_its_company(pmo, two_vendors, project, orgs):
    contract = two_vendors[0]
    data = {"vendor": orgs.vendor_b.pk, "start_date": str(contract.start_date), "end_date": str(TODAY + timedelta(days=10)), "contact_name": "New", "contact_email": "new@kaito.test"}  # fmt: skip
    response = client_for(pmo).post(url("contract_edit", project, contract.pk), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.end_date == TODAY + timedelta(days=10) and contract.contact_name == "New"
    assert contract.vendor == orgs.vendor_a


def test_ending_a_contract_needs_a_reason(pmo, two_vendors, project):
    contract = two_vendors[0]
    response = client_for(pmo).post(url("contract_end", project, contract.pk), {"reason": ""}, follow=True)
    assert "Say why the contract ends." in messages_of(response)
    contract.refresh_from_db()
    assert contract.is_active


def test_ending_a_contract_turns_every_access_into_a_revocation_task(pmo, client_pm, security, vendor_a, project, orgs):  # fmt: skip
    request = request_in(project, RequestStatus.PROVISIONED)
    grant = request.items.get().granted
    contract = contract_for(project, orgs.vendor_a)
    response = client_for(pmo).post(url("contract_end", project, contract.pk), {"reason": "Contract not renewed"}, follow=True)  # fmt: skip
    contract.refresh_from_db()
    grant.refresh_from_db()
    assert contract.ended_at is not None and contract.end_reason == "Contract not renewed"
    assert grant.status == GrantStatus.REVOKING
    assert not VendorPerson.objects.filter(contract=contract, removed_at__isnull=True).exists()
    note = messages_of(response)
    assert "The contract with Kaito Systems has ended" in note and "1 access is now a revocation task." in note
    assert f'href="{url("removals", project)}"' in page(response)
    # Ended: no more actions on it, and ending it twice says so.
    html = page(response)
    assert 'data-testid="contract-end"' not in html and 'data-testid="person-add"' not in html
    again = client_for(pmo).post(url("contract_end", project, contract.pk), {"reason": "Again"}, follow=True)
    assert "has already ended" in messages_of(again)


def test_vendor_adds_a_person_of_their_company(vendor_a, project, orgs):
    contract = contract_for(project, orgs.vendor_a)
    response = client_for(vendor_a).post(url("person_add", project, contract.pk), {"name": "Suzuki", "email": "Suzuki@Kaito.test", "job_role": "Tester"}, follow=True)  # fmt: skip
    person = VendorPerson.objects.get(contract=contract)
    assert person.email == "suzuki@kaito.test" and person.added_by == vendor_a
    assert "Suzuki is listed for Kaito Systems." in messages_of(response)
    again = client_for(vendor_a).post(url("person_add", project, contract.pk), {"name": "Suzuki", "email": "suzuki@kaito.test", "job_role": "Tester"})  # fmt: skip
    assert again.status_code == 200 and "is already listed with this e-mail address." in page(again)


def test_nobody_is_added_to_an_ended_contract(pmo, vendor_a, project, orgs):
    contract = contract_for(project, orgs.vendor_a)
    VendorContract.objects.filter(pk=contract.pk).update(ended_at=timezone.now(), end_reason="Ended")
    response = client_for(vendor_a).post(url("person_add", project, contract.pk), {"name": "Suzuki", "email": "s@kaito.test", "job_role": "Tester"})  # fmt: skip
    assert response.status_code == 200 and "has ended; nobody can be added." in page(response)
    assert not VendorPerson.objects.exists()


def test_pmo_removes_a_person_and_their_access_becomes_a_task(pmo, client_pm, security, vendor_a, project):
    grant = request_in(project, RequestStatus.PROVISIONED).items.get().granted
    person = grant.person
    assert client_for(vendor_a).post(url("person_remove", project, person.pk), {"reason": "Left"}).status_code == 403
    response = client_for(pmo).post(url("person_remove", project, person.pk), {"reason": ""}, follow=True)
    assert "Say why this person leaves" in messages_of(response)
    response = client_for(pmo).post(url("person_remove", project, person.pk), {"reason": "Left the company"}, follow=True)  # fmt: skip
    person.refresh_from_db()
    grant.refresh_from_db()
    assert person.removed_at is not None and grant.status == GrantStatus.REVOKING
    assert "Tanaka is removed from the project. 1 access is now a revocation task." in messages_of(response)
    assert 'data-testid="person-removed"' in page(response)


def test_get_on_post_only_actions_is_refused(pmo, security, two_vendors, project):
    contract = two_vendors[0]
    delegation = delegation_for(project, pmo)
    assert client_for(pmo).get(url("contract_end", project, contract.pk)).status_code == 405
    assert client_for(pmo).get(url("person_remove", project, contract.people.get().pk)).status_code == 405
    assert client_for(security).get(url("delegation_revoke", project, delegation.pk)).status_code == 405


def test_vendor_asks_to_remove_a_person(pmo, vendor_a, project, orgs):
    person = person_for(project, orgs.vendor_a, "Tanaka")
    client = client_for(vendor_a)
    response = client.post(url("person_request_removal", project, person.pk), {"justification": ""})
    assert response.status_code == 200 and "Say why this person&#x27;s access should be removed." in page(response)
    response = client.post(url("person_request_removal", project, person.pk), {"justification": "Left our company on 31 March."})  # fmt: skip
    removal = AccessRequest.objects.get(person=person)
    assert (removal.kind, removal.status, removal.requested_by) == (RequestKind.REMOVE, RequestStatus.DRAFT, vendor_a)
    assert not removal.items.exists()
    assert response.status_code == 302 and response["Location"] == removal.get_absolute_url()


# --- delegations ------------------------------------------------------------------------------------------


def test_delegation_list_shows_what_each_delegation_allows(pmo, client_pm, security, project):
    delegation_for(project, pmo, max_risk=Risk.HIGH, max_days=60)
    delegation_for(project, pmo, valid_from=TODAY - timedelta(days=30), valid_until=TODAY - timedelta(days=1))
    delegation_for(project, pmo, valid_from=TODAY + timedelta(days=5), valid_until=TODAY + timedelta(days=50))
    html = page(client_for(client_pm).get(url("delegations", project)))
    assert "Claims test DB" in html and "High" in html and "60 days" in html and "Security" in html
    assert "Valid" in html and "Expired" in html and "Not yet valid" in html
    assert 'data-testid="held-delegations"' not in html and 'data-testid="delegation-create"' not in html
    html = page(client_for(security).get(url("delegations", project)))
    assert 'data-testid="delegation-create"' in html
    html = page(client_for(pmo).get(url("delegations", project)))
    assert 'data-testid="held-delegations"' in html and html.index("Delegations I hold") < html.index("All delegations")


def _delegation_data(project, delegate, **changes):
    system = system_with_levels(project)
    data = {"delegate": delegate.pk, "systems": [system.pk], "max_risk": Risk.MEDIUM, "max_duration_days": 90, "valid_from": str(TODAY), "valid_until": str(TODAY + timedelta(days=180)), "evidence": memo_pdf("覚書 2026.pdf"), "note": "Memo SEC-2026-014"}  # fmt: skip
    return data | changes


def test_security_delegates_authority(pmo, security, project):
    response = client_for(security).post(url("delegation_create", project), _delegation_data(project, pmo), follow=True)
    delegation = Delegation.objects.get()
    assert response.redirect_chain[-1][0] == delegation.get_absolute_url()
    assert delegation.delegate == pmo and delegation.granted_by == security and delegation.max_duration_days == 90
    assert [s.name for s in delegation.systems.all()] == ["Claims test DB"]
    assert delegation.evidence_name == "覚書 2026.pdf" and "覚書" not in delegation.evidence.name
    assert "Pmo now holds this delegation." in messages_of(response)
    download = client_for(pmo).get(url("delegation_evidence", project, delegation.pk))
    assert "filename*=utf-8''%E8%A6%9A%E6%9B%B8%202026.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == MEMO


def test_a_non_pdf_memo_is_refused_and_the_rest_is_kept(pmo, security, project):
    fake = SimpleUploadedFile("memo.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(security).post(url("delegation_create", project), _delegation_data(project, pmo, evidence=fake))  # fmt: skip
    html = page(response)
    assert response.status_code == 200 and "This file is not a PDF. Attach the memo as a PDF file." in html
    assert 'value="Memo SEC-2026-014"' in html and 'data-testid="choose-file-again"' in html
    assert not Delegation.objects.exists()


def test_it_refuses_a_delegate_or_system_from_elsewhere(pmo, client_pm, security, project, hidden_project, outsider):
    foreign_system = system_with_levels(hidden_project, "Warehouse DB")
    for data, field in [
        (_delegation_data(project, client_pm), "delegate"),
        (_delegation_data(project, outsider), "delegate"),
        (_delegation_data(project, pmo, systems=[foreign_system.pk]), "systems"),
        (_delegation_data(project, pmo, systems=[]), "systems"),
        (_delegation_data(project, pmo, valid_until=str(TODAY - timedelta(days=1))), "valid_until"),
    ]:
        response = client_for(security).post(url("delegation_create", project), data)
        assert response.status_code == 200, field
        assert response.context["form"].errors, field
    assert not Delegation.objects.exists()


def test_delegation_detail_lists_grants_and_offers_revocation_to_security(pmo, client_pm, security, vendor_a, project):  # fmt: skip
    grant = request_in(project, RequestStatus.PROVISIONED).items.get().granted
    detail = grant.delegation.get_absolute_url()
    html = page(client_for(client_pm).get(detail))
    assert grant.login_name in html and 'data-testid="delegation-revoke"' not in html
    assert 'data-testid="delegation-revoke"' in page(client_for(security).get(detail))
    assert client_for(vendor_a).get(detail).status_code == 404


def test_evidence_download_is_the_pdf_for_staff_only(pmo, client_pm, security, vendor_a, reader, project):
    delegation = delegation_for(project, pmo)
    evidence = url("delegation_evidence", project, delegation.pk)
    for user in (pmo, security, client_pm):
        response = client_for(user).get(evidence)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and "memo.pdf" in disposition
        assert b"".join(response.streaming_content) == MEMO
    assert client_for(vendor_a).get(evidence).status_code == 404
    assert client_for(reader).get(evidence).status_code == 404


def test_security_revokes_a_delegation_with_a_reason(pmo, security, project):
    delegation = delegation_for(project, pmo)
    revoke = url("delegation_revoke", project, delegation.pk)
    assert client_for(pmo).post(revoke, {"reason": "Mine"}).status_code == 403
    response = client_for(security).post(revoke, {"reason": "  "}, follow=True)
    assert "Say why the delegation is revoked." in messages_of(response)
    response = client_for(security).post(revoke, {"reason": "Moved to another team"}, follow=True)
    delegation.refresh_from_db()
    assert delegation.revoked_by == security and delegation.revoke_reason == "Moved to another team"
    assert "The delegation to Pmo is revoked." in messages_of(response) and "Revoked" in page(response)
    assert 'data-testid="delegation-revoke"' not in page(response)
    again = client_for(security).post(revoke, {"reason": "Again"}, follow=True)
    assert "This delegation was already revoked." in messages_of(again)


# --- constant queries on list pages -----------------------------------------------------------------------


def _query_count(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


_serial = itertools.count()


def _add_systems(project, n):
    for _ in range(n):
        system_with_levels(project, f"System {next(_serial)}")


def _add_vendors(project, n):
    pmo = member(project, Role.PMO).user
    for _ in range(n):
        i = next(_serial)
        contract = contract_for(project, OrganizationFactory(name=f"Vendor {i}", kind=Kind.VENDOR))
        for name in ("Ito", "Kato"):
            VendorPerson.objects.create(contract=contract, name=name, email=f"{name}{i}@v.test", job_role="Dev", added_by=pmo)  # fmt: skip


def _add_delegations(project, n):
    systems = [system_with_levels(project), system_with_levels(project, "Second")]
    for _ in range(n):
        delegate = UserFactory(username=f"pmo-{next(_serial)}")
        MembershipFactory(project=project, user=delegate, role=Role.PMO)
        delegation_for(project, delegate, systems=systems)


@pytest.mark.parametrize(
    ("name", "add"), [("systems", _add_systems), ("vendors", _add_vendors), ("delegations", _add_delegations)]
)
@pytest.mark.parametrize("persona", ["pmo", "security"])
def test_list_pages_run_a_constant_number_of_queries(name, add, persona, personas, project):
    client = client_for(personas[persona])
    client.get(url(name, project))  # the first request of a session also writes the session; measure the ones after
    delegation_for(project, personas["pmo"])  # the PMO holds one, so "Delegations I hold" has a row too
    add(project, 2)
    small = _query_count(client, url(name, project))
    add(project, 18)
    large = _query_count(client, url(name, project))
    assert large == small, f"{name}: {small} queries with 2 rows, {large} with 20"
