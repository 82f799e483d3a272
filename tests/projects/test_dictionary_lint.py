"""Term linking and lint: the dictionary found in a Japanese and an English paragraph, as each viewer may see it."""

import re
from types import SimpleNamespace

import pytest

from projects import services
from projects.dictionary_lint import dictionary_matcher, find_in_text, lint, render_linked
from projects.models import Term, TermStatus

from ..dictionary_factories import approved, proposed

pytestmark = pytest.mark.django_db

JAPANESE = (
    "保険契約者から事故受付の連絡を受けたら、担当者は三営業日以内に支払査定を行う。\n"
    "査定の結果、保険金支払が決まった場合は、免責金額を差し引いた保険金を契約者へ振り込む。\n"
    "加入者への払い出しは月末にまとめず、FNOL の記録と照合する。"
)
ENGLISH = (
    "When a policyholder reports a loss, log the First Notice of Loss (FNOL) within 24 hours.\n"
    "The claim payment follows the loss adjustment; do not call it a payout.\n"
    "Claims handlers share rapid updates with the insurer's systems through the API."
)
CLIENT_READING = "支払可否の判断に加え、支払額の社内決裁までを含む。"


def _en(text: str) -> list[dict]:
    return [{"language": "en", "text": text, "exact": True}]


@pytest.fixture
def terms(project, pmo, client_pm):
    """The claims dictionary of the project: approved terms, one deprecated, one still waiting for the client PM."""
    t = SimpleNamespace()
    t.benefit = approved(project, "保険金", reading="ほけんきん", equivalents=_en("insurance benefit"))
    t.payment = approved(project, "保険金支払", reading="ほけんきんしはらい", equivalents=_en("claim payment"), avoid=["払い出し", "payout"])  # fmt: skip
    t.policyholder = approved(project, "保険契約者", reading="ほけんけいやくしゃ", synonyms=["契約者"], equivalents=_en("policyholder"), avoid=["加入者"])  # fmt: skip
    t.fnol = approved(project, "初期事故報告", reading="しょきじこほうこく", abbreviation="FNOL", equivalents=_en("First Notice of Loss"))  # fmt: skip
    t.adjustment = approved(project, "査定", reading="さてい", equivalents=_en("loss adjustment"))
    t.assessment = approved(
        project, "支払査定", reading="しはらいさてい",
        standard_definition="保険金の支払可否と金額を決めること。", client_definition=CLIENT_READING,
        adopted="client", rationale="The client's approval workflow is part of the assessment.",
    )  # fmt: skip
    t.claim = approved(project, "Claim", language="en", standard_definition="A request for payment under a policy.")
    t.api = approved(project, "Application Programming Interface", language="en", abbreviation="API")
    t.intake = approved(project, "事故受付", reading="じこうけつけ", equivalents=_en("claim intake"))
    proposal = services.term_deprecate(actor=pmo, term=t.intake, replaced_by=t.fnol, note="Use the industry term.")
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    t.intake.refresh_from_db()
    t.deductible = proposed(project, "免責金額", reading="めんせききんがく", synonyms=["免責額"]).term
    return t


def _rows(findings):
    return [(f.text, f.kind, f.start, f.end, f.line, f.column, f.term.name) for f in findings]


def _links(html: str) -> list[tuple[str, str, str]]:
    """(kind, term id, words) of every linked or marked word, in order."""
    pattern = r'<span class="term-ref" data-kind="([a-z]+)" data-term="(\d+)"><(?:a|mark) [^>]*>([^<]*)</(?:a|mark)>'
    return re.findall(pattern, html)


# --- finding words in a paragraph ------------------------------------------------------------------------


def test_it_finds_terms_synonyms_and_problems_in_a_japanese_paragraph(terms, project, pmo):
    assert _rows(find_in_text(project, JAPANESE, pmo)) == [
        ("保険契約者", "term", 0, 5, 1, 1, "保険契約者"),
        ("契約者", "synonym", 2, 5, 1, 3, "保険契約者"),  # inside the term: overlapping words are all reported
        ("事故受付", "deprecated", 7, 11, 1, 8, "事故受付"),
        ("支払査定", "term", 31, 35, 1, 32, "支払査定"),
        ("査定", "term", 33, 35, 1, 34, "査定"),
        ("査定", "term", 40, 42, 2, 1, "査定"),
        ("保険金支払", "term", 46, 51, 2, 7, "保険金支払"),
        ("保険金", "term", 46, 49, 2, 7, "保険金"),
        ("免責金額", "unapproved", 60, 64, 2, 21, "免責金額"),
        ("保険金", "term", 70, 73, 2, 31, "保険金"),
        ("契約者", "synonym", 74, 77, 2, 35, "保険契約者"),
        ("加入者", "avoid", 84, 87, 3, 1, "保険契約者"),
        ("払い出し", "avoid", 89, 93, 3, 6, "保険金支払"),
        ("FNOL", "abbreviation", 102, 106, 3, 19, "初期事故報告"),
    ]


