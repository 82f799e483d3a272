"""Access reviews, reconciliation, the access history and the CSV of active grants, as people use them."""

import csv
import io
import zoneinfo
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import (
    AccessEvent,
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    Reconciliation,
    RequestStatus,
    ReviewCampaign,
    ReviewDecision,
    ReviewItem,
    TargetSystem,
    VendorPerson,
)
from pmo_portal.models import AuditEvent
from projects.models import Role

from ..access_factories import delegation_for, level, member, person_for, request_in, system_with_levels
from ..conftest import client_for

# --- building blocks (also used by tests/test_url_access.py and tests/test_bad_input.py) ---------------------


def make_grants(project, count, *, vendor=None, system="Claims test DB", level_name="Read only", prefix="user") -> list[Grant]:  # fmt: skip
    """``count`` active grants of the project's first vendor (or ``vendor``), one person each, made directly."""
    pmo = member(project, Role.PMO).user
    lvl = level(project, level_name, system)
    delegation = Delegation.objects.filter(project=project, delegate=pmo, systems=lvl.system).first() or delegation_for(project, pmo, systems=[lvl.system])  # fmt: skip
    vendor = vendor or member(project, Role.VENDOR).organization
    today = timezone.localdate()
    grants = []
    for n in range(count):
        person = person_for(project, vendor, f"{prefix.title()} {n:02d}", email=f"{prefix}{n}@{vendor.pk}.vendor.test")
        grants.append(Grant.objects.create(project=project, vendor=vendor, person=person, level=lvl, login_name=f"{prefix}{n:02d}", start_date=today, end_date=today + timedelta(days=90), provisioned_by=pmo, delegation=delegation))  # fmt: skip
    return grants


def open_review(project, grants=1) -> ReviewCampaign:
    """A review of the project's active access (``grants`` are made first when there is none), started by the PMO."""
    if not Grant.objects.filter(project=project, status=GrantStatus.ACTIVE).exists():
        make_grants(project, grants)
    pmo = member(project, Role.PMO).user
    return services.review_start(actor=pmo, project=project, title="Q2 access review", due_date=timezone.localdate() + timedelta(days=14))  # fmt: skip


def pending_item(project) -> ReviewItem:
    campaign = ReviewCampaign.objects.filter(project=project, closed_at__isnull=True).first() or open_review(project)
    return campaign.items.filter(decision=ReviewDecision.PENDING).order_by("pk").first()


def stranger_review(project) -> ReviewCampaign:
    """A review of a project with none of the usual personas (the hidden one): made directly."""
    starter = member(project, Role.CLIENT_PM).user
    return ReviewCampaign.objects.create(project=project, title="Hidden review", due_date=timezone.localdate(), started_by=starter)  # fmt: skip


def past_reconciliation(project) -> Reconciliation:
    starter = member(project, Role.PMO) or member(project, Role.CLIENT_PM)
    system, _ = TargetSystem.objects.get_or_create(project=project, name="Claims test DB", defaults={"owner": "Claims IT"})
    return Reconciliation.objects.create(project=project, system=system, uploaded_by=starter.user, file_name="accounts.csv", account_count=1, result={"orphans": [{"login": "ghost", "level": "Admin"}], "missing": [], "mismatches": []})  # fmt: skip


