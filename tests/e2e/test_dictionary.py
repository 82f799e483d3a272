"""The project dictionary end to end (issue 5, done-when 1): the PMO proposes a term the client reads differently
from the standard, the client PM approves it in the inbox, vendor A finds it as they type and sees the mark and the
client's definition; a later change stays invisible to vendors until the client PM approves it; vendor B (Korean)
sees approved terms only, never one that is merely proposed.

Selectors are ids, names and test ids, not words: the demo people read Japanese and Korean.
"""

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

from .pages import console_errors
from .test_sign_in import sign_in

PROJECT = "SMI-CLAIMS"

NAME = "支払査定"
STANDARD = "保険金の請求について、支払の可否と支払額を決めること。"
CLIENT = "査定課が支払の可否を判断し、支払額の算定までを一度に行うこと。二段階承認を含む。"
RATIONALE = "新システムでは査定画面と支払計算画面を統合するため、当社の業務に合わせる。"
# The change the PMO proposes later: a client definition with a word that appears nowhere else in the demo.
CLIENT_V2 = "査定課が支払の可否と支払額を判断し、課長の承認（ダブルチェック）をもって確定すること。"
UNIQUE_V2_WORD = "ダブルチェック"
ONLY_PROPOSED = "支払保留"


def _rows(page: Page):
    return page.locator('[data-testid="term-table"] tr[data-term]')


def _shows(page: Page, test_id: str, text: str) -> None:
    """The definition reads exactly ``text``: the words it links keep their hover cards hidden until hovered."""
    expect(page.get_by_test_id(test_id)).to_have_text(text, use_inner_text=True)


def _search(page: Page, text: str) -> None:
    """Type into the search box key by key, as a person would: htmx swaps #term-results, the page stays."""
    box = page.locator("#id_q")
    box.fill("")
    box.press_sequentially(text, delay=40)


