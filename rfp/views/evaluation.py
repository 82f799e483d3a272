"""Evaluating the proposals: the evaluation page (declaration, scores matrix, totals, spread, ranking and the
recommendation), scoring one proposal, writing the recommendation.

Vendors and readers get 404 on every page here, even when they may read the RFP itself: they must not even learn
that an evaluation exists (DESIGN.md §4: vendors never see scores or internal notes).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal import inbox
from pmo_portal.forms import add_service_errors
from pmo_portal.inbox_views import ApproveForm, RejectForm
from pmo_portal.permissions import require_perm

from .. import services
from ..forms.evaluation import DeclarationForm, RecommendationForm, ScoreForm
from ..models import MAX_SCORE, PUBLISHED_STATUSES, Proposal, RecommendationStatus, Rfp
from ..services.evaluation import SCORES_FINAL, declaration_text, evaluation_results, recommendable_vendors


def _rfp(request, code, pk, perm="rfp.view_evaluation") -> Rfp:
    """The RFP, if the user may see its evaluation (404 otherwise, vendors included) and holds ``perm`` (403)."""
    rfp = get_object_or_404(Rfp.objects.visible_to(request.user).select_related("project"), project__code=code, pk=pk)
    if not request.user.has_perm("rfp.view_evaluation", rfp):
        raise Http404
    require_perm(request.user, perm, rfp)
    return rfp


def _page(request, rfp: Rfp, *, declaration_form=None, refusal: str = "", status: int = 200):
    """The evaluation page: what it shows is read in a constant number of queries (see the test)."""
    user = request.user
    results = evaluation_results(rfp)
    me = next((i for i, e in enumerate(results.evaluators) if e.user_id == user.pk), None)
    recommendations = list(rfp.recommendations.select_related("vendor", "written_by", "decided_by"))
    final = any(r.status == RecommendationStatus.APPROVED for r in recommendations)
    for result in results.proposals:  # what the viewer has scored of each proposal
        result.mine = me is not None and any(row.scores[me] for row in result.rows)
        # Blind scoring: an evaluator sees the others' scores of a proposal once they have scored it themselves.
        result.hidden = me is not None and not result.mine and not result.proposal.is_sealed and not final
    pending = next((r for r in recommendations if r.is_pending), None)
    context = {
        "project": rfp.project, "rfp": rfp, "results": results, "open": rfp.status in PUBLISHED_STATUSES,
        "me": results.evaluators[me] if me is not None else None, "refusal": refusal,
        "declaration": declaration_text(), "declaration_form": declaration_form or DeclarationForm(),
        "recommendations": recommendations, "pending": pending,
        "final": final, "hide_ranking": any(r.hidden for r in results.proposals),
        "standing": next((r for r in recommendations if r.status in ("pending", "approved")), None),
        "can_recommend": user.has_perm("rfp.recommend", rfp),
    }  # fmt: skip
    if pending is not None and pending.written_by_id != user.pk and user.has_perm("rfp.review_rfp", rfp):
        context |= {"decision_item": inbox.InboxItem(inbox.get_kind("rfp_recommendation"), pending), "approve_form": ApproveForm(), "reject_form": RejectForm()}  # fmt: skip
    return render(request, "rfp/evaluation/evaluation.html", context, status=status)


@require_GET
@login_required
def evaluation(request, code, pk):
    return _page(request, _rfp(request, code, pk))


@require_POST
@login_required
def evaluator_declare(request, code, pk):
    rfp = _rfp(request, code, pk, "rfp.declare_evaluator")
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.evaluator_declare(actor=request.user, rfp=rfp)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your declaration is recorded. You can now score the proposals."))
            return redirect("rfp:evaluation", code=code, pk=pk)
    return _page(request, rfp, declaration_form=form, status=422)


def _why_not_scorable(rfp: Rfp, proposal: Proposal) -> str:
    if rfp.status not in PUBLISHED_STATUSES:
        return _("Proposals are evaluated once the RFP is issued.")
    if proposal.is_sealed:
        return _("This proposal is still sealed: it can be scored once the PMO opens it after the deadline.")
    if rfp.recommendations.filter(status=RecommendationStatus.APPROVED).exists():
        return str(SCORES_FINAL)
    return ""


@login_required
def score(request, code, pk, proposal_pk):
    rfp = _rfp(request, code, pk)
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user).select_related("vendor"), rfp=rfp, pk=proposal_pk)  # fmt: skip
    if not request.user.has_perm("rfp.score", rfp):
        refusal = _("Declare that you have no conflict of interest (below) before you score proposals.")
        return _page(request, rfp, refusal=refusal, status=403)
    refused = _why_not_scorable(rfp, proposal)
    if refused:
        messages.error(request, refused)
        return redirect("rfp:evaluation", code=code, pk=pk)
    criteria = list(rfp.criteria.all())
    earlier = proposal.scores.filter(evaluator__user=request.user)
    form = ScoreForm(request.POST or None, criteria=criteria, initial=ScoreForm.initial_of(earlier))
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_score(actor=request.user, proposal=proposal, rows=form.rows())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your scores of %(vendor)s are saved.") % {"vendor": proposal.vendor})
            return redirect("rfp:evaluation", code=code, pk=pk)
    context = {"project": rfp.project, "rfp": rfp, "proposal": proposal, "form": form, "rescoring": bool(form.initial), "max_score": MAX_SCORE}  # fmt: skip
    return render(request, "rfp/evaluation/score_form.html", context, status=422 if request.method == "POST" else 200)


@login_required
def recommendation(request, code, pk):
    rfp = _rfp(request, code, pk, "rfp.recommend")
    form = RecommendationForm(request.POST or None, vendors=recommendable_vendors(rfp))
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_create(actor=request.user, rfp=rfp, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your recommendation waits for the client PM's approval."))
            return redirect("rfp:evaluation", code=code, pk=pk)
    context = {"project": rfp.project, "rfp": rfp, "form": form, "results": evaluation_results(rfp), "standing": services.standing_recommendation(rfp)}  # fmt: skip
    return render(request, "rfp/evaluation/recommendation_form.html", context, status=422 if request.method == "POST" else 200)  # fmt: skip