def test_it_finds_abbreviations_equivalents_and_plurals_in_an_english_paragraph(terms, project, pmo):
    assert _rows(find_in_text(project, ENGLISH, pmo)) == [
        ("policyholder", "equivalent", 7, 19, 1, 8, "保険契約者"),  # the English word of a Japanese term
        ("First Notice of Loss", "equivalent", 44, 64, 1, 45, "初期事故報告"),
        ("FNOL", "abbreviation", 66, 70, 1, 67, "初期事故報告"),
        ("claim payment", "equivalent", 93, 106, 2, 5, "保険金支払"),
        ("claim", "term", 93, 98, 2, 5, "Claim"),
        ("loss adjustment", "equivalent", 119, 134, 2, 31, "査定"),
        ("payout", "avoid", 153, 159, 2, 65, "保険金支払"),
        ("Claims", "term", 161, 167, 3, 1, "Claim"),  # plural, capitalised
        ("API", "abbreviation", 236, 239, 3, 76, "Application Programming Interface"),  # not in "rapid"
    ]


def test_positions_are_those_of_the_text_as_written(terms, project, pmo):
    for text in (JAPANESE, ENGLISH):
        for finding in find_in_text(project, text, pmo):
            assert text[finding.start : finding.end] == finding.text


def test_full_width_and_half_width_spellings_are_found_at_their_own_positions(terms, project, pmo):
    text = "外部ＡＰＩ連携と Ｆｎｏｌ"
    assert _rows(find_in_text(project, text, pmo)) == [
        ("ＡＰＩ", "abbreviation", 2, 5, 1, 3, "Application Programming Interface"),
        ("Ｆｎｏｌ", "abbreviation", 9, 13, 1, 10, "初期事故報告"),
    ]


def test_nothing_is_found_in_an_empty_text_or_one_without_dictionary_words(terms, project, pmo):
    assert find_in_text(project, "", pmo) == []
    assert find_in_text(project, "rapid capital, 明日の会議室。", pmo) == []


def test_a_dictionary_is_not_found_in_another_projects_text(terms, hidden_project, outsider):
    assert find_in_text(hidden_project, JAPANESE, outsider) == []


# --- lint: the problems only ---------------------------------------------------------------------------------


def test_lint_keeps_only_the_problems_of_the_paragraph(terms, project, pmo):
    problems = lint(project, JAPANESE + "\n" + ENGLISH, pmo)
    assert [(f.text, f.kind, f.line, f.column) for f in problems] == [
        ("事故受付", "deprecated", 1, 8),
        ("免責金額", "unapproved", 2, 21),
        ("加入者", "avoid", 3, 1),
        ("払い出し", "avoid", 3, 6),
        ("payout", "avoid", 5, 65),
    ]
    assert all(f.is_problem for f in problems)


def test_a_word_to_avoid_names_the_term_to_write_instead(terms, project, pmo):
    (payout,) = [f for f in lint(project, ENGLISH, pmo) if f.text == "payout"]
    assert payout.replacements == [terms.payment]
    assert payout.message == "“payout” is a word to avoid: write “保険金支払”."


def test_a_deprecated_term_is_a_problem_that_names_its_replacement(terms, project, pmo, vendor_a):
    assert terms.intake.status == TermStatus.DEPRECATED
    for viewer in (pmo, vendor_a):  # a deprecated term is published: vendors are told too
        (intake,) = lint(project, "事故受付の手順を見直す。", viewer)
        assert (intake.kind, intake.start, intake.end, intake.replacements) == ("deprecated", 0, 4, [terms.fnol])
        assert intake.message == "“事故受付” is deprecated: write “初期事故報告”."


def test_the_english_word_of_a_deprecated_term_is_a_problem_too(terms, project, pmo, vendor_a):
    """An English writer who uses the deprecated term's English word must be told, as a Japanese writer is."""
    for viewer in (pmo, vendor_a):
        found = find_in_text(project, "Route every claim intake to the FNOL queue.", viewer)
        assert [(f.text, f.kind, f.start, f.end, f.replacements) for f in found] == [
            ("claim intake", "deprecated", 12, 24, [terms.fnol]),
            ("claim", "term", 12, 17, []),
            ("FNOL", "abbreviation", 32, 36, []),
        ]


