"""An RFP end to end (issue 6, done-when 1): the PMO drafts it from the usual template with requirements,
explanations and criteria; the client PM marks every section understood and approves it in the inbox; the PMO
issues it and invites both vendors; vendor A asks a question and the answer reaches both vendors without saying who
asked; both upload a proposal; after the deadline the proposals are opened, scored, ranked, and the client PM
approves the recommendation in the inbox. Vendor B never reaches vendor A's proposal nor the evaluation.

Selectors are ids, names and test ids, not words: the demo people read Japanese and Korean.
"""

import hashlib
import re
import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from .pages import console_errors, form_with
from .test_sign_in import sign_in

PROJECT = "SMI-CLAIMS"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")  # the PMO's time zone: the deadlines they type are Tokyo time

TITLE = "保険金支払業務システム 提案依頼書（E2E）"
# Typed into the editor key by key: a heading, bold words and a list, rendered in the live preview.
BODY_START = "## 目的\n\n**支払までの日数を半分にする**ため、査定の業務を見直す。\n\n"
BODY_LIST = "- 受付の一元化\n- 進み具合の見える化\n"
BODY = BODY_START + BODY_LIST
CLAUSE = "受託者は、業務で知った個人情報を契約の目的のほかに使わないこと。"
EXPLANATION = "目的を書くと、各社は同じ前提で提案できます。書かないと、各社が推測した目的で見積もります。"
REQUIREMENTS = [
    ("functional", "代理店の担当者が、1件の請求を画面から登録できること。", "1件を10分以内に登録できる。"),
    ("functional", "受取人が、請求の進み具合をスマートフォンで確認できること。", ""),
    ("non_functional", "通常時の画面の応答は2秒以内であること。", "負荷試験で95%の操作が2秒以内。"),
]
CRITERIA = [("業務理解 / Understanding of the business", 60), ("価格 / Price", 40)]

# Vendor A's question names its company and the asker; the PMO's rewrite for every vendor does not.
QUESTION = "株式会社カイトシステムズの田中です。既存の契約管理システムとの連携は、APIとファイル連携のどちらを想定されていますか。"
SUMMARY = "既存の契約管理システムとの連携は、APIとファイル連携のどちらを想定していますか。"
ANSWER = "API連携を想定しています。API仕様書は契約締結後に開示します。"
ASKER_TRACES = ("Kaito", "カイト", "田中", "Tanaka")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# (score of criterion 1, score of criterion 2) out of 5, per evaluator and vendor: Hanbit Soft comes first,
# although the proposals are listed Kaito Systems first (by company name).
SCORES = {
    "pmo": {"vendor_a": (4, 3), "vendor_b": (5, 4)},  # 48 + 24 = 72.0 | 60 + 32 = 92.0
    "pm": {"vendor_a": (3, 3), "vendor_b": (4, 5)},  # 36 + 24 = 60.0 | 48 + 40 = 88.0
}
EXPECTED_RANKING = [("vendor_b", "1", "90.0", "4.0"), ("vendor_a", "2", "66.0", "12.0")]


def _local(moment: datetime) -> str:
    """``moment`` as a datetime-local input takes it, in Tokyo time."""
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def _approve_in_inbox(page: Page, url: str, dom_id: str) -> None:
    """The client PM approves one item of the approval inbox; htmx replaces it with its outcome in place."""
    page.goto(f"{url}/inbox/")
    item = page.locator(f"#{dom_id}")
    expect(item).to_be_visible()
    item.locator("form").first.locator("button[type=submit]").click()
    expect(page.locator(f"#{dom_id}[role=status]")).to_be_visible()
    expect(page).to_have_url(f"{url}/inbox/")


def _no_asker(answers) -> None:
    for trace in ASKER_TRACES:
        expect(answers).not_to_contain_text(trace)


