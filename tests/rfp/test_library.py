"""The firm's library: RFPs saved as templates and started from again, reusable clauses with an owner and a review
date, overdue clauses marked and kept out of RFPs, a clause inserted into a section, the weekly reminder, and
who may see what (another firm's PMO staff never see a template or a clause)."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import rfp.library_registry  # noqa: F401  (until RfpConfig.ready() imports it)
from accounts.models import OrganizationKind
from pmo_portal import reminders
from pmo_portal.models import AuditEvent, Notification
from projects.models import Role
from rfp import services
from rfp.models import Clause, Rfp, RfpSection, RfpTemplate

from ..conftest import client_for
from ..factories import MembershipFactory, OrganizationFactory, ProjectFactory, UserFactory
from ..rfp_factories import draft_rfp, rfp_in


def today() -> date:
    return timezone.localdate()


def library_url(project, name="rfp:clauses", **kwargs) -> str:
    return reverse(name, kwargs={"code": project.code, **kwargs})


def rfp_url(rfp, name, **kwargs) -> str:
    return reverse(name, kwargs={"code": rfp.project.code, "pk": rfp.pk, **kwargs})


def make_clause(owner, title="個人情報の取扱い", body="受託者は個人情報を適切に管理すること。", *, overdue=False, language="ja", review_in=90) -> Clause:  # fmt: skip
    """A clause of the owner's firm, made by the service; ``overdue``: its review date then moved to last week."""
    clause = services.clause_create(actor=owner, title=title, body=body, language=language, owner=owner, review_date=today() + timedelta(days=review_in))  # fmt: skip
    if overdue:
        Clause.objects.filter(pk=clause.pk).update(review_date=today() - timedelta(days=7))
        clause.refresh_from_db()
    return clause


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def followed_messages(client, response) -> list[str]:
    """The messages the page after a redirect shows."""
    assert response.status_code == 302, response.status_code
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


@pytest.fixture
def rival(orgs):
    """PMO staff of another PMO firm (Northwind), in their own project GAMMA: sees nothing of Meridian's library."""
    firm = OrganizationFactory(name="Northwind PMO", kind=OrganizationKind.PMO)
    gamma = ProjectFactory(code="GAMMA", client=orgs.other_client, pmo_firm=firm)
    user = UserFactory(username="rival", organization=firm)
    MembershipFactory(project=gamma, user=user, role=Role.PMO, organization=firm)
    return user


@pytest.fixture
def colleague(orgs, hidden_project):
    """Another consultant of Meridian (the PMO's firm), working on the hidden project only."""
    user = UserFactory(username="colleague", organization=orgs.pmo)
    MembershipFactory(project=hidden_project, user=user, role=Role.PMO, organization=orgs.pmo)
    return user


# --- templates ---------------------------------------------------------------------------------------------------


def test_an_rfp_saved_as_a_template_starts_a_new_rfp_with_its_sections(project, pmo, colleague, hidden_project):
    rfp = draft_rfp(project)
    scope = rfp.sections.get(key="scope")
    services.section_update(actor=pmo, section=scope, title="対象範囲", body="保険金請求の受付から支払まで。", explanation="どこまでを発注するか。")  # fmt: skip
    template = services.template_save(actor=pmo, rfp=rfp, name="  保険システム標準RFP ")
    assert template.name == "保険システム標準RFP" and template.language == "ja" and template.organization_id == pmo.organization_id  # fmt: skip
    event = AuditEvent.objects.get(verb="rfp.template_save")
    assert event.actor == pmo and event.project == project and event.after["sections"] == 14

    # A colleague of the same firm starts an RFP from it in another project of the firm.
    started = services.rfp_create(actor=colleague, project=hidden_project, title="倉庫RFP", language="ja", template=template)  # fmt: skip
    copied = list(started.sections.values_list("key", "title", "body", "explanation"))
    assert copied == list(rfp.sections.values_list("key", "title", "body", "explanation"))
    assert ("scope", "対象範囲", "保険金請求の受付から支払まで。", "どこまでを発注するか。") in copied
    assert all(s.revision == 1 for s in started.sections.all())  # a fresh document, not the old one's history


