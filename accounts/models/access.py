"""Vendor access to the client's systems, under authority the security team delegates to PMO staff.

A project lists its target systems and their permission levels (each explained in plain words, with a
risk). The security officer delegates to named PMO staff the authority to provision accounts up to a
risk and a duration. Vendors ask for access for the people of their company (``AccessRequest`` with one
``AccessRequestItem`` per system); the PMO reviews, the client PM approves, the security officer too when
the request goes beyond the PMO's delegation; the PMO then records what it created on the target system
(``Grant``, citing the delegation). ``AccessEvent`` is the timeline of all of it, filterable by system,
vendor and person. State changes live in ``accounts/services/access_*.py``.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from pmo_portal.validators import validate_multi_line, validate_single_line

# Roles that see every vendor's access data of a project; vendors see their own company's only.
ACCESS_FULL_VIEW = ("pmo", "client_pm", "security")


def _membership(user, role_in=None, project_field="project"):
    """Membership.objects.of_row(), imported late: projects.models imports this app's models."""
    from projects.models import Membership

    return Membership.objects.of_row(user, roles=role_in, project_field=project_field)


class ProjectScopedQuerySet(models.QuerySet):
    """Rows of a project: PMO, client PM and security see them; vendors only their own company's rows."""

    project_field = "project"
    vendor_field = "vendor"  # None: a row no vendor may see

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        seen = Exists(_membership(user, ACCESS_FULL_VIEW, self.project_field))
        if self.vendor_field:
            own = _membership(user, ("vendor",), self.project_field).filter(organization=OuterRef(self.vendor_field))
            seen |= Exists(own)
        return self.filter(seen)


class Risk(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


# --- target systems and their permission levels -----------------------------------------------------------


class TargetSystemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone in the project but readers: vendors choose from them when they ask for access."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(_membership(user, (*ACCESS_FULL_VIEW, "vendor"))))


class TargetSystem(models.Model):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="target_systems")  # fmt: skip
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line], help_text=_("e.g. Claims test database"))  # fmt: skip
    owner = models.CharField(_("owner"), max_length=200, validators=[validate_single_line], help_text=_("The team or person responsible for the system, e.g. Claims IT operations."))  # fmt: skip
    description = models.TextField(_("description"), blank=True, max_length=2000, validators=[validate_multi_line])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TargetSystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("target system")
        verbose_name_plural = _("target systems")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="targetsystem_unique_name", violation_error_message=_("This project already has a system of this name."))]  # fmt: skip

    def __str__(self):
        return self.name


class PermissionLevelQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(_membership(user, (*ACCESS_FULL_VIEW, "vendor"), "system__project")))


class PermissionLevel(models.Model):
    system = models.ForeignKey(TargetSystem, verbose_name=_("system"), on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line], help_text=_("e.g. Read only"))
    explanation = models.CharField(
        _("what it allows, in plain words"), max_length=500, validators=[validate_single_line],
        help_text=_("For a reader who is not an engineer, e.g. “Can read customer records in the test environment; cannot change or deploy anything.”"),
    )  # fmt: skip
    risk = models.PositiveSmallIntegerField(_("risk"), choices=Risk.choices, default=Risk.LOW)
    max_duration_days = models.PositiveSmallIntegerField(
        _("longest access (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("No request for this level may cover a longer period."),
    )  # fmt: skip

    objects = PermissionLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("permission level")
        verbose_name_plural = _("permission levels")
        ordering = ["system__name", "risk", "name"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="permissionlevel_unique_name", violation_error_message=_("This system already has a level of this name.")),  # fmt: skip
            models.CheckConstraint(condition=Q(risk__gte=1, risk__lte=4), name="permissionlevel_risk_valid"),
            models.CheckConstraint(condition=Q(max_duration_days__gte=1, max_duration_days__lte=730), name="permissionlevel_duration_valid"),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.system.name}: {self.name}"

    @property
    def project(self):
        return self.system.project


# --- vendor companies and their people ------------------------------------------------------------------


