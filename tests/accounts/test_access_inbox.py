"""Access requests in the approval inbox: the client PM's plain summary, deciding from the inbox, and a
page that costs the same number of queries for 5 and 50 waiting requests (issue 4, "Done when" 6).
"""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessEvent, AccessRequest, EventVerb, RequestStatus
from pmo_portal import inbox
from pmo_portal.models import AuditEvent, Notification

from ..access_factories import delegation_for, request_in, system_with_levels
from ..conftest import client_for


@pytest.fixture
def alpha(pmo, client_pm, security, vendor_a, vendor_b, reader, project):
    system_with_levels(project)
    return project


def test_the_client_pm_reads_a_plain_summary_in_the_inbox(alpha, pmo, client_pm, security, vendor_a):
    delegation_for(alpha, pmo)
    request = request_in(alpha, RequestStatus.PM_APPROVAL, level_name="Read only", days=91)
    (item,) = inbox.PendingItems(client_pm)[0:20]
    assert item.obj.pk == request.pk and item.kind.key == "access"
    assert item.summary == "Tanaka (Kaito Systems) wants Read only on Claims test DB for 3 months — risk: low — within PMO delegation"  # fmt: skip
    assert item.url == request.get_absolute_url() and item.project == alpha
    assert inbox.pending_count(client_pm) == 1
    for person in (pmo, security, vendor_a):
        assert inbox.pending_count(person) == 0


def test_the_summary_says_when_the_security_officer_decides_too(alpha, client_pm):
    request_in(alpha, RequestStatus.PM_APPROVAL, level_name="Administrator", days=10)
    (item,) = inbox.PendingItems(client_pm)[0:20]
    assert item.summary == "Tanaka (Kaito Systems) wants Administrator on Claims test DB for 10 days — risk: critical — above PMO delegation: the security officer decides too"  # fmt: skip


def test_the_inbox_page_lists_the_request_and_approves_it(alpha, pmo, client_pm):
    delegation_for(alpha, pmo)
    request = request_in(alpha, RequestStatus.PM_APPROVAL)
    client = client_for(client_pm)
    page = client.get(reverse("inbox:list")).content.decode()
    assert "Tanaka (Kaito Systems) wants Read only on Claims test DB for 3 months" in page
    approve = reverse("inbox:approve", kwargs={"kind": "access", "pk": request.pk})
    assert approve in page
    response = client.post(approve, {"comment": "Fine."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.events.last().comment == "Fine."


def test_the_inbox_refuses_decisions_from_people_who_may_not_decide(alpha, pmo, client_pm, vendor_a, vendor_b, reader):  # fmt: skip
    request = request_in(alpha, RequestStatus.PM_APPROVAL)
    approve = reverse("inbox:approve", kwargs={"kind": "access", "pk": request.pk})
    assert client_for(vendor_a).post(approve, {"comment": ""}).status_code == 403  # sees it, may not decide
    assert client_for(pmo).post(approve, {"comment": ""}).status_code == 403
    assert client_for(vendor_b).post(approve, {"comment": ""}).status_code == 404  # another vendor's request
    assert client_for(reader).post(approve, {"comment": ""}).status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.PM_APPROVAL


def _waiting(project, count, start=0):
    for number in range(start, start + count):
        request_in(project, RequestStatus.PM_APPROVAL, person_name=f"Sato{number:03d}")


def _inbox_queries(user):
    client = client_for(user)
    client.get(reverse("inbox:list"))  # the session, the user and what is cached per process are loaded once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inbox:list"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_inbox_page_costs_the_same_queries_for_5_and_50_access_requests(alpha, pmo, client_pm):
    delegation_for(alpha, pmo)
    _waiting(alpha, 5)
    small, page = _inbox_queries(client_pm)
    assert page.count("Kaito Systems) wants Read only") == 5
    _waiting(alpha, 45, start=5)
    assert AccessRequest.objects.waiting_for(client_pm).count() == 50
    large, page = _inbox_queries(client_pm)
    assert page.count("Kaito Systems) wants Read only") == 20  # one page
    assert large == small


def test_approving_from_the_inbox_costs_a_fixed_few_queries_and_mails_after_commit(alpha, pmo, client_pm, vendor_a, django_capture_on_commit_callbacks):  # fmt: skip
    delegation_for(alpha, pmo)
    first, second = (request_in(alpha, RequestStatus.PM_APPROVAL, person_name=name) for name in ("Tanaka", "Suzuki"))
    client = client_for(client_pm)
    client.post(reverse("inbox:approve", kwargs={"kind": "access", "pk": first.pk}), {"comment": ""})
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("inbox:approve", kwargs={"kind": "access", "pk": second.pk}), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == reverse("inbox:list")
    # The session and the user; the request as the inbox sees it (with its project, people and items) and
    # the approver's role for the permission check; in the service's savepoint the locked row (with the
    # approver's role again, fresh), its update, the audit event, the timeline step, the PMO staff to tell,
    # their delivery choices and one insert of both notifications. The "Approved." message rides in a signed
    # cookie: the session row is not written. 34 queries before the items and the people were read once for
    # everything, 17 while messages were kept in the session.
    assert len(queries) == 14, "\n".join(q["sql"][:120] for q in queries)
    assert not any("django_session" in q["sql"] and not q["sql"].startswith("SELECT") for q in queries)
    assert "messages" in response.cookies and "Approved." in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(verb="access.request_approve", object_id=str(second.pk)).count() == 1
    assert AccessEvent.objects.filter(request=second, verb=EventVerb.APPROVED).count() == 1
    told = set(Notification.objects.filter(object_id=str(second.pk)).values_list("kind", "recipient__username"))
    assert told >= {("access.decided", vendor_a.username), ("access.to_provision", pmo.username)}
    assert mail.outbox == [] and len(callbacks) == 1  # one mail task for both, written by the worker after commit
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([vendor_a.email, pmo.email])
    decided = next(m for m in mail.outbox if m.to == [vendor_a.email])
    assert f"Pm approved access request #{second.pk} for Suzuki." in decided.body