def test_a_deprecated_term_without_a_replacement_says_not_to_use_it(terms, project, pmo, client_pm):
    proposal = services.term_deprecate(actor=pmo, term=terms.benefit, replaced_by=None, note="Ambiguous.")
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    (benefit,) = lint(project, "保険金の請求", pmo)
    assert (benefit.kind, benefit.replacements) == ("deprecated", [])
    assert benefit.message == "“保険金” is deprecated: do not use it."


@pytest.mark.parametrize("viewer", ["pmo", "client_pm", "security"])
def test_a_term_not_approved_yet_is_reported_to_those_who_may_see_it(terms, project, viewer, request):
    user = request.getfixturevalue(viewer)
    found = find_in_text(project, "免責金額と免責額を確認する。", user)
    assert [(f.text, f.kind, f.start, f.end) for f in found] == [("免責金額", "unapproved", 0, 4), ("免責額", "unapproved", 5, 8)]  # fmt: skip
    assert found[0].message == "“免責金額” is not approved by the client PM yet."


@pytest.mark.parametrize("viewer", ["vendor_a", "reader"])
def test_a_term_not_approved_yet_is_invisible_to_vendors_and_readers(terms, project, viewer, request):
    user = request.getfixturevalue(viewer)
    assert "免責金額" not in [f.text for f in find_in_text(project, JAPANESE, user)]
    assert lint(project, "免責金額と免責額を確認する。", user) == []
    html = render_linked(project, "免責金額を差し引いた保険金", user)
    assert "免責金額" in html and "term-unapproved" not in html
    assert str(terms.deductible.pk) not in [term for _kind, term, _words in _links(html)]
    assert _links(html) == [("term", str(terms.benefit.pk), "保険金")]


def test_vendors_and_readers_still_see_the_approved_words_and_problems(terms, project, vendor_a, reader, pmo):
    everything = [(f.text, f.start) for f in find_in_text(project, JAPANESE, pmo) if f.kind != "unapproved"]
    for user in (vendor_a, reader):
        assert [(f.text, f.start) for f in find_in_text(project, JAPANESE, user)] == everything


# --- rendering -------------------------------------------------------------------------------------------


def test_overlapping_words_are_all_found_but_only_the_longest_is_linked(terms, project, pmo):
    text = "保険金支払の手続き"
    assert _rows(find_in_text(project, text, pmo)) == [
        ("保険金支払", "term", 0, 5, 1, 1, "保険金支払"),
        ("保険金", "term", 0, 3, 1, 1, "保険金"),
    ]
    html = render_linked(project, text, pmo)
    assert _links(html) == [("term", str(terms.payment.pk), "保険金支払")]
    assert f'href="{terms.payment.get_absolute_url()}"' in html
    assert f'href="{terms.benefit.get_absolute_url()}"' not in html
    assert html.endswith("</span>の手続き")


def test_the_paragraph_is_linked_without_overlaps_in_text_order(terms, project, pmo):
    html = render_linked(project, JAPANESE, pmo)
    t = terms
    assert [(kind, int(term), words) for kind, term, words in _links(html)] == [
        ("term", t.policyholder.pk, "保険契約者"),  # not also its synonym 契約者 inside it
        ("deprecated", t.intake.pk, "事故受付"),
        ("term", t.assessment.pk, "支払査定"),  # not also 査定 inside it
        ("term", t.adjustment.pk, "査定"),
        ("term", t.payment.pk, "保険金支払"),
        ("unapproved", t.deductible.pk, "免責金額"),
        ("term", t.benefit.pk, "保険金"),
        ("synonym", t.policyholder.pk, "契約者"),  # a synonym links to its term
        ("avoid", t.policyholder.pk, "加入者"),
        ("avoid", t.payment.pk, "払い出し"),
        ("abbreviation", t.fnol.pk, "FNOL"),
    ]
    assert html.count("<br>") == 2


def test_html_in_the_text_is_escaped_and_line_breaks_are_kept(terms, project, pmo):
    text = "<script>alert('保険金')</script>\n<b>査定</b> & more"
    html = render_linked(project, text, pmo)
    assert "<script>" not in html and "<b>" not in html
    assert html.startswith("&lt;script&gt;alert(&#x27;")
    assert "&lt;/script&gt;<br>&lt;b&gt;" in html
    assert " &amp; more" in html
    assert _links(html) == [("term", str(terms.benefit.pk), "保険金"), ("term", str(terms.adjustment.pk), "査定")]


def test_a_linked_word_keeps_its_spelling_escaped(terms, project, pmo):
    html = render_linked(project, "<ＡＰＩ>", pmo)
    assert html.startswith("&lt;<span ") and html.endswith("</span>&gt;")
    assert _links(html) == [("abbreviation", str(terms.api.pk), "ＡＰＩ")]