def accounts_csv(text: str, name="accounts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def url(name, project, **kwargs):
    return reverse(f"access:{name}", kwargs={"code": project.code, **kwargs})


# --- who reaches what ---------------------------------------------------------------------------------------

ALL = ("pmo", "client_pm", "security", "vendor_a", "vendor_b", "reader", "outsider")


def expect(**overrides):
    table = dict.fromkeys(ALL, 403) | {"outsider": 404}
    return table | overrides


PAGES = {
    "reviews": (lambda p: {}, expect(pmo=200, client_pm=200, security=200)),
    "review_create": (lambda p: {}, expect(pmo=200)),
    "review_detail": (lambda p: {"pk": open_review(p).pk}, expect(pmo=200, client_pm=200, security=200, vendor_a=404, vendor_b=404, reader=404)),  # fmt: skip
    "reconciliations": (lambda p: {}, expect(pmo=200)),
    "reconciliation_create": (lambda p: {}, expect(pmo=200)),
    "reconciliation_detail": (lambda p: {"pk": past_reconciliation(p).pk}, expect(pmo=200, vendor_a=404, vendor_b=404, reader=404)),  # fmt: skip
    "audit": (lambda p: {}, expect(pmo=200, client_pm=200, security=200)),
    "grants_csv": (lambda p: {}, expect(pmo=200, security=200)),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_who_may_open_each_page(name, personas, project):
    kwargs, expected = PAGES[name]
    target = url(name, project, **kwargs(project))
    got = {persona: client_for(personas[persona]).get(target).status_code for persona in ALL}
    assert got == expected
    assert client_for(None).get(target).status_code == 302


@pytest.mark.parametrize("name", ["review_keep", "review_revoke"])
def test_only_the_client_pm_decides(name, personas, project):
    target = url(name, project, pk=pending_item(project).pk)
    got = {persona: client_for(personas[persona]).post(target, {"comment": "Left the team."}).status_code for persona in ALL if persona != "client_pm"}  # fmt: skip
    assert got == {"pmo": 403, "security": 403, "vendor_a": 404, "vendor_b": 404, "reader": 404, "outsider": 404}
    assert client_for(personas["client_pm"]).get(target).status_code == 405
    assert client_for(personas["client_pm"]).post(target, {"comment": "Left the team."}).status_code == 302
    assert ReviewItem.objects.exclude(decision=ReviewDecision.PENDING).count() == 1


def test_another_projects_review_is_not_found(personas, project, hidden_project):
    hidden = stranger_review(hidden_project)
    assert client_for(personas["pmo"]).get(url("review_detail", project, pk=hidden.pk)).status_code == 404
    assert client_for(personas["outsider"]).get(url("review_detail", hidden_project, pk=hidden.pk)).status_code == 200


# --- access reviews -----------------------------------------------------------------------------------------


def test_the_pmo_starts_a_review_and_the_client_pm_is_told(pmo, client_pm, security, vendor_a, project):
    make_grants(project, 3)
    response = client_for(pmo).post(url("review_create", project), {"title": "四半期アクセスレビュー", "due_date": (timezone.localdate() + timedelta(days=7)).isoformat()})  # fmt: skip
    campaign = ReviewCampaign.objects.get()
    assert response["Location"] == url("review_detail", project, pk=campaign.pk)
    assert campaign.items.count() == 3
    listing = client_for(client_pm).get(url("reviews", project)).content.decode()
    assert "四半期アクセスレビュー" in listing and "0 of 3" in listing
    assert client_pm.notifications.filter(kind="access.review").exists()


def test_a_review_needs_active_access_and_a_future_date(pmo, client_pm, security, vendor_a, project):
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(pmo.time_zone))  # the day where the PMO is, as the form checks
    page = client_for(pmo).post(url("review_create", project), {"title": "Empty", "due_date": today.isoformat()})
    assert page.status_code == 200 and "There is no active access to review in this project." in page.content.decode()
    make_grants(project, 1)
    page = client_for(pmo).post(url("review_create", project), {"title": "Late", "due_date": "2020-01-01"})
    assert "The decision date cannot be in the past." in page.content.decode() and 'value="Late"' in page.content.decode()
    assert not ReviewCampaign.objects.exists()


def test_keep_and_revoke_until_the_review_completes(pmo, client_pm, security, vendor_a, project):
    kept, revoked = make_grants(project, 2)
    campaign = open_review(project)
    items = {item.grant_id: item for item in campaign.items.all()}
    pm = client_for(client_pm)
    detail = url("review_detail", project, pk=campaign.pk)

    page = pm.get(detail).content.decode()
    assert page.count('data-testid="keep-form"') == 2 and page.count('data-testid="revoke-form"') == 2
    assert "Kaito Systems" in page and "user00" in page and "Low" in page

    response = pm.post(url("review_keep", project, pk=items[kept.pk].pk), {"comment": "", "next": detail})
    assert response["Location"] == detail
    # A revocation needs a reason: the form comes back with the message, nothing is decided.
    page = pm.post(url("review_revoke", project, pk=items[revoked.pk].pk), {"comment": "  "})
    assert page.status_code == 200 and "Say why this access should be revoked" in page.content.decode()
    assert ReviewItem.objects.get(pk=items[revoked.pk].pk).decision == ReviewDecision.PENDING

    response = pm.post(url("review_revoke", project, pk=items[revoked.pk].pk), {"comment": "Moved to another project."})
    assert response.status_code == 302
    revoked.refresh_from_db()
    kept.refresh_from_db()
    assert (kept.status, revoked.status) == (GrantStatus.ACTIVE, GrantStatus.REVOKING)
    assert "Moved to another project." in revoked.revoke_reason
    campaign.refresh_from_db()
    assert campaign.closed_at is not None
    page = pm.get(detail).content.decode()
    assert "Complete since" in page and "2 of 2 decided" in page and 'data-testid="keep-form"' not in page
    assert "Moved to another project." in page and "Access now: To be revoked" in page
    assert AccessEvent.objects.filter(verb=EventVerb.REVIEW_REVOKED, grant=revoked).exists()
    assert AccessEvent.objects.filter(verb=EventVerb.REVIEW_KEPT, grant=kept).exists()


def test_a_second_decision_is_refused_clearly(pmo, client_pm, security, vendor_a, project):
    make_grants(project, 2)
    item = pending_item(project)
    pm = client_for(client_pm)
    pm.post(url("review_keep", project, pk=item.pk), {})
    response = pm.post(url("review_revoke", project, pk=item.pk), {"comment": "Oops"}, follow=True)
    assert "This access was already decided by Pm." in response.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).decision == ReviewDecision.KEEP
    # With htmx the row comes back with the notice, as 409.
    response = pm.post(url("review_revoke", project, pk=item.pk), {"comment": "Oops"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "already decided" in response.content.decode()


def test_htmx_swaps_the_decided_row(pmo, client_pm, security, vendor_a, project):
    make_grants(project, 2)
    item = pending_item(project)
    response = client_for(client_pm).post(url("review_keep", project, pk=item.pk), {"comment": "Still testing"}, HTTP_HX_REQUEST="true")  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="review-item-{item.pk}"')
    assert "Kept." in body and "Still testing" in body and 'data-testid="keep-form"' not in body
    bad = client_for(client_pm).post(url("review_revoke", project, pk=pending_item(project).pk), {"comment": ""}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert bad.status_code == 422 and "Say why this access should be revoked" in bad.content.decode()


def test_hidden_characters_in_a_comment_are_refused(pmo, client_pm, security, vendor_a, project):
    item = pending_item(project)
    page = client_for(client_pm).post(url("review_revoke", project, pk=item.pk), {"comment": "bye\u202e"})
    assert page.status_code == 200 and "invisible or control character" in page.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).decision == ReviewDecision.PENDING


def test_the_service_guards_say_what_is_wrong(pmo, client_pm, security, vendor_a, project):
    item = pending_item(project)
    with pytest.raises(PermissionDenied, match="Only the client PM of this project decides in an access review."):
        services.review_decide(actor=pmo, item=item, decision=ReviewDecision.KEEP)
    with pytest.raises(ValidationError, match="Choose keep or revoke."):
        services.review_decide(actor=client_pm, item=item, decision=ReviewDecision.PENDING)
    with pytest.raises(ValidationError, match="Remove the invisible or control character"):
        services.review_decide(actor=client_pm, item=item, decision=ReviewDecision.KEEP, comment="ok\u200b")
    services.review_decide(actor=client_pm, item=item, decision=ReviewDecision.KEEP)
    with pytest.raises(ValidationError, match="This access review is complete."):
        services.review_decide(actor=client_pm, item=item, decision=ReviewDecision.KEEP)


def test_a_long_title_and_reason_still_fit_the_revocation(pmo, client_pm, security, vendor_a, project):
    (grant,) = make_grants(project, 1)
    campaign = services.review_start(actor=pmo, project=project, title="R" * 200, due_date=timezone.localdate())
    services.review_decide(actor=client_pm, item=campaign.items.get(), decision=ReviewDecision.REVOKE, comment="x" * 500)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKING and len(grant.revoke_reason) == 500 and grant.revoke_reason.endswith("…")


def test_revoking_an_access_extended_since_the_review_started_revokes_the_extension(pmo, client_pm, security, vendor_a, project):  # fmt: skip
    old, new = make_grants(project, 2)
    campaign = open_review(project)
    Grant.objects.filter(pk=old.pk).update(status=GrantStatus.REPLACED, replaced_by=new)
    services.review_decide(actor=client_pm, item=campaign.items.get(grant=old), decision=ReviewDecision.REVOKE, comment="No longer needed")  # fmt: skip
    new.refresh_from_db()
    assert new.status == GrantStatus.REVOKING


def test_the_review_page_offers_the_pdf_report(pmo, client_pm, security, vendor_a, project):
    campaign = open_review(project)
    page = client_for(security).get(url("review_detail", project, pk=campaign.pk)).content.decode()
    assert reverse("exports:start", kwargs={"kind": "access_review", "object_id": campaign.pk}) in page
    assert 'data-testid="keep-form"' not in page  # only the client PM decides


def test_review_items_are_grouped_by_vendor(pmo, client_pm, security, vendor_a, vendor_b, project, orgs):
    make_grants(project, 2, vendor=orgs.vendor_b, prefix="hb")
    make_grants(project, 2, vendor=orgs.vendor_a, prefix="kt")
    campaign = open_review(project)
    page = client_for(client_pm).get(url("review_detail", project, pk=campaign.pk)).content.decode()
    assert page.count('scope="rowgroup"') == 2
    assert page.index("Hanbit Soft") < page.index("Hb 00") < page.index("Kaito Systems") < page.index("Kt 00")


def test_review_detail_runs_the_same_queries_for_2_and_20_items(pmo, client_pm, security, vendor_a, project):
    def count(n):
        Grant.objects.all().update(status=GrantStatus.REPLACED)  # out of the next review
        make_grants(project, n, prefix=f"p{n}-")
        campaign = open_review(project)
        client = client_for(client_pm)
        client.get(url("review_detail", project, pk=campaign.pk))  # warm-up: session, caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("review_detail", project, pk=campaign.pk))
        assert response.content.decode().count('data-testid="review-item-') == n
        return len(ctx)

    assert count(2) == count(20)


# --- reconciliation -----------------------------------------------------------------------------------------


def test_reconciliation_flags_an_orphan_a_missing_account_and_a_level_mismatch(pmo, client_pm, security, vendor_a, project):  # fmt: skip
    tanaka = request_in(project, RequestStatus.PROVISIONED, person_name="Tanaka").items.get().granted
    sato = request_in(project, RequestStatus.PROVISIONED, person_name="Sato").items.get().granted
    system = tanaka.level.system
    sample = f"User ID;Role;Department\n{tanaka.login_name.upper()};Administrator;QA\nghost;Read only;Unknown\n"
    response = client_for(pmo).post(url("reconciliation_create", project), {"system": system.pk, "file": accounts_csv(sample, "claims-db.csv")})  # fmt: skip
    reconciliation = Reconciliation.objects.get()
    assert response["Location"] == url("reconciliation_detail", project, pk=reconciliation.pk)
    assert (reconciliation.file_name, reconciliation.account_count, reconciliation.uploaded_by) == ("claims-db.csv", 2, pmo)
    result = reconciliation.result
    assert result["orphans"] == [{"login": "ghost", "level": "Read only"}]
    assert [(row["login"], row["grant"]) for row in result["missing"]] == [(sato.login_name, sato.pk)]
    assert [(row["login"], row["level"], row["granted"], row["person"]) for row in result["mismatches"]] == [(tanaka.login_name.upper(), "Administrator", "Read only", "Tanaka")]  # fmt: skip

    page = client_for(pmo).get(response["Location"]).content.decode()
    assert "ghost" in page and "Administrator" in page and "Sato" in page
    assert url("grant_detail", project, pk=tanaka.pk) in page and url("grant_detail", project, pk=sato.pk) in page
    listing = client_for(pmo).get(url("reconciliations", project)).content.decode()
    assert "claims-db.csv" in listing
    row = listing[listing.index(f'data-testid="reconciliation-{reconciliation.pk}"') :]
    assert [cell.split("<")[0] for cell in row.split('class="text-end')[1:5]] == ['">2', ' text-danger fw-semibold">1', ' text-warning-emphasis fw-semibold">1', ' text-danger fw-semibold">1']  # fmt: skip


def test_a_login_listed_once_per_level_is_compared_level_by_level(pmo, client_pm, security, vendor_a, project):
    (grant,) = make_grants(project, 1)
    system = grant.level.system
    # Listed with the granted level AND an administrator role: whatever the order, the extra role is flagged.
    for rows in ([("Read only"), ("Administrator")], [("Administrator"), ("Read only")]):
        accounts = [(grant.login_name, level_name) for level_name in rows]
        result = services.reconciliation_run(actor=pmo, system=system, accounts=accounts, file_name="a.csv").result
        assert [(row["level"], row["granted"]) for row in result["mismatches"]] == [("Administrator / Read only", "Read only")]  # fmt: skip
        assert result["orphans"] == result["missing"] == []
    exact = services.reconciliation_run(actor=pmo, system=system, accounts=[(grant.login_name, "read ONLY")], file_name="b.csv")  # fmt: skip
    assert exact.result == {"orphans": [], "missing": [], "mismatches": []}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"login,level\ntanaka,=HYPERLINK(\"http://evil\")\n", "Row 2, column B starts with “=”"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a CSV file."),
        (b"name,department\nTanaka,QA\n", "The first row must name the columns"),
        (b"login,department\ntanaka,QA\n", "The file has no level column."),
        (b"", "The submitted file is empty."),  # Django's own check, before ours
    ],
)
def test_a_bad_file_gets_its_message_and_nothing_is_saved(content, message, pmo, project):
    system = system_with_levels(project)
    response = client_for(pmo).post(url("reconciliation_create", project), {"system": system.pk, "file": SimpleUploadedFile("x.csv", content)})  # fmt: skip
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"')
    assert not Reconciliation.objects.exists()