def test_saving_from_the_page_and_starting_from_the_template_on_the_new_rfp_page(project, pmo):
    rfp = draft_rfp(project)
    client = client_for(pmo)
    page = client.get(rfp_url(rfp, "rfp:template_save"))
    assert page.status_code == 200 and f'value="{rfp.title}"' in page.content.decode()  # the RFP's title is offered
    response = client.post(rfp_url(rfp, "rfp:template_save"), {"name": "Standard claims RFP"})
    assert "“Standard claims RFP” is saved as a template of your firm, with 14 sections." in followed_messages(client, response)[0]  # fmt: skip
    template = RfpTemplate.objects.get(name="Standard claims RFP")

    listed = client.get(library_url(project)).content.decode()
    assert f'data-template="{template.pk}"' in listed and "Standard claims RFP" in listed

    form = client.get(library_url(project, "rfp:create")).content.decode()
    assert f'<option value="{template.pk}">Standard claims RFP</option>' in form
    response = client.post(library_url(project, "rfp:create"), {"title": "Second RFP", "language": "en", "template": template.pk})  # fmt: skip
    started = Rfp.objects.get(title="Second RFP")
    assert response.status_code == 302
    assert list(started.sections.values_list("title", flat=True)) == list(rfp.sections.values_list("title", flat=True))


