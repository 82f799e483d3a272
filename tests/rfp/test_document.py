"""The RFP document: written from a template, requirements with stable IDs, weighted criteria, explained to the
client PM section by section, approved, issued only when the dictionary allows it, versions compared."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmo_portal.models import Notification
from projects.models import DictionaryBaseline
from rfp import services
from rfp.models import Requirement, Rfp, RfpSection, RfpStatus, RfpVersion

from ..conftest import client_for
from ..dictionary_factories import approved
from ..rfp_factories import draft_rfp, rfp_in


def url(rfp, name="rfp:detail", **kwargs):
    return reverse(name, kwargs={"code": rfp.project.code, "pk": rfp.pk, **kwargs})


def messages_of(caught) -> list[str]:
    return caught.value.messages


# --- writing it ------------------------------------------------------------------------------------------------


def test_an_rfp_starts_with_the_usual_sections_each_explained(project, pmo):
    rfp = services.rfp_create(actor=pmo, project=project, title="Claims renewal RFP", language="en")
    titles = list(rfp.sections.values_list("title", flat=True))
    assert titles[:3] == ["Background and purpose", "Current state", "Scope"] and titles[-1] == "Contact"
    assert len(titles) == 14 and all(rfp.sections.values_list("explanation", flat=True))
    assert rfp.status == RfpStatus.DRAFT and rfp.version == 0


def test_requirement_ids_are_stable_when_reordered_and_never_reused(project, pmo):
    rfp = services.rfp_create(actor=pmo, project=project, title="RFP", language="ja")
    first = services.requirement_create(actor=pmo, rfp=rfp, category="functional", text="A", priority="must")
    second = services.requirement_create(actor=pmo, rfp=rfp, category="functional", text="B", priority="must")
    other = services.requirement_create(actor=pmo, rfp=rfp, category="non_functional", text="C", priority="could")
    assert (first.code, second.code, other.code) == ("FR-001", "FR-002", "NFR-001")
    services.requirement_move(actor=pmo, requirement=second, by=-1)
    assert list(rfp.requirements.values_list("code", flat=True)) == ["FR-002", "FR-001", "NFR-001"]
    services.requirement_delete(actor=pmo, requirement=second)
    third = services.requirement_create(actor=pmo, rfp=rfp, category="functional", text="D", priority="should")
    assert third.code == "FR-003"  # FR-002 is gone for good: nothing else may ever be called FR-002


def test_the_database_refuses_two_requirements_with_one_id(project, pmo):
    from django.db import IntegrityError, transaction

    rfp = services.rfp_create(actor=pmo, project=project, title="RFP", language="ja")
    services.requirement_create(actor=pmo, rfp=rfp, category="functional", text="A", priority="must")
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(rfp=rfp, code="FR-001", category="functional", text="copy", priority="must")


def test_weights_must_add_up_to_100_and_the_form_keeps_what_was_typed(project, pmo):
    rfp = services.rfp_create(actor=pmo, project=project, title="RFP", language="ja")
    with pytest.raises(ValidationError) as caught:
        services.criteria_save(actor=pmo, rfp=rfp, rows=[{"id": None, "name": "価格", "description": "", "weight": 60}, {"id": None, "name": "技術", "description": "", "weight": 30}])  # fmt: skip
    assert messages_of(caught) == ["The weights add up to 90%: they must add up to 100%."]
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-name": "価格", "form-0-weight": "60", "form-1-name": "技術的な提案", "form-1-weight": "30"}  # fmt: skip
    response = client_for(pmo).post(url(rfp, "rfp:criteria"), data)
    page = response.content.decode()
    assert response.status_code == 422 and "The weights add up to 90%: they must add up to 100%." in page
    assert 'value="技術的な提案"' in page and not rfp.criteria.exists()


def test_markdown_with_script_iframes_and_javascript_links_is_shown_as_text(project, pmo, client_pm):
    rfp = draft_rfp(project)
    section = rfp.sections.first()
    hostile = '# 背景\n<script>alert("x")</script>\n<iframe src="https://evil.example"></iframe>\n[click](javascript:alert(1)) [ok](https://example.com)'  # fmt: skip
    services.section_update(actor=pmo, section=section, title=section.title, body=hostile, explanation="説明")
    preview = client_for(pmo).post(url(rfp, "rfp:preview"), {"body": hostile}).content.decode()
    review = client_for(client_pm).get(url(rfp, "rfp:review")).content.decode()
    for page in (preview, review):
        assert "<script>alert" not in page and "<iframe" not in page and 'href="javascript:' not in page
        assert "&lt;script&gt;" in page and '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in page
        assert "<h3>背景</h3>" in page  # a heading inside a section is a level below the section's own


def test_the_section_editor_shows_the_dictionary_as_it_is_now(project, pmo):
    from django.db.models import F

    from projects.models import Project, Term

    rfp = draft_rfp(project)
    section = rfp.sections.first()
    services.section_update(actor=pmo, section=section, title=section.title, body="保険金と払戻金", explanation="説明")
    client = client_for(pmo)
    editor = url(rfp, "rfp:section_edit", section_pk=section.pk)
    page = client.get(editor).content.decode()
    assert "term-link" not in page and 'data-testid="preview-problems"' not in page
    term = approved(project, "保険金", avoid=["払戻金"])
    for _visit in range(2):  # the second answer comes from what the worker kept
        page = client.get(editor).content.decode()
        assert "term-link" in page and "保険金: the standard definition." in page
        assert "“払戻金” is a word to avoid: write “保険金”." in page
    # Another worker changes the dictionary: here only its version number says so (no save in this process).
    Term.objects.filter(pk=term.pk).update(standard_definition="Changed in another worker.")
    Project.objects.filter(pk=project.pk).update(dictionary_version=F("dictionary_version") + 1)
    page = client.get(editor).content.decode()
    assert "Changed in another worker." in page and "the standard definition" not in page


# --- explaining it to the client PM, approving ---------------------------------------------------------------------


def test_sending_for_review_lists_what_is_missing(project, pmo):
    rfp = services.rfp_create(actor=pmo, project=project, title="RFP", language="en")
    first = rfp.sections.first()
    services.section_update(actor=pmo, section=first, title=first.title, body="", explanation="")
    with pytest.raises(ValidationError) as caught:
        services.rfp_submit(actor=pmo, rfp=rfp)
    assert "Section 1 “Background and purpose” has no text yet." in messages_of(caught)
    assert "Section 1 “Background and purpose” has no explanation for the client PM yet." in messages_of(caught)
    assert "Add the evaluation criteria (their weights add up to 100%)." in messages_of(caught)


def test_approval_needs_every_section_understood_and_a_change_must_be_read_again(project, pmo, client_pm):
    rfp = rfp_in(project, "in_review")
    sections = list(rfp.sections.all())
    for section in sections[1:]:
        services.section_understood(actor=client_pm, section=section)
    with pytest.raises(ValidationError) as caught:
        services.rfp_approve(actor=client_pm, rfp=rfp)
    assert f"Not yet understood: “{sections[0].title}”." in messages_of(caught)[0]
    services.section_understood(actor=client_pm, section=sections[0])
    services.rfp_recall(actor=pmo, rfp=rfp)
    services.section_update(actor=pmo, section=sections[2], title=sections[2].title, body="範囲を変更しました。", explanation="説明")  # fmt: skip
    services.rfp_submit(actor=pmo, rfp=rfp)
    assert [s.pk for s in services.sections_not_understood(rfp, client_pm)] == [sections[2].pk]


def test_only_the_client_pm_approves_and_never_what_they_submitted(project, pmo, client_pm, security):
    rfp = rfp_in(project, "in_review")
    with pytest.raises(PermissionDenied) as caught:
        services.rfp_approve(actor=pmo, rfp=rfp)
    assert str(caught.value) == "Nobody can approve what they submitted. The client PM decides."
    with pytest.raises(PermissionDenied) as caught:
        services.rfp_approve(actor=security, rfp=rfp)
    assert str(caught.value) == "Only the client PM of this project can do this."


def test_the_client_pm_asks_and_the_pmo_answers(project, pmo, client_pm):
    rfp = rfp_in(project, "in_review")
    section = rfp.sections.get(key="budget")
    response = client_for(client_pm).post(url(rfp, "rfp:section_ask", section_pk=section.pk), {"text": "予算の幅は書くべきですか？"})  # fmt: skip
    assert response.status_code == 302
    assert Notification.objects.get(recipient=pmo, kind="rfp.pm_question").params["question"] == "予算の幅は書くべきですか？"
    question = section.pm_questions.get()
    client_for(pmo).post(url(rfp, "rfp:pm_question_answer", question_pk=question.pk), {"answer": "上限だけでも書くと比較しやすくなります。"})  # fmt: skip
    page = client_for(client_pm).get(url(rfp, "rfp:review")).content.decode()
    assert "上限だけでも書くと比較しやすくなります。" in page
    assert Notification.objects.filter(recipient=client_pm, kind="rfp.pm_answer").exists()


def test_the_client_pm_approves_from_the_inbox_and_a_version_is_kept(project, pmo, client_pm):
    rfp = rfp_in(project, "in_review")
    for section in rfp.sections.all():
        client_for(client_pm).post(url(rfp, "rfp:section_understood", section_pk=section.pk))
    response = client_for(client_pm).post(reverse("inbox:approve", kwargs={"kind": "rfp", "pk": rfp.pk}), {"comment": "了解しました。"})  # fmt: skip
    assert response.status_code == 302
    rfp.refresh_from_db()
    assert (rfp.status, rfp.approved_by, rfp.version) == (RfpStatus.APPROVED, client_pm, 1)
    assert RfpVersion.objects.get(rfp=rfp).kind == "approved"


# --- issuing ----------------------------------------------------------------------------------------------------


def _deadlines() -> dict:
    now = timezone.now()
    return {"question_deadline": now + timedelta(days=5), "proposal_deadline": now + timedelta(days=10)}


def test_issuing_is_blocked_while_a_word_to_avoid_remains_and_the_message_names_where(project, pmo, client_pm):
    approved(project, "保険金", avoid=["給付金"])
    rfp = draft_rfp(project)
    scope = rfp.sections.get(key="scope")
    services.section_update(actor=pmo, section=scope, title=scope.title, body="代理店の請求を対象とする。\n給付金の支払も含む。", explanation="説明")  # fmt: skip
    rfp = rfp_in(project, "approved")
    with pytest.raises(ValidationError) as caught:
        services.rfp_issue(actor=pmo, rfp=rfp, **_deadlines())
    assert f"Section 3 “{scope.title}”, line 3: “給付金” is a word to avoid: write “保険金”." in messages_of(caught)
    page = client_for(pmo).get(url(rfp, "rfp:issue")).content.decode()
    assert "line 3: “給付金” is a word to avoid" in page
    rfp.refresh_from_db()
    assert rfp.status == RfpStatus.APPROVED and not DictionaryBaseline.objects.exists()


def test_an_unapproved_term_also_blocks_issuing(project, pmo, client_pm):
    from ..dictionary_factories import proposed

    proposed(project, "免責事由")
    rfp = draft_rfp(project)
    requirement = rfp.requirements.first()
    services.requirement_update(actor=pmo, requirement=requirement, text="免責事由を画面に表示すること。", priority="must", acceptance_criteria="")  # fmt: skip
    rfp = rfp_in(project, "approved")
    with pytest.raises(ValidationError) as caught:
        services.rfp_issue(actor=pmo, rfp=rfp, **_deadlines())
    assert "FR-001, line 1: “免責事由” is not approved by the client PM yet." in messages_of(caught)


def test_issuing_pins_the_dictionary_and_keeps_the_issued_version(project, pmo, client_pm):
    approved(project, "保険金")
    rfp = rfp_in(project, "approved")
    services.rfp_issue(actor=pmo, rfp=rfp, **_deadlines())
    rfp.refresh_from_db()
    assert rfp.status == RfpStatus.ISSUED and rfp.version == 2
    assert rfp.baseline.title == f"RFP発行時点：{rfp.title}" and rfp.baseline.term_count == 1  # in the RFP's language
    assert list(rfp.versions.values_list("kind", flat=True)) == ["issued", "approved"]


def test_deadlines_must_be_in_the_future_and_questions_close_first(project, pmo, client_pm):
    rfp = rfp_in(project, "approved")
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.rfp_issue(actor=pmo, rfp=rfp, question_deadline=now - timedelta(days=1), proposal_deadline=now + timedelta(days=3))  # fmt: skip
    assert messages_of(caught) == ["The deadlines must be in the future."]
    with pytest.raises(ValidationError) as caught:
        services.rfp_issue(actor=pmo, rfp=rfp, question_deadline=now + timedelta(days=9), proposal_deadline=now + timedelta(days=3))  # fmt: skip
    assert messages_of(caught) == ["Questions must close before proposals are due."]


# --- who sees it ----------------------------------------------------------------------------------------------


def test_vendors_see_only_issued_rfps_their_company_is_invited_to(project, orgs, pmo, client_pm, vendor_a, vendor_b, reader):  # fmt: skip
    rfp = rfp_in(project, "approved")
    assert client_for(vendor_a).get(url(rfp)).status_code == 404  # not issued yet
    rfp = rfp_in(project, "issued", invite=[orgs.vendor_a])
    response = client_for(vendor_a).get(url(rfp))
    issued = rfp.versions.get(kind="issued")
    assert response.status_code == 302 and response["Location"] == url(rfp, "rfp:version_detail", number=issued.number)
    assert client_for(vendor_a).get(url(rfp, "rfp:version_detail", number=issued.number)).status_code == 200
    assert client_for(vendor_a).get(url(rfp, "rfp:version_detail", number=1)).status_code == 404  # the approval copy
    assert client_for(vendor_a).get(url(rfp, "rfp:review")).status_code == 403  # the working document is internal
    assert client_for(vendor_b).get(url(rfp)).status_code == 404  # not invited
    assert client_for(reader).get(reverse("rfp:list", kwargs={"code": project.code})).status_code == 403


# --- versions -----------------------------------------------------------------------------------------------------


def test_comparing_two_versions_shows_the_changed_sentences_of_each_changed_section(project, pmo, client_pm, orgs):
    rfp = draft_rfp(project)
    scope = rfp.sections.get(key="scope")
    services.section_update(actor=pmo, section=scope, title=scope.title, body="代理店の請求を対象とする。顧客の直接請求は対象外。運用は別契約とする。", explanation="説明")  # fmt: skip
    rfp = rfp_in(project, "issued", invite=[orgs.vendor_a])
    services.section_update(actor=pmo, section=scope, title=scope.title, body="代理店の請求を対象とする。顧客の直接請求も対象とする。運用は別契約とする。", explanation="説明")  # fmt: skip
    services.version_create(actor=pmo, rfp=rfp, kind="addendum", change_log="質問1への回答による変更")
    page = client_for(client_pm).get(url(rfp, "rfp:compare"), {"a": 2, "b": 3}).content.decode()
    assert "1 section changed." in page
    assert "<del>顧客の直接請求は対象外。</del>" in page and "顧客の直接請求<del>は対象外</del><ins>も対象とする</ins>。" in page  # fmt: skip
    assert "運用は別契約とする。" not in page  # unchanged sentences are not repeated
    assert client_for(client_pm).get(url(rfp, "rfp:compare"), {"a": 2, "b": 9}).status_code == 404


# --- lists --------------------------------------------------------------------------------------------------------


def test_the_rfp_list_runs_the_same_queries_at_5_and_65_rfps(project, pmo, client_pm):
    counts = []
    for size in (5, 65):
        for n in range(Rfp.objects.count(), size):
            Rfp.objects.create(project=project, title=f"RFP {n}", language="ja", created_by=pmo)
        client = client_for(client_pm)
        client.get(reverse("rfp:list", kwargs={"code": project.code}))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("rfp:list", kwargs={"code": project.code})).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts




def test_saving_a_section_unchanged_from_a_browser_keeps_its_revision(project, pmo, client_pm):
    """A browser sends a textarea's line breaks as CRLF: that is not a change, and the client PM's "understood" stays."""
    rfp = draft_rfp(project)
    scope = rfp.sections.get(key="scope")
    services.section_update(actor=pmo, section=scope, title=scope.title, body="- 代理店の請求\n- 顧客の請求", explanation="範囲の説明")
    services.section_understood(actor=client_pm, section=scope)
    scope.refresh_from_db()
    data = {"title": scope.title, "body": scope.body.replace("\n", "\r\n"), "explanation": scope.explanation}
    assert client_for(pmo).post(url(rfp, "rfp:section_edit", section_pk=scope.pk), data).status_code == 302
    assert RfpSection.objects.get(pk=scope.pk).revision == scope.revision
    assert scope.pk not in [s.pk for s in services.sections_not_understood(rfp, client_pm)]


def test_the_review_page_ends_with_the_decision_once_every_section_is_understood(project, pmo, client_pm):
    rfp = rfp_in(project, "in_review")
    page = client_for(client_pm).get(url(rfp, "rfp:review")).content.decode()
    assert 'data-testid="sections-left"' in page and "14 sections are not marked understood yet" in page
    assert "FR-001" in page and "40%" in page  # what is approved: the requirements and the criteria too
    for section in rfp.sections.all():
        services.section_understood(actor=client_pm, section=section)
    page = client_for(client_pm).get(url(rfp, "rfp:review")).content.decode()
    assert 'data-testid="all-understood"' in page and reverse("inbox:approve", kwargs={"kind": "rfp", "pk": rfp.pk}) in page
    assert 'data-testid="all-understood"' not in client_for(pmo).get(url(rfp, "rfp:review")).content.decode()
