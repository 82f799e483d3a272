"""Evaluating the proposals of an RFP: one function per state change (DESIGN.md §4), and the results.

PMO staff, the client PM and the security officer of the project may evaluate. Each first declares that they
have no conflict of interest (``evaluator_declare``), then scores each opened proposal on every criterion, 0 to
``MAX_SCORE`` with a comment (``proposal_score``; saving again replaces their earlier scores of it). The portal
computes, per proposal, the weighted total of each evaluator (Σ weight × score / MAX_SCORE: 0–100 as the weights
add up to 100), their average over the evaluators who scored every criterion, the spread between them (highest
minus lowest total) and a ranking (``evaluation_results``). The PMO writes the recommendation with its reasons
(``recommendation_create``); the client PM approves it or sends it back (``recommendation_approve`` /
``recommendation_reject``, through the approval inbox). Vendors never see any of it.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided
from projects.models import FULL_VIEW_ROLES, Role
from projects.services import require_role

from ..models import (
    MAX_SCORE,
    PUBLISHED_STATUSES,
    EvaluationCriterion,
    Evaluator,
    Proposal,
    Recommendation,
    RecommendationStatus,
    Rfp,
    Score,
)
from .document import lock_rfp, require_client_pm, require_pmo

# What an evaluator declares, stored in their language with their declaration (Evaluator.statement).
DECLARATION = gettext_noop(
    "I declare that I have no conflict of interest with any vendor that submitted a proposal to this RFP: no "
    "financial interest, no family or business tie, no gift or offer from them. If one arises, I will tell the "
    "PMO team at once and stop evaluating."
)


SCORES_FINAL = gettext_lazy("The client PM approved the recommendation: the scores are final.")


def declaration_text(language: str | None = None) -> str:
    """The declaration in ``language`` (the active language when None)."""
    if language is None:
        return _(DECLARATION)
    with translation.override(language):
        return _(DECLARATION)


def require_evaluation_role(actor, project) -> None:
    require_role(actor, project, *FULL_VIEW_ROLES, message=_("Only PMO staff, the client PM and the security officer of this project evaluate proposals."))  # fmt: skip


def _require_evaluation_open(rfp: Rfp) -> None:
    if rfp.status not in PUBLISHED_STATUSES:
        raise ValidationError(_("Proposals are evaluated once the RFP is issued; this one is %(status)s.") % {"status": rfp.get_status_display().lower()})  # fmt: skip


# --- evaluators -----------------------------------------------------------------------------------------------


def evaluator_declare(*, actor, rfp: Rfp) -> Evaluator:
    """``actor`` declares no conflict of interest for this RFP and may score its proposals from now on.

    The declaration is kept in the actor's language, as they read it. Declaring twice keeps the first.
    """
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_evaluation_role(actor, rfp.project)
        _require_evaluation_open(rfp)
        found = Evaluator.objects.filter(rfp=rfp, user=actor).first()
        if found is not None:
            return found
        evaluator = Evaluator(rfp=rfp, user=actor, statement=declaration_text(actor.language))
        evaluator.full_clean()
        evaluator.save()
        audit.record(actor=actor, verb="rfp.evaluator_declare", obj=rfp, project=rfp.project, after={"statement": evaluator.statement})  # fmt: skip
    return evaluator


# --- scores ---------------------------------------------------------------------------------------------------


def proposal_score(*, actor, proposal: Proposal, rows: list[dict]) -> list[Score]:
    """A declared evaluator scores one opened proposal: ``rows`` of {"criterion", "value", "comment"}, one per
    criterion of the RFP. Their earlier scores of this proposal are replaced."""
    with transaction.atomic():
        rfp = lock_rfp(proposal.rfp)
        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("vendor").get(pk=proposal.pk, rfp=rfp)  # fmt: skip
        require_evaluation_role(actor, rfp.project)
        evaluator = Evaluator.objects.filter(rfp=rfp, user=actor).first()
        if evaluator is None:
            raise PermissionDenied(_("Declare that you have no conflict of interest before you score proposals."))
        _require_evaluation_open(rfp)
        if proposal.is_sealed:
            raise ValidationError(_("This proposal is still sealed: it can be scored once the PMO opens it after the deadline."))  # fmt: skip
        if rfp.recommendations.filter(status=RecommendationStatus.APPROVED).exists():
            raise ValidationError(SCORES_FINAL)
        criteria = {c.pk: c for c in rfp.criteria.all()}
        given = {row["criterion"].pk: row for row in rows}
        if set(given) != set(criteria) or len(given) != len(rows):
            raise ValidationError(_("Score every criterion of this RFP once (the criteria may have changed: reload the page)."))  # fmt: skip
        scores = []
        for pk, criterion in criteria.items():
            row = given[pk]
            score = Score(proposal=proposal, criterion=criterion, evaluator=evaluator, value=row["value"], comment=(row["comment"] or "").strip())  # fmt: skip
            if not score.comment:
                raise ValidationError(_("Say why you give “%(criterion)s” this score.") % {"criterion": criterion.name})
            score.full_clean(exclude=["proposal", "criterion", "evaluator"], validate_unique=False, validate_constraints=False)  # fmt: skip
            scores.append(score)
        earlier = Score.objects.filter(proposal=proposal, evaluator=evaluator)
        before = {s.criterion.name: s.value for s in earlier.select_related("criterion")}
        earlier.delete()
        Score.objects.bulk_create(scores)
        after = {"proposal": str(proposal.vendor), "scores": {s.criterion.name: s.value for s in scores}}
        audit.record(actor=actor, verb="rfp.score", obj=rfp, project=rfp.project, before={"scores": before} if before else None, after=after)  # fmt: skip
    return scores


# --- the recommendation ---------------------------------------------------------------------------------------


def recommendable_vendors(rfp: Rfp):
    """The companies the PMO may recommend: those whose proposal was opened (a sealed one was never scored)."""
    from accounts.models import Organization

    return Organization.objects.filter(pk__in=rfp.proposals.filter(opened_at__isnull=False).values("vendor_id")).order_by("name")  # fmt: skip


def standing_recommendation(rfp: Rfp) -> Recommendation | None:
    return rfp.recommendations.filter(status__in=[RecommendationStatus.PENDING, RecommendationStatus.APPROVED]).first()


def _notify(people, *, kind: str, recommendation: Recommendation, params: dict) -> None:
    rfp = recommendation.rfp
    for person in people:
        notifications.notify(recipient=person, kind=kind, project=rfp.project, obj=rfp, url=recommendation.get_absolute_url(), params={"rfp": rfp.title, "vendor": str(recommendation.vendor), **params})  # fmt: skip


def recommendation_create(*, actor, rfp: Rfp, vendor, reasons: str) -> Recommendation:
    """The PMO recommends a vendor, saying why; the client PM decides. One recommendation stands at a time: a new
    one can be written once the client PM sent the previous one back."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_evaluation_open(rfp)
        standing = standing_recommendation(rfp)
        if standing is not None:
            if standing.status == RecommendationStatus.APPROVED:
                raise ValidationError(_("The client PM already approved the recommendation of %(vendor)s.") % {"vendor": standing.vendor})  # fmt: skip
            raise ValidationError(_("The recommendation of %(vendor)s is waiting for the client PM. A new one can be written if they send it back.") % {"vendor": standing.vendor})  # fmt: skip
        if vendor is None or not recommendable_vendors(rfp).filter(pk=vendor.pk).exists():
            raise ValidationError({"vendor": _("Recommend one of the companies whose proposal was opened.")})
        recommendation = Recommendation(rfp=rfp, vendor=vendor, reasons=reasons.strip(), written_by=actor)
        recommendation.full_clean(exclude=["status"], validate_constraints=False)
        recommendation.save()
        audit.record(actor=actor, verb="rfp.recommend", obj=rfp, project=rfp.project, after={"vendor": str(vendor), "reasons": recommendation.reasons})  # fmt: skip
        client_pms = rfp.project.people(Role.CLIENT_PM).exclude(pk=actor.pk)
        _notify(client_pms, kind="rfp.recommendation_waiting", recommendation=recommendation, params={"writer": str(actor)})  # fmt: skip
    return recommendation