def test_a_duplicate_name_is_refused_with_the_typed_name_kept(project, pmo):
    rfp = draft_rfp(project)
    services.template_save(actor=pmo, rfp=rfp, name="Standard RFP")
    response = client_for(pmo).post(rfp_url(rfp, "rfp:template_save"), {"name": "standard rfp"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your firm already has a template named “standard rfp”." in html and 'value="standard rfp"' in html
    assert RfpTemplate.objects.count() == 1
    with pytest.raises(ValidationError, match="already has a template"):
        services.template_save(actor=pmo, rfp=rfp, name="Standard RFP")


def test_another_firm_never_sees_or_uses_a_template(project, pmo, rival):
    template = services.template_save(actor=pmo, rfp=draft_rfp(project), name="Meridian standard")
    client = client_for(rival)
    gamma = rival.memberships.get().project
    assert "Meridian standard" not in client.get(library_url(gamma)).content.decode()
    start_page = client.get(library_url(gamma, "rfp:create")).content.decode()
    assert 'name="template"' in start_page and f'<option value="{template.pk}"' not in start_page
    response = client.post(
        library_url(gamma, "rfp:create"), {"title": "Copy", "language": "ja", "template": template.pk}
    )
    assert response.status_code == 200 and not Rfp.objects.filter(title="Copy").exists()
    with pytest.raises(PermissionDenied, match="another firm"):
        services.rfp_create(actor=rival, project=gamma, title="Copy", language="ja", template=template)
    assert client.post(library_url(gamma, "rfp:template_delete", template_pk=template.pk)).status_code == 404
    assert RfpTemplate.objects.filter(pk=template.pk).exists()


def test_who_may_save_an_rfp_as_a_template(project, orgs, pmo, client_pm, security, vendor_a, vendor_b, reader, outsider, rival):  # fmt: skip
    draft = draft_rfp(project)
    issued = rfp_in(project, "issued", invite=[orgs.vendor_a], title="Issued RFP")
    expected = {pmo: 200, client_pm: 403, security: 403, vendor_a: 404, vendor_b: 404, reader: 404, outsider: 404, rival: 404}  # fmt: skip
    assert {person: client_for(person).get(rfp_url(draft, "rfp:template_save")).status_code for person in expected} == expected  # fmt: skip
    # Once issued, the invited vendor sees the RFP, but may not save it; vendor B is not invited.
    assert client_for(vendor_a).get(rfp_url(issued, "rfp:template_save")).status_code == 403
    assert client_for(vendor_b).get(rfp_url(issued, "rfp:template_save")).status_code == 404
    assert client_for(None).get(rfp_url(draft, "rfp:template_save")).status_code == 302
    for person in (client_pm, vendor_a):
        client_for(person).post(rfp_url(issued, "rfp:template_save"), {"name": "Stolen"})
    assert not RfpTemplate.objects.exists()
    with pytest.raises(PermissionDenied):
        services.template_save(actor=client_pm, rfp=draft, name="Stolen")


def test_pmo_role_without_a_pmo_firm_cannot_use_the_library(project, orgs):
    """PMO staff of the project who do not work for a PMO firm (e.g. the client's own PMO) have no firm library."""
    insider = UserFactory(username="client-side-pmo", organization=orgs.client)
    MembershipFactory(project=project, user=insider, role=Role.PMO, organization=orgs.client)
    rfp = draft_rfp(project)
    client = client_for(insider)
    assert client.get(rfp_url(rfp, "rfp:template_save")).status_code == 403
    assert client.get(library_url(project)).status_code == 403
    with pytest.raises(PermissionDenied, match="staff of a PMO firm"):
        services.template_save(actor=insider, rfp=rfp, name="Ours")


def test_deleting_a_template_keeps_the_rfps_started_from_it(project, pmo):
    template = services.template_save(actor=pmo, rfp=draft_rfp(project), name="Old standard")
    started = services.rfp_create(actor=pmo, project=project, title="From the old one", language="ja", template=template)  # fmt: skip
    client = client_for(pmo)
    assert client.get(library_url(project, "rfp:template_delete", template_pk=template.pk)).status_code == 405
    response = client.post(library_url(project, "rfp:template_delete", template_pk=template.pk))
    assert "The template “Old standard” is deleted." in followed_messages(client, response)[0]
    assert not RfpTemplate.objects.exists() and started.sections.count() == 14
    event = AuditEvent.objects.get(verb="rfp.template_delete")
    assert (
        event.actor == pmo and event.before["name"] == "Old standard" and event.project is None
    )  # the firm's, not the client's
    assert client.post(library_url(project, "rfp:template_delete", template_pk=template.pk)).status_code == 404


# --- clauses -----------------------------------------------------------------------------------------------------


def test_the_clauses_page_marks_overdue_clauses_and_lists_them_first(project, pmo, colleague):
    make_clause(pmo, "A current clause", "Text A.")
    late = make_clause(colleague, "Z overdue clause", "Text Z.", overdue=True)
    client = client_for(pmo)
    html = client.get(library_url(project)).content.decode()
    assert html.index("Z overdue clause") < html.index("A current clause")  # overdue first, whatever the title
    row = html[html.index(f'data-clause="{late.pk}"') :].split("</tr>")[0]
    assert "review overdue" in row and "Colleague" in row and library_url(project, "rfp:clause_edit", clause_pk=late.pk) in row  # fmt: skip
    assert html.count('data-testid="review-overdue"') == 1 and "Review overdue (1)" in html
    only = client.get(library_url(project), {"show": "overdue"}).content.decode()
    assert "Z overdue clause" in only and "A current clause" not in only


def test_a_clause_is_added_with_its_owner_and_review_date(project, pmo, colleague):
    client = client_for(pmo)
    form = client.get(library_url(project, "rfp:clause_create")).content.decode()
    assert "Colleague" in form  # owners: the firm's staff, from every project
    data = {"title": "Security standard", "body": "- MFA for admins\n- Logs kept 1 year", "language": "en", "owner": colleague.pk, "review_date": (today() + timedelta(days=180)).isoformat()}  # fmt: skip
    response = client.post(library_url(project, "rfp:clause_create"), data)
    clause = Clause.objects.get()
    assert "The clause “Security standard” is in your firm's library." in followed_messages(client, response)[0]
    assert (clause.owner, clause.organization, clause.review_date) == (colleague, pmo.organization, today() + timedelta(days=180))  # fmt: skip
    assert AuditEvent.objects.get(verb="rfp.clause_create").after["title"] == "Security standard"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"review_date": "2020-01-01"}, "The review date is in the past: give the date of the next review."),
        ({"review_date": "not a date"}, "Enter a valid date."),
        ({"title": ""}, "This field is required."),
        ({"title": "Safe\u202etitle"}, "Remove the invisible or control character (U+202E) from this text."),
        ({"body": "x" * 20_001}, "Ensure this value has at most 20000 characters"),
    ],
)
def test_a_bad_clause_is_refused_with_a_clear_message_and_what_was_typed_kept(project, pmo, change, message):
    data = {"title": "Security standard", "body": "MFA for admins.", "language": "en", "owner": pmo.pk, "review_date": (today() + timedelta(days=30)).isoformat()} | change  # fmt: skip
    response = client_for(pmo).post(library_url(project, "rfp:clause_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    kept = {"title": 'value="Security standard"', "body": "MFA for admins.</textarea>", "review_date": f'value="{data["review_date"]}"'}  # fmt: skip
    assert all(shown in html for name, shown in kept.items() if name not in change)  # what was typed stays
    assert not Clause.objects.exists()


def test_an_owner_from_another_firm_is_refused(project, pmo, rival, client_pm):
    for stranger in (rival, client_pm):
        data = {"title": "T", "body": "B", "language": "en", "owner": stranger.pk, "review_date": (today() + timedelta(days=30)).isoformat()}  # fmt: skip
        response = client_for(pmo).post(library_url(project, "rfp:clause_create"), data)
        assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
        with pytest.raises(ValidationError, match="among your firm's active staff"):
            services.clause_create(actor=pmo, title="T", body="B", language="en", owner=stranger, review_date=today() + timedelta(days=30))  # fmt: skip
    assert not Clause.objects.exists()


def test_reviewing_an_overdue_clause_means_saving_it_with_the_next_review_date(project, pmo):
    clause = make_clause(pmo, "Data retention", "Keep logs 1 year.", overdue=True, language="en")
    client = client_for(pmo)
    page = client.get(library_url(project, "rfp:clause_edit", clause_pk=clause.pk)).content.decode()
    assert "This clause was due for review on" in page
    data = {"title": "Data retention", "body": "Keep logs 18 months.", "language": "en", "owner": pmo.pk, "review_date": (today() + timedelta(days=365)).isoformat()}  # fmt: skip
    response = client.post(library_url(project, "rfp:clause_edit", clause_pk=clause.pk), data)
    assert followed_messages(client, response) == ["The clause is saved."]
    clause.refresh_from_db()
    assert clause.body == "Keep logs 18 months." and not services.is_overdue(clause)
    event = AuditEvent.objects.get(verb="rfp.clause_update")
    assert event.before["body"] == "Keep logs 1 year." and event.after["review_date"] == (today() + timedelta(days=365)).isoformat()  # fmt: skip


def test_another_firm_never_sees_a_clause(project, pmo, rival):
    clause = make_clause(pmo, "Meridian secret sauce")
    client = client_for(rival)
    gamma = rival.memberships.get().project
    assert "Meridian secret sauce" not in client.get(library_url(gamma)).content.decode()
    assert client.get(library_url(gamma, "rfp:clause_edit", clause_pk=clause.pk)).status_code == 404
    data = {"title": "Hijacked", "body": "B", "language": "en", "owner": rival.pk, "review_date": (today() + timedelta(days=30)).isoformat()}  # fmt: skip
    assert client.post(library_url(gamma, "rfp:clause_edit", clause_pk=clause.pk), data).status_code == 404
    # Under Alpha's code, where the rival is not a member, the project itself is invisible.
    assert client.get(library_url(project, "rfp:clause_edit", clause_pk=clause.pk)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.clause_update(actor=rival, clause=clause, title="Hijacked", body="B", language="en", owner=rival, review_date=today())  # fmt: skip
    clause.refresh_from_db()
    assert clause.title == "Meridian secret sauce"


def test_who_may_open_the_library(project, pmo, client_pm, security, vendor_a, vendor_b, reader, outsider):
    clause = make_clause(pmo)
    for name, kwargs in [("rfp:clauses", {}), ("rfp:clause_create", {}), ("rfp:clause_edit", {"clause_pk": clause.pk})]:
        expected = {pmo: 200, client_pm: 403, security: 403, vendor_a: 403, vendor_b: 403, reader: 403, outsider: 404}
        got = {person: client_for(person).get(library_url(project, name, **kwargs)).status_code for person in expected}
        assert got == expected, name
        assert client_for(None).get(library_url(project, name, **kwargs)).status_code == 302


# --- inserting a clause into a section ------------------------------------------------------------------------


def test_an_inserted_clause_lands_at_the_end_of_the_section_and_the_client_pm_reads_it_again(project, pmo, client_pm):
    rfp = draft_rfp(project)
    section = rfp.sections.get(key="scope")
    services.section_understood(actor=client_pm, section=section)
    clause = make_clause(pmo, "個人情報", "受託者は個人情報を適切に管理すること。")
    client = client_for(pmo)
    response = client.post(rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk), {"clause": clause.pk})
    assert response["Location"] == rfp_url(rfp, "rfp:section_edit", section_pk=section.pk)
    assert "“個人情報” is added at the end of the section." in followed_messages(client, response)[0]
    after = RfpSection.objects.get(pk=section.pk)
    assert after.body == f"{section.body}\n\n受託者は個人情報を適切に管理すること。"
    assert after.revision == section.revision + 1
    assert after in services.sections_not_understood(rfp, client_pm)
    assert AuditEvent.objects.get(verb="rfp.clause_insert").after == {"section": section.title, "clause": "個人情報", "clause_id": clause.pk, "revision": after.revision}  # fmt: skip


def test_an_overdue_clause_is_refused_until_its_owner_reviews_it(project, pmo, colleague):
    rfp = draft_rfp(project)
    section = rfp.sections.get(key="scope")
    clause = make_clause(colleague, "Old security clause", "MD5 is fine.", overdue=True)
    client = client_for(pmo)
    response = client.post(rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk), {"clause": clause.pk})
    message = followed_messages(client, response)[0]
    assert "“Old security clause” was due for review on" in message and "ask its owner, Colleague, to review it" in message  # fmt: skip
    assert RfpSection.objects.get(pk=section.pk).body == section.body
    assert RfpSection.objects.get(pk=section.pk).revision == section.revision
    assert not AuditEvent.objects.filter(verb="rfp.clause_insert").exists()


def test_inserting_needs_the_pmo_of_the_project_and_a_clause_of_the_firm(project, orgs, pmo, client_pm, security, vendor_a, vendor_b, reader, outsider, rival):  # fmt: skip
    rfp = draft_rfp(project)
    section = rfp.sections.get(key="scope")
    clause = make_clause(pmo)
    expected = {client_pm: 403, security: 403, vendor_a: 404, vendor_b: 404, reader: 404, outsider: 404, rival: 404}
    got = {p: client_for(p).post(rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk), {"clause": clause.pk}).status_code for p in expected}  # fmt: skip
    assert got == expected
    got = {p: client_for(p).get(rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk)).status_code for p in expected}  # fmt: skip
    assert got == expected  # nor may they see the firm's clauses to choose from
    # The rival firm's clause, posted by our PMO: not one of their choices.
    gamma = rival.memberships.get().project
    theirs = make_clause(rival, "Northwind clause")
    client = client_for(pmo)
    response = client.post(rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk), {"clause": theirs.pk})
    assert followed_messages(client, response) == ["Choose one of your firm's clauses."]
    response = client.post(rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk), {"clause": ""})
    assert followed_messages(client, response) == ["Choose a clause to insert."]
    assert RfpSection.objects.get(pk=section.pk).revision == section.revision
    with pytest.raises(PermissionDenied):
        services.clause_insert(actor=pmo, section=section, clause=theirs)
    assert gamma.code == "GAMMA"