def test_an_oversize_file_is_refused(pmo, project, settings):
    settings.ACCESS_CSV_MAX_BYTES = 1024 * 1024
    system = system_with_levels(project)
    big = accounts_csv("login,level\n" + "someone,Read only\n" * 70_000)
    response = client_for(pmo).post(url("reconciliation_create", project), {"system": system.pk, "file": big})
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_the_system_must_be_of_this_project(pmo, outsider, project, hidden_project):
    foreign = TargetSystem.objects.create(project=hidden_project, name="Warehouse DB", owner="Ops")
    response = client_for(pmo).post(url("reconciliation_create", project), {"system": foreign.pk, "file": accounts_csv("login,level\na,b\n")})  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_the_upload_form_says_which_headers_it_accepts(pmo, project):
    page = client_for(pmo).get(url("reconciliation_create", project)).content.decode()
    assert 'enctype="multipart/form-data"' in page and "“ログインID”" in page and "“권한”" in page


# --- access history -----------------------------------------------------------------------------------------


@pytest.fixture
def timeline(pmo, client_pm, security, vendor_a, vendor_b, project, orgs):
    """Events on two systems, of two vendors and three people, each with a comment naming them."""
    billing = system_with_levels(project, "Billing API")
    claims = system_with_levels(project, "Claims test DB")
    tanaka = person_for(project, orgs.vendor_a, "Tanaka")
    suzuki = person_for(project, orgs.vendor_a, "Suzuki")
    kim = person_for(project, orgs.vendor_b, "Kim")
    delegation = delegation_for(project, pmo, systems=[claims, billing])
    rows = [("claims-tanaka", claims, tanaka), ("billing-tanaka", billing, tanaka), ("claims-suzuki", claims, suzuki), ("billing-kim", billing, kim)]  # fmt: skip
    for comment, system, person in rows:
        AccessEvent.objects.create(project=project, actor=pmo, verb=EventVerb.PROVISIONED, comment=comment, system=system, vendor=person.contract.vendor, person=person, delegation=delegation)  # fmt: skip
    return {"claims": claims, "billing": billing, "tanaka": tanaka, "kim": kim, "delegation": delegation}


