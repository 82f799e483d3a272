"""Vendors and an issued RFP: inviting companies, their questions, answers published to every invited vendor without
the asker, addenda, the question deadline, and what a vendor may never reach."""

import html
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganizationKind
from pmo_portal.models import AuditEvent, Notification
from rfp import services
from rfp.models import Answer, Invitation, Rfp, RfpVersion, VendorQuestion, VersionKind

from ..conftest import client_for
from ..factories import OrganizationFactory
from ..rfp_factories import rfp_in

QUESTION = "第3章の「既存データ移行」に、過去10年分の請求履歴は含まれますか？ (Kaito internal ref KS-0042)"
SUMMARY = "既存データ移行の範囲に、過去の請求履歴は含まれますか？"
ANSWER = "はい。過去10年分の請求履歴を移行の対象とします。"


def url(rfp, name, **kwargs):
    return reverse(f"rfp:{name}", kwargs={"code": rfp.project.code, "pk": rfp.pk, **kwargs})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def count_testid(response, name) -> int:
    return response.content.decode().count(f'data-testid="{name}"')


def audit_verbs(rfp) -> list[str]:
    return list(AuditEvent.objects.filter(project=rfp.project, verb__startswith="rfp.").exclude(verb__in=["rfp.create", "rfp.update", "rfp.section_update", "rfp.criteria_save", "rfp.requirement_add", "rfp.submit", "rfp.section_understood", "rfp.approve", "rfp.issue"]).order_by("pk").values_list("verb", flat=True))  # fmt: skip


@pytest.fixture
def everyone(pmo, client_pm, security, vendor_a, vendor_b, reader, outsider):
    """Every persona exists before the RFP is made (the factories take the first PMO and client PM)."""


@pytest.fixture
def issued(project, everyone):
    """Issued, nobody invited yet."""
    return rfp_in(project, "issued")


@pytest.fixture
def for_a(project, orgs, everyone):
    """Issued, vendor A's company invited, vendor B's not."""
    return rfp_in(project, "issued", invite=[orgs.vendor_a])


@pytest.fixture
def for_both(project, orgs, everyone):
    return rfp_in(project, "issued", invite=[orgs.vendor_a, orgs.vendor_b])


def ask(rfp, vendor, text=QUESTION):
    response = client_for(vendor).post(url(rfp, "question_ask"), {"text": text})
    assert response.status_code == 302, page_text(response)
    return VendorQuestion.objects.filter(rfp=rfp).latest("pk")


def answer(rfp, pmo, questions, *, summary=SUMMARY, text=ANSWER, changes_rfp=False):
    data = {"questions": [q.pk for q in questions], "question_summary": summary, "text": text}
    if changes_rfp:
        data["changes_rfp"] = "on"
    response = client_for(pmo).post(url(rfp, "answer_create"), data)
    assert response.status_code == 302, page_text(response)
    return Answer.objects.filter(rfp=rfp).latest("pk")


# --- invitations --------------------------------------------------------------------------------------------------


def test_the_pmo_invites_a_vendor_company_and_only_its_people_are_told(issued, pmo, vendor_a, vendor_b, orgs):
    page = client_for(pmo).get(url(issued, "invitations"))
    assert page.status_code == 200 and count_testid(page, "invite-form") == 1 and "No company is invited yet." in page_text(page)  # fmt: skip
    assert client_for(vendor_a).get(url(issued, "questions")).status_code == 404  # not invited: the RFP is invisible

    response = client_for(pmo).post(url(issued, "invite"), {"vendor": orgs.vendor_a.pk}, follow=True)
    assert "Kaito Systems is invited." in page_text(response)
    assert 'data-vendor="Kaito Systems"' in response.content.decode()
    assert list(Invitation.objects.filter(rfp=issued).values_list("vendor__name", flat=True)) == ["Kaito Systems"]
    assert Notification.objects.filter(recipient=vendor_a, kind="rfp.invited").count() == 1
    assert not Notification.objects.filter(recipient=vendor_b).exists()
    assert audit_verbs(issued) == ["rfp.invite"]
    assert client_for(vendor_a).get(url(issued, "questions")).status_code == 200
    assert client_for(vendor_b).get(url(issued, "questions")).status_code == 404


def test_only_vendor_companies_of_the_project_can_be_invited_and_only_once(issued, pmo, orgs):
    stranger = OrganizationFactory(name="Nobody Here Inc.", kind=OrganizationKind.VENDOR)
    for vendor in (stranger, orgs.client):
        response = client_for(pmo).post(url(issued, "invite"), {"vendor": vendor.pk})
        assert response.status_code == 422
        assert "Choose a vendor company of this project that is not invited yet." in page_text(response)
    services.invitation_create(actor=pmo, rfp=issued, vendor=orgs.vendor_a)
    with pytest.raises(ValidationError) as caught:
        services.invitation_create(actor=pmo, rfp=issued, vendor=orgs.vendor_a)
    assert caught.value.messages == ["Kaito Systems is already invited."]
    with pytest.raises(ValidationError) as caught:
        services.invitation_create(actor=pmo, rfp=issued, vendor=stranger)
    assert "Only a vendor company with people in this project can be invited." in caught.value.messages[0]
    assert Invitation.objects.filter(rfp=issued).count() == 1