class VendorContractQuerySet(ProjectScopedQuerySet):
    pass


class VendorContract(models.Model):
    """A vendor company working in the project, under a contract with dates. Access never outlives it."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="vendor_contracts")  # fmt: skip
    vendor = models.ForeignKey("accounts.Organization", verbose_name=_("vendor company"), on_delete=models.PROTECT, related_name="contracts", limit_choices_to={"kind": "vendor"})  # fmt: skip
    start_date = models.DateField(_("contract start"))
    end_date = models.DateField(_("contract end"))
    contact_name = models.CharField(_("vendor-side contact"), max_length=150, validators=[validate_single_line])
    contact_email = models.EmailField(_("contact e-mail"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    end_reason = models.CharField(_("why it ended"), max_length=500, blank=True, validators=[validate_single_line])

    objects = VendorContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor contract")
        verbose_name_plural = _("vendor contracts")
        ordering = ["vendor__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "vendor"], name="vendorcontract_one_per_vendor", violation_error_message=_("This vendor company already has a contract in this project.")),  # fmt: skip
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="vendorcontract_dates_ordered", violation_error_message=_("The contract cannot end before it starts.")),  # fmt: skip
        ]

    def __str__(self):
        return str(self.vendor)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class VendorPersonQuerySet(ProjectScopedQuerySet):
    project_field = "contract__project"
    vendor_field = "contract__vendor"


class VendorPerson(models.Model):
    """Someone of a vendor company who needs accounts on the client's systems (not necessarily a portal user)."""

    contract = models.ForeignKey(VendorContract, verbose_name=_("vendor company"), on_delete=models.CASCADE, related_name="people")  # fmt: skip
    name = models.CharField(_("name"), max_length=150, validators=[validate_single_line])
    email = models.EmailField(_("e-mail"))
    job_role = models.CharField(_("role"), max_length=150, validators=[validate_single_line], help_text=_("What they do in the project, e.g. Test engineer."))  # fmt: skip
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip

    objects = VendorPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor person")
        verbose_name_plural = _("vendor people")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "contract", name="vendorperson_unique_email", violation_error_message=_("This person is already listed for this company.")),  # fmt: skip
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @property
    def project(self):
        return self.contract.project


# --- delegations of authority ---------------------------------------------------------------------------


def evidence_upload_to(instance, filename):
    """Random stored names: the original name is kept in ``evidence_name`` for display only."""
    return f"evidence/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.pdf"


class DelegationQuerySet(ProjectScopedQuerySet):
    vendor_field = None

    def valid_on(self, day: date):
        return self.filter(revoked_at__isnull=True, valid_from__lte=day, valid_until__gte=day)


