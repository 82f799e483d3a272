"""The dictionary's pages: search as you type, who sees what, a term's page and history, approving in bulk,
releases and their comparison, the text check; and the query counts of the list pages at two sizes."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import Adopted, Project, Term, TermCategory, TermProposal, TermStatus
from projects.models.dictionary import dictionary_changed
from projects.services.dictionary import term_content

from ..conftest import client_for
from ..dictionary_factories import approved, proposed
from ..factories import SignOffFactory


def url(project, name="dictionary:list", **kwargs):
    return reverse(name, kwargs={"code": project.code, **kwargs})


def names_listed(response) -> list[str]:
    """The terms in the results table, in order (their names are the first link of each row)."""
    import re

    return re.findall(r'<tr data-term="\d+">\s*<td class="text-nowrap"><a class="fw-semibold" href="[^"]+" lang="\w+">([^<]+)</a>', response.content.decode())  # fmt: skip


def bulk_terms(project, owner, approver, count: int, prefix="用語") -> None:
    """``count`` approved terms written straight to the table (as a large dictionary would be)."""
    from django.utils import timezone

    terms = []
    for n in range(count):
        term = Term(project=project, owner=owner, name=f"{prefix}{n:05d}", standard_definition=f"{prefix}{n}の定義。", status=TermStatus.APPROVED, version=1, approved_by=approver, approved_at=timezone.now())  # fmt: skip
        term.refresh_derived()
        terms.append(term)
    Term.objects.bulk_create(terms, batch_size=2000)
    dictionary_changed(Project.objects.filter(pk=project.pk))  # bulk_create bypasses save(): say so, as code must


# --- search ------------------------------------------------------------------------------------------------


@pytest.fixture
def trilingual(project, pmo, client_pm):
    approved(project, "保険金支払", reading="ほけんきんしはらい", standard_definition="保険金を受取人に支払うこと。")
    approved(project, "보험금 청구", language="ko", standard_definition="보험금을 받기 위해 청구하는 것.")
    approved(project, "Claim assessment", language="en", abbreviation="CA", standard_definition="Deciding whether and how much to pay.", equivalents=[{"language": "ja", "text": "査定", "exact": True}])  # fmt: skip
    approved(project, "契約者", standard_definition="保険契約を結んだ人。", synonyms=["契約当事者"])


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("保険金", ["保険金支払"]),  # a substring of a Japanese term (no word boundaries in Japanese)
        ("ほけんきん", ["保険金支払"]),  # its reading
        ("보험금", ["보험금 청구"]),  # a Korean term
        ("청구", ["보험금 청구"]),
        ("claim", ["Claim assessment"]),  # English, any case
        ("ＣＬＡＩＭ", ["Claim assessment"]),  # full-width Latin letters
        ("査定", ["Claim assessment"]),  # an equivalent in another language
        ("当事者", ["契約者"]),  # a synonym
        ("受取人", ["保険金支払"]),  # a word of the definition
        ("no such word", []),
    ],
)
def test_search_finds_substrings_in_every_language(trilingual, project, vendor_a, query, found):
    response = client_for(vendor_a).get(url(project), {"q": query})
    assert response.status_code == 200
    assert names_listed(response) == found


def test_search_as_you_type_answers_with_the_results_only(trilingual, project, pmo):
    response = client_for(pmo).get(url(project), {"q": "保険金"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="term-results")
    html = response.content.decode()
    assert names_listed(response) == ["保険金支払"] and "<html" not in html and 'data-testid="result-count"' in html


def test_filters_by_status_category_and_adopted_definition(project, pmo, client_pm):
    claims = services.term_category_create(actor=pmo, project=project, name="請求")
    approved(project, "保険金", category=claims)
    approved(project, "査定", client_definition="当社では支払可否の判断のみ。", adopted=Adopted.CLIENT, rationale="社内規程")
    proposed(project, "免責")
    client = client_for(pmo)
    assert names_listed(client.get(url(project), {"status": "pending"})) == ["免責"]
    assert names_listed(client.get(url(project), {"category": claims.pk})) == ["保険金"]
    assert names_listed(client.get(url(project), {"differs": "on"})) == ["査定"]
    assert names_listed(client.get(url(project), {"status": "no-such", "category": "x"})) == ["保険金", "免責", "査定"]


def test_vendors_and_readers_list_approved_terms_only(project, pmo, client_pm, vendor_a, reader):
    approved(project, "保険金")
    proposed(project, "未承認の用語")
    for person in (vendor_a, reader):
        assert names_listed(client_for(person).get(url(project))) == ["保険金"]
    assert names_listed(client_for(pmo).get(url(project))) == ["保険金", "未承認の用語"]


@pytest.mark.parametrize(("query", "shown_at"), [("", {5: 5, 10_000: 50}), ("用語", {5: 5, 10_000: 50}), ("用語0000", {5: 5, 10_000: 10})])  # fmt: skip
def test_the_list_and_search_run_the_same_queries_on_5_and_10000_terms(project, pmo, client_pm, vendor_a, query, shown_at):
    """Queries: session, user, membership for the permission, the count, the page of terms (with category and a
    pending-change flag), the navbar's counts. The same whatever the size of the dictionary."""
    counts = {}
    for size in (5, 10_000):
        Term.objects.filter(project=project).delete()
        bulk_terms(project, pmo, client_pm, size)
        for person in (pmo, vendor_a):
            client = client_for(person)
            client.get(url(project), {"q": query})  # warm up (session, cached lookups)
            cache.clear()  # measure the results as they are built, not as the cache serves them
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(project), {"q": query})
            assert len(names_listed(response)) == shown_at[size]
            counts[person.username, size] = len(queries)
    assert counts["pmo", 5] == counts["pmo", 10_000] and counts["vendor-a", 5] == counts["vendor-a", 10_000], counts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's (set DATABASE_URL)")
