"""Building blocks for RFP tests: RFPs in any state, moved there by the real services (as users do)."""

from datetime import timedelta

from django.utils import timezone

from projects.models import Role
from rfp import services
from rfp.models import Invitation, Rfp, RfpStatus

from .dictionary_factories import member

CRITERIA = [
    {"id": None, "name": "業務理解 / Understanding of the business", "description": "", "weight": 40},
    {"id": None, "name": "技術 / Technical approach", "description": "", "weight": 35},
    {"id": None, "name": "価格 / Price", "description": "", "weight": 25},
]


def draft_rfp(project, title="保険金請求システム刷新 RFP") -> Rfp:
    """A draft from the usual sections, each written and explained, with two requirements and three criteria."""
    pmo = member(project, Role.PMO)
    rfp = services.rfp_create(actor=pmo, project=project, title=title, language="ja")
    for section in rfp.sections.all():
        services.section_update(actor=pmo, section=section, title=section.title, body=section.body or "本文。", explanation=section.explanation or "説明。")  # fmt: skip
    criteria = services.criteria_save(actor=pmo, rfp=rfp, rows=[dict(row) for row in CRITERIA])
    services.requirement_create(actor=pmo, rfp=rfp, category="functional", text="代理店がオンラインで保険金を請求できること。", priority="must", criterion=criteria[0])  # fmt: skip
    services.requirement_create(actor=pmo, rfp=rfp, category="non_functional", text="画面は2秒以内に応答すること。", priority="should", criterion=criteria[1])  # fmt: skip
    return rfp


def rfp_in(project, status: str, *, invite=(), title="保険金請求システム刷新 RFP") -> Rfp:
    """The project's RFP of this title in ``status`` ("draft", "in_review", "approved", "issued", "closed"), made
    once; ``invite``: vendor organizations invited once it is issued."""
    rfp = Rfp.objects.filter(project=project, title=title).first() or draft_rfp(project, title)
    pmo, pm = member(project, Role.PMO), member(project, Role.CLIENT_PM)
    order = ["draft", "in_review", "approved", "issued", "closed"]
    while order.index(rfp.status) < order.index(status):
        if rfp.status == RfpStatus.DRAFT:
            services.rfp_submit(actor=pmo, rfp=rfp)
        elif rfp.status == RfpStatus.IN_REVIEW:
            for section in rfp.sections.all():
                services.section_understood(actor=pm, section=section)
            services.rfp_approve(actor=pm, rfp=rfp)
        elif rfp.status == RfpStatus.APPROVED:
            now = timezone.now()
            services.rfp_issue(actor=pmo, rfp=rfp, question_deadline=now + timedelta(days=7), proposal_deadline=now + timedelta(days=14))  # fmt: skip
        else:
            services.rfp_close(actor=pmo, rfp=rfp)
        rfp.refresh_from_db()
    for vendor in invite:
        Invitation.objects.get_or_create(rfp=rfp, vendor=vendor, defaults={"invited_by": pmo})
    return rfp