def test_a_clause_cannot_go_into_an_rfp_under_review(project, pmo):
    rfp = rfp_in(project, "in_review")
    section = rfp.sections.first()
    with pytest.raises(ValidationError, match="cannot be changed now"):
        services.clause_insert(actor=pmo, section=section, clause=make_clause(pmo))


def test_the_insert_control_offers_current_clauses_and_marks_overdue_ones(project, pmo):
    rfp = draft_rfp(project)
    section = rfp.sections.first()
    current, late = make_clause(pmo, "Current one"), make_clause(pmo, "Late one", overdue=True)
    request = RequestFactory().get("/")
    request.user = pmo
    html = render_to_string("rfp/library/_insert_clause.html", {"rfp": rfp, "section": section, "clauses": services.clause_choices(pmo)}, request=request)  # fmt: skip
    assert f'action="{rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk)}"' in html
    assert f'<option value="{current.pk}" lang="ja">Current one' in html
    assert f'<option value="{late.pk}" lang="ja" disabled>Late one' in html and "review overdue" in html
    nothing = render_to_string("rfp/library/_insert_clause.html", {"rfp": rfp, "section": None, "clauses": services.clause_choices(pmo)}, request=request)  # fmt: skip
    assert "insert-clause" not in nothing  # while a section is being added, there is nothing to insert into yet