def test_on_postgresql_search_uses_the_trigram_index_for_japanese_and_korean(project, pmo, client_pm):
    bulk_terms(project, pmo, client_pm, 3000)
    approved(project, "保険金支払")
    approved(project, "보험금 청구", language="ko")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_term")
        cursor.execute("SET enable_seqscan = off")  # a small table would be scanned anyway: ask what the index can do
        plans = []
        for needle in ("保険金", "보험금"):
            sql, params = Term.objects.search(needle).query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("SET enable_seqscan = on")
    for plan in plans:
        assert "term_search_trgm" in plan, plan
    assert list(Term.objects.search("保険金").values_list("name", flat=True)) == ["保険金支払"]


# --- a term's page -------------------------------------------------------------------------------------------


def test_vendors_see_the_approved_version_never_the_waiting_change(project, pmo, client_pm, vendor_a):
    term = approved(project, "査定", standard_definition="支払の可否を決めること。", client_definition="支払額まで決めること。", adopted=Adopted.CLIENT, rationale="社内規程に合わせる。")  # fmt: skip
    services.term_update(actor=pmo, term=term, content=term_content(term) | {"client_definition": "支払額と時期まで決めること。"})  # fmt: skip
    page = client_for(vendor_a).get(url(project, "dictionary:term_detail", pk=term.pk)).content.decode()
    assert "支払額まで決めること。" in page and "時期" not in page
    assert 'data-testid="differs-mark"' in page and 'data-testid="pending-change"' not in page
    pm_page = client_for(client_pm).get(url(project, "dictionary:term_detail", pk=term.pk)).content.decode()
    assert 'data-testid="pending-change"' in pm_page and "<ins>時期</ins>" in pm_page.replace("<ins>と時期</ins>", "<ins>時期</ins>")
    assert reverse("inbox:approve", kwargs={"kind": "term", "pk": TermProposal.objects.get(status="pending").pk}) in pm_page


def test_a_terms_definitions_link_the_other_terms_of_the_dictionary(project, pmo, client_pm, vendor_a):
    other = approved(project, "受取人", standard_definition="保険金を受け取る人。")
    term = approved(project, "保険金", standard_definition="受取人に支払われる金銭。")
    page = client_for(vendor_a).get(url(project, "dictionary:term_detail", pk=term.pk)).content.decode()
    assert f'href="{url(project, "dictionary:term_detail", pk=other.pk)}"' in page
    assert "保険金を受け取る人。" in page  # the hover card of 受取人


def test_the_term_page_lists_where_it_is_used_and_the_edit_page_warns(project, pmo, client_pm):
    term = approved(project, "保険金")
    signoff = SignOffFactory(project=project, requested_by=pmo, title="保険金支払フロー", summary="フローを承認してください。")
    detail = client_for(pmo).get(url(project, "dictionary:term_detail", pk=term.pk)).content.decode()
    assert signoff.get_absolute_url() in detail
    edit = client_for(pmo).get(url(project, "dictionary:term_edit", pk=term.pk)).content.decode()
    assert 'data-testid="affected-warning"' in edit and "保険金支払フロー" in edit


