"""The Request for Proposal the PMO writes on the client's behalf: sections, requirements, evaluation criteria.

An ``Rfp`` goes draft → in review → approved (client PM) → issued → closed. Its ``RfpSection`` rows are
Markdown text with the PMO's plain-language explanation for the client PM, who marks each section understood
(``SectionUnderstanding``, a record of who understood which revision, when) or asks a question
(``PmQuestion``). ``Requirement`` rows carry stable IDs (FR-012, NFR-003) that never change when they are
reordered; each may point at the ``EvaluationCriterion`` that scores it. Approving, issuing and publishing an
addendum each keep an ``RfpVersion``: a snapshot of the whole document, which is what vendors read and what
versions are compared on. State changes live in ``rfp/services/``.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import OrganizationKind
from pmo_portal.validators import validate_multi_line, validate_single_line
from projects.models import FULL_VIEW_ROLES, Membership, Role, with_project_role

BODY_MAX_LENGTH = 50_000


def _text(limit: int) -> list:
    """No hidden characters, at most ``limit`` characters (a TextField's max_length limits its form only)."""
    return [validate_multi_line, MaxLengthValidator(limit)]


def invited_vendor(user, rfp_field: str = "pk"):
    """For ``Exists()``: ``user`` is a vendor of a company invited to the RFP at ``rfp_field`` of the outer row."""
    from .vendors import Invitation

    vendor_member = Membership.objects.filter(user=user, role=Role.VENDOR, project_id=OuterRef("rfp__project_id"), organization_id=OuterRef("vendor_id"))  # fmt: skip
    return Invitation.objects.filter(rfp=OuterRef(rfp_field)).filter(Exists(vendor_member))


class RfpStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("RFP status", "Draft")
    IN_REVIEW = "in_review", _("In review with the client PM")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued to vendors")
    CLOSED = "closed", pgettext_lazy("RFP status", "Closed")


# Vendors read an RFP once it is issued (the latest issued version, never the working draft).
PUBLISHED_STATUSES = (RfpStatus.ISSUED, RfpStatus.CLOSED)


class RfpQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO, client PM and security: every RFP of their projects. Vendors: issued RFPs their company is invited
        to. Readers: none."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES))
            | (Q(status__in=PUBLISHED_STATUSES) & Exists(invited_vendor(user)))
        )

    def waiting_for(self, user):
        """RFPs in review that this client PM may approve (every section understood or not: the page says)."""
        if not user.is_authenticated:
            return self.none()
        return (
            self.filter(status=RfpStatus.IN_REVIEW)
            .filter(Exists(Membership.objects.of_row(user, roles=[Role.CLIENT_PM])))
            .exclude(submitted_by=user)
            .select_related("project", "submitted_by")
            # The inbox's summary says how many sections and requirements each one has.
            .annotate(section_count=_count_of(RfpSection), requirement_count=_count_of(Requirement))
            .order_by("submitted_at", "pk")
        )


def _count_of(model) -> Coalesce:
    """How many rows of `model` (an RFP's part, by its FK `rfp`) each RFP has: one subquery, not one query each."""
    counts = model.objects.filter(rfp=OuterRef("pk")).order_by().values("rfp").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