def _lock_for_decision(*, actor, recommendation: Recommendation) -> Recommendation:
    recommendation = Recommendation.objects.select_for_update(of=("self",)).select_related("rfp__project", "vendor", "written_by", "decided_by").get(pk=recommendation.pk)  # fmt: skip
    if recommendation.written_by_id == actor.pk:
        raise PermissionDenied(_("Nobody can approve their own recommendation. The client PM decides."))
    require_client_pm(actor, recommendation.rfp.project)
    if not recommendation.is_pending:
        raise AlreadyDecided(_("This recommendation was already decided by %(person)s (%(decision)s).") % {"person": recommendation.decided_by, "decision": recommendation.get_status_display().lower()}, code="already_decided")  # fmt: skip
    return recommendation


def recommendation_approve(*, actor, recommendation: Recommendation, comment: str = "") -> Recommendation:
    """The client PM approves the recommendation: the evaluation's result, printed on its PDF with their name."""
    with transaction.atomic():
        recommendation = _lock_for_decision(actor=actor, recommendation=recommendation)
        recommendation.approve(by=actor, at=timezone.now(), comment=comment.strip())
        recommendation.full_clean(exclude=["status"], validate_constraints=False)
        recommendation.save()
        rfp = recommendation.rfp
        audit.record(actor=actor, verb="rfp.recommendation_approve", obj=rfp, project=rfp.project, after={"vendor": str(recommendation.vendor), "comment": recommendation.comment})  # fmt: skip
        _notify([recommendation.written_by], kind="rfp.recommendation_decided", recommendation=recommendation, params={"approver": str(actor), "decision": recommendation.status, "comment": recommendation.comment})  # fmt: skip
    return recommendation