def test_only_an_issued_rfp_can_have_invitations(project, pmo, client_pm, orgs, vendor_a):
    approved = rfp_in(project, "approved")
    response = client_for(pmo).post(url(approved, "invite"), {"vendor": orgs.vendor_a.pk})
    assert response.status_code == 422 and "Only an issued RFP can have invitations. Issue it first." in page_text(response)  # fmt: skip
    assert not Invitation.objects.exists()


def test_only_the_pmo_invites(for_a, client_pm, security, vendor_a, orgs):
    for person in (client_pm, security):
        assert client_for(person).get(url(for_a, "invitations")).status_code == 200
        assert client_for(person).post(url(for_a, "invite"), {"vendor": orgs.vendor_b.pk}).status_code == 403
    assert client_for(vendor_a).get(url(for_a, "invitations")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=client_pm, rfp=for_a, vendor=orgs.vendor_b)
    assert Invitation.objects.filter(rfp=for_a).count() == 1


# --- questions and answers --------------------------------------------------------------------------------------


def test_the_whole_question_and_answer_flow_never_shows_who_asked(for_both, pmo, client_pm, vendor_a, vendor_b):
    question = ask(for_both, vendor_a)
    assert Notification.objects.filter(recipient=pmo, kind="rfp.vendor_question").count() == 1
    own = client_for(vendor_a).get(url(for_both, "questions"))
    assert QUESTION in page_text(own) and count_testid(own, "question-state") == 1  # waiting for the answer
    other = client_for(vendor_b).get(url(for_both, "questions"))
    assert other.status_code == 200 and QUESTION not in page_text(other) and "Kaito" not in page_text(other)

    # The PMO side sees who asked; the PMO answers, as a draft first.
    insider = client_for(client_pm).get(url(for_both, "questions"))
    assert 'data-vendor="Kaito Systems"' in insider.content.decode() and QUESTION in page_text(insider)
    draft = answer(for_both, pmo, [question])
    for vendor in (vendor_a, vendor_b):
        assert ANSWER not in page_text(client_for(vendor).get(url(for_both, "questions"))), "a draft is not published"

    response = client_for(pmo).post(url(for_both, "answer_publish", answer_pk=draft.pk), follow=True)
    assert "The answer is published to every invited vendor." in page_text(response)
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.addendum is None
    seen_by_b = page_text(client_for(vendor_b).get(url(for_both, "questions")))
    assert SUMMARY in seen_by_b and ANSWER in seen_by_b
    for trace in (QUESTION, "Kaito", "KS-0042", vendor_a.username, str(vendor_a)):
        assert trace not in seen_by_b, f"vendor B can tell who asked: {trace}"
    seen_by_a = client_for(vendor_a).get(url(for_both, "questions"))
    assert count_testid(seen_by_a, "own-answer") == 1 and ANSWER in page_text(seen_by_a)
    told = Notification.objects.filter(kind="rfp.answer_published").values_list("recipient__username", flat=True)
    assert sorted(told) == ["vendor-a", "vendor-b"]
    assert audit_verbs(for_both) == ["rfp.question", "rfp.answer", "rfp.answer_publish"]


def test_an_answer_that_names_the_asker_is_refused_and_what_was_typed_is_kept(for_both, pmo, vendor_a):
    question = ask(for_both, vendor_a)
    summary = "Kaito Systems さんからの質問：請求履歴は移行対象ですか？"
    response = client_for(pmo).post(url(for_both, "answer_create"), {"questions": [question.pk], "question_summary": summary, "text": ANSWER})  # fmt: skip
    assert response.status_code == 422
    text = page_text(response)
    assert "This names “Kaito Systems”, which would tell every vendor who asked." in text
    assert summary in text and ANSWER in text
    assert not Answer.objects.exists()


def test_an_answer_must_answer_a_question_of_this_rfp(for_both, pmo, vendor_a):
    ask(for_both, vendor_a)
    response = client_for(pmo).post(url(for_both, "answer_create"), {"question_summary": SUMMARY, "text": ANSWER})
    assert response.status_code == 422 and "Choose the question or questions this answers." in page_text(response)
    assert SUMMARY in page_text(response) and not Answer.objects.exists()