def test_a_term_the_client_reads_differently_is_proposed_approved_found_and_changed(page: Page, browser, demo: str):
    from projects.models import ProposalKind, ProposalStatus, Term, TermCategory, TermProposal

    url = demo
    dictionary = f"{url}/projects/{PROJECT}/dictionary"
    claims = TermCategory.objects.get(project__code=PROJECT, name="保険金請求 / Claims")

    # 1. The PMO consultant (Japanese) proposes 「支払査定」, adopting the client's definition with a rationale.
    pmo = page
    pmo_errors = console_errors(pmo)
    sign_in(pmo, url, "pmo")
    pmo.goto(f"{dictionary}/")
    expect(pmo.locator("html")).to_have_attribute("lang", "ja")
    pmo.get_by_test_id("propose-term").click()
    expect(pmo).to_have_url(f"{dictionary}/new/")
    pmo.locator("#id_name").fill(NAME)
    pmo.locator("#id_reading").fill("しはらいさてい")
    pmo.locator("#id_category").select_option(str(claims.pk))
    pmo.locator("#id_equivalent_en").fill("Claim payment assessment")
    pmo.locator("#id_equivalent_ko").fill("지급 사정")
    pmo.locator("#id_standard_definition").fill(STANDARD)
    pmo.locator("#id_standard_source").fill("損害保険用語集")
    pmo.locator("#id_client_definition").fill(CLIENT)
    pmo.locator('input[name="adopted"][value="client"]').check()
    pmo.locator("#id_rationale").fill(RATIONALE)
    pmo.locator("#id_synonyms").fill("支払審査")
    pmo.locator("#id_avoid").fill("支払チェック")
    pmo.locator("#id_note").fill("RFPの業務要件で使うため追加します。")
    pmo.get_by_test_id("submit-term").click()

    term = Term.objects.get(project__code=PROJECT, name=NAME)
    term_url = f"{dictionary}/terms/{term.pk}/"
    expect(pmo).to_have_url(term_url)
    expect(pmo.get_by_test_id("term-status")).to_have_attribute("data-status", "proposed")
    expect(pmo.get_by_test_id("differs-mark")).to_be_visible()
    expect(pmo.get_by_test_id("pending-change")).to_be_visible()
    proposal = TermProposal.objects.get(term=term, status=ProposalStatus.PENDING)
    assert proposal.kind == ProposalKind.NEW and proposal.adopted == "client" and proposal.rationale == RATIONALE
    assert term.status == "proposed" and term.version == 0

    # Before the client PM decides, vendors do not even know the word exists.
    vendor_a = browser.new_context().new_page()
    vendor_a_errors = console_errors(vendor_a)
    sign_in(vendor_a, url, "vendor-a")
    assert vendor_a.goto(term_url).status == 404
    vendor_a.goto(f"{dictionary}/")
    _search(vendor_a, "払査")
    expect(vendor_a.get_by_test_id("term-table")).to_be_visible()
    expect(_rows(vendor_a)).to_have_count(0)

    # 2. The client PM (Japanese) approves it from the approval inbox; htmx replaces the item with its outcome.
    pm = browser.new_context().new_page()
    pm_errors = console_errors(pm)
    sign_in(pm, url, "pm")
    pm.goto(f"{url}/inbox/")
    expect(pm.locator("html")).to_have_attribute("lang", "ja")
    item = pm.locator(f"#inbox-term-{proposal.pk}")
    expect(item).to_contain_text(NAME)
    expect(item).to_contain_text(CLIENT[:20])  # the adopted definition is what the PM approves
    item.locator(f"#approve-term-{proposal.pk}").fill("業務部門と確認済みです。")
    item.locator("form").first.locator("button[type=submit]").click()
    expect(pm.locator(f"#inbox-term-{proposal.pk}[role=status]")).to_be_visible()
    expect(pm).to_have_url(f"{url}/inbox/")
    term.refresh_from_db()
    proposal.refresh_from_db()
    assert term.status == "approved" and term.version == 1 and term.approved_by.username == "pm"
    assert proposal.status == ProposalStatus.APPROVED and proposal.comment == "業務部門と確認済みです。"

    # The PMO hears the decision under the bell.
    pmo.goto(term_url)
    expect(pmo.get_by_test_id("term-status")).to_have_attribute("data-status", "approved")
    expect(pmo.get_by_test_id("unread-count")).to_have_text("1")

    # 3. Vendor A searches as they type (a substring of the term), finds it, opens it: the mark and the client's words.
    vendor_a.goto(f"{dictionary}/")
    _search(vendor_a, "払査")
    row = vendor_a.locator(f'[data-testid="term-table"] tr[data-term="{term.pk}"]')
    expect(_rows(vendor_a)).to_have_count(1)
    expect(row.get_by_test_id("term-status")).to_have_attribute("data-status", "approved")
    expect(row.get_by_test_id("differs-mark")).to_be_visible()
    expect(row).to_contain_text(CLIENT[:20])  # the list shows the adopted definition
    expect(vendor_a.get_by_test_id("result-count")).to_contain_text("1")
    # hx-push-url: the address bar follows the search, so it can be shared or reloaded.
    expect(vendor_a).to_have_url(
        re.compile(re.escape(f"{dictionary}/?") + r"(.*&)?q=" + re.escape(quote("払査")) + "(&|$)")
    )
    row.locator(f'a[href$="/terms/{term.pk}/"]').click()
    expect(vendor_a).to_have_url(term_url)
    expect(vendor_a.get_by_test_id("term-status")).to_have_attribute("data-status", "approved")
    expect(vendor_a.get_by_test_id("differs-mark")).to_be_visible()
    _shows(vendor_a, "adopted-definition", CLIENT)
    _shows(vendor_a, "client-definition", CLIENT)
    expect(vendor_a.get_by_test_id("pending-change")).to_have_count(0)
    expect(vendor_a.get_by_test_id("edit-term")).to_have_count(0)  # vendors read, they do not propose

    # 4. The PMO proposes a change to the client's definition.
    pmo.goto(term_url)
    expect(pmo.get_by_test_id("term-status")).to_have_attribute("data-status", "approved")
    pmo.get_by_test_id("edit-term").click()
    expect(pmo).to_have_url(f"{dictionary}/terms/{term.pk}/edit/")
    expect(pmo.locator("#id_client_definition")).to_have_value(CLIENT)
    pmo.locator("#id_client_definition").fill(CLIENT_V2)
    pmo.locator("#id_note").fill("課長承認を定義に含めます。")
    pmo.get_by_test_id("submit-term").click()
    expect(pmo).to_have_url(term_url)
    expect(pmo.get_by_test_id("pending-change")).to_be_visible()
    expect(pmo.get_by_test_id("pending-change")).to_contain_text(UNIQUE_V2_WORD)
    _shows(pmo, "adopted-definition", CLIENT)  # the approved version stays in force
    change = TermProposal.objects.get(term=term, status=ProposalStatus.PENDING)
    assert change.kind == ProposalKind.CHANGE and change.client_definition == CLIENT_V2

    # Vendor A, reloading, still reads the approved text and finds no trace of the new one.
    vendor_a.reload()
    _shows(vendor_a, "adopted-definition", CLIENT)
    _shows(vendor_a, "client-definition", CLIENT)
    expect(vendor_a.locator("main")).not_to_contain_text(UNIQUE_V2_WORD)
    expect(vendor_a.get_by_test_id("pending-change")).to_have_count(0)
    vendor_a.goto(f"{dictionary}/")
    _search(vendor_a, UNIQUE_V2_WORD)  # searching the proposed words finds nothing
    expect(_rows(vendor_a)).to_have_count(0)
    _search(vendor_a, "払査")
    expect(_rows(vendor_a)).to_have_count(1)
    expect(vendor_a.locator("main")).not_to_contain_text(UNIQUE_V2_WORD)
    # Proposals are internal to the PMO and the client: not even the fact that a change waits reaches a vendor.
    # (Checked at the end, so that the rest of the flow is still exercised if this fails.)
    badge_seen_by_vendor = vendor_a.locator(f'tr[data-term="{term.pk}"]').get_by_test_id("change-pending").count()

    # The client PM sees the waiting change on the term page, with what it changes, and approves it there.
    pm.goto(term_url)
    pending = pm.get_by_test_id("pending-change")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text(UNIQUE_V2_WORD)
    _shows(pm, "adopted-definition", CLIENT)
    pending.locator(f"#approve-term-{change.pk}").fill("承認します。")
    pending.locator("form").first.locator("button[type=submit]").click()
    expect(pm).to_have_url(term_url)
    expect(pm.get_by_test_id("pending-change")).to_have_count(0)
    _shows(pm, "adopted-definition", CLIENT_V2)
    change.refresh_from_db()
    term.refresh_from_db()
    assert change.status == ProposalStatus.APPROVED and term.version == 2 and term.client_definition == CLIENT_V2

    # Now vendor A reads the new text, and finds the term by its new words.
    vendor_a.goto(term_url)
    _shows(vendor_a, "adopted-definition", CLIENT_V2)
    _shows(vendor_a, "client-definition", CLIENT_V2)
    expect(vendor_a.get_by_test_id("differs-mark")).to_be_visible()
    vendor_a.goto(f"{dictionary}/")
    _search(vendor_a, UNIQUE_V2_WORD)
    expect(_rows(vendor_a)).to_have_count(1)
    expect(vendor_a.locator(f'tr[data-term="{term.pk}"]')).to_be_visible()

    # 5. The PMO proposes another term; vendor B (Korean UI) sees the approved term, never the one only proposed.
    pmo.goto(f"{dictionary}/new/")
    pmo.locator("#id_name").fill(ONLY_PROPOSED)
    pmo.locator("#id_reading").fill("しはらいほりゅう")
    pmo.locator("#id_standard_definition").fill("調査が終わるまで保険金の支払を止めておくこと。")
    pmo.locator('input[name="adopted"][value="standard"]').check()
    pmo.get_by_test_id("submit-term").click()
    held = Term.objects.get(project__code=PROJECT, name=ONLY_PROPOSED)
    held_url = f"{dictionary}/terms/{held.pk}/"
    expect(pmo).to_have_url(held_url)
    expect(pmo.get_by_test_id("term-status")).to_have_attribute("data-status", "proposed")

    vendor_b = browser.new_context().new_page()
    vendor_b_errors = console_errors(vendor_b)
    sign_in(vendor_b, url, "vendor-b")
    vendor_b.goto(f"{dictionary}/")
    expect(vendor_b.locator("html")).to_have_attribute("lang", "ko")
    expect(vendor_b.locator(f'[data-testid="term-table"] tr[data-term="{term.pk}"]')).to_be_visible()
    expect(vendor_b.locator(f'tr[data-term="{held.pk}"]')).to_have_count(0)
    expect(vendor_b.locator("main")).not_to_contain_text(ONLY_PROPOSED)
    with_payment = Term.objects.filter(project__code=PROJECT, status="approved").search("支払").count()
    assert with_payment >= 2  # 支払査定 and demo terms whose definitions say 支払: the search narrows, not empties
    _search(vendor_b, "支払")
    expect(_rows(vendor_b)).to_have_count(with_payment)
    expect(vendor_b.locator(f'tr[data-term="{term.pk}"]')).to_be_visible()
    expect(vendor_b.locator(f'tr[data-term="{held.pk}"]')).to_have_count(0)
    _search(vendor_b, "지급 사정")  # the Korean equivalent finds it too
    expect(_rows(vendor_b)).to_have_count(1)
    expect(vendor_b.locator(f'tr[data-term="{term.pk}"] [data-testid="differs-mark"]')).to_be_visible()
    # Asking for the "waiting" filter by URL (not offered to vendors) changes nothing.
    vendor_b.goto(f"{dictionary}/?status=pending")
    expect(vendor_b.locator(f'tr[data-term="{held.pk}"]')).to_have_count(0)
    vendor_b.goto(term_url)
    expect(vendor_b.get_by_test_id("term-status")).to_have_attribute("data-status", "approved")
    _shows(vendor_b, "adopted-definition", CLIENT_V2)
    for path in (held_url, f"{held_url}edit/", f"{held_url}history/"):
        assert vendor_b.goto(path).status == 404, path
        expect(vendor_b.locator("body")).not_to_contain_text(ONLY_PROPOSED)
    assert vendor_b.goto(f"{dictionary}/terms/{term.pk}/history/").status == 403  # visible term, internal history
    vendor_b.goto(f"{dictionary}/")
    expect(vendor_b.locator("main")).not_to_contain_text(ONLY_PROPOSED)

    for errors in (pmo_errors, pm_errors, vendor_a_errors, vendor_b_errors):
        # The 404 and 403 answers asked for above are logged as failed loads; anything else is a fault.
        assert [e for e in errors if not re.search(r"status of 40[34]", e)] == [], errors
    assert badge_seen_by_vendor == 0, "vendor A's dictionary list shows the 'change waiting' badge of a proposal"