def recommendation_reject(*, actor, recommendation: Recommendation, comment: str) -> Recommendation:
    """The client PM sends the recommendation back, saying why; the PMO may then write a new one."""
    with transaction.atomic():
        recommendation = _lock_for_decision(actor=actor, recommendation=recommendation)
        if not comment.strip():
            raise ValidationError({"comment": _("Say why you send it back, so that the PMO team can put it right.")})
        recommendation.reject(by=actor, at=timezone.now(), comment=comment.strip())
        recommendation.full_clean(exclude=["status"], validate_constraints=False)
        recommendation.save()
        rfp = recommendation.rfp
        audit.record(actor=actor, verb="rfp.recommendation_reject", obj=rfp, project=rfp.project, after={"vendor": str(recommendation.vendor), "comment": recommendation.comment})  # fmt: skip
        _notify([recommendation.written_by], kind="rfp.recommendation_decided", recommendation=recommendation, params={"approver": str(actor), "decision": recommendation.status, "comment": recommendation.comment})  # fmt: skip
    return recommendation


# --- the results ----------------------------------------------------------------------------------------------


def _decimal(value: Fraction | None, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class CriterionRow:
    """One criterion of one proposal: each evaluator's score (None: not scored), in the order of the evaluators."""

    criterion: EvaluationCriterion
    scores: list


@dataclass
class ProposalResult:
    proposal: Proposal
    rows: list = field(default_factory=list)  # CriterionRow per criterion
    evaluator_totals: list = field(default_factory=list)  # Decimal, or None when that evaluator has not scored all
    totals_by_evaluator: list = field(default_factory=list)  # (Evaluator, its total or None)
    exact_total: Fraction | None = None
    total: Decimal | None = None  # the average of the complete evaluators' totals, 0–100
    spread: Decimal | None = None  # highest minus lowest of their totals
    scored_by: int = 0  # how many evaluators scored every criterion
    rank: int | None = None


@dataclass
class EvaluationResults:
    criteria: list
    evaluators: list
    proposals: list  # ProposalResult, in the order of the proposals (vendor name)
    max_score: int = MAX_SCORE

    @property
    def ranking(self) -> list:
        """Proposals with a total, best first (equal totals share a rank)."""
        return sorted((r for r in self.proposals if r.rank is not None), key=lambda r: (r.rank, r.proposal.vendor.name))

    @property
    def weights_total(self) -> int:
        return sum(c.weight for c in self.criteria)


def evaluator_total(criteria, values: dict) -> Fraction | None:
    """Σ weight × score / MAX_SCORE over every criterion, or None when one is not scored."""
    if not criteria or any(c.pk not in values for c in criteria):
        return None
    return sum((Fraction(c.weight * values[c.pk], MAX_SCORE) for c in criteria), Fraction(0))


def evaluation_results(rfp: Rfp) -> EvaluationResults:
    """Every proposal with every evaluator's scores, the weighted totals, the spread and the ranking.

    Four queries whatever the number of proposals, criteria and evaluators.
    """
    criteria = list(rfp.criteria.all())
    evaluators = list(rfp.evaluators.select_related("user"))
    proposals = list(rfp.proposals.select_related("vendor").order_by("vendor__name", "pk"))
    by_pk = {e.pk: e for e in evaluators}
    scores: dict[tuple[int, int], dict[int, Score]] = {}
    for score in Score.objects.filter(proposal__rfp=rfp):
        score.evaluator = by_pk[score.evaluator_id]  # already read: no query per score
        scores.setdefault((score.proposal_id, score.evaluator_id), {})[score.criterion_id] = score
    results = []
    for proposal in proposals:
        result = ProposalResult(proposal=proposal)
        of_each = [scores.get((proposal.pk, e.pk), {}) for e in evaluators]
        result.rows = [CriterionRow(c, [given.get(c.pk) for given in of_each]) for c in criteria]
        exact = [evaluator_total(criteria, {pk: s.value for pk, s in given.items()}) for given in of_each]
        result.evaluator_totals = [_decimal(t) for t in exact]
        result.totals_by_evaluator = list(zip(evaluators, result.evaluator_totals, strict=True))
        complete = [t for t in exact if t is not None]
        result.scored_by = len(complete)
        if complete:
            result.exact_total = sum(complete, Fraction(0)) / len(complete)
            result.total, result.spread = _decimal(result.exact_total), _decimal(max(complete) - min(complete))
        results.append(result)
    ranked = sorted((r for r in results if r.exact_total is not None), key=lambda r: r.exact_total, reverse=True)
    for position, result in enumerate(ranked, start=1):
        same = position > 1 and ranked[position - 2].exact_total == result.exact_total
        result.rank = ranked[position - 2].rank if same else position
    return EvaluationResults(criteria=criteria, evaluators=evaluators, proposals=results)