def test_a_draft_answer_can_be_withdrawn_and_a_published_one_cannot(for_both, pmo, vendor_a):
    question = ask(for_both, vendor_a)
    draft = answer(for_both, pmo, [question])
    client_for(pmo).post(url(for_both, "answer_delete", answer_pk=draft.pk))
    question.refresh_from_db()
    assert question.answer is None and not Answer.objects.exists()
    published = answer(for_both, pmo, [question])
    client_for(pmo).post(url(for_both, "answer_publish", answer_pk=published.pk))
    response = client_for(pmo).post(url(for_both, "answer_delete", answer_pk=published.pk), follow=True)
    assert "This answer is published: every invited vendor has read it, so it stays." in page_text(response)
    again = client_for(pmo).post(url(for_both, "answer_publish", answer_pk=published.pk), follow=True)
    assert "This answer was already published on" in page_text(again)
    assert Answer.objects.get().published_at is not None


def test_an_answer_that_changes_the_rfp_publishes_an_addendum_with_a_change_log(for_both, pmo, vendor_a, vendor_b):
    question = ask(for_both, vendor_a)
    draft = answer(for_both, pmo, [question], changes_rfp=True)
    # Not edited yet: nothing to publish as an addendum.
    response = client_for(pmo).post(url(for_both, "answer_publish", answer_pk=draft.pk), follow=True)
    assert "This answer changes the RFP, but the RFP is still the same as version 2 that vendors have." in page_text(response)  # fmt: skip
    assert Answer.objects.get().published_at is None and not RfpVersion.objects.filter(kind=VersionKind.ADDENDUM).exists()  # fmt: skip

    section = for_both.sections.get(position=3)
    services.section_update(actor=pmo, section=section, title=section.title, body=section.body + "\n\n過去10年分の請求履歴を移行する。", explanation=section.explanation)  # fmt: skip
    response = client_for(pmo).post(url(for_both, "answer_publish", answer_pk=draft.pk), follow=True)
    assert "with addendum version 3 of the RFP" in page_text(response)
    addendum = RfpVersion.objects.get(rfp=for_both, kind=VersionKind.ADDENDUM)
    assert addendum.number == 3 and Rfp.objects.get(pk=for_both.pk).version == 3
    assert SUMMARY in addendum.change_log and ANSWER in addendum.change_log and QUESTION not in addendum.change_log
    assert "過去10年分の請求履歴を移行する。" in addendum.snapshot["sections"][2]["body"]
    assert Answer.objects.get().addendum == addendum

    for vendor in (vendor_a, vendor_b):
        assert RfpVersion.objects.visible_to(vendor).filter(rfp=for_both, number=3).exists()
        questions_page = client_for(vendor).get(url(for_both, "questions"))
        assert f'href="{url(for_both, "version_detail", number=3)}"' in questions_page.content.decode()
        assert Notification.objects.filter(recipient=vendor, kind="rfp.addendum").count() == 1
        version_page = client_for(vendor).get(url(for_both, "version_detail", number=3))
        assert version_page.status_code == 200 and "過去10年分の請求履歴を移行する。" in page_text(version_page)
    assert audit_verbs(for_both)[-1] == "rfp.answer_publish"


def test_a_question_after_the_deadline_is_refused_and_the_text_is_kept(for_a, vendor_a):
    Rfp.objects.filter(pk=for_a.pk).update(question_deadline=timezone.now() - timedelta(minutes=1))
    response = client_for(vendor_a).post(url(for_a, "question_ask"), {"text": QUESTION})
    assert response.status_code == 422
    text = page_text(response)
    assert "Questions closed on" in text and "Your question was not sent" in text
    assert re.search(r"<textarea[^>]*name=\"text\"[^>]*>\s*" + re.escape(QUESTION), text), "the typed question is kept"
    assert not VendorQuestion.objects.exists()
    later = client_for(vendor_a).get(url(for_a, "questions"))
    assert count_testid(later, "question-form") == 0 and 'data-testid="question-deadline" data-passed="true"' in later.content.decode()  # fmt: skip


def test_an_empty_or_hidden_character_question_is_refused(for_a, vendor_a):
    for text, message in [("   ", "This field is required."), ("請求\u202e履歴", "Remove the invisible or control character (U+202E)")]:  # fmt: skip
        response = client_for(vendor_a).post(url(for_a, "question_ask"), {"text": text})
        assert response.status_code == 422 and message in page_text(response)
    assert not VendorQuestion.objects.exists()


def test_only_invited_vendors_ask_and_only_the_pmo_answers(for_both, pmo, client_pm, vendor_a, vendor_b):
    assert client_for(pmo).post(url(for_both, "question_ask"), {"text": QUESTION}).status_code == 403
    question = ask(for_both, vendor_a)
    data = {"questions": [question.pk], "question_summary": SUMMARY, "text": ANSWER}
    for person in (client_pm, vendor_a, vendor_b):
        assert client_for(person).post(url(for_both, "answer_create"), data).status_code == 403
    draft = answer(for_both, pmo, [question])
    for person in (client_pm, vendor_a, vendor_b):
        assert client_for(person).post(url(for_both, "answer_publish", answer_pk=draft.pk)).status_code == 403
    assert Answer.objects.get().published_at is None


