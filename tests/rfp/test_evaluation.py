"""Evaluating the proposals: declaring no conflict of interest, scoring, weighted totals, spread and ranking, the
recommendation through the approval inbox, the PDF of the result, and vendors who must not even know of it.

Criteria of the RFP (tests/rfp_factories.py): 業務理解 40%, 技術 35%, 価格 25%; scores are 0–5.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganizationKind
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import AuditEvent, ExportJob, ExportStatus, Notification
from rfp import services
from rfp.models import Evaluator, Proposal, Recommendation, RecommendationStatus, Rfp, Score
from rfp.services.evaluation import declaration_text, evaluation_results

from ..conftest import client_for
from ..factories import OrganizationFactory
from ..rfp_factories import rfp_in

# (業務理解, 技術, 価格) per evaluator and proposal; totals worked out by hand: Σ weight × score / 5.
#   Kaito:  pmo 3,5,5 → 24 + 35 + 25 = 84;  pm 5,5,2 → 40 + 35 + 10 = 85;  total 84.5, spread 1.0
#   Hanbit: pmo 5,4,3 → 40 + 28 + 15 = 83;  pm 4,4,4 → 32 + 28 + 20 = 80;  total 81.5, spread 3.0
SCORES = {
    ("pmo", "Kaito Systems"): (3, 5, 5),
    ("pm", "Kaito Systems"): (5, 5, 2),
    ("pmo", "Hanbit Soft"): (5, 4, 3),
    ("pm", "Hanbit Soft"): (4, 4, 4),
}


@pytest.fixture
def rfp(project, orgs, pmo, client_pm, security):
    """Issued, both vendor companies invited (so vendor A and vendor B may read the RFP itself)."""
    return rfp_in(project, "issued", invite=[orgs.vendor_a, orgs.vendor_b])


def make_proposal(rfp, vendor, uploader, opener=None) -> Proposal:
    """A vendor's proposal, opened by ``opener`` (sealed when None)."""
    now = timezone.now()
    return Proposal.objects.create(
        rfp=rfp, vendor=vendor, file=ContentFile(b"%PDF-1.4 proposal", name="p.pdf"), file_name="提案書.pdf", size=17,
        sha256="0" * 64, uploaded_by=uploader, uploaded_at=now, opened_at=now if opener else None, opened_by=opener,
    )  # fmt: skip


@pytest.fixture
def proposals(rfp, orgs, pmo, vendor_a, vendor_b):
    return {
        "Kaito Systems": make_proposal(rfp, orgs.vendor_a, vendor_a, pmo),
        "Hanbit Soft": make_proposal(rfp, orgs.vendor_b, vendor_b, pmo),
    }


def url(name, rfp, **kwargs):
    return reverse(f"rfp:{name}", kwargs={"code": rfp.project.code, "pk": rfp.pk, **kwargs})


def score_url(rfp, proposal):
    return url("score", rfp, proposal_pk=proposal.pk)