def test_an_rfp_is_drafted_reviewed_issued_answered_proposed_to_evaluated_and_decided(page: Page, browser, demo: str):
    from accounts.models import Organization, User
    from rfp import services
    from rfp.models import Answer, EvaluationCriterion, Proposal, Recommendation, Rfp, VendorQuestion

    url = demo
    rfps = f"{url}/projects/{PROJECT}/rfps"
    vendors = {
        "vendor_a": Organization.objects.get(name__contains="Kaito Systems"),
        "vendor_b": Organization.objects.get(name__contains="Hanbit Soft"),
    }

    # 1. The PMO consultant (Japanese) starts an RFP from the usual sections of an IT RFP.
    pmo = page
    pmo_errors = console_errors(pmo)
    sign_in(pmo, url, "pmo")
    pmo.goto(f"{rfps}/")
    pmo.get_by_test_id("new-rfp").click()
    expect(pmo).to_have_url(f"{rfps}/new/")
    pmo.locator("#id_title").fill(TITLE)
    pmo.locator("#id_language").select_option("ja")
    pmo.locator("#id_template").select_option("")  # the built-in template
    form_with(pmo, "#id_title").locator("button[type=submit]").click()
    rfp = Rfp.objects.get(project__code=PROJECT, title=TITLE)
    rfp_url = f"{rfps}/{rfp.pk}"
    expect(pmo).to_have_url(f"{rfp_url}/")
    expect(pmo.get_by_test_id("rfp-status")).to_have_attribute("data-status", "draft")
    sections = list(rfp.sections.order_by("position"))
    assert len(sections) == 14 and all(s.body and s.explanation for s in sections)
    expect(pmo.locator('[data-testid="sections"] > li')).to_have_count(len(sections))
    # Every section has its text and explanation: only the criteria are missing, so it cannot be sent yet.
    expect(pmo.get_by_test_id("readiness")).to_be_visible()
    expect(pmo.get_by_test_id("submit-rfp")).to_be_disabled()

    # The PMO rewrites the first section; the preview renders the Markdown as it is typed (htmx), no reload.
    background = sections[0]
    pmo.locator(f'#section-{background.pk} [data-testid="edit-section"]').click()
    expect(pmo).to_have_url(f"{rfp_url}/sections/{background.pk}/edit/")
    preview = pmo.get_by_test_id("preview")
    expect(preview.locator(".rfp-body > p > strong")).to_have_count(0)  # the template's text, before the PMO types
    pmo.evaluate("window.stillTheSamePage = true")  # gone if the page reloaded
    body = pmo.locator("#id_body")
    body.fill("")
    body.press_sequentially(BODY_START, delay=15)
    expect(preview.locator(".rfp-body > h4")).to_have_text("目的")  # "##" under the section's own title
    expect(preview.locator(".rfp-body > p > strong")).to_have_text("支払までの日数を半分にする")
    expect(preview.locator(".rfp-body > ul > li")).to_have_count(0)
    body.press_sequentially(BODY_LIST, delay=15)
    expect(preview.locator(".rfp-body > ul > li")).to_have_count(2)
    expect(preview.locator(".rfp-body > ul > li").last).to_have_text("進み具合の見える化")
    expect(preview).not_to_contain_text("**")
    expect(preview).not_to_contain_text("##")
    assert pmo.evaluate("window.stillTheSamePage") is True
    pmo.locator("#id_explanation").fill(EXPLANATION)
    pmo.get_by_test_id("save-section").click()
    expect(pmo).to_have_url(f"{rfp_url}/#section-{background.pk}")
    background.refresh_from_db()
    assert background.body.replace("\r\n", "\n").strip() == BODY.strip() and background.explanation == EXPLANATION

    # Into the next section, a clause of the firm's library: the list opens in place (htmx), the text is added.
    scope = sections[1]
    consultant = User.objects.get(username="pmo")
    clause = services.clause_create(actor=consultant, title="個人情報の取扱い（E2E）", body=CLAUSE, language="ja", owner=consultant, review_date=timezone.localdate() + timedelta(days=90))  # fmt: skip
    pmo.goto(f"{rfp_url}/sections/{scope.pk}/edit/")
    pmo.evaluate("window.stillTheSamePage = true")
    pmo.get_by_test_id("choose-clause").click()
    picker = pmo.locator('[data-testid="insert-clause"] select[name=clause]')
    expect(picker).to_be_focused()  # where the keyboard was, the list it opened
    assert pmo.evaluate("window.stillTheSamePage") is True
    picker.select_option(str(clause.pk))
    pmo.locator('[data-testid="insert-clause"] button[type=submit]').click()
    expect(pmo).to_have_url(f"{rfp_url}/sections/{scope.pk}/edit/")
    expect(pmo.locator("#id_body")).to_have_value(re.compile(re.escape(CLAUSE) + r"\s*$"))

    # Requirements get their IDs, for good.
    pmo.goto(f"{rfp_url}/requirements/")
    for category, text, acceptance in REQUIREMENTS:
        pmo.get_by_test_id("add-requirement").click()
        expect(pmo).to_have_url(f"{rfp_url}/requirements/new/")
        pmo.locator("#id_category").select_option(category)
        pmo.locator("#id_text").fill(text)
        pmo.locator("#id_priority").select_option("must")
        pmo.locator("#id_acceptance_criteria").fill(acceptance)
        form_with(pmo, "#id_text").locator("button[type=submit]").click()
        expect(pmo).to_have_url(f"{rfp_url}/requirements/")
    table = pmo.get_by_test_id("requirement-table")
    expect(table.locator("tr[data-code]")).to_have_count(3)
    for code, (_category, text, _acceptance) in zip(("FR-001", "FR-002", "NFR-001"), REQUIREMENTS, strict=True):
        expect(table.locator(f'tr[data-code="{code}"]')).to_contain_text(code)
        expect(table.locator(f'tr[data-code="{code}"]')).to_contain_text(text)

    # The evaluation criteria: their weights add up to 100.
    pmo.goto(f"{rfp_url}/criteria/")
    for row, (name, weight) in enumerate(CRITERIA):
        pmo.locator(f"#id_form-{row}-name").fill(name)
        pmo.locator(f"#id_form-{row}-weight").fill(str(weight))
    pmo.get_by_test_id("save-criteria").click()
    expect(pmo).to_have_url(f"{rfp_url}/criteria/")
    expect(pmo.get_by_test_id("criteria-errors")).to_have_count(0)
    criteria = list(EvaluationCriterion.objects.filter(rfp=rfp).order_by("pk"))
    assert [(c.name, c.weight) for c in criteria] == CRITERIA

    # Ready: the PMO sends it to the client PM.
    pmo.goto(f"{rfp_url}/")
    expect(pmo.get_by_test_id("readiness")).to_have_count(0)
    pmo.get_by_test_id("submit-rfp").click()
    expect(pmo.get_by_test_id("rfp-status")).to_have_attribute("data-status", "in_review")

    # 2. The client PM (Japanese) reads each section with its explanation and marks it understood...
    pm = browser.new_context().new_page()
    pm_errors = console_errors(pm)
    sign_in(pm, url, "pm")
    pm.goto(f"{rfp_url}/review/")
    expect(pm.locator("html")).to_have_attribute("lang", "ja")
    rewritten = pm.locator(f"#section-{background.pk}")
    expect(rewritten.get_by_test_id("explanation")).to_contain_text(EXPLANATION)
    expect(rewritten.locator(".rfp-body > p > strong")).to_have_text("支払までの日数を半分にする")
    buttons = pm.get_by_test_id("mark-understood")
    expect(buttons).to_have_count(len(sections))
    for left in range(len(sections) - 1, -1, -1):
        buttons.first.click()
        expect(buttons).to_have_count(left)
    expect(pm.get_by_test_id("understood")).to_have_count(len(sections))
    expect(pm.get_by_test_id("not-understood")).to_have_count(0)

    # ... then approves it from the approval inbox.
    _approve_in_inbox(pm, url, f"inbox-rfp-{rfp.pk}")
    rfp.refresh_from_db()
    assert rfp.status == "approved" and rfp.approved_by.username == "pm"

    # 3. The PMO issues it with its deadlines (Tokyo time) and invites both vendor companies.
    pmo.goto(f"{rfp_url}/")
    expect(pmo.get_by_test_id("rfp-status")).to_have_attribute("data-status", "approved")
    pmo.get_by_test_id("issue-link").click()
    expect(pmo).to_have_url(f"{rfp_url}/issue/")
    expect(pmo.get_by_test_id("dictionary-problems")).to_have_count(0)
    soon = (timezone.now() + timedelta(days=7)).astimezone(TOKYO).replace(hour=17, minute=0, second=0, microsecond=0)
    questions_until, proposals_until = soon, soon + timedelta(days=7)
    pmo.locator("#id_question_deadline").fill(_local(questions_until))
    pmo.locator("#id_proposal_deadline").fill(_local(proposals_until))
    form_with(pmo, "#id_question_deadline").locator("button[type=submit]").click()
    expect(pmo).to_have_url(f"{rfp_url}/vendors/")
    expect(pmo.get_by_test_id("rfp-status")).to_have_attribute("data-status", "issued")
    rfp.refresh_from_db()
    assert (rfp.question_deadline, rfp.proposal_deadline) == (questions_until, proposals_until)

    # Issued but not invited yet: vendor B cannot even know the RFP exists.
    vendor_b = browser.new_context().new_page()
    vendor_b_errors = console_errors(vendor_b)
    sign_in(vendor_b, url, "vendor-b")
    assert vendor_b.goto(f"{rfp_url}/").status == 404
    vendor_b_errors.clear()  # the browser reports the 404 it was meant to get

    for key in ("vendor_a", "vendor_b"):
        pmo.locator("#id_vendor").select_option(str(vendors[key].pk))
        pmo.get_by_test_id("invite-submit").click()
        expect(pmo).to_have_url(f"{rfp_url}/vendors/")
        expect(pmo.locator(f'[data-testid="invitation"][data-vendor="{vendors[key].name}"]')).to_have_count(1)
    expect(pmo.get_by_test_id("invitation")).to_have_count(2)
    expect(pmo.get_by_test_id("nobody-to-invite")).to_be_visible()

    # 4. Vendor A (Japanese) reads the issued RFP (the rewritten section rendered) and asks a question.
    vendor_a = browser.new_context().new_page()
    vendor_a_errors = console_errors(vendor_a)
    sign_in(vendor_a, url, "vendor-a")
    vendor_a.goto(f"{rfp_url}/")
    expect(vendor_a).to_have_url(f"{rfp_url}/versions/{rfp.version}/")
    document = vendor_a.get_by_test_id("rfp-document")
    expect(document.locator(".rfp-body > p > strong")).to_have_text("支払までの日数を半分にする")
    expect(vendor_a.get_by_test_id("version-requirements").locator("tbody tr")).to_have_count(3)
    vendor_a.get_by_test_id("questions-tab").click()
    expect(vendor_a).to_have_url(f"{rfp_url}/questions/")
    vendor_a.locator("#id_text").fill(QUESTION)
    vendor_a.get_by_test_id("ask-submit").click()
    expect(vendor_a).to_have_url(f"{rfp_url}/questions/")
    expect(vendor_a.get_by_test_id("own-questions")).to_contain_text(QUESTION)
    question = VendorQuestion.objects.get(rfp=rfp)
    assert question.vendor == vendors["vendor_a"] and question.asked_by.username == "vendor-a"

    # The PMO sees who asked, answers with the question rewritten, and publishes it to every invited vendor.
    pmo.goto(f"{rfp_url}/questions/")
    asked = pmo.locator(f"#question-{question.pk}")
    expect(asked).to_have_attribute("data-vendor", vendors["vendor_a"].name)
    expect(asked).to_contain_text(QUESTION)
    pmo.locator(f'input[name="questions"][value="{question.pk}"]').check()
    pmo.locator("#id_question_summary").fill(SUMMARY)
    pmo.locator("#id_text").fill(ANSWER)
    pmo.get_by_test_id("answer-submit").click()
    expect(pmo).to_have_url(f"{rfp_url}/questions/")
    answer = Answer.objects.get(rfp=rfp)
    draft = pmo.locator(f"#answer-{answer.pk}")
    expect(draft).to_have_attribute("data-published", "false")
    draft.get_by_test_id("publish-answer").click()
    expect(pmo).to_have_url(f"{rfp_url}/questions/")
    expect(pmo.locator(f"#answer-{answer.pk}")).to_have_attribute("data-published", "true")

    # Vendor A reads the answer under its question and among the published answers, without its own name there.
    vendor_a.goto(f"{rfp_url}/questions/")
    expect(vendor_a.get_by_test_id("own-answer")).to_have_text(ANSWER)
    published = vendor_a.get_by_test_id("published-answers")
    expect(published.get_by_test_id("answer")).to_have_count(1)
    expect(published.get_by_test_id("answer-question")).to_have_text(SUMMARY)
    expect(published.get_by_test_id("answer-text")).to_have_text(ANSWER)
    _no_asker(published)

    # Vendor B (Korean) reads the same answer, and nothing of who asked nor of the question as it was asked.
    vendor_b.goto(f"{rfp_url}/questions/")
    expect(vendor_b.locator("html")).to_have_attribute("lang", "ko")
    published = vendor_b.get_by_test_id("published-answers")
    expect(published.get_by_test_id("answer")).to_have_count(1)
    expect(published.get_by_test_id("answer-question")).to_have_text(SUMMARY)
    expect(published.get_by_test_id("answer-text")).to_have_text(ANSWER)
    _no_asker(published)
    expect(vendor_b.get_by_test_id("own-questions").get_by_test_id("question")).to_have_count(0)
    expect(vendor_b.locator("main")).not_to_contain_text(QUESTION)
    _no_asker(vendor_b.locator("main"))

    # 5. Both vendors upload their proposal (a PDF); it stays sealed.
    for who, name in ((vendor_a, "提案書_カイト.pdf"), (vendor_b, "제안서_한빛.pdf")):
        who.get_by_test_id("proposals-tab").click()
        expect(who).to_have_url(f"{rfp_url}/proposals/")
        expect(who.get_by_test_id("no-proposal")).to_be_visible()
        who.locator("#id_file").set_input_files(files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}])
        who.get_by_test_id("upload-submit").click()
        expect(who).to_have_url(f"{rfp_url}/proposals/")
        own = who.get_by_test_id("own-proposal")
        expect(own.get_by_test_id("proposal-download")).to_have_text(name)
        expect(own.get_by_test_id("proposal-sha256")).to_have_text(hashlib.sha256(PDF).hexdigest())
    proposals = {key: Proposal.objects.get(rfp=rfp, vendor=vendor) for key, vendor in vendors.items()}
    download_a = f"{rfp_url}/proposals/{proposals['vendor_a'].pk}/file/"
    own_copy = vendor_a.request.get(download_a)
    assert own_copy.status == 200 and own_copy.body() == PDF

    # Before the deadline the PMO sees that both arrived, sealed, with nothing to open or download.
    pmo.goto(f"{rfp_url}/proposals/")
    rows = pmo.get_by_test_id("proposal-row")
    expect(rows).to_have_count(2)
    expect(pmo.locator('[data-testid="proposal-row"][data-state="sealed"]')).to_have_count(2)
    expect(pmo.get_by_test_id("open-proposals")).to_have_count(0)
    expect(pmo.get_by_test_id("proposal-download")).to_have_count(0)

    # 6. Time passes: both deadlines are behind us. The PMO opens every proposal at once.
    now = timezone.now()
    Rfp.objects.filter(pk=rfp.pk).update(question_deadline=now - timedelta(hours=2), proposal_deadline=now - timedelta(hours=1))  # fmt: skip
    pmo.reload()
    pmo.get_by_test_id("open-proposals").click()
    expect(pmo).to_have_url(f"{rfp_url}/proposals/")
    expect(pmo.locator('[data-testid="proposal-row"][data-state="opened"]')).to_have_count(2)
    expect(pmo.get_by_test_id("proposal-download")).to_have_count(2)
    opened = pmo.request.get(download_a)
    assert opened.status == 200 and opened.body() == PDF

    # The PMO and the client PM declare no conflict of interest and score both proposals.
    for who, username in ((pmo, "pmo"), (pm, "pm")):
        who.goto(f"{rfp_url}/evaluation/")
        expect(who.get_by_test_id("declaration")).to_be_visible()
        expect(who.get_by_test_id("score-link")).to_have_count(0)  # not before the declaration
        who.locator("#declaration-confirm").check()
        form_with(who, "#declaration-confirm").locator("button[type=submit]").click()
        expect(who).to_have_url(f"{rfp_url}/evaluation/")
        expect(who.get_by_test_id("declared")).to_be_visible()
        for key, values in SCORES[username].items():
            proposal = proposals[key]
            who.locator(f'#proposal-{proposal.pk} [data-testid="score-link"]').click()
            expect(who).to_have_url(f"{rfp_url}/evaluation/proposals/{proposal.pk}/")
            for criterion, value in zip(criteria, values, strict=True):
                who.locator(f"#id_score_{criterion.pk}").select_option(str(value))
                who.locator(f"#id_comment_{criterion.pk}").fill(f"{criterion.name}: {value}点。提案書の記述に基づく。")
            who.get_by_test_id("score-form").locator("button[type=submit]").click()
            expect(who).to_have_url(f"{rfp_url}/evaluation/")

    # The ranking follows the scores: the weighted totals averaged over both evaluators, and their spread.
    pmo.goto(f"{rfp_url}/evaluation/")
    ranked = pmo.get_by_test_id("rank-row")
    expect(ranked).to_have_count(2)
    for position, (key, rank, total, spread) in enumerate(EXPECTED_RANKING):
        row = ranked.nth(position)
        expect(row.get_by_test_id("rank")).to_have_text(rank)
        expect(row.get_by_test_id("rank-vendor")).to_have_text(vendors[key].name)
        expect(row.get_by_test_id("rank-total")).to_have_text(total)
        expect(row.get_by_test_id("rank-spread")).to_have_text(spread)

    # The PMO recommends the first-ranked company; the client PM approves it from the inbox.
    pmo.get_by_test_id("write-recommendation").click()
    expect(pmo).to_have_url(f"{rfp_url}/evaluation/recommendation/")
    pmo.locator("#id_vendor").select_option(str(vendors["vendor_b"].pk))
    pmo.locator("#id_reasons").fill("業務理解と価格の両方で最も高い評価を得た。移行計画の詳細は契約前に確認する。")
    form_with(pmo, "#id_reasons").locator("button[type=submit]").click()
    expect(pmo).to_have_url(f"{rfp_url}/evaluation/")
    expect(pmo.get_by_test_id("recommendation")).to_have_attribute("data-status", "pending")
    recommendation = Recommendation.objects.get(rfp=rfp)
    assert recommendation.vendor == vendors["vendor_b"] and recommendation.written_by.username == "pmo"

    _approve_in_inbox(pm, url, f"inbox-rfp_recommendation-{recommendation.pk}")
    recommendation.refresh_from_db()
    assert recommendation.status == "approved" and recommendation.decided_by.username == "pm"
    for who in (pm, pmo):
        who.goto(f"{rfp_url}/evaluation/")
        expect(who.get_by_test_id("recommendation")).to_have_attribute("data-status", "approved")
        expect(who.get_by_test_id("decision")).to_be_visible()
        expect(who.get_by_test_id("final")).to_be_visible()
        expect(who.get_by_test_id("score-link")).to_have_count(0)  # the scores are final
        expect(who.get_by_test_id("write-recommendation")).to_have_count(0)

    errors = {"pmo": pmo_errors, "pm": pm_errors, "vendor-a": vendor_a_errors, "vendor-b": vendor_b_errors}
    assert not any(errors.values()), errors

    # 7. Vendor B never reaches vendor A's proposal, nor the evaluation, its scores or its recommendation.
    for path in (
        download_a,
        f"{rfp_url}/evaluation/",
        f"{rfp_url}/evaluation/proposals/{proposals['vendor_a'].pk}/",
        f"{rfp_url}/evaluation/proposals/{proposals['vendor_b'].pk}/",
        f"{rfp_url}/evaluation/recommendation/",
    ):
        assert vendor_b.goto(path).status == 404, path
    vendor_b.goto(f"{rfp_url}/questions/")
    expect(vendor_b.locator("main")).not_to_contain_text(QUESTION)
    _no_asker(vendor_b.locator("main"))
    vendor_b.goto(f"{rfp_url}/proposals/")
    expect(vendor_b.get_by_test_id("own-proposal").get_by_test_id("proposal-download")).to_have_text("제안서_한빛.pdf")
    _no_asker(vendor_b.locator("main"))
    # Neither does vendor A reach the evaluation.
    assert vendor_a.goto(f"{rfp_url}/evaluation/").status == 404
