"""The approval inbox: what waits for me across my projects, oldest first, decided from one page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmo_portal import inbox
from projects import services
from projects.models import Membership, Role, SignOffRequest, SignOffStatus

from ..conftest import client_for
from ..factories import MembershipFactory, ProjectFactory, SignOffFactory


def _signoff(project, requester, role=Role.CLIENT_PM, age_days=0, **fields):
    signoff = SignOffFactory(project=project, requested_by=requester, approver_role=role, **fields)
    if age_days:
        SignOffRequest.objects.filter(pk=signoff.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return signoff


@pytest.fixture
def second_project(client_pm, pmo, orgs):
    """Another project where the same client PM decides."""
    project = ProjectFactory(code="BETA", name="Beta portal", client=orgs.client, pmo_firm=orgs.pmo)
    MembershipFactory(project=project, user=client_pm, role=Role.CLIENT_PM, organization=orgs.client)
    MembershipFactory(project=project, user=pmo, role=Role.PMO, organization=orgs.pmo)
    return project


def _inbox(user):
    return client_for(user).get(reverse("inbox:list")).content.decode()


def test_the_client_pm_sees_everything_waiting_across_projects_oldest_first(pmo, client_pm, security, project, second_project):  # fmt: skip
    _signoff(project, pmo, title="Newer minutes", age_days=1)
    _signoff(second_project, pmo, title="Oldest minutes", age_days=5)
    _signoff(project, pmo, title="For security only", role=Role.SECURITY, age_days=9)
    decided = _signoff(project, pmo, title="Already signed off", age_days=7)
    services.signoff_approve(actor=client_pm, signoff=decided)
    page = _inbox(client_pm)
    assert page.index("Oldest minutes") < page.index("Newer minutes")
    assert "For security only" not in page and "Already signed off" not in page
    assert "BETA · Beta portal" in page and "2 items wait for you." in page
    assert "For security only" in _inbox(security) and "Oldest minutes" not in _inbox(security)


def test_the_requester_and_people_without_the_role_see_nothing_waiting(pmo, client_pm, vendor_a, reader, outsider, project):  # fmt: skip
    _signoff(project, pmo)
    for person in (pmo, vendor_a, reader, outsider):
        assert inbox.pending_count(person) == 0
        assert "Nothing waits for you." in _inbox(person)
    assert inbox.pending_count(client_pm) == 1


def test_home_and_navbar_show_the_count_to_approvers_only(pmo, client_pm, vendor_a, project):
    _signoff(project, pmo)
    _signoff(project, pmo)
    home = client_for(client_pm).get(reverse("home")).content.decode()
    assert '<p class="card-count mb-2" data-testid="pending-count">2</p>' in home
    assert 'data-testid="inbox-count"' in home and reverse("inbox:list") in home
    assert reverse("inbox:list") not in client_for(vendor_a).get(reverse("home")).content.decode()


def test_approving_from_the_inbox(pmo, client_pm, project):
    signoff = _signoff(project, pmo, title="Kick-off minutes")
    url = reverse("inbox:approve", kwargs={"kind": "signoff", "pk": signoff.pk})
    response = client_for(client_pm).post(url, {"comment": "OK"}, follow=True)
    assert response.redirect_chain == [(reverse("inbox:list"), 302)]
    html = response.content.decode()
    assert "Approved. Kick-off minutes" in html and "Nothing waits for you." in html
    assert SignOffRequest.objects.get().status == SignOffStatus.APPROVED


def test_a_rejection_without_a_reason_is_sent_back_with_what_was_typed(pmo, client_pm, project):
    signoff = _signoff(project, pmo)
    url = reverse("inbox:reject", kwargs={"kind": "signoff", "pk": signoff.pk})
    response = client_for(client_pm).post(url, {"comment": "  "})
    assert response.status_code == 200 and "Say why you reject it" in response.content.decode()
    too_long = "The scope section is wrong. " * 80
    response = client_for(client_pm).post(url, {"comment": too_long})
    html = response.content.decode()
    assert "Ensure this value has at most 2000 characters" in html and too_long.strip() in html
    assert SignOffRequest.objects.get().status == SignOffStatus.PENDING


def test_a_late_decision_hears_who_decided_first(pmo, client_pm, project):
    signoff = _signoff(project, pmo)
    services.signoff_approve(actor=client_pm, signoff=signoff)
    url = reverse("inbox:reject", kwargs={"kind": "signoff", "pk": signoff.pk})
    response = client_for(client_pm).post(url, {"comment": "No."}, follow=True)
    assert "This request was already decided by Pm (Signed off)." in response.content.decode()
    response = client_for(client_pm).post(url, {"comment": "No."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "already decided by Pm" in response.content.decode()
    assert SignOffRequest.objects.get().status == SignOffStatus.APPROVED


def test_htmx_decisions_swap_the_item(pmo, client_pm, project):
    first, second = _signoff(project, pmo), _signoff(project, pmo)
    client = client_for(client_pm)
    response = client.post(reverse("inbox:approve", kwargs={"kind": "signoff", "pk": first.pk}), {"comment": ""}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and f'id="inbox-signoff-{first.pk}"' in response.content.decode()
    assert "Approved." in response.content.decode()
    response = client.post(reverse("inbox:reject", kwargs={"kind": "signoff", "pk": second.pk}), {"comment": ""}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 422 and "Say why you reject it" in response.content.decode()


def test_the_inbox_page_carries_htmx_forms_without_inline_script(pmo, client_pm, project):
    signoff = _signoff(project, pmo)
    html = _inbox(client_pm)
    assert f'hx-post="/inbox/signoff/{signoff.pk}/approve/"' in html and f'hx-target="#inbox-signoff-{signoff.pk}"' in html
    assert "<script>" not in html and " style=" not in html


# --- several kinds merge into one list -------------------------------------------------------------------


@pytest.fixture
def membership_kind(monkeypatch):
    """A second, made-up kind: "memberships waiting" (every membership of the user, by creation time)."""
    kind = inbox.InboxKind(
        key="membership", label="Membership",
        pending=lambda user: Membership.objects.filter(user=user).select_related("project").order_by("created_at", "pk"),
        visible=lambda user: Membership.objects.visible_to(user),
        summary=lambda m: f"Membership in {m.project.code}", waiting_since=lambda m: m.created_at,
        project=lambda m: m.project, url=lambda m: m.project.get_absolute_url(),
        approve=lambda actor, m, comment: None, reject=lambda actor, m, comment: None,
    )  # fmt: skip
    monkeypatch.setitem(inbox._kinds, "membership", kind)
    return kind


def test_items_of_every_kind_are_merged_oldest_first_and_paginated(pmo, client_pm, project, membership_kind):
    old = _signoff(project, pmo, title="Old", age_days=10)
    new = _signoff(project, pmo, title="New", age_days=-1)  # newer than the membership made just now
    items = inbox.PendingItems(client_pm)
    assert items.count() == 3
    assert [(i.kind.key, i.obj.pk) for i in items[0:3]] == [("signoff", old.pk), ("membership", Membership.objects.get(user=client_pm).pk), ("signoff", new.pk)]  # fmt: skip
    assert [i.obj.pk for i in items[2:3]] == [new.pk]


# --- query counts ----------------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_inbox_runs_a_constant_number_of_queries(pmo, client_pm, project, second_project):
    # session, user, navbar (unread, approver?, count per kind), count per kind, page per kind = constant
    client = client_for(client_pm)
    client.get(reverse("inbox:list"))
    for i in range(5):
        _signoff(project if i % 2 else second_project, pmo, age_days=i)
    small = _queries(client, reverse("inbox:list"))
    for i in range(40):
        _signoff(project if i % 2 else second_project, pmo, age_days=i)
    large = _queries(client, reverse("inbox:list"))
    assert len(small) == len(large), "\n".join(large)
    assert len(_queries(client, reverse("inbox:list") + "?page=2")) == len(large)