class Delegation(models.Model):
    """The security officer lets a PMO staff member provision accounts on some systems, within limits."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="delegations")  # fmt: skip
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("PMO staff member"), on_delete=models.PROTECT, related_name="delegations")  # fmt: skip
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    systems = models.ManyToManyField(TargetSystem, verbose_name=_("systems"), related_name="delegations")
    max_risk = models.PositiveSmallIntegerField(_("highest risk allowed"), choices=Risk.choices)
    max_duration_days = models.PositiveSmallIntegerField(_("longest access allowed (days)"), validators=[MinValueValidator(1), MaxValueValidator(730)])  # fmt: skip
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    evidence = models.FileField(_("evidence (PDF)"), upload_to=evidence_upload_to, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[validate_single_line])
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    revoke_reason = models.CharField(_("why it was revoked"), max_length=500, blank=True, validators=[validate_single_line])  # fmt: skip

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation of authority")
        verbose_name_plural = _("delegations of authority")
        ordering = ["-valid_until", "-pk"]
        indexes = [models.Index(fields=["project", "delegate", "valid_until"], name="delegation_holder")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="delegation_dates_ordered", violation_error_message=_("A delegation cannot end before it starts.")),  # fmt: skip
            models.CheckConstraint(condition=Q(max_risk__gte=1, max_risk__lte=4), name="delegation_risk_valid"),
            models.CheckConstraint(condition=~Q(delegate=models.F("granted_by")), name="delegation_not_to_self"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="delegation_revocation_has_reason"),  # fmt: skip
        ]

    def __str__(self):
        return _("Delegation #%(number)s to %(person)s") % {"number": self.pk, "person": self.delegate}

    def get_absolute_url(self):
        return reverse("access:delegation_detail", kwargs={"code": self.project.code, "pk": self.pk})

    def is_valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until

    def state_label(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.revoked_at:
            return _("Revoked")
        if today < self.valid_from:
            return _("Not yet valid")
        if today > self.valid_until:
            return _("Expired")
        return _("Valid")

    def system_ids(self) -> set[int]:
        """The systems it covers (uses prefetched ``systems`` when there)."""
        return {system.pk for system in self.systems.all()}

    def covers(self, level: PermissionLevel, days: int) -> bool:
        """Within this delegation: its system, a risk no higher and a period no longer than allowed."""
        return level.system_id in self.system_ids() and level.risk <= self.max_risk and days <= self.max_duration_days


# --- account requests -----------------------------------------------------------------------------------


class RequestKind(models.TextChoices):
    NEW = "new", _("New access")
    CHANGE = "change", _("Change of level")
    EXTEND = "extend", _("Extension")
    REMOVE = "remove", _("Remove person")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RETURNED = "returned", _("Sent back to the vendor")
    SUBMITTED = "submitted", _("Waiting for PMO review")
    PM_APPROVAL = "pm_approval", _("Waiting for the client PM")
    SECURITY_APPROVAL = "security_approval", _("Waiting for the security officer")
    APPROVED = "approved", _("Approved, to be provisioned")
    PROVISIONED = "provisioned", _("Done")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    RequestStatus.DRAFT,
    RequestStatus.RETURNED,
    RequestStatus.SUBMITTED,
    RequestStatus.PM_APPROVAL,
    RequestStatus.SECURITY_APPROVAL,
    RequestStatus.APPROVED,
)
EDITABLE_STATUSES = (RequestStatus.DRAFT, RequestStatus.RETURNED)
WITHDRAWABLE_STATUSES = (RequestStatus.DRAFT, RequestStatus.RETURNED, RequestStatus.SUBMITTED, RequestStatus.PM_APPROVAL, RequestStatus.SECURITY_APPROVAL)  # fmt: skip
# Where a decision is asked of an approver, and which project role decides it.
APPROVAL_STEPS = {RequestStatus.PM_APPROVAL: "client_pm", RequestStatus.SECURITY_APPROVAL: "security"}


def items_with_levels() -> Prefetch:
    """Requests' items with their level and its system: one query, however many requests."""
    return Prefetch("items", queryset=AccessRequestItem.objects.select_related("level__system"))


class AccessRequestQuerySet(ProjectScopedQuerySet):
    def for_list(self):
        """What a request list shows about each request, in a constant number of queries."""
        return self.select_related("project", "vendor", "person", "requested_by").prefetch_related(items_with_levels())  # fmt: skip

    def for_project_list(self, project):
        """One project's request list: what its rows show, without fetching the project (the page's own) and the
        requester with each row: the view hands the rows their project."""
        return self.filter(project=project).select_related("vendor", "person").prefetch_related(items_with_levels())

    def waiting_for(self, user):
        """Requests at an approval step this user decides: holds the step's role, did not ask themselves."""
        if not user.is_authenticated:
            return self.none()
        steps = Q()
        for status, role in APPROVAL_STEPS.items():
            steps |= Q(status=status) & Exists(_membership(user, (role,)))
        return self.filter(steps).exclude(requested_by=user).for_list().order_by("submitted_at", "pk")