def test_the_section_editor_reads_the_clauses_only_when_someone_chooses_one(project, pmo):
    """The editor shows a button; the list comes from the same address: into the card (htmx) or as a page of its own
    (without JavaScript), with the overdue clauses marked, or a word that the library is still empty."""
    rfp = draft_rfp(project)
    section = rfp.sections.first()
    client = client_for(pmo)
    url = rfp_url(rfp, "rfp:clause_insert", section_pk=section.pk)
    with CaptureQueriesContext(connection) as queries:
        editor = client.get(rfp_url(rfp, "rfp:section_edit", section_pk=section.pk))
    assert f'hx-get="{url}"' in editor.content.decode() and 'data-testid="choose-clause"' in editor.content.decode()
    assert not [q for q in queries if "rfp_clause" in q["sql"]]
    empty = client.get(url, headers={"HX-Request": "true"})
    assert 'data-testid="no-clauses"' in empty.content.decode() and "<html" not in empty.content.decode()
    current, late = make_clause(pmo, "Current one"), make_clause(pmo, "Late one", overdue=True)
    card = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'<option value="{current.pk}" lang="ja">Current one' in card and f'<option value="{late.pk}" lang="ja" disabled>Late one' in card  # fmt: skip
    assert card.lstrip().startswith('<section class="card mt-3" data-testid="insert-clause" id="insert-clause">')
    page = client.get(url).content.decode()
    assert "<html" in page and f'<option value="{current.pk}"' in page
    assert rfp_url(rfp, "rfp:section_edit", section_pk=section.pk) in page  # the way back