def _shown(response) -> set[str]:
    page = response.content.decode()
    return {c for c in ("claims-tanaka", "billing-tanaka", "claims-suzuki", "billing-kim") if c in page}


def test_the_history_filters_by_system_vendor_and_person(security, project, orgs, timeline):
    audit = client_for(security)
    target = url("audit", project)
    assert _shown(audit.get(target)) == {"claims-tanaka", "billing-tanaka", "claims-suzuki", "billing-kim"}
    assert _shown(audit.get(target, {"system": timeline["claims"].pk})) == {"claims-tanaka", "claims-suzuki"}
    assert _shown(audit.get(target, {"vendor": orgs.vendor_b.pk})) == {"billing-kim"}
    assert _shown(audit.get(target, {"person": timeline["tanaka"].pk})) == {"claims-tanaka", "billing-tanaka"}
    assert _shown(audit.get(target, {"system": timeline["billing"].pk, "person": timeline["tanaka"].pk})) == {"billing-tanaka"}  # fmt: skip
    page = audit.get(target).content.decode()
    assert url("delegation_detail", project, pk=timeline["delegation"].pk) in page
    assert "created the account on the system" in page


@pytest.mark.parametrize("bad", ["abc", "999999", "99999999999999999999999", "-1", "1.5", "\x00"])
def test_bad_filter_values_are_ignored(security, project, timeline, bad):
    response = client_for(security).get(url("audit", project), {"system": bad, "vendor": bad, "person": bad, "page": bad})
    assert response.status_code == 200 and len(_shown(response)) == 4