class AccessRequest(FSMModelMixin, models.Model):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="access_requests")  # fmt: skip
    vendor = models.ForeignKey("accounts.Organization", verbose_name=_("vendor company"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    person = models.ForeignKey(VendorPerson, verbose_name=_("person"), on_delete=models.PROTECT, related_name="requests")  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices, default=RequestKind.NEW)
    justification = models.TextField(_("why they need it"), max_length=2000, validators=[validate_multi_line])
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    status = FSMField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT, protected=True)  # fmt: skip
    needs_security = models.BooleanField(_("needs the security officer"), default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    within_delegation = models.ForeignKey(Delegation, verbose_name=_("within delegation"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    step_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The vendor last: a list's count (visibility asks for the row's vendor) reads the index alone.
            models.Index(fields=["project", "status", "-created_at", "vendor"], name="accessrequest_queue"),
            models.Index(fields=["project", "vendor", "-created_at"], name="accessrequest_vendor"),
            # The lists show several statuses newest first: walking this index, a page stops after its 50 rows
            # (with the status in the first index, every open request was sorted to show the newest 50).
            models.Index(fields=["project", "-created_at", "-id"], name="accessrequest_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="accessrequest_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="accessrequest_kind_valid"),
        ]

    def __str__(self):
        return _("Request #%(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("access:request_detail", kwargs={"code": self.project.code, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_withdrawable(self) -> bool:
        return self.status in WITHDRAWABLE_STATUSES

    @property
    def approver_role(self) -> str | None:
        return APPROVAL_STEPS.get(self.status)

    # Transitions: services call them after checking the actor; they only move the state.
    @transition(field=status, source=list(EDITABLE_STATUSES), target=RequestStatus.SUBMITTED)
    def submit(self):
        self.submitted_at = self.step_since = timezone.now()

    @transition(field=status, source=RequestStatus.SUBMITTED, target=RequestStatus.RETURNED)
    def send_back(self):
        self.step_since = timezone.now()

    @transition(field=status, source=RequestStatus.SUBMITTED, target=RequestStatus.PM_APPROVAL)
    def forward(self):
        self.step_since = timezone.now()

    @transition(field=status, source=RequestStatus.PM_APPROVAL, target=RequestStatus.SECURITY_APPROVAL)
    def escalate(self):
        self.step_since = timezone.now()

    @transition(field=status, source=[RequestStatus.PM_APPROVAL, RequestStatus.SECURITY_APPROVAL], target=RequestStatus.APPROVED)  # fmt: skip
    def approve(self):
        self.step_since = timezone.now()

    @transition(field=status, source=RequestStatus.APPROVED, target=RequestStatus.PROVISIONED)
    def provision(self):
        self.closed_at = timezone.now()

    @transition(field=status, source=[RequestStatus.SUBMITTED, RequestStatus.PM_APPROVAL, RequestStatus.SECURITY_APPROVAL, RequestStatus.APPROVED], target=RequestStatus.REJECTED)  # fmt: skip
    def reject(self):
        self.closed_at = timezone.now()

    # The vendor withdraws up to the approval (the service checks WITHDRAWABLE_STATUSES); offboarding also
    # closes approved requests that were not provisioned yet.
    @transition(field=status, source=list(OPEN_STATUSES), target=RequestStatus.WITHDRAWN)
    def withdraw(self):
        self.closed_at = timezone.now()


class AccessRequestItem(models.Model):
    """One system of a request: the level asked for and the period. A change or extension names its grant."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="items")
    level = models.ForeignKey(PermissionLevel, verbose_name=_("permission level"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    grant = models.ForeignKey("Grant", verbose_name=_("current access"), on_delete=models.PROTECT, null=True, blank=True, related_name="change_items")  # fmt: skip

    class Meta:
        ordering = ["level__system__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="accessrequestitem_dates_ordered"),  # fmt: skip
        ]

    def __str__(self):
        return str(self.level)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


# --- grants: what was provisioned ------------------------------------------------------------------------


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKING = "revoking", _("To be revoked")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced")


class GrantQuerySet(ProjectScopedQuerySet):
    def for_list(self):
        return self.select_related("project", "vendor", "person", "level__system", "provisioned_by", "delegation__delegate")  # fmt: skip

    def to_remove(self):
        """Accounts still to be removed on their target system: revocations asked, or expired and not confirmed."""
        return self.filter(Q(status=GrantStatus.REVOKING) | Q(status=GrantStatus.EXPIRED, removed_at__isnull=True))


class Grant(FSMModelMixin, models.Model):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="grants")  # fmt: skip
    vendor = models.ForeignKey("accounts.Organization", verbose_name=_("vendor company"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    person = models.ForeignKey(VendorPerson, verbose_name=_("person"), on_delete=models.PROTECT, related_name="grants")
    level = models.ForeignKey(PermissionLevel, verbose_name=_("permission level"), on_delete=models.PROTECT, related_name="grants")  # fmt: skip
    login_name = models.CharField(_("login name on the system"), max_length=150, validators=[validate_single_line])
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("expires"))
    request_item = models.OneToOneField(AccessRequestItem, on_delete=models.PROTECT, null=True, blank=True, related_name="granted")  # fmt: skip
    provisioned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("provisioned by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    provisioned_at = models.DateTimeField(_("provisioned at"), default=timezone.now)
    delegation = models.ForeignKey(Delegation, verbose_name=_("under delegation"), on_delete=models.PROTECT, related_name="grants")  # fmt: skip
    status = FSMField(_("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.ACTIVE, protected=True)  # fmt: skip
    revoke_reason = models.CharField(_("why it is revoked"), max_length=500, blank=True, validators=[validate_single_line])  # fmt: skip
    revoke_requested_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed from the system at"), null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("removed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    removal_delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    replaced_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["end_date", "pk"]
        indexes = [
            models.Index(fields=["project", "status", "end_date"], name="grant_project_status"),
            models.Index(fields=["person", "status"], name="grant_person_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=GrantStatus.values), name="grant_status_valid"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="grant_dates_ordered"),
            models.CheckConstraint(condition=~Q(status="revoked") | Q(removed_at__isnull=False), name="grant_revoked_was_removed"),  # fmt: skip
            models.UniqueConstraint(fields=["level", "login_name"], condition=Q(status__in=["active", "revoking"]), name="grant_one_live_login_per_level"),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.login_name} · {self.level}"

    def get_absolute_url(self):
        return reverse("access:grant_detail", kwargs={"code": self.project.code, "pk": self.pk})

    @transition(field=status, source=GrantStatus.ACTIVE, target=GrantStatus.REVOKING)
    def ask_revocation(self, *, reason: str):
        self.revoke_reason, self.revoke_requested_at = reason, timezone.now()

    @transition(field=status, source=GrantStatus.REVOKING, target=GrantStatus.REVOKED)
    def confirm_revocation(self, *, by, delegation):
        self.removed_at, self.removed_by, self.removal_delegation = timezone.now(), by, delegation

    @transition(field=status, source=GrantStatus.ACTIVE, target=GrantStatus.EXPIRED)
    def expire(self):
        self.expired_at = timezone.now()

    @transition(field=status, source=[GrantStatus.ACTIVE, GrantStatus.REVOKING], target=GrantStatus.REPLACED)
    def replace(self, *, by_grant):
        self.replaced_by = by_grant


# --- the timeline -----------------------------------------------------------------------------------------


class EventVerb(models.TextChoices):
    CREATED = "created", _("drafted the request")
    SUBMITTED = "submitted", _("submitted the request")
    SENT_BACK = "sent_back", _("sent the request back")
    FORWARDED = "forwarded", _("reviewed it and asked the client PM")
    APPROVED = "approved", _("approved")
    ESCALATED = "escalated", _("approved; above the PMO's delegation, so the security officer decides next")
    REJECTED = "rejected", _("rejected the request")
    WITHDRAWN = "withdrawn", _("withdrew the request")
    PROVISIONED = "provisioned", _("created the account on the system")
    REVOCATION_ASKED = "revocation_asked", _("asked for the account to be revoked")
    REVOKED = "revoked", _("confirmed the account was removed from the system")
    EXPIRED = "expired", _("access expired")
    REMOVAL_CONFIRMED = "removal_confirmed", _("confirmed the expired account was removed from the system")
    PERSON_REMOVED = "person_removed", _("removed the person from the project")
    CONTRACT_ENDED = "contract_ended", _("ended the vendor contract")
    DELEGATION_GRANTED = "delegation_granted", _("delegated authority")
    DELEGATION_REVOKED = "delegation_revoked", _("revoked a delegation")
    REVIEW_KEPT = "review_kept", _("kept the access in the access review")
    REVIEW_REVOKED = "review_revoked", _("decided in the access review to revoke the access")


class AccessEventQuerySet(ProjectScopedQuerySet):
    def for_list(self):
        return self.select_related("actor", "delegation__delegate", "system", "vendor", "person", "request", "grant__level")  # fmt: skip


class AccessEvent(models.Model):
    """One step of the access timeline: who did what, when, with which comment and under which delegation.

    Written once by the services, next to their ``AuditEvent``; this one carries the system,
    vendor and person as columns so the security officer can filter by them.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    verb = models.CharField(_("what"), max_length=24, choices=EventVerb.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events")  # fmt: skip
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    delegation = models.ForeignKey(Delegation, verbose_name=_("delegation cited"), on_delete=models.PROTECT, null=True, blank=True, related_name="events")  # fmt: skip
    system = models.ForeignKey(TargetSystem, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    vendor = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    person = models.ForeignKey(VendorPerson, on_delete=models.CASCADE, null=True, blank=True, related_name="events")

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["project", "-at"], name="accessevent_recent")]

    def __str__(self):
        return f"{self.actor} {self.get_verb_display()}"


# --- access review (recertification) ---------------------------------------------------------------------


class ReviewCampaignQuerySet(ProjectScopedQuerySet):
    vendor_field = None


class ReviewCampaign(models.Model):
    """The PMO asks the client PM to confirm, grant by grant, that each active access is still needed."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="review_campaigns")
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    due_date = models.DateField(_("decide by"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = ReviewCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("access:review_detail", kwargs={"code": self.project.code, "pk": self.pk})


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Not decided yet")
    KEEP = "keep", _("Keep")
    REVOKE = "revoke", _("Revoke")


class ReviewItemQuerySet(ProjectScopedQuerySet):
    project_field = "campaign__project"
    vendor_field = None


class ReviewItem(models.Model):
    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="items")
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="review_items")
    decision = models.CharField(_("decision"), max_length=8, choices=ReviewDecision.choices, default=ReviewDecision.PENDING)  # fmt: skip
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True, validators=[validate_single_line])

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["grant__vendor__name", "grant__person__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "grant"], name="reviewitem_once_per_grant"),
            models.CheckConstraint(condition=Q(decision__in=ReviewDecision.values), name="reviewitem_decision_valid"),
        ]

    def __str__(self):
        return str(self.grant)

    @property
    def project(self):
        return self.campaign.project


# --- reconciliation with a target system's own account list ----------------------------------------------


class ReconciliationQuerySet(ProjectScopedQuerySet):
    vendor_field = None


class Reconciliation(models.Model):
    """The PMO compared a system's exported account list with the grants: what differed, when, by whom."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="reconciliations")
    system = models.ForeignKey(TargetSystem, verbose_name=_("system"), on_delete=models.CASCADE, related_name="reconciliations")  # fmt: skip
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200)
    account_count = models.PositiveIntegerField(_("accounts in the file"))
    orphans_count = models.PositiveIntegerField(_("accounts with no grant"), default=0)
    missing_count = models.PositiveIntegerField(_("grants with no account"), default=0)
    mismatches_count = models.PositiveIntegerField(_("accounts with another level"), default=0)
    # {"orphans": [{"login", "level"}], "missing": [{"grant", "login", "level", "person"}], "mismatches": [...]}
    result = models.JSONField(default=dict)

    objects = ReconciliationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.system} · {self.uploaded_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("access:reconciliation_detail", kwargs={"code": self.project.code, "pk": self.pk})
