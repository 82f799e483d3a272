"""The evaluation of proposals takes part in the approval inbox (the PMO's recommendation, which the client PM
approves), notifications and PDF exports (the evaluation's result). Registered in ready()."""

from django.db.models import Exists
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo_portal import exports, inbox, notifications, pdf
from pmo_portal.models import Delivery
from projects.models import FULL_VIEW_ROLES, Membership

from . import services
from .models import Recommendation, RecommendationStatus, Rfp
from .services.evaluation import evaluation_results

# --- notifications --------------------------------------------------------------------------------------------


def _decided_sentence(params) -> str:
    if params.get("decision") == RecommendationStatus.APPROVED:
        return _("%(approver)s approved the recommendation of %(vendor)s for “%(rfp)s”.") % params
    return _("%(approver)s sent back the recommendation of %(vendor)s for “%(rfp)s”: %(comment)s") % params


notifications.register_kind(
    "rfp.recommendation_waiting",
    label=gettext_lazy("RFP recommendations waiting for your approval"),
    sentence=gettext_lazy("%(writer)s recommends %(vendor)s for “%(rfp)s” and asks for your approval."),
    default_delivery=Delivery.IMMEDIATE,
)
notifications.register_kind(
    "rfp.recommendation_decided",
    label=gettext_lazy("Decisions on the RFP recommendations you wrote"),
    sentence=_decided_sentence,
    default_delivery=Delivery.IMMEDIATE,
)


# --- the approval inbox ---------------------------------------------------------------------------------------


def recommendation_summary(recommendation: Recommendation) -> str:
    return _("Recommendation for “%(rfp)s”: %(vendor)s — %(reasons)s") % {
        "rfp": recommendation.rfp.title,
        "vendor": recommendation.vendor,
        "reasons": Truncator(recommendation.reasons).chars(140),
    }


def _visible(user):
    return Recommendation.objects.visible_to(user).select_related("rfp__project", "vendor", "written_by", "decided_by")


def _can_decide(user, recommendation: Recommendation) -> bool:
    """The client PM of the project, never the writer (the service checks again on fresh data)."""
    return recommendation.written_by_id != user.pk and user.has_perm("rfp.review_rfp", recommendation)


inbox.register(
    inbox.InboxKind(
        key="rfp_recommendation",
        label=gettext_lazy("Vendor recommendation"),
        pending=lambda user: Recommendation.objects.waiting_for(user),
        visible=_visible,
        summary=recommendation_summary,
        waiting_since=lambda recommendation: recommendation.written_at,
        project=lambda recommendation: recommendation.rfp.project,
        url=lambda recommendation: recommendation.get_absolute_url(),
        approve=lambda actor, rec, comment: services.recommendation_approve(
            actor=actor, recommendation=rec, comment=comment
        ),
        reject=lambda actor, rec, comment: services.recommendation_reject(
            actor=actor, recommendation=rec, comment=comment
        ),
        can_decide=_can_decide,
        approver_roles=("client_pm",),
    )
)


# --- the evaluation's PDF -------------------------------------------------------------------------------------


def evaluation_visible(user):
    """RFPs whose evaluation ``user`` may see: PMO, client PM and security of the project (never vendors)."""
    if not user.is_authenticated:
        return Rfp.objects.none()
    return Rfp.objects.filter(Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES))).select_related("project")


def build_evaluation(rfp: Rfp, language: str, user) -> pdf.Document:
    """Criteria and weights, the ranking with totals and spread, every score with its evaluator and comment, and
    the recommendation with its reasons; stamped with the client PM's approval of it."""
    results = evaluation_results(rfp)
    recommendations = list(rfp.recommendations.select_related("vendor", "written_by", "decided_by").order_by("written_at", "pk"))  # fmt: skip
    approved = next((r for r in reversed(recommendations) if r.status == RecommendationStatus.APPROVED), None)
    shown = approved or next((r for r in reversed(recommendations) if r.is_pending), None)
    sections = [
        pdf.Section("criteria", _("Evaluation criteria")),
        pdf.Section("ranking", _("Ranking")),
        pdf.Section("scores", _("Scores")),
        *[pdf.Section(f"proposal-{r.proposal.pk}", str(r.proposal.vendor), level=2) for r in results.proposals],
        pdf.Section("recommendation", _("Recommendation")),
    ]
    change_log = []
    for r in recommendations:
        change_log.append({"version": "", "date": r.written_at, "author": str(r.written_by), "summary": _("Recommended %(vendor)s.") % {"vendor": r.vendor}})  # fmt: skip
        if r.decided_at:
            summary = _("Approved.") if r.status == RecommendationStatus.APPROVED else _("Sent back: %(comment)s") % {"comment": r.comment}  # fmt: skip
            change_log.append({"version": "", "date": r.decided_at, "author": str(r.decided_by), "summary": summary})
    return pdf.Document(
        template_name="pdf/rfp_evaluation.html",
        context={"rfp": rfp, "results": results, "recommendation": shown, "recommendations": recommendations},
        language=language,
        title=_("Evaluation of the proposals"),
        project_name=f"{rfp.project.code} {rfp.project.name} — {rfp.title}",
        version=_("as of %(date)s") % {"date": timezone.localdate().isoformat()},
        approved_by=str(approved.decided_by) if approved else "",
        approved_at=approved.decided_at if approved else None,
        sections=sections,
        change_log=change_log,
    )


exports.register(
    exports.ExportKind(
        key="rfp_evaluation",
        load=lambda object_id: Rfp.objects.select_related("project").get(pk=object_id),
        visible=evaluation_visible,
        permission="rfp.view_evaluation",
        project=lambda rfp: rfp.project,
        title=lambda rfp: _("Evaluation of %(rfp)s") % {"rfp": rfp.title},
        document=build_evaluation,
    )
)