def test_another_projects_ids_do_not_filter_or_leak(security, project, hidden_project, timeline, outsider):
    foreign = TargetSystem.objects.create(project=hidden_project, name="Warehouse DB", owner="Ops")
    response = client_for(security).get(url("audit", project), {"system": foreign.pk})
    assert len(_shown(response)) == 4 and "Warehouse DB" not in response.content.decode()


def test_the_history_is_newest_first(security, project, timeline):
    AccessEvent.objects.filter(comment="claims-tanaka").update(at=timezone.now() + timedelta(minutes=5))
    page = client_for(security).get(url("audit", project)).content.decode()
    assert page.index("claims-tanaka") < page.index("billing-kim")


def test_the_history_runs_the_same_queries_for_2_and_20_rows(pmo, client_pm, security, vendor_a, project):
    def count(n):
        grants = make_grants(project, n, prefix=f"h{n}-")
        AccessEvent.objects.all().delete()
        for grant in grants:
            AccessEvent.objects.create(project=project, actor=pmo, verb=EventVerb.PROVISIONED, grant=grant, system=grant.level.system, vendor=grant.vendor, person=grant.person, delegation=grant.delegation)  # fmt: skip
        client = client_for(security)
        client.get(url("audit", project))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("audit", project))
        assert response.content.decode().count('data-testid="audit-event"') == n
        return len(ctx)

    assert count(2) == count(20)