class Rfp(FSMModelMixin, models.Model):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="rfps")  # fmt: skip
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line], help_text=_("e.g. Claims system renewal — development and operation"))  # fmt: skip
    language = models.CharField(_("language of the RFP"), max_length=8, choices=settings.LANGUAGES, default="ja")
    status = FSMField(_("status"), max_length=12, choices=RfpStatus.choices, default=RfpStatus.DRAFT, protected=True)  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=0)  # the latest kept version; 0: none yet
    question_deadline = models.DateTimeField(_("questions until"), null=True, blank=True)
    proposal_deadline = models.DateTimeField(_("proposals until"), null=True, blank=True)
    baseline = models.ForeignKey("projects.DictionaryBaseline", verbose_name=_("dictionary release"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    # The next number of each requirement prefix ({"FR": 13, "NFR": 4}): IDs are handed out once, never reused.
    requirement_counters = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RfpQuerySet.as_manager()

    class Meta:
        verbose_name = _("RFP")
        verbose_name_plural = _("RFPs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["project", "status"], name="rfp_project_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RfpStatus.values), name="rfp_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "issued", "closed"]) | Q(approved_by__isnull=False, approved_at__isnull=False),  # fmt: skip
                name="rfp_approved_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "closed"]) | Q(issued_at__isnull=False, proposal_deadline__isnull=False, question_deadline__isnull=False),  # fmt: skip
                name="rfp_issued_has_deadlines",
            ),
            models.CheckConstraint(condition=~Q(approved_by=models.F("submitted_by")), name="rfp_not_own_approval"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rfp:detail", kwargs={"code": self.project.code, "pk": self.pk})

    @property
    def is_editable(self) -> bool:
        """The PMO edits a draft, and an issued RFP's working copy (published as an addendum)."""
        return self.status in (RfpStatus.DRAFT, RfpStatus.ISSUED)

    @transition(field=status, source=RfpStatus.DRAFT, target=RfpStatus.IN_REVIEW)
    def submit(self, *, by, at):
        self.submitted_by, self.submitted_at = by, at

    @transition(field=status, source=RfpStatus.IN_REVIEW, target=RfpStatus.DRAFT)
    def send_back(self):
        pass

    @transition(field=status, source=RfpStatus.IN_REVIEW, target=RfpStatus.APPROVED)
    def approve(self, *, by, at):
        self.approved_by, self.approved_at = by, at

    @transition(field=status, source=RfpStatus.APPROVED, target=RfpStatus.ISSUED)
    def issue(self, *, at):
        self.issued_at = at

    @transition(field=status, source=RfpStatus.ISSUED, target=RfpStatus.CLOSED)
    def close(self, *, at):
        self.closed_at = at


class RfpPartQuerySet(models.QuerySet):
    """Parts of the working document: PMO, client PM and security only (vendors read versions)."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES, project_field="rfp__project")))  # fmt: skip

    def visible_with_role(self, user):
        """The rows of ``visible_to(user)``, each with the user's role in the RFP's project (``role_of_viewer``, see
        ``projects.models.with_project_role``): the same rule read from the one join on the membership."""
        if not user.is_authenticated:
            return self.none()
        return with_project_role(self, user, project_field="rfp__project").filter(role_of_viewer__in=FULL_VIEW_ROLES)


class RfpSection(models.Model):
    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=40, blank=True, editable=False)  # the template's section, e.g. "scope"
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    body = models.TextField(_("text (Markdown)"), blank=True, max_length=BODY_MAX_LENGTH, validators=_text(BODY_MAX_LENGTH))  # fmt: skip
    explanation = models.TextField(
        _("explanation for the client PM"), blank=True, max_length=5_000, validators=_text(5_000),
        help_text=_("In plain words: why the RFP asks this, and what happens if it is left out."),
    )  # fmt: skip
    # Bumped whenever the title, text or explanation changes: an "understood" is for one revision.
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RfpPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("RFP section")
        verbose_name_plural = _("RFP sections")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["rfp", "position"], name="rfpsection_order")]

    def __str__(self):
        return self.title


class SectionUnderstanding(models.Model):
    """The client PM read a revision of a section and its explanation, and understood it (kept for the record)."""

    section = models.ForeignKey(RfpSection, on_delete=models.CASCADE, related_name="understandings")
    revision = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["section", "revision", "user"], name="understanding_once_per_revision")]  # fmt: skip

    def __str__(self):
        return f"{self.section} r{self.revision}: {self.user}"


class PmQuestion(models.Model):
    """The client PM asks the PMO about a section; the PMO answers in plain words."""

    section = models.ForeignKey(RfpSection, on_delete=models.CASCADE, related_name="pm_questions")
    text = models.TextField(_("your question"), max_length=2_000, validators=_text(2_000))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, max_length=5_000, validators=_text(5_000))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(answer="", answered_by__isnull=True) | (~Q(answer="") & Q(answered_by__isnull=False, answered_at__isnull=False)), name="pmquestion_answer_has_who"),  # fmt: skip
        ]

    def __str__(self):
        return self.text[:80]


# --- requirements and evaluation criteria -------------------------------------------------------------------


class RequirementCategory(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional")
    NON_FUNCTIONAL = "non_functional", _("Non-functional")
    SECURITY = "security", _("Security")
    OPERATIONS = "operations", _("Operations and support")


REQUIREMENT_PREFIXES = {
    RequirementCategory.FUNCTIONAL: "FR",
    RequirementCategory.NON_FUNCTIONAL: "NFR",
    RequirementCategory.SECURITY: "SEC",
    RequirementCategory.OPERATIONS: "OPS",
}


class Priority(models.TextChoices):
    MUST = "must", _("Must")
    SHOULD = "should", _("Should")
    COULD = "could", _("Could")


class EvaluationCriterion(models.Model):
    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("criterion"), max_length=200, validators=[validate_single_line], help_text=_("e.g. Understanding of the claims business"))  # fmt: skip
    description = models.TextField(_("what scores well"), blank=True, max_length=2_000, validators=_text(2_000))
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)])  # fmt: skip

    objects = RfpPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_percent")]  # fmt: skip

    def __str__(self):
        return self.name


class Requirement(models.Model):
    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(_("ID"), max_length=12, editable=False)  # FR-012: handed out once, never changed
    position = models.PositiveIntegerField(default=0)
    category = models.CharField(_("category"), max_length=20, choices=RequirementCategory.choices)
    text = models.TextField(_("requirement"), max_length=5_000, validators=_text(5_000))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MUST)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True, max_length=5_000, validators=_text(5_000), help_text=_("How the client will check that it is met."))  # fmt: skip
    criterion = models.ForeignKey(EvaluationCriterion, verbose_name=_("scored under"), on_delete=models.SET_NULL, null=True, blank=True, related_name="requirements")  # fmt: skip

    objects = RfpPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rfp", "code"], name="requirement_unique_code", violation_error_message=_("This RFP already has a requirement with this ID.")),  # fmt: skip
            models.CheckConstraint(condition=Q(category__in=RequirementCategory.values), name="requirement_category_valid"),  # fmt: skip
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="requirement_priority_valid"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"


# --- versions ------------------------------------------------------------------------------------------------


class VersionKind(models.TextChoices):
    APPROVED = "approved", _("Approved by the client PM")
    ISSUED = "issued", _("Issued to vendors")
    ADDENDUM = "addendum", _("Addendum")


class RfpVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO, client PM and security: every version. Invited vendors: what was issued to them (issue, addenda)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES, project_field="rfp__project"))
            | (Q(kind__in=[VersionKind.ISSUED, VersionKind.ADDENDUM]) & Exists(invited_vendor(user, "rfp")))
        )


class RfpVersion(models.Model):
    """The whole document as it stood when approved, issued, or changed by an addendum: what is compared and sent."""

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=VersionKind.choices)
    # {"title", "language", "sections": [{"id", "title", "body", "explanation"}], "requirements": [...], "criteria": [...]}
    snapshot = models.JSONField()
    change_log = models.TextField(_("what changed"), blank=True, max_length=20_000, validators=_text(20_000))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RfpVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("RFP version")
        verbose_name_plural = _("RFP versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["rfp", "number"], name="rfpversion_unique_number"),
            models.CheckConstraint(condition=Q(kind__in=VersionKind.values), name="rfpversion_kind_valid"),
        ]

    def __str__(self):
        return f"{self.rfp} v{self.number}"

    @property
    def project(self):
        return self.rfp.project


# --- the firm's library: templates and reusable clauses --------------------------------------------------------


class LibraryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The PMO staff of the firm that keeps it (``user.is_pmo_staff``, checked in the same query)."""
        if not user.is_authenticated or user.organization_id is None:
            return self.none()
        return self.filter(organization_id=user.organization_id, organization__kind=OrganizationKind.PMO)


class RfpTemplate(models.Model):
    """An RFP's sections saved for the firm to start other RFPs from."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="rfp_templates")
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    sections = models.JSONField(default=list)  # [{"key", "title", "body", "explanation"}]
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("RFP template")
        verbose_name_plural = _("RFP templates")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="rfptemplate_unique_name", violation_error_message=_("Your firm already has a template of this name."))]  # fmt: skip

    def __str__(self):
        return self.name


class Clause(models.Model):
    """A reusable paragraph (e.g. a standard security requirement), kept up to date by its owner."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="rfp_clauses")
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    body = models.TextField(_("text (Markdown)"), max_length=20_000, validators=_text(20_000))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    review_date = models.DateField(_("review by"), help_text=_("When the owner checks that it is still right."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["title"]

    def __str__(self):
        return self.title