# --- the weekly reminder ------------------------------------------------------------------------------------------


def _reminded(user=None):
    notes = Notification.objects.filter(kind="rfp.clause_review")
    return notes.filter(recipient=user) if user else notes


def test_an_overdue_clause_reminds_its_owner_once_a_week(project, pmo, colleague):
    late = make_clause(colleague, "Old security clause", overdue=True)
    make_clause(colleague, "Current clause")
    monday = datetime.combine(today() + timedelta(days=7 - today().weekday()), datetime.min.time(), tzinfo=timezone.get_current_timezone())  # fmt: skip
    reminders.send_due_reminders(now=monday + timedelta(hours=9))
    note = _reminded().get()
    assert note.recipient == colleague and note.object_repr == "Old security clause"
    assert "The clause “Old security clause” was due for review on" in note.sentence
    assert note.url == reverse(
        "rfp:clause_edit", kwargs={"code": "HIDDEN", "clause_pk": late.pk}
    )  # where the owner works
    for later in (timedelta(hours=10), timedelta(days=2), timedelta(days=6, hours=23)):  # the rest of that week
        reminders.send_due_reminders(now=monday + later)
    assert _reminded().count() == 1
    reminders.send_due_reminders(now=monday + timedelta(days=7, hours=9))  # the next week: once more
    assert _reminded(colleague).count() == 2 and not _reminded(pmo).exists()
    # Reviewed: no more reminders.
    services.clause_update(actor=colleague, clause=late, title=late.title, body=late.body, language="ja", owner=colleague, review_date=today() + timedelta(days=30))  # fmt: skip
    reminders.send_due_reminders(now=monday + timedelta(days=14, hours=9))
    assert _reminded().count() == 2


def test_an_owner_who_left_the_firm_is_not_reminded(project, pmo, colleague, orgs):
    make_clause(colleague, "Orphan clause", overdue=True)
    colleague.is_active = False
    colleague.save()
    reminders.send_due_reminders(now=timezone.now() + timedelta(days=1))
    assert not _reminded().exists()


# --- query counts ---------------------------------------------------------------------------------------------------


def test_the_library_page_runs_the_same_queries_with_5_and_65_clauses(project, pmo, colleague):
    """Queries: session, user, the user's firm, the membership for the permission, the count of overdue clauses,
    the count and page of clauses (with owners), the count and page of templates (with who saved them), the
    navbar's counts. The same whatever the size of the library."""
    rfp = draft_rfp(project)
    counts = {}
    for size in (5, 65):
        Clause.objects.all().delete()
        RfpTemplate.objects.all().delete()
        for n in range(size):
            make_clause(colleague if n % 2 else pmo, f"Clause {n:03d}", overdue=n % 3 == 0)
            RfpTemplate.objects.create(organization=pmo.organization, name=f"Template {n:03d}", language="ja", sections=[{"key": "", "title": "T", "body": "", "explanation": ""}] * (n % 4 + 1), created_by=colleague if n % 2 else pmo)  # fmt: skip
        client = client_for(pmo)
        client.get(library_url(project))  # warm up (session, cached lookups)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(library_url(project))
        assert response.status_code == 200
        assert response.content.decode().count("data-clause=") == min(size, 50)
        counts[size] = len(queries)
    assert counts[5] == counts[65], counts
    assert rfp.pk