def test_vendors_get_403_on_the_history_and_the_csv(vendor_a, vendor_b, reader, project):
    for user in (vendor_a, vendor_b, reader):
        assert client_for(user).get(url("audit", project)).status_code == 403
        assert client_for(user).get(url("grants_csv", project)).status_code == 403


# --- CSV of active grants -----------------------------------------------------------------------------------


def test_the_csv_lists_active_grants_with_formulas_neutralised(pmo, client_pm, security, vendor_a, project, orgs):
    grant, gone = make_grants(project, 2)
    VendorPerson.objects.filter(pk=grant.person_id).update(name='=HYPERLINK("http://evil.test","click")')
    Grant.objects.filter(pk=gone.pk).update(status=GrantStatus.EXPIRED)
    response = client_for(security).get(url("grants_csv", project))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(security.time_zone)).isoformat()  # named in their time zone
    assert response["Content-Disposition"] == f'attachment; filename="ALPHA-active-access-{today}.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Vendor company", "Person", "E-mail", "System", "Level", "Risk", "Login name", "From", "Expires", "Provisioned by", "Delegation #"]  # fmt: skip
    assert len(rows) == 2  # the expired access is not listed
    assert rows[1][:7] == ["Kaito Systems", '\'=HYPERLINK("http://evil.test","click")', f"user0@{orgs.vendor_a.pk}.vendor.test", "Claims test DB", "Read only", "Low", "user00"]  # fmt: skip
    assert rows[1][7:] == [grant.start_date.isoformat(), grant.end_date.isoformat(), str(pmo), str(grant.delegation_id)]
    taken = AuditEvent.objects.get(verb="access.grants_export")
    assert (taken.actor, taken.project, taken.after) == (security, project, {"rows": 1}), "the trail shows who took the list"


def test_the_csv_opens_in_excel_with_japanese(pmo, client_pm, security, vendor_a, project, orgs):
    make_grants(project, 1)
    VendorPerson.objects.update(name="田中 太郎")
    body = client_for(pmo).get(url("grants_csv", project)).content
    assert body.startswith(b"\xef\xbb\xbf") and "田中 太郎".encode() in body

