from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization, OrganizationKind
from pmo_portal.validators import validate_multi_line, validate_single_line


class Role(models.TextChoices):
    PMO = "pmo", _("PMO staff")
    CLIENT_PM = "client_pm", _("Client PM")
    SECURITY = "security", _("Security officer")
    VENDOR = "vendor", _("Vendor")
    READER = "reader", _("Reader")


# Roles that see every member of a project; vendors and readers see the client and PMO
# side plus their own organization, never another vendor's people.
FULL_VIEW_ROLES = (Role.PMO, Role.CLIENT_PM, Role.SECURITY)
APPROVER_ROLES = (Role.CLIENT_PM, Role.SECURITY)


class Phase(models.TextChoices):
    INITIATION = "initiation", _("Initiation")
    PLANNING = "planning", _("Planning")
    RFP = "rfp", _("RFP and vendor selection")
    EXECUTION = "execution", _("Execution")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


def with_project_role(queryset, user, project_field: str | None = "project"):
    """``queryset`` (a ``visible_to(user)``, which only ever shows members their projects' things) with ``user``'s
    role in each row's project as ``role_of_viewer``, from a join in the same query (``project_field`` None: the
    rows are projects). The permission checks then need not ask again: ``Project.objects.with_viewer_role`` for a
    project, ``projects.rules.remember_role`` for a row of one."""
    prefix = f"{project_field}__" if project_field else ""
    return queryset.filter(**{f"{prefix}memberships__user": user}).annotate(role_of_viewer=F(f"{prefix}memberships__role"))  # fmt: skip


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        # Every project page names the client in its header: fetched with the project, not after it.
        return self.filter(Exists(Membership.objects.filter(project=OuterRef("pk"), user=user))).select_related("client")

    def with_viewer_role(self, user):
        """The same rows as ``visible_to(user)``, each with the user's role in it (``role_of_viewer``, for
        ``viewer_pk``): a project page's permission checks read it from the row (projects.rules.role_in) instead
        of asking again. A join on the membership (one per person and project) rather than EXISTS."""
        if not user.is_authenticated:
            return self.none()
        viewer = Value(user.pk, output_field=models.BigIntegerField())
        return with_project_role(self, user, project_field=None).select_related("client").annotate(viewer_pk=viewer)


class Project(models.Model):
    client = models.ForeignKey(
        Organization, verbose_name=_("client"), on_delete=models.PROTECT, related_name="client_projects",
        limit_choices_to={"kind": OrganizationKind.CLIENT},
    )  # fmt: skip
    pmo_firm = models.ForeignKey(
        Organization, verbose_name=_("PMO firm"), on_delete=models.PROTECT, related_name="pmo_projects",
        limit_choices_to={"kind": OrganizationKind.PMO},
    )  # fmt: skip
    code = models.CharField(
        _("code"), max_length=32, unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters A–Z, digits and hyphens, e.g. SMI-CLAIMS."))],
        help_text=_("Short unique code used in links and documents, e.g. SMI-CLAIMS."),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True, max_length=5000, validators=[validate_multi_line])
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.INITIATION)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    default_language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="ja")
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"), default=False,
        help_text=_("PMO staff, client PMs and security officers of this project must sign in with an authenticator app."),
    )  # fmt: skip
    approval_reminder_days = models.PositiveSmallIntegerField(
        _("remind approvers after (working days)"), default=3, validators=[MaxValueValidator(60)],
        help_text=_("When something has waited longer than this many working days (Monday to Friday) for a decision, its approvers get a reminder each working day. 0 turns the reminders off."),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts every saved or deleted term, proposal and category of the dictionary, in the same transaction as the
    # change: the term list's cached results are keyed by it, so they can never outlive the data they show.
    dictionary_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="project_dates_ordered"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="project_phase_valid"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"code": self.code})

    def people(self, *roles: str):
        """The active people who hold one of ``roles`` in this project: whom to notify or to ask.

        One membership per person per project, so each person comes once.
        """
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_active=True, memberships__project=self, memberships__role__in=roles)


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        viewer = Membership.objects.of_row(user)
        return self.filter(
            Exists(viewer.filter(role__in=FULL_VIEW_ROLES))
            | (Exists(viewer) & ~Q(role=Role.VENDOR))
            | Exists(viewer.filter(organization=OuterRef("organization")))
        )

    def of_row(self, user, *, roles=None, project_field: str = "project"):
        """``user``'s membership in the project of the outer query's row, for ``Exists()`` in a ``visible_to``.

        ``project_field`` is the outer row's path to its project ("project", "term__project", ...).
        """
        members = self.filter(project=OuterRef(project_field), user=user)
        return members.filter(role__in=roles) if roles else members

    def of_project(self, project):
        """The members of one project, ready to list with their names and organizations."""
        return self.filter(project=project).select_related("user", "organization")


