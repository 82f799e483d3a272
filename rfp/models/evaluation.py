"""Evaluating the proposals: evaluators declare no conflict of interest, score each proposal per criterion with
a comment; the portal computes weighted totals, the spread between evaluators and a ranking; the PMO writes a
recommendation that the client PM approves. Vendors never see any of it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Exists, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from pmo_portal.validators import validate_single_line
from projects.models import FULL_VIEW_ROLES, Membership, Role

from .document import EvaluationCriterion, Rfp, _text
from .vendors import Proposal

MAX_SCORE = 5  # each criterion is scored 0 (nothing) to 5 (excellent)


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user, project_field: str = "rfp__project"):
        """PMO, client PM and security of the project; never vendors or readers."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES, project_field=project_field)))


class Evaluator(models.Model):
    """Someone who scores the proposals of an RFP, once they declared they have no conflict of interest."""

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.CharField(_("declaration"), max_length=500, validators=[validate_single_line])
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        ordering = ["declared_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["rfp", "user"], name="evaluator_once_per_rfp")]

    def __str__(self):
        return str(self.user)


class ScoreQuerySet(EvaluationQuerySet):
    def visible_to(self, user, project_field: str = "proposal__rfp__project"):
        return super().visible_to(user, project_field)


class Score(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(MAX_SCORE)])
    comment = models.TextField(_("why this score"), max_length=2_000, validators=_text(2_000))
    scored_at = models.DateTimeField(auto_now=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion", "evaluator"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=Q(value__lte=MAX_SCORE), name="score_in_range"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the client PM")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Sent back")


class RecommendationQuerySet(EvaluationQuerySet):
    def waiting_for(self, user):
        if not user.is_authenticated:
            return self.none()
        return (
            self.filter(status=RecommendationStatus.PENDING)
            .filter(Exists(Membership.objects.of_row(user, roles=[Role.CLIENT_PM], project_field="rfp__project")))
            .exclude(written_by=user)
            .select_related("rfp__project", "vendor", "written_by")
            .order_by("written_at", "pk")
        )


class Recommendation(FSMModelMixin, models.Model):
    """The PMO's recommendation of a vendor, with reasons; the client PM approves it or sends it back."""

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="recommendations")
    vendor = models.ForeignKey("accounts.Organization", verbose_name=_("recommended vendor"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    reasons = models.TextField(_("reasons"), max_length=10_000, validators=_text(10_000))
    status = FSMField(_("status"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PENDING, protected=True)  # fmt: skip
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2_000, validators=_text(2_000))

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RecommendationStatus.values), name="recommendation_status_valid"),  # fmt: skip
            models.UniqueConstraint(fields=["rfp"], condition=Q(status__in=["pending", "approved"]), name="recommendation_one_standing"),  # fmt: skip
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="recommendation_decided_has_who_and_when",
            ),
            models.CheckConstraint(condition=~Q(status="rejected", comment=""), name="recommendation_rejection_has_reason"),  # fmt: skip
            models.CheckConstraint(condition=~Q(decided_by=models.F("written_by")), name="recommendation_not_own_decision"),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.rfp}: {self.vendor}"

    def get_absolute_url(self):
        return reverse("rfp:evaluation", kwargs={"code": self.rfp.project.code, "pk": self.rfp_id}) + "#recommendation"

    @property
    def is_pending(self) -> bool:
        return self.status == RecommendationStatus.PENDING

    @transition(field=status, source=RecommendationStatus.PENDING, target=RecommendationStatus.APPROVED)
    def approve(self, *, by, at, comment: str):
        self.decided_by, self.decided_at, self.comment = by, at, comment

    @transition(field=status, source=RecommendationStatus.PENDING, target=RecommendationStatus.REJECTED)
    def reject(self, *, by, at, comment: str):
        self.decided_by, self.decided_at, self.comment = by, at, comment