def test_the_hover_card_shows_the_adopted_definition_and_the_differs_badge(terms, project, pmo):
    html = render_linked(project, "支払査定の結果", pmo)
    card = re.search(r'<span class="term-card" role="tooltip" id="(term-card-\d+)">(.*?)</span></span>', html).group(2)
    assert 'aria-describedby="' in html
    assert "<strong>支払査定</strong>" in card
    assert '<span class="term-card-reading">しはらいさてい</span>' in card
    assert '<span class="badge text-bg-warning">differs from standard</span>' in card
    assert CLIENT_READING in card
    assert "保険金の支払可否と金額を決めること。" not in card  # the standard definition is not the one in force


def test_a_term_following_the_standard_has_no_differs_badge(terms, project, pmo):
    html = render_linked(project, "保険金を支払う", pmo)
    assert "保険金: the standard definition." in html
    assert "differs from standard" not in html


def test_the_card_of_a_word_to_avoid_names_the_term_to_write(terms, project, pmo):
    html = render_linked(project, "払い出しは月末", pmo)
    assert '<mark class="term-word term-avoid"' in html
    assert "“払い出し” is a word to avoid: write “保険金支払”." in html
    assert 'href="' not in html  # a word to avoid is marked, not linked


def test_html_in_a_definition_is_escaped_in_the_card(project, pmo, client_pm):
    approved(project, "免責", standard_definition="<img src=x onerror=alert(1)> 支払わない場合")
    html = render_linked(project, "免責の条件", pmo)
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; 支払わない場合" in html


def test_exclude_leaves_that_term_unlinked_and_links_the_others(terms, project, pmo):
    html = render_linked(project, "保険金支払の査定", pmo, exclude=terms.payment)
    # 保険金 inside the excluded term is linked instead: it is a term of its own
    assert _links(html) == [("term", str(terms.benefit.pk), "保険金"), ("term", str(terms.adjustment.pk), "査定")]
    assert str(terms.payment.pk) not in [term for _kind, term, _words in _links(html)]


def test_an_empty_text_renders_as_nothing(terms, project, pmo):
    assert render_linked(project, "", pmo) == ""


# --- the phrase index ------------------------------------------------------------------------------------


def test_the_phrase_index_is_kept_between_texts(terms, project, pmo):
    first = dictionary_matcher(project, include_unapproved=True)
    assert dictionary_matcher(project, include_unapproved=True) is first
    assert dictionary_matcher(project, include_unapproved=False) is not first  # vendors' index differs
    assert len(dictionary_matcher(project, include_unapproved=True)) > len(dictionary_matcher(project, include_unapproved=False))  # fmt: skip


def test_a_newly_approved_term_is_found_at_once(terms, project, pmo, client_pm, vendor_a):
    text = "代位求償の可否を判断する。"
    for user in (pmo, vendor_a):
        assert find_in_text(project, text, user) == []
    before = dictionary_matcher(project, include_unapproved=False)
    new = proposed(project, "代位求償")
    assert [f.kind for f in find_in_text(project, text, pmo)] == ["unapproved"]
    assert find_in_text(project, text, vendor_a) == []
    services.term_proposal_approve(actor=client_pm, proposal=new)
    assert dictionary_matcher(project, include_unapproved=False) is not before  # rebuilt, not served stale
    for user in (pmo, vendor_a):
        assert [(f.text, f.kind, f.term.pk) for f in find_in_text(project, text, user)] == [("代位求償", "term", new.term_id)]  # fmt: skip
    assert _links(render_linked(project, text, vendor_a)) == [("term", str(new.term_id), "代位求償")]


def test_a_change_to_a_term_is_used_at_once(terms, project, pmo, client_pm):
    from projects.services.dictionary import term_content

    assert find_in_text(project, "支払金の確認", pmo) == []
    changed = term_content(terms.benefit) | {"synonyms": ["支払金"]}
    proposal = services.term_update(actor=pmo, term=terms.benefit, content=changed, note="A common word.")
    assert find_in_text(project, "支払金の確認", pmo) == []  # waiting for the client PM: the version in force stays
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    assert [(f.text, f.kind, f.term.pk) for f in find_in_text(project, "支払金の確認", pmo)] == [("支払金", "synonym", terms.benefit.pk)]  # fmt: skip


def test_a_deleted_term_is_no_longer_found(terms, project, pmo):
    assert [f.text for f in find_in_text(project, "免責金額", pmo)] == ["免責金額"]
    services.term_delete(actor=pmo, term=Term.objects.get(pk=terms.deductible.pk))
    assert find_in_text(project, "免責金額", pmo) == []