def test_history_shows_each_version_with_what_changed_and_who_decided(project, pmo, client_pm):
    term = approved(project, "保険金", standard_definition="保険契約に基づく金銭。")
    proposal = services.term_update(actor=pmo, term=term, content=term_content(term) | {"standard_definition": "保険契約に基づき支払う金銭。"})  # fmt: skip
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    page = client_for(client_pm).get(url(project, "dictionary:term_history", pk=term.pk)).content.decode()
    assert page.count('data-testid="history-entry"') == 2
    assert "Version 2" in page and "Version 1" in page
    assert "<del>く</del><ins>き支払う</ins>" in page


# --- approving many at once ----------------------------------------------------------------------------------


def test_the_client_pm_ticks_and_approves_many_terms(project, pmo, client_pm):
    proposals = [proposed(project, name) for name in ("査定", "免責", "契約者")]
    client = client_for(client_pm)
    page = client.get(url(project, "dictionary:approvals")).content.decode()
    assert page.count('name="proposals"') == 3
    response = client.post(url(project, "dictionary:approve_selected"), {"proposals": [p.pk for p in proposals[:2]], "comment": "OK"})  # fmt: skip
    assert response.status_code == 302
    assert dict(Term.objects.values_list("name", "status")) == {"査定": "approved", "免責": "approved", "契約者": "proposed"}
    response = client.post(url(project, "dictionary:reject_selected"), {"proposals": [proposals[2].pk], "comment": ""}, follow=True)  # fmt: skip
    assert "Say why you reject them" in response.content.decode()
    assert Term.objects.get(name="契約者").status == "proposed"


def test_the_pmo_sees_the_waiting_list_without_checkboxes(project, pmo, client_pm):
    proposed(project, "査定")
    page = client_for(pmo).get(url(project, "dictionary:approvals")).content.decode()
    assert "査定" in page and 'name="proposals"' not in page


def _rows_up_to(project, pmo, client_pm, page_name: str, size: int) -> dict:
    """Bring the rows the page lists up to ``size``; the page's URL arguments."""
    if page_name == "dictionary:approvals":
        for n in range(TermProposal.objects.filter(status="pending").count(), size):
            proposed(project, f"用語{n:03d}")
    elif page_name == "dictionary:baselines":
        if not Term.objects.filter(status="approved").exists():
            approved(project, "保険金")
        for _n in range(project.dictionary_baselines.count(), size):
            services.dictionary_baseline_create(actor=pmo, project=project, title="Release")
    elif page_name in ("dictionary:baseline_detail", "dictionary:baseline_compare"):  # releases of ``size`` terms
        project.dictionary_baselines.all().delete()
        Term.objects.filter(project=project).delete()
        bulk_terms(project, pmo, client_pm, size)
        first = services.dictionary_baseline_create(actor=pmo, project=project, title="Kick-off")
        if page_name == "dictionary:baseline_detail":
            return {"number": first.number}
        Term.objects.filter(project=project).update(standard_definition="変更後の定義。")  # every term changed
        services.dictionary_baseline_create(actor=pmo, project=project, title="RFP issue")
    elif page_name == "dictionary:term_history":  # a term with ``size`` versions, each proposed and approved
        term = Term.objects.filter(name="保険金").first() or approved(project, "保険金")
        for n in range(TermProposal.objects.filter(term=term).count(), size):
            term.refresh_from_db()
            change = services.term_update(actor=pmo, term=term, content=term_content(term) | {"standard_definition": f"定義 {n}"})  # fmt: skip
            services.term_proposal_approve(actor=client_pm, proposal=change)
        return {"pk": term.pk}
    else:
        for n in range(TermCategory.objects.count(), size):
            services.term_category_create(actor=pmo, project=project, name=f"分類{n:03d}")
    return {}


@pytest.mark.parametrize("page_name", ["dictionary:approvals", "dictionary:baselines", "dictionary:baseline_detail", "dictionary:baseline_compare", "dictionary:categories", "dictionary:term_history"])  # fmt: skip
def test_other_list_pages_run_the_same_queries_at_5_and_65_rows(project, pmo, client_pm, page_name):
    counts = []
    for size in (5, 65):
        kwargs = _rows_up_to(project, pmo, client_pm, page_name, size)
        client = client_for(client_pm)
        client.get(url(project, page_name, **kwargs))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(project, page_name, **kwargs)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- releases and the text check -------------------------------------------------------------------------------