class Membership(models.Model):
    """A person's role in one project. Vendors belong to their vendor organization."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="memberships"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_one_role_per_project"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "project", "role"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


# --- sign-off requests -----------------------------------------------------------------------------------


class SignOffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    APPROVED = "approved", _("Signed off")
    REJECTED = "rejected", _("Rejected")


SIGNOFF_APPROVER_ROLES = [(Role.CLIENT_PM.value, Role.CLIENT_PM.label), (Role.SECURITY.value, Role.SECURITY.label)]


class SignOffQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO staff, client PMs and security officers of the project; vendors and readers see none."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES))
        )

    def waiting_for(self, user):
        """Pending requests this user may decide: they hold the asked-for role and did not ask themselves."""
        if not user.is_authenticated:
            return self.none()
        holds_role = Membership.objects.filter(project=OuterRef("project"), user=user, role=OuterRef("approver_role"))
        return (
            self.filter(status=SignOffStatus.PENDING)
            .filter(Exists(holds_role))
            .exclude(requested_by=user)
            .select_related("project", "requested_by")
            .order_by("created_at", "pk")
        )


class SignOffRequest(FSMModelMixin, models.Model):
    """The PMO asks the client PM (or the security officer) to sign something off, e.g. meeting minutes."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="signoffs")
    title = models.CharField(
        _("what to sign off"), max_length=200, validators=[validate_single_line],
        help_text=_("e.g. Kick-off meeting minutes"),
    )  # fmt: skip
    summary = models.CharField(
        _("in one sentence"), max_length=300, validators=[validate_single_line],
        help_text=_("One plain sentence the approver reads first: what it is and what signing off means."),
    )  # fmt: skip
    details = models.TextField(_("details"), blank=True, max_length=5000, validators=[validate_multi_line])
    approver_role = models.CharField(_("who signs off"), max_length=16, choices=SIGNOFF_APPROVER_ROLES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(_("status"), max_length=16, choices=SignOffStatus.choices, default=SignOffStatus.PENDING, protected=True)  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000, validators=[validate_multi_line])
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-off request")
        verbose_name_plural = _("sign-off requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="signoff_project_recent"),
            models.Index(fields=["project", "approver_role", "created_at"], condition=Q(status="pending"), name="signoff_pending"),  # fmt: skip
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SignOffStatus.values), name="signoff_status_valid"),
            models.CheckConstraint(condition=Q(approver_role__in=[Role.CLIENT_PM, Role.SECURITY]), name="signoff_approver_role_valid"),  # fmt: skip
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="signoff_decided_has_who_and_when",
            ),
            models.CheckConstraint(condition=~Q(status="rejected", comment=""), name="signoff_rejection_has_reason"),
            models.CheckConstraint(condition=~Q(decided_by=models.F("requested_by")), name="signoff_not_own_request"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:signoff_detail", kwargs={"code": self.project.code, "pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status == SignOffStatus.PENDING

    @transition(field=status, source=SignOffStatus.PENDING, target=SignOffStatus.APPROVED)
    def approve(self, *, by, comment: str = "") -> None:
        self.decided_by, self.decided_at, self.comment = by, timezone.now(), comment

    @transition(field=status, source=SignOffStatus.PENDING, target=SignOffStatus.REJECTED)
    def reject(self, *, by, comment: str) -> None:
        self.decided_by, self.decided_at, self.comment = by, timezone.now(), comment
