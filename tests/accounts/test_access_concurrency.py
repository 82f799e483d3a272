"""Eight client PMs approve the same access request at the same moment (issue 4, "Done when" 3).

The row lock lets exactly one decide; the seven others hear "already decided by …" (HTTP 409 for htmx,
a warning after the redirect otherwise), never an error page. Needs PostgreSQL: SQLite has no row locks.
"""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.urls import reverse

from accounts.models import AccessEvent, AccessRequest, EventVerb, RequestStatus
from pmo_portal import inbox
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import AuditEvent, Notification
from projects.models import Role

from ..access_factories import delegation_for, request_in
from ..conftest import client_for
from ..factories import MembershipFactory, UserFactory

APPROVERS = 8


@pytest.fixture
def postgres_only(transactional_db):
    """Like the other PostgreSQL-only tests: skipped on SQLite (CI's second pass); CI's first pass runs them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")


@pytest.fixture
def approvers(postgres_only, pmo, client_pm, security, vendor_a, project):
    """The client PM and seven more client PMs of project Alpha."""
    others = []
    for number in range(2, APPROVERS + 1):
        user = UserFactory(username=f"pm{number}", organization=project.client)
        MembershipFactory(project=project, user=user, role=Role.CLIENT_PM)
        others.append(user)
    return [client_pm, *others]


def _all_at_once(work, people):
    """Run ``work(person)`` in one thread per person, released together; returns what each returned or raised."""
    barrier = threading.Barrier(len(people))
    outcomes = {}

    def run(person):
        try:
            barrier.wait(timeout=20)
            outcomes[person.username] = work(person)
        except Exception as error:  # noqa: BLE001 - the test asserts which exceptions happened
            outcomes[person.username] = error
        finally:
            connections.close_all()  # this thread's connections: the test database can be dropped afterwards

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(people), "a thread did not finish"
    return outcomes


@pytest.mark.parametrize(
    ("level_name", "days", "after", "verb"),
    [
        ("Read only", 90, RequestStatus.APPROVED, EventVerb.APPROVED),  # within the PMO's delegation
        ("Administrator", 30, RequestStatus.SECURITY_APPROVAL, EventVerb.ESCALATED),  # the security officer next
    ],
)
def test_eight_simultaneous_approvals_record_exactly_one_decision(approvers, project, pmo, level_name, days, after, verb):  # fmt: skip
    delegation_for(project, pmo)
    request = request_in(project, RequestStatus.PM_APPROVAL, level_name=level_name, days=days)
    kind = inbox.get_kind("access")

    def approve(person):
        kind.approve(person, AccessRequest.objects.get(pk=request.pk), "Approved.")
        return "decided"

    outcomes = _all_at_once(approve, approvers)
    winners = [name for name, outcome in outcomes.items() if outcome == "decided"]
    assert len(winners) == 1, outcomes
    losers = [outcome for outcome in outcomes.values() if outcome != "decided"]
    assert all(type(error) is AlreadyDecided for error in losers), losers
    winner = next(person for person in approvers if person.username == winners[0])
    assert {error.messages[0] for error in losers} == {f"This request was already decided by {winner} (now: {after.label})."}  # fmt: skip
    request.refresh_from_db()
    assert request.status == after
    assert AuditEvent.objects.filter(verb="access.request_approve").count() == 1
    assert list(AccessEvent.objects.filter(request=request, verb__in=[EventVerb.APPROVED, EventVerb.ESCALATED]).values_list("verb", "actor__username")) == [(verb, winner.username)]  # fmt: skip


def test_simultaneous_approvals_and_rejections_record_exactly_one_decision(approvers, project, pmo):
    delegation_for(project, pmo)
    request = request_in(project, RequestStatus.PM_APPROVAL)
    kind = inbox.get_kind("access")

    def decide(person):
        obj = AccessRequest.objects.get(pk=request.pk)
        if int(person.pk) % 2:
            kind.reject(person, obj, "Not in scope.")
            return RequestStatus.REJECTED
        kind.approve(person, obj, "")
        return RequestStatus.APPROVED

    outcomes = _all_at_once(decide, approvers)
    decisions = [outcome for outcome in outcomes.values() if isinstance(outcome, str)]
    assert len(decisions) == 1 and all(type(o) is AlreadyDecided for o in outcomes.values() if not isinstance(o, str)), outcomes  # fmt: skip
    request.refresh_from_db()
    assert request.status == decisions[0]
    assert AuditEvent.objects.filter(verb__in=["access.request_approve", "access.request_reject"]).count() == 1
    assert Notification.objects.filter(kind="access.decided").count() == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "form"])
def test_eight_simultaneous_clicks_in_the_inbox_never_fail(approvers, project, pmo, htmx):
    delegation_for(project, pmo)
    request = request_in(project, RequestStatus.PM_APPROVAL)
    url = reverse("inbox:approve", kwargs={"kind": "access", "pk": request.pk})
    clients = {person.username: client_for(person) for person in approvers}  # signed in before the race
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    def click(person):
        response = clients[person.username].post(url, {"comment": ""}, **headers)
        notes = [] if htmx else [str(m) for m in get_messages(response.wsgi_request)]
        return response.status_code, response.content.decode(), notes

    outcomes = _all_at_once(click, approvers)
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    statuses = sorted(status for status, _body, _notes in outcomes.values())
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    winner = request.events.get(verb=EventVerb.APPROVED).actor
    if htmx:
        assert statuses == [200] + [409] * (APPROVERS - 1)
        late = [body for status, body, _notes in outcomes.values() if status == 409]
        assert all(f"already decided by {winner}" in body for body in late)
    else:
        assert statuses == [302] * APPROVERS
        notes = sorted(note for _status, _body, notes in outcomes.values() for note in notes)
        assert sum(note.startswith("Approved.") for note in notes) == 1
        assert sum(f"This request was already decided by {winner}" in note for note in notes) == APPROVERS - 1
    assert AuditEvent.objects.filter(verb="access.request_approve").count() == 1
    assert AccessEvent.objects.filter(request=request, verb=EventVerb.APPROVED).count() == 1
