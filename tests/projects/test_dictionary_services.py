"""The dictionary's state changes: propose, change, approve, reject, withdraw, deprecate, delete, decide in bulk,
freeze releases, copy from another dictionary. Each guard is tested with the message people read."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection

from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import AuditEvent, Notification
from projects import services
from projects.models import (
    BaselineTerm,
    ProposalKind,
    ProposalStatus,
    SharedGlossary,
    Term,
    TermCategory,
    TermProposal,
    TermStatus,
)
from projects.services.dictionary import term_content

from ..dictionary_factories import approved, content, proposed
from ..factories import MembershipFactory, ProjectFactory, UserFactory


def messages_of(caught) -> str:
    return " ".join(caught.value.messages)


# --- proposing ----------------------------------------------------------------------------------------------


def test_a_proposed_term_waits_for_the_client_pm_and_tells_them(project, pmo, client_pm, vendor_a):
    proposal = services.term_propose(actor=pmo, project=project, content=content("保険金"), note="基本用語です。")
    term = proposal.term
    assert term.status == TermStatus.PROPOSED and term.version == 0 and term.owner == pmo
    assert proposal.kind == ProposalKind.NEW and proposal.status == ProposalStatus.PENDING
    assert Notification.objects.get(recipient=client_pm).kind == "term.proposed"
    assert not Notification.objects.filter(recipient=vendor_a).exists()
    assert AuditEvent.objects.filter(verb="term.propose", object_id=str(term.pk)).exists()


def test_only_pmo_staff_propose_terms(project, client_pm, vendor_a):
    for person in (client_pm, vendor_a):
        with pytest.raises(PermissionDenied) as caught:
            services.term_propose(actor=person, project=project, content=content())
        assert str(caught.value) == "Only PMO staff of this project can change its dictionary."
    assert not Term.objects.exists()


@pytest.mark.parametrize("spelling", ["ＡＰＩ", "api", " API ", "Api"])
def test_the_same_term_in_another_case_or_width_is_a_duplicate(project, pmo, spelling):
    proposed(project, "API")
    with pytest.raises(ValidationError) as caught:
        proposed(project, spelling)
    assert caught.value.message_dict == {"name": [f"“{spelling}” is already in this dictionary."]}


def test_a_term_cannot_take_another_terms_synonym_or_word_to_avoid(project, pmo, client_pm):
    approved(project, "保険金", synonyms=["給付金"], avoid=["保険料"])
    with pytest.raises(ValidationError) as caught:
        proposed(project, "給付金")
    assert "already a synonym of “保険金”" in messages_of(caught)
    with pytest.raises(ValidationError) as caught:
        proposed(project, "保険料")
    assert "is a word to avoid (writers must use “保険金” instead)" in messages_of(caught)
    with pytest.raises(ValidationError) as caught:
        proposed(project, "支払金", synonyms=["ほけんきん", "給付金"])
    assert caught.value.message_dict == {"synonyms": ["“給付金” already belongs to the term “保険金”."]}


def test_an_ambiguous_word_to_avoid_may_point_to_several_terms(project, pmo, client_pm):
    approved(project, "保険金支払", avoid=["支払"])
    second = approved(project, "給付金支払", avoid=["支払"])
    assert second.avoid == ["支払"]


def test_content_rules_come_back_on_their_fields(project, pmo):
    cases = [
        ({"standard_definition": "", "adopted": "standard"}, "standard_definition", "Write the standard definition, or adopt the client's one."),  # fmt: skip
        ({"adopted": "client", "client_definition": ""}, "client_definition", "Write the client's definition, or adopt the standard one."),  # fmt: skip
        ({"client_definition": "当社独自の意味", "rationale": ""}, "rationale", "The client reads this word differently: say why the project adopts the definition it chose."),  # fmt: skip
        ({"synonyms": ["保険金"]}, "synonyms", "The term itself cannot be one of its own synonyms or words to avoid."),
        ({"synonyms": ["給付"], "avoid": ["給付"]}, "avoid", "“給付” is both a synonym and a word to avoid: choose one."),
        ({"standard_definition": "x" * 1_048_576}, "standard_definition", "Ensure this value has at most 10000 characters (it has 1048576)."),  # fmt: skip
        ({"name": "保険\u202e金"}, "name", "Remove the invisible or control character (U+202E) from this text."),
    ]
    for values, field, message in cases:
        with pytest.raises(ValidationError) as caught:
            services.term_propose(actor=pmo, project=project, content=content("保険金") | values)
        assert message in caught.value.message_dict[field], values
    assert not Term.objects.exists()


def test_a_category_and_related_terms_must_be_of_the_same_dictionary(project, hidden_project, pmo, client_pm):
    foreign_category = TermCategory.objects.create(project=hidden_project, name="Warehouse")
    foreign_term = approved(hidden_project, "在庫")
    with pytest.raises(ValidationError) as caught:
        proposed(project, "保険金", category=foreign_category)
    assert caught.value.message_dict["category"] == ["Choose a category of this dictionary."]
    with pytest.raises(ValidationError) as caught:
        proposed(project, "保険金", relations=[{"kind": "see_also", "term": foreign_term.pk}])
    assert caught.value.message_dict["relations"] == ["A related term must be another term of this dictionary."]


# --- changing an approved term ----------------------------------------------------------------------------------


def test_a_change_to_an_approved_term_waits_and_the_approved_version_stays_in_force(project, pmo, client_pm, vendor_a):
    term = approved(project, "保険金", standard_definition="保険契約に基づいて支払われる金銭。")
    changed = term_content(term) | {"standard_definition": "保険契約に基づいて保険会社が支払う金銭。"}
    proposal = services.term_update(actor=pmo, term=term, content=changed, note="主語を明確にしました。")
    term.refresh_from_db()
    assert proposal.kind == ProposalKind.CHANGE and proposal.is_pending and proposal.base_version == 1
    assert term.standard_definition == "保険契約に基づいて支払われる金銭。" and term.version == 1
    assert Term.objects.visible_to(vendor_a).get().standard_definition == "保険契約に基づいて支払われる金銭。"

    services.term_proposal_approve(actor=client_pm, proposal=proposal, comment="了解")
    term.refresh_from_db()
    assert term.standard_definition == "保険契約に基づいて保険会社が支払う金銭。"
    assert (term.version, term.approved_by, term.status) == (2, client_pm, TermStatus.APPROVED)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version, proposal.decided_by) == (ProposalStatus.APPROVED, 2, client_pm)
    assert Notification.objects.filter(recipient=pmo, kind="term.decided").count() == 2


def test_a_second_edit_revises_the_waiting_change_instead_of_stacking_another(project, pmo, client_pm):
    term = approved(project, "保険金")
    first = services.term_update(actor=pmo, term=term, content=term_content(term) | {"reading": "ほけんきん"})
    second = services.term_update(actor=pmo, term=term, content=term_content(term) | {"reading": "ほけんきん", "abbreviation": "HK"})  # fmt: skip
    assert first.pk == second.pk and second.abbreviation == "HK"
    assert TermProposal.objects.filter(term=term, status="pending").count() == 1
    assert Notification.objects.filter(recipient=client_pm, kind="term.proposed").count() == 2  # the new term, the change


def test_changing_it_back_withdraws_the_waiting_change(project, pmo, client_pm):
    term = approved(project, "保険金")
    services.term_update(actor=pmo, term=term, content=term_content(term) | {"reading": "ほけんきん"})
    back = services.term_update(actor=pmo, term=term, content=term_content(term))
    assert back.status == ProposalStatus.WITHDRAWN
    with pytest.raises(ValidationError) as caught:
        services.term_update(actor=pmo, term=term, content=term_content(term))
    assert messages_of(caught) == "Nothing changed: the text is the same as the version in force."


def test_a_rejected_new_term_becomes_a_draft_and_is_proposed_again_when_edited(project, pmo, client_pm):
    proposal = proposed(project, "査定")
    with pytest.raises(ValidationError) as caught:
        services.term_proposal_reject(actor=client_pm, proposal=proposal, comment="  ")
    assert caught.value.message_dict == {"comment": ["Say why you reject it, so that the PMO team can put it right."]}
    services.term_proposal_reject(actor=client_pm, proposal=proposal, comment="定義が広すぎます。")
    term = Term.objects.get()
    assert term.status == TermStatus.DRAFT
    again = services.term_update(actor=pmo, term=term, content=term_content(term) | {"standard_definition": "支払の可否を決めること。"})  # fmt: skip
    term.refresh_from_db()
    assert term.status == TermStatus.PROPOSED and again.kind == ProposalKind.NEW and again.pk != proposal.pk


def test_nobody_decides_their_own_proposal_and_only_the_client_pm_decides(project, pmo, client_pm, security):
    proposal = proposed(project, "査定")
    with pytest.raises(PermissionDenied) as caught:
        services.term_proposal_approve(actor=pmo, proposal=proposal)
    assert str(caught.value) == "Nobody can approve their own proposal. The client PM decides."
    with pytest.raises(PermissionDenied) as caught:
        services.term_proposal_approve(actor=security, proposal=proposal)
    assert str(caught.value) == "Only the client PM of this project can approve dictionary terms."


def test_a_late_decision_hears_who_decided_first(project, pmo, client_pm):
    proposal = proposed(project, "査定")
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    with pytest.raises(AlreadyDecided) as caught:
        services.term_proposal_reject(actor=client_pm, proposal=proposal, comment="遅すぎ")
    assert messages_of(caught) == "This proposal was already decided by Pm (Approved)."


def test_a_withdrawn_proposal_cannot_be_decided_and_says_so(project, pmo, client_pm):
    term = approved(project, "保険金")
    proposal = services.term_update(actor=pmo, term=term, content=term_content(term) | {"reading": "ほけんきん"})
    services.term_proposal_withdraw(actor=pmo, proposal=proposal)
    with pytest.raises(AlreadyDecided) as caught:
        services.term_proposal_approve(actor=client_pm, proposal=proposal)
    assert messages_of(caught) == "The PMO withdrew this proposal."


def test_approving_a_change_tells_the_authors_of_documents_that_use_the_term(project, pmo, client_pm, security):
    from ..factories import SignOffFactory

    term = approved(project, "保険金")
    SignOffFactory(project=project, requested_by=security, title="保険金支払の運用ルール", summary="保険金の支払手順を確認してください。")  # fmt: skip
    SignOffFactory(project=project, requested_by=security, title="無関係な議事録", summary="関係のない内容。")
    proposal = services.term_update(actor=pmo, term=term, content=term_content(term) | {"standard_definition": "新しい定義。"})  # fmt: skip
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    told = Notification.objects.get(recipient=security, kind="term.changed")
    assert told.params["document"] == "保険金支払の運用ルール" and told.params["fields"] == ["standard_definition"]
    assert told.sentence == "The term “保険金” that “保険金支払の運用ルール” uses has changed (standard definition). Check that your text still says what you mean."


# --- deprecating and deleting -------------------------------------------------------------------------------


def test_a_deprecation_is_approved_like_a_change_and_names_the_replacement(project, pmo, client_pm):
    old, new = approved(project, "支払保険金"), approved(project, "保険金")
    with pytest.raises(ValidationError) as caught:
        services.term_deprecate(actor=pmo, term=old, replaced_by=new, note=" ")
    assert caught.value.message_dict == {"note": ["Say why the term should no longer be used."]}
    proposal = services.term_deprecate(actor=pmo, term=old, replaced_by=new, note="「保険金」に統一")
    assert proposal.kind == ProposalKind.DEPRECATE
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    old.refresh_from_db()
    assert old.status == TermStatus.DEPRECATED and old.related_ids("replaced_by") == [new.pk] and old.version == 2
    with pytest.raises(ValidationError) as caught:
        services.term_update(actor=pmo, term=old, content=term_content(old) | {"reading": "x"})
    assert messages_of(caught) == "“支払保険金” is deprecated: it can no longer be changed."


def test_only_a_term_never_approved_can_be_deleted(project, pmo, client_pm):
    draft = proposed(project, "査定").term
    kept = approved(project, "保険金")
    with pytest.raises(ValidationError) as caught:
        services.term_delete(actor=pmo, term=kept)
    assert messages_of(caught) == "An approved term cannot be deleted: documents may use it. Deprecate it instead."
    services.term_delete(actor=pmo, term=draft)
    assert list(Term.objects.values_list("name", flat=True)) == ["保険金"]
    assert AuditEvent.objects.filter(verb="term.delete", object_repr="査定").exists()


# --- deciding many at once ----------------------------------------------------------------------------------


def test_the_client_pm_approves_many_at_once_and_the_pmo_hears_once(project, pmo, client_pm):
    proposals = [proposed(project, name) for name in ("査定", "免責", "契約者")]
    already = proposals[0]
    services.term_proposal_approve(actor=client_pm, proposal=already)
    Notification.objects.all().delete()
    result = services.term_proposals_decide(actor=client_pm, project=project, proposal_ids=[p.pk for p in proposals], approve=True, comment="まとめて承認")  # fmt: skip
    assert sorted(p.name for p in result.decided) == ["免責", "契約者"]
    assert result.skipped == ["査定: This proposal was already decided by Pm (Approved)."]
    assert set(Term.objects.values_list("status", flat=True)) == {TermStatus.APPROVED}
    told = Notification.objects.get(recipient=pmo)
    assert told.kind == "term.decided_many" and told.params["count"] == 2


def test_rejecting_many_needs_a_reason_and_ignores_other_projects(project, hidden_project, pmo, client_pm):
    mine = proposed(project, "査定")
    MembershipFactory(project=hidden_project, role="pmo")
    theirs = proposed(hidden_project, "在庫")
    with pytest.raises(ValidationError) as caught:
        services.term_proposals_decide(actor=client_pm, project=project, proposal_ids=[mine.pk], approve=False, comment="")  # fmt: skip
    assert caught.value.message_dict == {"comment": ["Say why you reject them, so that the PMO team can put them right."]}  # fmt: skip
    result = services.term_proposals_decide(actor=client_pm, project=project, proposal_ids=[mine.pk, theirs.pk], approve=False, comment="再検討")  # fmt: skip
    assert [p.pk for p in result.decided] == [mine.pk]
    theirs.refresh_from_db()
    assert theirs.is_pending


# --- categories, releases, copies ----------------------------------------------------------------------------


def test_category_names_are_unique_ignoring_width_and_case(project, pmo):
    services.term_category_create(actor=pmo, project=project, name="Claims")
    with pytest.raises(ValidationError) as caught:
        services.term_category_create(actor=pmo, project=project, name="ＣＬＡＩＭＳ")
    assert "This dictionary already has a category of this name." in messages_of(caught)


def test_releases_are_numbered_and_keep_the_approved_terms_as_they_were(project, pmo, client_pm):
    with pytest.raises(ValidationError) as caught:
        services.dictionary_baseline_create(actor=pmo, project=project, title="Kick-off")
    assert messages_of(caught) == "The dictionary has no approved term yet: there is nothing to freeze."
    term = approved(project, "保険金", standard_definition="旧定義")
    proposed(project, "未承認")
    first = services.dictionary_baseline_create(actor=pmo, project=project, title="Kick-off")
    proposal = services.term_update(actor=pmo, term=term, content=term_content(term) | {"standard_definition": "新定義"})
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    second = services.dictionary_baseline_create(actor=pmo, project=project, title="RFP issue")
    assert (first.number, second.number) == (1, 2) and first.term_count == 1
    assert BaselineTerm.objects.get(baseline=first).content["standard_definition"] == "旧定義"
    assert BaselineTerm.objects.get(baseline=second).content["standard_definition"] == "新定義"


def test_a_new_project_starts_from_another_projects_dictionary_as_proposals(project, orgs, pmo, client_pm):
    source = ProjectFactory(code="BETA", client=orgs.client, pmo_firm=orgs.pmo)
    MembershipFactory(project=source, user=pmo, role="pmo")
    MembershipFactory(project=source, role="client_pm")
    category = TermCategory.objects.create(project=source, name="請求")
    broad = approved(source, "保険金", category=category)
    approved(source, "死亡保険金", relations=[{"kind": "broader", "term": broad.pk}])
    proposed(source, "未承認の用語")
    approved(project, "保険金")  # already here: skipped

    result = services.dictionary_copy_from(actor=pmo, project=project, source=source)

    assert result == {"copied": 1, "skipped": ["保険金"]}
    copied = Term.objects.get(project=project, name="死亡保険金")
    assert copied.status == TermStatus.PROPOSED and copied.relations == []  # its broader term was not copied
    assert Notification.objects.get(recipient=client_pm, kind="term.proposed_many").params["count"] == 1


def test_copying_needs_pmo_staff_of_both_projects(project, orgs, pmo):
    source = ProjectFactory(code="BETA", client=orgs.client, pmo_firm=orgs.pmo)
    with pytest.raises(PermissionDenied) as caught:
        services.dictionary_copy_from(actor=pmo, project=project, source=source)
    assert str(caught.value) == "You can copy only from projects where you are PMO staff."


def test_a_shared_glossary_carries_approved_terms_to_another_project(project, orgs, pmo, client_pm):
    category = services.term_category_create(actor=pmo, project=project, name="請求")
    broad = approved(project, "保険金", category=category)
    approved(project, "死亡保険金", category=category, relations=[{"kind": "broader", "term": broad.pk}])
    glossary = services.shared_glossary_create(actor=pmo, project=project, name="損保の基本用語")
    assert glossary.term_count == 2 and glossary.organization == orgs.pmo
    assert list(SharedGlossary.objects.visible_to(client_pm)) == []

    target = ProjectFactory(code="GAMMA", client=orgs.client, pmo_firm=orgs.pmo)
    MembershipFactory(project=target, user=pmo, role="pmo")
    result = services.dictionary_copy_from(actor=pmo, project=target, source=glossary)
    assert result["copied"] == 2
    child = Term.objects.get(project=target, name="死亡保険金")
    assert child.category.name == "請求" and child.category.project == target
    assert child.relations == [{"kind": "broader", "term": Term.objects.get(project=target, name="保険金").pk}]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL)")
def test_two_decisions_at_once_make_exactly_one(transactional_db, project, pmo, client_pm):
    """Two client PMs decide the same proposal at the same moment: one wins, the other hears who was first."""
    second_pm = UserFactory(username="pm2", organization=project.client)
    MembershipFactory(project=project, user=second_pm, role="client_pm")
    proposal = proposed(project, "査定")
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(person, service, **kwargs):
        try:
            barrier.wait(timeout=10)
            service(actor=person, proposal=proposal, **kwargs)
            outcomes.append("decided")
        except AlreadyDecided as error:
            outcomes.append(error.messages[0])
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=decide, args=(client_pm, services.term_proposal_approve)),
        threading.Thread(target=decide, args=(second_pm, services.term_proposal_reject), kwargs={"comment": "No."}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("decided") == 1 and "already decided by" in sorted(outcomes)[0], outcomes
    assert AuditEvent.objects.filter(verb__in=["term.approve", "term.reject"]).count() == 1
    assert TermProposal.objects.get().status in (ProposalStatus.APPROVED, ProposalStatus.REJECTED)


def test_the_owner_changes_at_once_without_asking_the_client_pm(project, orgs, pmo, client_pm):
    colleague = MembershipFactory(project=project, role="pmo", organization=orgs.pmo).user
    term = approved(project, "保険金")
    assert services.term_update(actor=pmo, term=term, content=term_content(term), owner=colleague) is None
    term.refresh_from_db()
    assert term.owner == colleague and not TermProposal.objects.filter(status="pending").exists()
    assert AuditEvent.objects.filter(verb="term.owner", object_id=str(term.pk)).exists()
    with pytest.raises(ValidationError) as caught:
        services.term_update(actor=pmo, term=term, content=term_content(term), owner=client_pm)
    assert caught.value.message_dict == {"owner": ["The owner of a term must be PMO staff of this project."]}


def test_list_entries_are_checked_like_text_fields(project, pmo):
    cases = [
        ({"synonyms": ["給付\u200b金"]}, "synonyms", "Remove the invisible or control character (U+200B) from this text."),
        ({"examples": ["例\x00"]}, "examples", "Remove the invisible or control character (U+0000) from this text."),
        ({"equivalents": [{"language": "fr", "text": "prestation", "exact": True}]}, "equivalents", "Each equivalent needs a language of the project and a text of at most 200 characters."),  # fmt: skip
        ({"equivalents": [{"language": "en", "text": "Benefit\u202e", "exact": True}]}, "equivalents", "Remove the invisible or control character (U+202E) from this text."),  # fmt: skip
        ({"equivalents": ["Benefit"]}, "equivalents", "Write each entry as text."),
    ]
    for values, field, message in cases:
        with pytest.raises(ValidationError) as caught:
            services.term_propose(actor=pmo, project=project, content=content("保険金") | values)
        assert caught.value.message_dict[field] == [message], values
    assert not Term.objects.exists()


def test_refusals_speak_the_actors_language(project, client_pm):
    from django.utils import translation

    with translation.override("ja"), pytest.raises(PermissionDenied) as caught:
        services.term_propose(actor=client_pm, project=project, content=content())
    assert str(caught.value) == "用語集を変更できるのは、このプロジェクトのPMOスタッフのみです。"