def test_comparing_two_releases_shows_added_removed_and_changed_sentences(project, pmo, client_pm, reader):
    kept = approved(project, "保険金", standard_definition="保険契約に基づく金銭。支払は請求後に行う。")
    approved(project, "旧用語")
    services.dictionary_baseline_create(actor=pmo, project=project, title="Kick-off")
    proposal = services.term_update(actor=pmo, term=kept, content=term_content(kept) | {"standard_definition": "保険契約に基づく金銭。支払は査定後に行う。"})  # fmt: skip
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    old = Term.objects.get(name="旧用語")
    services.term_proposal_approve(actor=client_pm, proposal=services.term_deprecate(actor=pmo, term=old, replaced_by=None, note="不要"))  # fmt: skip
    approved(project, "査定")
    services.dictionary_baseline_create(actor=pmo, project=project, title="RFP issue")

    page = client_for(reader).get(url(project, "dictionary:baseline_compare"), {"from": 1, "to": 2}).content.decode()
    assert "1 added, 0 removed, 2 changed." in page
    assert "支払は<del>請求</del><ins>査定</ins>後に行う。" in page
    assert client_for(reader).get(url(project, "dictionary:baseline_compare"), {"from": 1, "to": 9}).status_code == 404


def test_the_text_check_lists_terms_and_problems_with_their_place(project, pmo, client_pm, vendor_a):
    approved(project, "保険金", avoid=["保険料"])
    response = client_for(vendor_a).post(url(project, "dictionary:check"), {"text": "保険金の説明。\n保険料を<b>確認</b>する。"})
    page = response.content.decode()
    assert "line 2, column 1" in page and "“保険料” is a word to avoid: write “保険金”." in page
    assert "&lt;b&gt;確認&lt;/b&gt;" in page and "<b>確認</b>" not in page


def test_the_term_form_speaks_the_persons_language(project, pmo):
    pmo.language = "ja"
    pmo.save()
    page = client_for(pmo).get(url(project, "dictionary:term_create")).content.decode()
    assert "同じ意味で、使ってもよいほかの語です。" in page  # a help text built from two translated sentences
    assert "Other words that mean the same" not in page


def test_a_term_shows_its_equivalent_in_the_readers_own_language(project, pmo, client_pm, vendor_b):
    term = approved(project, "保険金", equivalents=[{"language": "ko", "text": "보험금", "exact": True}, {"language": "en", "text": "Insurance benefit", "exact": True}])  # fmt: skip
    listing = client_for(vendor_b).get(url(project)).content.decode()  # vendor B reads Korean
    assert '<div class="small" lang="ko">보험금</div>' in listing and '<div class="small" lang="en">' not in listing
    page = client_for(vendor_b).get(url(project, "dictionary:term_detail", pk=term.pk)).content.decode()
    assert 'lang="ko" data-testid="equivalent-in-my-language">보험금</span>' in page


# --- the cached results ------------------------------------------------------------------------------------


def test_the_list_shows_every_change_at_once_though_its_results_are_cached(project, pmo, client_pm):
    """The results table is served from a cache keyed by the dictionary's version: each change counts, so nobody
    ever sees the list as it was before it (a change waiting, its approval, a renamed category, a deleted draft)."""
    term = approved(project, "保険金", category=TermCategory.objects.create(project=project, name="請求"))
    client = client_for(pmo)
    assert names_listed(client.get(url(project))) == ["保険金"]

    services.term_update(actor=pmo, term=term, content={**term_content(term), "name": "保険金額"}, note="正式名称")
    listed = client.get(url(project)).content.decode()
    assert 'data-testid="change-pending"' in listed  # the change waits for the client PM

    proposal = TermProposal.objects.get(term=term, status="pending")
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    assert names_listed(client.get(url(project))) == ["保険金額"]

    category = TermCategory.objects.get(project=project)
    category.name = "請求・支払"
    category.save()
    assert "請求・支払" in client.get(url(project)).content.decode()

    draft = proposed(project, "下書き")
    assert names_listed(client.get(url(project))) == ["下書き", "保険金額"]
    services.term_delete(actor=pmo, term=Term.objects.get(pk=draft.term_id))
    assert names_listed(client.get(url(project))) == ["保険金額"]