def score_data(rfp, values, comment="根拠: 提案書の第3章。"):
    data = {}
    for criterion, value in zip(rfp.criteria.all(), values, strict=True):
        data[f"score_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = f"{comment} ({criterion.name})"
    return data


def declare(person, rfp):
    response = client_for(person).post(url("evaluator_declare", rfp), {"confirm": "on"})
    assert response.status_code == 302, response.content.decode()[:500]


def score_all(rfp, proposals, people):
    for (who, vendor), values in SCORES.items():
        response = client_for(people[who]).post(score_url(rfp, proposals[vendor]), score_data(rfp, values))
        assert response.status_code == 302, response.content.decode()[:2000]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def cells(html: str, row_testid: str) -> list[list[str]]:
    """The text of each cell of each row marked ``data-testid=row_testid``."""
    rows = re.findall(rf'<tr data-testid="{row_testid}">(.*?)</tr>', html, re.S)
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


# --- totals, spread, ranking ----------------------------------------------------------------------------------


def test_two_evaluators_scoring_two_proposals_give_the_totals_spread_and_ranking_worked_out_by_hand(rfp, proposals, pmo, client_pm):  # fmt: skip
    declare(pmo, rfp)
    declare(client_pm, rfp)
    score_all(rfp, proposals, {"pmo": pmo, "pm": client_pm})

    html = client_for(client_pm).get(url("evaluation", rfp)).content.decode()

    assert cells(html, "rank-row") == [
        ["1", "Kaito Systems", "84.5", "1.0", "2 evaluators"],
        ["2", "Hanbit Soft", "81.5", "3.0", "2 evaluators"],
    ]
    # Each evaluator's weighted total, in the matrix (proposals by vendor name: Hanbit first; evaluators as declared).
    totals = [text_of(t) for t in re.findall(r'data-testid="evaluator-total">(.*?)</td>', html, re.S)]
    assert totals == ["83.0", "80.0", "84.0", "85.0"]
    assert "根拠: 提案書の第3章。 (価格 / Price)" in text_of(html)  # the comments are in the matrix


def test_an_evaluator_sees_the_others_scores_only_after_giving_their_own(rfp, proposals, pmo, client_pm, security):
    """Blind scoring: what the others gave must not sway a score, so it stays hidden until one's own is in."""
    declare(pmo, rfp)
    declare(client_pm, rfp)
    kaito, hanbit = proposals["Kaito Systems"], proposals["Hanbit Soft"]
    assert client_for(pmo).post(score_url(rfp, kaito), score_data(rfp, [5, 4, 3], comment="PMOの根拠")).status_code == 302
    page = client_for(client_pm).get(url("evaluation", rfp)).content.decode()
    assert 'data-testid="ranking-hidden"' in page and 'data-testid="ranking"' not in page
    assert page.count('data-testid="scores-hidden"') == 2 and "PMOの根拠" not in page
    assert client_for(client_pm).post(score_url(rfp, kaito), score_data(rfp, [3, 3, 3])).status_code == 302
    page = client_for(client_pm).get(url("evaluation", rfp)).content.decode()
    assert "PMOの根拠" in page and page.count('data-testid="scores-hidden"') == 1  # Hanbit's: not scored by the PM yet
    assert 'data-testid="ranking-hidden"' in page
    assert client_for(client_pm).post(score_url(rfp, hanbit), score_data(rfp, [2, 2, 2])).status_code == 302
    page = client_for(client_pm).get(url("evaluation", rfp)).content.decode()
    assert 'data-testid="ranking"' in page and 'data-testid="scores-hidden"' not in page
    # Someone who does not evaluate (the security officer has not declared) sees everything all along.
    assert "PMOの根拠" in client_for(security).get(url("evaluation", rfp)).content.decode()


def test_saving_again_replaces_the_earlier_scores(rfp, proposals, pmo):
    declare(pmo, rfp)
    client = client_for(pmo)
    client.post(score_url(rfp, proposals["Kaito Systems"]), score_data(rfp, (1, 1, 1)))
    form = client.get(score_url(rfp, proposals["Kaito Systems"])).content.decode()
    assert "Saving replaces your earlier scores" in form and '<option value="1" selected>' in form
    client.post(score_url(rfp, proposals["Kaito Systems"]), score_data(rfp, (5, 5, 5), comment="見直し"))
    scores = Score.objects.filter(proposal=proposals["Kaito Systems"])
    assert sorted(scores.values_list("value", flat=True)) == [5, 5, 5]
    assert all(s.comment.startswith("見直し") for s in scores)
    event = AuditEvent.objects.filter(verb="rfp.score").order_by("pk").last()
    assert event.before["scores"] == {c.name: 1 for c in rfp.criteria.all()}
    assert event.after["scores"] == {c.name: 5 for c in rfp.criteria.all()}


def test_only_evaluators_who_scored_every_criterion_count_in_the_total(rfp, proposals, pmo, client_pm, security):
    for person in (pmo, client_pm, security):
        services.evaluator_declare(actor=person, rfp=rfp)
    kaito = proposals["Kaito Systems"]
    criteria = list(rfp.criteria.all())
    for person, values in ((pmo, (3, 5, 5)), (client_pm, (5, 5, 2))):
        services.proposal_score(actor=person, proposal=kaito, rows=[{"criterion": c, "value": v, "comment": "理由"} for c, v in zip(criteria, values, strict=True)])  # fmt: skip
    # The security officer scored one criterion only (e.g. before a criterion was added): left out of the total.
    Score.objects.create(proposal=kaito, criterion=criteria[0], evaluator=Evaluator.objects.get(user=security), value=0, comment="途中")  # fmt: skip

    result = next(r for r in evaluation_results(rfp).proposals if r.proposal == kaito)

    assert (str(result.total), str(result.spread), result.scored_by, result.rank) == ("84.5", "1.0", 2, 1)
    assert [str(t) if t is not None else None for t in result.evaluator_totals] == ["84.0", "85.0", None]
    page = text_of(client_for(pmo).get(url("evaluation", rfp)).content.decode())
    assert "not complete" in page


def test_equal_totals_share_a_rank(rfp, proposals, pmo):
    services.evaluator_declare(actor=pmo, rfp=rfp)
    criteria = list(rfp.criteria.all())
    for proposal in proposals.values():
        services.proposal_score(actor=pmo, proposal=proposal, rows=[{"criterion": c, "value": 4, "comment": "同等"} for c in criteria])  # fmt: skip
    assert [(r.rank, str(r.total)) for r in evaluation_results(rfp).ranking] == [(1, "80.0"), (1, "80.0")]


# --- who may score --------------------------------------------------------------------------------------------


def test_an_undeclared_person_cannot_score_and_is_told_to_declare_first(rfp, proposals, client_pm):
    kaito = proposals["Kaito Systems"]
    client = client_for(client_pm)

    page = client.get(score_url(rfp, kaito))
    posted = client.post(score_url(rfp, kaito), score_data(rfp, (5, 5, 5)))

    for response in (page, posted):
        assert response.status_code == 403
        html = response.content.decode()
        assert "Declare that you have no conflict of interest (below) before you score proposals." in html
        assert 'data-testid="declaration"' in html  # the form to declare, on the same page
    assert not Score.objects.exists()
    with pytest.raises(PermissionDenied, match="Declare that you have no conflict of interest"):
        services.proposal_score(actor=client_pm, proposal=kaito, rows=[])


def test_declaring_needs_the_box_ticked_and_keeps_the_statement_in_the_users_language(rfp, proposals, security):
    security.language = "ja"
    security.save()
    client = client_for(security)

    refused = client.post(url("evaluator_declare", rfp), {})
    assert refused.status_code == 422
    assert "利益相反がないことを申告するには、チェックボックスにチェックを入れてください" in refused.content.decode()  # in their language
    assert not Evaluator.objects.exists()

    page = client.get(url("evaluation", rfp)).content.decode()
    assert declaration_text("ja") in page.replace("&#x27;", "'")  # the statement they sign, shown before they sign it
    assert client.post(url("evaluator_declare", rfp), {"confirm": "on"}).status_code == 302
    evaluator = Evaluator.objects.get(rfp=rfp, user=security)
    assert evaluator.statement == declaration_text("ja")
    assert AuditEvent.objects.filter(verb="rfp.evaluator_declare", actor=security).count() == 1
    assert 'data-testid="score-link"' in client.get(url("evaluation", rfp)).content.decode()


def test_a_sealed_proposal_cannot_be_scored(rfp, orgs, pmo, vendor_a):
    sealed = make_proposal(rfp, orgs.vendor_a, vendor_a, opener=None)
    declare(pmo, rfp)
    client = client_for(pmo)

    page = client.get(url("evaluation", rfp)).content.decode()
    assert 'data-testid="sealed"' in page and 'data-testid="score-link"' not in page
    for response in (client.get(score_url(rfp, sealed), follow=True), client.post(score_url(rfp, sealed), score_data(rfp, (5, 5, 5)), follow=True)):  # fmt: skip
        assert response.redirect_chain[-1][0] == url("evaluation", rfp)
        assert "This proposal is still sealed" in response.content.decode()
    assert not Score.objects.exists()
    with pytest.raises(ValidationError, match="still sealed"):
        services.proposal_score(actor=pmo, proposal=sealed, rows=[])


def test_scores_need_every_criterion_a_score_from_0_to_5_and_a_comment(rfp, proposals, pmo):
    declare(pmo, rfp)
    data = score_data(rfp, (5, 9, 3))
    first = rfp.criteria.first()
    data[f"comment_{first.pk}"] = "   "
    response = client_for(pmo).post(score_url(rfp, proposals["Kaito Systems"]), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a score from 0 to 5." in html and "Say why you give this score" in html
    assert "根拠: 提案書の第3章。 (価格 / Price)" in html  # what was typed stays
    assert not Score.objects.exists()


def test_no_evaluation_before_the_rfp_is_issued(project, pmo, client_pm):
    draft = rfp_in(project, "approved", title="未発行のRFP")
    with pytest.raises(ValidationError, match="once the RFP is issued"):
        services.evaluator_declare(actor=pmo, rfp=draft)


# --- the recommendation ---------------------------------------------------------------------------------------


def recommend(pmo, rfp, vendor, reasons="業務理解が最も深く、価格も妥当なため。"):
    response = client_for(pmo).post(url("recommendation", rfp), {"vendor": vendor.pk, "reasons": reasons})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Recommendation.objects.filter(rfp=rfp).latest("written_at")


def test_the_recommendation_goes_through_the_inbox_and_the_writer_cannot_approve_it(rfp, proposals, orgs, pmo, client_pm):  # fmt: skip
    recommendation = recommend(pmo, rfp, orgs.vendor_a)
    assert recommendation.status == RecommendationStatus.PENDING
    assert Notification.objects.filter(recipient=client_pm, kind="rfp.recommendation_waiting").exists()
    inbox_page = client_for(client_pm).get(reverse("inbox:list")).content.decode()
    assert "Recommendation for" in inbox_page and "Kaito Systems" in inbox_page
    approve = reverse("inbox:approve", kwargs={"kind": "rfp_recommendation", "pk": recommendation.pk})

    assert client_for(pmo).post(approve, {"comment": ""}).status_code == 403
    with pytest.raises(PermissionDenied, match="Nobody can approve their own recommendation"):
        services.recommendation_approve(actor=pmo, recommendation=recommendation)
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.PENDING

    response = client_for(client_pm).post(approve, {"comment": "承認します。", "next": url("evaluation", rfp)})
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.decided_by, recommendation.comment) == ("approved", client_pm, "承認します。")  # fmt: skip
    assert Notification.objects.filter(recipient=pmo, kind="rfp.recommendation_decided").exists()
    assert AuditEvent.objects.filter(verb="rfp.recommendation_approve", actor=client_pm).exists()
    page = text_of(client_for(pmo).get(url("evaluation", rfp)).content.decode())
    assert "Approved by Pm on" in page and "業務理解が最も深く、価格も妥当なため。" in page
    # One standing recommendation: no second one once approved.
    again = client_for(pmo).post(url("recommendation", rfp), {"vendor": orgs.vendor_b.pk, "reasons": "やはり"})
    assert again.status_code == 422 and "already approved the recommendation of Kaito Systems" in again.content.decode()
    assert Recommendation.objects.count() == 1


def test_two_decisions_at_once_one_wins_the_other_hears_already_decided(rfp, proposals, orgs, pmo, client_pm):
    recommendation = recommend(pmo, rfp, orgs.vendor_a)
    services.recommendation_approve(actor=client_pm, recommendation=recommendation)
    with pytest.raises(AlreadyDecided, match="already decided by Pm"):
        services.recommendation_reject(actor=client_pm, recommendation=recommendation, comment="遅れて")
    late = client_for(client_pm).post(reverse("inbox:reject", kwargs={"kind": "rfp_recommendation", "pk": recommendation.pk}), {"comment": "遅れて"}, follow=True)  # fmt: skip
    assert "already decided by Pm" in late.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.APPROVED


def test_once_the_recommendation_is_approved_the_scores_are_final(rfp, proposals, orgs, pmo, client_pm):
    declare(pmo, rfp)
    kaito = proposals["Kaito Systems"]
    client_for(pmo).post(score_url(rfp, kaito), score_data(rfp, (4, 4, 4)))
    services.recommendation_approve(actor=client_pm, recommendation=recommend(pmo, rfp, orgs.vendor_a))

    page = client_for(pmo).get(url("evaluation", rfp)).content.decode()
    assert 'data-testid="final"' in page and 'data-testid="score-link"' not in page
    response = client_for(pmo).post(score_url(rfp, kaito), score_data(rfp, (0, 0, 0)), follow=True)
    assert "the scores are final" in response.content.decode()
    assert sorted(Score.objects.values_list("value", flat=True)) == [4, 4, 4]
    with pytest.raises(ValidationError, match="the scores are final"):
        services.proposal_score(actor=pmo, proposal=kaito, rows=[{"criterion": c, "value": 0, "comment": "x"} for c in rfp.criteria.all()])  # fmt: skip


def test_a_recommendation_sent_back_can_be_followed_by_a_new_one(rfp, proposals, orgs, pmo, client_pm):
    first = recommend(pmo, rfp, orgs.vendor_a)
    pending = client_for(pmo).get(url("recommendation", rfp)).content.decode()
    assert "is waiting for the client PM" in pending
    with pytest.raises(ValidationError, match="waiting for the client PM"):
        services.recommendation_create(actor=pmo, rfp=rfp, vendor=orgs.vendor_b, reasons="二つ目")
    reject = reverse("inbox:reject", kwargs={"kind": "rfp_recommendation", "pk": first.pk})
    assert client_for(client_pm).post(reject, {"comment": ""}).status_code == 200  # a reason is required
    assert client_for(client_pm).post(reject, {"comment": "価格の比較根拠を追記してください。"}).status_code == 302
    page = text_of(client_for(pmo).get(url("evaluation", rfp)).content.decode())
    assert "Sent back by Pm on" in page and "価格の比較根拠を追記してください。" in page

    second = recommend(pmo, rfp, orgs.vendor_b, reasons="価格差を比較した結果、Hanbit Softを推薦します。")
    assert second.pk != first.pk and second.status == RecommendationStatus.PENDING
    assert AuditEvent.objects.filter(verb="rfp.recommendation_reject").count() == 1
    assert AuditEvent.objects.filter(verb="rfp.recommend").count() == 2


def test_only_a_company_whose_proposal_was_opened_can_be_recommended(rfp, orgs, pmo, vendor_a, vendor_b):
    make_proposal(rfp, orgs.vendor_a, vendor_a, pmo)
    make_proposal(rfp, orgs.vendor_b, vendor_b, opener=None)
    client = client_for(pmo)
    form = client.get(url("recommendation", rfp)).content.decode()
    assert "Kaito Systems" in form and f'value="{orgs.vendor_b.pk}"' not in form
    response = client.post(url("recommendation", rfp), {"vendor": orgs.vendor_b.pk, "reasons": "封印中"})
    assert response.status_code == 422 and "Recommend one of the companies whose proposal was opened." in response.content.decode()  # fmt: skip
    assert client.post(url("recommendation", rfp), {"vendor": orgs.vendor_a.pk, "reasons": "封印中"}, follow=True).status_code == 200  # fmt: skip
    assert not Recommendation.objects.filter(vendor=orgs.vendor_b).exists()


def test_only_the_pmo_writes_the_recommendation(rfp, proposals, orgs, client_pm, security):
    for person in (client_pm, security):
        assert client_for(person).get(url("recommendation", rfp)).status_code == 403
        assert client_for(person).post(url("recommendation", rfp), {"vendor": orgs.vendor_a.pk, "reasons": "x"}).status_code == 403  # fmt: skip
    assert not Recommendation.objects.exists()


# --- vendors and readers: not even a hint -----------------------------------------------------------------------


def test_vendors_and_readers_get_404_on_every_evaluation_page_even_when_invited(rfp, proposals, orgs, pmo, vendor_a, vendor_b, reader):  # fmt: skip
    declare(pmo, rfp)
    recommendation = recommend(pmo, rfp, orgs.vendor_a)
    for person in (vendor_a, vendor_b):
        assert Rfp.objects.visible_to(person).filter(pk=rfp.pk).exists()  # they may read the RFP itself
    for person in (vendor_a, vendor_b, reader):
        client = client_for(person)
        own = proposals["Kaito Systems" if person == vendor_a else "Hanbit Soft"]
        requests = [
            ("get", url("evaluation", rfp), {}),
            ("post", url("evaluator_declare", rfp), {"confirm": "on"}),
            ("get", score_url(rfp, own), {}),
            ("post", score_url(rfp, own), score_data(rfp, (5, 5, 5))),
            ("get", url("recommendation", rfp), {}),
            ("post", url("recommendation", rfp), {"vendor": own.vendor_id, "reasons": "自社を推薦"}),
            ("post", reverse("exports:start", kwargs={"kind": "rfp_evaluation", "object_id": rfp.pk}), {"language": "ja"}),
            ("post", reverse("inbox:approve", kwargs={"kind": "rfp_recommendation", "pk": recommendation.pk}), {}),
        ]  # fmt: skip
        for method, address, data in requests:
            response = getattr(client, method)(address, data)
            assert response.status_code == 404, f"{person} {method.upper()} {address}: {response.status_code}"
    assert Evaluator.objects.count() == 1 and not Score.objects.exists() and Recommendation.objects.count() == 1
    assert not ExportJob.objects.filter(kind="rfp_evaluation").exists()


def test_people_of_another_project_get_404(rfp, proposals, outsider):
    assert client_for(outsider).get(url("evaluation", rfp)).status_code == 404
    assert client_for(outsider).post(reverse("exports:start", kwargs={"kind": "rfp_evaluation", "object_id": rfp.pk})).status_code == 404  # fmt: skip


# --- the PDF --------------------------------------------------------------------------------------------------


def _pdftotext(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("`pdftotext` was not found: `make test` installs poppler-utils", pytrace=False)
    text = subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    return re.sub(r"\s+", "", text)


def test_the_evaluation_pdf_has_the_criteria_ranking_scores_and_approved_reasons(rfp, proposals, orgs, pmo, client_pm, django_capture_on_commit_callbacks):  # fmt: skip
    declare(pmo, rfp)
    declare(client_pm, rfp)
    score_all(rfp, proposals, {"pmo": pmo, "pm": client_pm})
    recommendation = recommend(pmo, rfp, orgs.vendor_a, reasons="業務理解と技術の評価が最も高く、総合点で1位のため。")
    services.recommendation_approve(actor=client_pm, recommendation=recommendation, comment="承認")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pmo).post(reverse("exports:start", kwargs={"kind": "rfp_evaluation", "object_id": rfp.pk}), {"language": "ja"})  # fmt: skip
    assert response.status_code == 302
    job = ExportJob.objects.get(kind="rfp_evaluation", requested_by=pmo)
    assert job.status == ExportStatus.DONE, job.error
    text = _pdftotext(Path(job.file.path))

    for name in ("業務理解/Understandingofthebusiness", "技術/Technicalapproach", "価格/Price"):
        assert name in text, name
    assert "業務理解と技術の評価が最も高く、総合点で1位のため。" in text  # the reasons
    assert "承認：Pm（" in text  # the client PM's approval stamp on the cover ("Approved by Pm on …" in Japanese)
    ranking = text[text.index("順位順位") :]  # the ranking table ("Ranking" heading, "Rank" column), not the contents
    assert re.search(r"^順位順位.*?1KaitoSystems84\.51\.0.*?2HanbitSoft81\.53\.0", ranking), ranking[:400]
    assert "根拠:提案書の第3章。(価格/Price)" in text  # the evaluators' comments


def test_the_export_control_is_on_the_evaluation_page(rfp, proposals, security):
    html = client_for(security).get(url("evaluation", rfp)).content.decode()
    assert reverse("exports:start", kwargs={"kind": "rfp_evaluation", "object_id": rfp.pk}) in html


# --- constant queries -----------------------------------------------------------------------------------------


def _evaluated(rfp, pmo, client_pm, security, vendors: int):
    """``vendors`` opened proposals, each scored by three evaluators, and a recommendation waiting."""
    people = (pmo, client_pm, security)
    for person in people:
        services.evaluator_declare(actor=person, rfp=rfp)
    criteria = list(rfp.criteria.all())
    for n in range(Proposal.objects.filter(rfp=rfp).count(), vendors):
        company = OrganizationFactory(name=f"ベンダー {n:02d}", kind=OrganizationKind.VENDOR)
        proposal = make_proposal(rfp, company, pmo, pmo)
        for person in people:
            services.proposal_score(actor=person, proposal=proposal, rows=[{"criterion": c, "value": (n + i) % 6, "comment": f"理由 {n}"} for i, c in enumerate(criteria)])  # fmt: skip
    if not Recommendation.objects.filter(rfp=rfp).exists():
        services.recommendation_create(actor=pmo, rfp=rfp, vendor=Proposal.objects.filter(rfp=rfp).first().vendor, reasons="理由")  # fmt: skip


def test_the_evaluation_page_runs_the_same_queries_for_2_and_6_proposals(rfp, pmo, client_pm, security):
    counts = []
    for size in (2, 6):
        _evaluated(rfp, pmo, client_pm, security, size)
        client = client_for(client_pm)  # the client PM: the decision forms are on the page too
        client.get(url("evaluation", rfp))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("evaluation", rfp))
        assert response.status_code == 200
        assert len(cells(response.content.decode(), "rank-row")) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
