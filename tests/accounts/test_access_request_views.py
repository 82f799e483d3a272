"""The request and grant pages: what each role sees and may do, and what it costs in queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    AccessEvent,
    AccessRequest,
    AccessRequestItem,
    EventVerb,
    Grant,
    GrantStatus,
    RequestKind,
    RequestStatus,
    VendorPerson,
)
from tests.access_factories import contract_for, delegation_for, level, person_for, request_in
from tests.conftest import client_for


@pytest.fixture
def setup(personas, project, orgs):
    """Vendor A has a contract; the PMO holds a delegation for the claims test DB up to medium risk and 180 days."""
    contract_for(project, orgs.vendor_a)
    return delegation_for(project, personas["pmo"])


def _url(name, project, **kwargs):
    return reverse(f"access:{name}", kwargs={"code": project.code, **kwargs})


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_it_lets_a_vendor_request_access_for_a_new_colleague(personas, project, setup):
    today = timezone.localdate()
    response = client_for(personas["vendor_a"]).post(_url("request_create", project), {
        "person": "", "new_name": "鈴木 一郎", "new_email": "Suzuki@Kaito.test", "new_job_role": "テスト担当",
        "levels": [level(project).pk], "start_date": today.isoformat(), "end_date": "", "justification": "結合テストのため。",
    })  # fmt: skip
    request = AccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert request.status == RequestStatus.DRAFT and request.person.email == "suzuki@kaito.test"
    item = request.items.get()
    assert (item.start_date, item.end_date) == (today, today + timedelta(days=179)), "empty end: the level's longest period"


def test_it_keeps_what_the_vendor_typed_when_the_period_is_too_long(personas, project, setup):
    today = timezone.localdate()
    response = client_for(personas["vendor_a"]).post(_url("request_create", project), {
        "person": "", "new_name": "Kenji", "new_email": "kenji@kaito.test", "new_job_role": "DBA",
        "levels": [level(project, "Read and write").pk], "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=120)).isoformat(), "justification": "Data fixes",
    })  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 90 days at a time" in page and 'value="Kenji"' in page
    assert not AccessRequest.objects.exists() and not VendorPerson.objects.filter(name="Kenji").exists()


def test_it_offers_a_vendor_only_their_own_people_and_this_projects_levels(personas, project, hidden_project, orgs, setup):
    person_for(project, orgs.vendor_a, "Tanaka")
    person_for(project, orgs.vendor_b, "Kim")
    from tests.access_factories import system_with_levels

    system_with_levels(hidden_project, "Warehouse DB")
    page = client_for(personas["vendor_a"]).get(_url("request_create", project)).content.decode()
    assert "Tanaka" in page and "Kim" not in page
    assert "Claims test DB" in page and "Warehouse DB" not in page
    assert "Can read customer records in the test environment" in page, "each level says what it allows"


def test_it_walks_a_request_from_submission_to_provisioning(personas, project, setup):
    request = request_in(project, RequestStatus.DRAFT)
    assert client_for(personas["vendor_a"]).post(_url("request_submit", project, pk=request.pk)).status_code == 302
    pmo = client_for(personas["pmo"])
    assert "The PMO checks that the request is complete." in client_for(personas["vendor_a"]).get(request.get_absolute_url()).content.decode()  # fmt: skip
    page = pmo.get(request.get_absolute_url()).content.decode()
    assert f"Within your delegation #{setup.pk}" in page
    pmo.post(_url("request_forward", project, pk=request.pk), {"comment": "揃っています。"})
    response = client_for(personas["client_pm"]).post(reverse("inbox:approve", kwargs={"kind": "access", "pk": request.pk}), {"comment": "", "next": request.get_absolute_url()})  # fmt: skip
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    item = request.items.get()
    page = pmo.get(_url("request_provision", project, pk=request.pk)).content.decode()
    assert "Claims test DB" in page and "Read only" in page
    response = pmo.post(_url("request_provision", project, pk=request.pk), {"delegation": setup.pk, f"login_{item.pk}": "v-tanaka", "comment": ""})  # fmt: skip
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.login_name, grant.delegation, grant.status) == ("v-tanaka", setup, GrantStatus.ACTIVE)
    timeline = client_for(personas["vendor_a"]).get(request.get_absolute_url()).content.decode()
    assert f"Under delegation #{setup.pk}" in timeline and "揃っています。" in timeline


def test_it_sends_a_request_back_only_with_a_comment(personas, project, setup):
    request = request_in(project, RequestStatus.SUBMITTED)
    response = client_for(personas["pmo"]).post(_url("request_send_back", project, pk=request.pk), {"comment": ""})
    assert "Say why, so that the others understand." in _messages(response)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    client_for(personas["pmo"]).post(_url("request_send_back", project, pk=request.pk), {"comment": "役割が空です。"})
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED
    page = client_for(personas["vendor_a"]).get(request.get_absolute_url()).content.decode()
    assert "役割が空です。" in page and "The PMO sent this request back" in page


def test_it_shows_the_client_pm_the_decision_forms_only_at_their_step(personas, project, setup):
    request = request_in(project, RequestStatus.PM_APPROVAL)
    approve = reverse("inbox:approve", kwargs={"kind": "access", "pk": request.pk})
    assert approve in client_for(personas["client_pm"]).get(request.get_absolute_url()).content.decode()
    for who in ("security", "pmo", "vendor_a"):
        assert approve not in client_for(personas[who]).get(request.get_absolute_url()).content.decode(), who


def test_it_answers_a_second_approval_with_who_was_first(personas, project, setup):
    request = request_in(project, RequestStatus.PM_APPROVAL)
    url = reverse("inbox:approve", kwargs={"kind": "access", "pk": request.pk})
    client_for(personas["client_pm"]).post(url, {"comment": ""})
    late = client_for(personas["client_pm"]).post(url, {"comment": ""}, HTTP_HX_REQUEST="true")
    assert late.status_code == 409
    assert "already decided by Pm" in late.content.decode()


def test_it_refuses_provisioning_without_a_valid_delegation(personas, project, setup):
    request = request_in(project, RequestStatus.APPROVED)
    setup.revoked_at, setup.revoke_reason = timezone.now(), "memo withdrawn"
    setup.save()
    item = request.items.get()
    response = client_for(personas["pmo"]).post(_url("request_provision", project, pk=request.pk), {"delegation": setup.pk, f"login_{item.pk}": "x"})  # fmt: skip
    assert response.status_code == 200
    assert "This delegation cannot be used: it is not yours, or it expired or was revoked." in response.content.decode()
    assert not Grant.objects.exists()


def test_it_drafts_an_extension_in_one_click(personas, project, setup):
    grant = request_in(project, RequestStatus.PROVISIONED).items.get().granted
    response = client_for(personas["vendor_a"]).post(_url("grant_extend", project, pk=grant.pk))
    extension = AccessRequest.objects.get(kind=RequestKind.EXTEND)
    assert response["Location"] == extension.get_absolute_url()
    item = extension.items.get()
    assert item.grant == grant and item.start_date == grant.end_date + timedelta(days=1)
    assert item.end_date == grant.end_date + timedelta(days=180), "the level's longest period, within the contract"


def test_it_revokes_and_confirms_under_a_delegation(personas, project, setup):
    grant = request_in(project, RequestStatus.PROVISIONED).items.get().granted
    pmo = client_for(personas["pmo"])
    pmo.post(_url("grant_revoke", project, pk=grant.pk), {"reason": "異動"})
    assert grant.pk in [g.pk for g in pmo.get(_url("removals", project)).context["page"].object_list]
    response = pmo.post(_url("grant_confirm_revocation", project, pk=grant.pk), {"delegation": setup.pk, "next": "removals"})
    assert response["Location"] == _url("removals", project)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED and grant.removal_delegation == setup
    assert AccessEvent.objects.filter(grant=grant, verb=EventVerb.REVOKED, delegation=setup).exists()


def test_it_hides_vendor_as_requests_from_vendor_b(personas, project, setup):
    request = request_in(project, RequestStatus.PROVISIONED)
    grant = request.items.get().granted
    vendor_b = client_for(personas["vendor_b"])
    assert vendor_b.get(request.get_absolute_url()).status_code == 404
    assert vendor_b.get(grant.get_absolute_url()).status_code == 404
    for name in ("requests", "grants", "overview"):
        page = vendor_b.get(_url(name, project) + "?show=closed").content.decode()
        assert "Tanaka" not in page, name


# --- query counts (DESIGN.md §4; issue 4, done-when 6) ---------------------------------------------------


def _many_requests(project, vendor_user, count, status=RequestStatus.PM_APPROVAL, first=0):
    """``count`` requests waiting at ``status``, each for its own person on two systems (bulk: fast)."""
    from tests.access_factories import system_with_levels

    contract = contract_for(project, vendor_user.organization)
    levels = [level(project), level(project, "Read only", system_with_levels(project, "Agent portal").name)]
    start = timezone.localdate()
    people = VendorPerson.objects.bulk_create(
        [VendorPerson(contract=contract, name=f"Person {i}", email=f"p{i}@vendor.test", job_role="Tester", added_by=vendor_user) for i in range(first, first + count)]  # fmt: skip
    )
    requests = AccessRequest.objects.bulk_create(
        [AccessRequest(project=project, vendor=contract.vendor, person=p, justification="tests", requested_by=vendor_user, status=status, step_since=timezone.now(), submitted_at=timezone.now()) for p in people]  # fmt: skip
    )
    AccessRequestItem.objects.bulk_create(
        [AccessRequestItem(request=r, level=lvl, start_date=start, end_date=start + timedelta(days=29)) for r in requests for lvl in levels]  # fmt: skip
    )


def _queries(client, url):
    client.get(url)  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["pmo", "vendor_a"])
def test_the_request_list_runs_the_same_queries_for_5_and_500_requests(personas, project, setup, persona):
    # session, user, membership role, project; count and page of requests; the items with their levels and systems (one query);
    # the navbar's unread count and inbox count (one per inbox kind).
    client = client_for(personas[persona])
    url = _url("requests", project) + "?show=approval"
    _many_requests(project, personas["vendor_a"], 5)
    small = _queries(client, url)
    _many_requests(project, personas["vendor_a"], 495, first=5)
    assert _queries(client, url) == small


def test_the_inbox_runs_the_same_queries_for_5_and_500_access_requests(personas, project, setup):
    client = client_for(personas["client_pm"])
    _many_requests(project, personas["vendor_a"], 5)
    small = _queries(client, reverse("inbox:list"))
    _many_requests(project, personas["vendor_a"], 495, first=5)
    assert _queries(client, reverse("inbox:list")) == small


def test_the_grant_list_and_removals_run_constant_queries(personas, project, setup):
    pmo = client_for(personas["pmo"])

    def grants(count, start):
        made = [request_in(project, RequestStatus.PROVISIONED, person_name=f"P{start + i}").items.get().granted for i in range(count)]  # fmt: skip
        Grant.objects.filter(pk__in=[g.pk for g in made[1:]]).update(status=GrantStatus.EXPIRED)

    grants(2, 0)  # one active, one to remove
    counts = [_queries(pmo, _url("grants", project)), _queries(pmo, _url("removals", project))]
    grants(6, 2)
    assert [_queries(pmo, _url("grants", project)), _queries(pmo, _url("removals", project))] == counts


def test_the_next_page_keeps_the_chosen_filter(personas, project, setup):
    _many_requests(project, personas["vendor_a"], 30, status=RequestStatus.WITHDRAWN)
    page = client_for(personas["pmo"]).get(_url("requests", project) + "?show=closed").content.decode()
    assert '<a class="page-link" href="?show=closed&amp;page=2">' in page