# --- never another vendor's, never for an uninvited vendor -------------------------------------------------


def test_a_vendor_not_invited_cannot_know_any_page_of_the_rfp_exists(for_a, pmo, vendor_a, vendor_b):
    question = ask(for_a, vendor_a)
    draft = answer(for_a, pmo, [question])
    response = client_for(vendor_a).post(url(for_a, "proposal_upload"), {"file": _pdf()})
    assert response.status_code == 302
    proposal = for_a.proposals.get()
    gets = ["invitations", "questions", "proposals"]
    posts = ["invite", "question_ask", "answer_create", "proposal_upload", "proposals_open"]
    client = client_for(vendor_b)
    for name in gets:
        assert client.get(url(for_a, name)).status_code == 404, name
    for name in posts:
        assert client.post(url(for_a, name), {"text": "x", "vendor": "1"}).status_code == 404, name
    for name in ("answer_publish", "answer_delete"):
        assert client.post(url(for_a, name, answer_pk=draft.pk)).status_code == 404, name
    assert client.get(url(for_a, "proposal_download", proposal_pk=proposal.pk)).status_code == 404
    assert client.get(url(for_a, "versions")).status_code == 404


def test_answer_ids_of_another_rfp_are_not_found(project, for_a, pmo, vendor_a):
    question = ask(for_a, vendor_a)
    draft = answer(for_a, pmo, [question])
    other = rfp_in(project, "issued", title="別のRFP")
    assert client_for(pmo).post(url(other, "answer_publish", answer_pk=draft.pk)).status_code == 404
    assert Answer.objects.get().published_at is None


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("提案書.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", content_type="application/pdf")  # fmt: skip


# --- query counts -------------------------------------------------------------------------------------------------


def _questions_and_answers(rfp, pmo, vendors, size: int) -> None:
    """``size`` questions, from the two companies in turn, each with an answer; every other answer published,
    every fourth with an addendum."""
    VendorQuestion.objects.filter(rfp=rfp).delete()
    Answer.objects.filter(rfp=rfp).delete()
    now = timezone.now()
    addendum = RfpVersion.objects.filter(rfp=rfp).first()
    for n in range(size):
        vendor = vendors[n % 2]
        published = n % 2 == 0
        reply = Answer.objects.create(rfp=rfp, question_summary=f"質問 {n}", text=f"回答 {n}", answered_by=pmo, published_at=now if published else None, addendum=addendum if n % 4 == 0 else None)  # fmt: skip
        VendorQuestion.objects.create(rfp=rfp, vendor=vendor.organization, text=f"質問本文 {n}", asked_by=vendor, answer=reply)  # fmt: skip
    for n in range(3):  # unanswered ones, for the answer form's checkboxes
        VendorQuestion.objects.create(rfp=rfp, vendor=vendors[0].organization, text=f"未回答 {n} {size}", asked_by=vendors[0])  # fmt: skip


def test_the_questions_page_runs_the_same_queries_at_5_and_65_rows(for_both, pmo, client_pm, vendor_a, vendor_b):
    """Queries: session, user, the RFP and the role checks, the two pages of questions and answers (with their
    counts), the answers' questions, the answer form's unanswered questions, the navigation's checks."""
    counts = {}
    for size in (5, 65):
        _questions_and_answers(for_both, pmo, [vendor_a, vendor_b], size)
        for person in (pmo, client_pm, vendor_a):
            client = client_for(person)
            client.get(url(for_both, "questions"))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(for_both, "questions"))
            assert response.status_code == 200
            counts[person.username, size] = len(queries)
            if person == vendor_a:
                assert count_testid(response, "question") == min(size // 2 + size % 2 + 3, 50)
    for person in (pmo, client_pm, vendor_a):
        assert counts[person.username, 5] == counts[person.username, 65], counts


def test_the_invitations_page_runs_the_same_queries_at_5_and_65_rows(issued, pmo, client_pm):
    counts = {}
    for size in (5, 65):
        Invitation.objects.filter(rfp=issued).delete()
        for n in range(size):
            company = OrganizationFactory(name=f"Vendor {size:03d}-{n:03d}", kind=OrganizationKind.VENDOR)
            Invitation.objects.create(rfp=issued, vendor=company, invited_by=pmo)
        for person in (pmo, client_pm):
            client = client_for(person)
            client.get(url(issued, "invitations"))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(issued, "invitations"))
            assert count_testid(response, "invitation") == min(size, 50)
            counts[person.username, size] = len(queries)
    assert counts["pmo", 5] == counts["pmo", 65] and counts["pm", 5] == counts["pm", 65], counts
