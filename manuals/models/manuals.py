from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from pmo_portal.validators import validate_multi_line, validate_single_line
from projects.models import FULL_VIEW_ROLES, Membership, Role, with_project_role

INSTRUCTION_MAX_LENGTH = 5_000


def _text(limit: int) -> list:
    return [validate_multi_line, MaxLengthValidator(limit)]


def _insider(user, project_field: str):
    """PMO, client PM and security of the project of the outer row: they see manuals in every state."""
    return Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES, project_field=project_field))


def _shared_by_name(user, manual_field: str = ""):
    return Exists(Manual.shared_with.through.objects.filter(manual=OuterRef(manual_field or "pk"), user=user))


def _shared_reader(user, manual_field: str = ""):
    """A reader of the project of the outer manual it is shared with (all readers, or this one by name). Subqueries
    only, no join: one row per manual, without DISTINCT."""
    prefix = f"{manual_field}__" if manual_field else ""
    reader = Membership.objects.of_row(user, roles=[Role.READER], project_field=f"{prefix}project")
    shared = Q(**{f"{prefix}share_with_all_readers": True}) | _shared_by_name(user, manual_field)
    return Exists(reader) & Q(**{f"{prefix}edition__gt": 0}) & shared


class ManualSettings(models.Model):
    """How a project's screenshots are judged: what counts as unchanged, what as a new layout; when to re-read."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="manual_settings")
    unchanged_max_percent = models.DecimalField(
        _("unchanged up to (percent of pixels)"), max_digits=5, decimal_places=2, default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
        help_text=_("A new screenshot with at most this share of pixels changed is accepted without asking."),
    )  # fmt: skip
    layout_min_percent = models.DecimalField(
        _("new layout from (percent of pixels)"), max_digits=5, decimal_places=2, default=Decimal("30.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_("From this share of changed pixels (or a different size) the screen is treated as a new layout: check the text too."),  # noqa: E501
    )  # fmt: skip
    review_months = models.PositiveSmallIntegerField(
        _("re-read published manuals every (months)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )

    class Meta:
        verbose_name = _("manual settings")
        verbose_name_plural = _("manual settings")
        constraints = [
            models.CheckConstraint(condition=Q(unchanged_max_percent__lt=models.F("layout_min_percent")), name="manualsettings_bands_ordered"),  # fmt: skip
        ]

    def __str__(self):
        return str(self.project)

    @classmethod
    def for_project(cls, project) -> "ManualSettings":
        found = cls.objects.filter(project=project).first()
        return found or cls(project=project)


def manual_changed(manuals: models.QuerySet) -> None:
    """Count a change to these manuals' working copies in their ``revision``. Saves and deletes of a manual and of
    its parts (environments, steps, screenshots and their versions, editions, readers' reports) count themselves; so
    must any code that changes them with a queryset's update() or bulk_update(), which bypass save(): the writer's
    overview is drawn once per revision (manuals/views/authoring.py)."""
    manuals.update(revision=F("revision") + 1)


class ManualStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("manual status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("manual status", "In review")
    PUBLISHED = "published", pgettext_lazy("manual status", "Published")


class ManualQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO, client PM and security: every manual of their projects. Readers: manuals shared with them that have
        a published edition (they read editions, never the working copy). Vendors: none."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_insider(user, "project") | _shared_reader(user))

    def visible_one(self, user, **lookup) -> "Manual | None":
        """The manual of ``visible_to(user)`` that ``lookup`` finds, with the user's role in its project
        (``role_of_viewer``, see ``projects.models.with_project_role``), or None: for a page that fetches one manual
        and then asks what the person may do with it.

        The rule is read from the one join on the membership instead of subqueries, and in two steps: the role
        answers for PMO, client PM and security (every page of the working copy); only a reader's manual is then
        asked whether it is published and shared with them. (Compiling the readers' half into every fetch cost
        more than the rest of the query: issue 8, the manual editor.)"""
        if not user.is_authenticated:
            return None
        try:
            manual = with_project_role(self, user).get(role_of_viewer__in=[*FULL_VIEW_ROLES, Role.READER], **lookup)
        except self.model.DoesNotExist:
            return None
        if manual.role_of_viewer in FULL_VIEW_ROLES:
            return manual
        shared = manual.share_with_all_readers or manual.shared_with.filter(pk=user.pk).exists()
        return manual if manual.edition > 0 and shared else None


class Manual(FSMModelMixin, models.Model):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="manuals")  # fmt: skip
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line], help_text=_("e.g. How to file an expense claim"))  # fmt: skip
    audience = models.CharField(_("for whom"), max_length=200, blank=True, validators=[validate_single_line], help_text=_("e.g. Branch office staff who file claims once a month"))  # fmt: skip
    language = models.CharField(_("language of the manual"), max_length=8, choices=settings.LANGUAGES, default="ja")
    status = FSMField(_("status"), max_length=12, choices=ManualStatus.choices, default=ManualStatus.DRAFT, protected=True)  # fmt: skip
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirms changed screenshots"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",  # noqa: E501
        help_text=_("When this is the client PM, changed screenshots wait in their approval inbox. Empty: PMO staff or the client PM, never the uploader."),  # noqa: E501
    )  # fmt: skip
    share_with_all_readers = models.BooleanField(_("all readers of the project may read it"), default=True)
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("readers who may read it"), blank=True, related_name="+")  # fmt: skip
    edition = models.PositiveIntegerField(_("edition"), default=0)  # the latest published edition; 0: none yet
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Last published or confirmed as still right: the "not reviewed for N months" reminder counts from here.
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    # Counts every change to the manual and its parts, in the change's own transaction (see manual_changed).
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = ManualQuerySet.as_manager()

    class Meta:
        verbose_name = _("manual")
        verbose_name_plural = _("manuals")
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["project", "status"], name="manual_project_status"),
            models.Index(fields=["reviewed_at"], name="manual_reviewed_at"),
        ]
        constraints = [models.CheckConstraint(condition=Q(status__in=ManualStatus.values), name="manual_status_valid")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Saved with its revision counted up by the database (never written back from memory, where it may be older
        than another change's): the row's new count is read again only if asked for."""
        if self._state.adding:
            return super().save(*args, **kwargs)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
        self.revision = F("revision") + 1
        try:
            super().save(*args, **kwargs)
        finally:
            del self.revision  # deferred: loaded from the row when read

    def get_absolute_url(self):
        return reverse("manuals:detail", kwargs={"code": self.project.code, "pk": self.pk})

    def get_reading_url(self):
        return reverse("manuals:read", kwargs={"code": self.project.code, "pk": self.pk})

    @transition(field=status, source=[ManualStatus.DRAFT, ManualStatus.PUBLISHED], target=ManualStatus.IN_REVIEW)
    def submit(self, *, by, at):
        self.submitted_by, self.submitted_at = by, at

    @transition(field=status, source=[ManualStatus.IN_REVIEW, ManualStatus.PUBLISHED], target=ManualStatus.DRAFT)
    def reopen(self):
        """Back to draft: sent back from review, or the published manual's working copy was changed."""

    @transition(field=status, source=[ManualStatus.DRAFT, ManualStatus.IN_REVIEW], target=ManualStatus.PUBLISHED)
    def publish(self, *, at):
        self.edition += 1
        self.reviewed_at = at


class ManualPart(models.Model):
    """A part of a manual: its saves and deletes count in the manual's revision (``manual_changed``)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        manual_changed(self.manuals())

    def delete(self, *args, **kwargs):
        manuals = self.manuals()
        deleted = super().delete(*args, **kwargs)
        manual_changed(manuals)
        return deleted

    def manuals(self) -> models.QuerySet:
        """The manual this part belongs to, as a queryset (from the part's foreign keys, without reading it)."""
        return Manual.objects.filter(pk=self.manual_id)


class ManualPartQuerySet(models.QuerySet):
    """Parts of the working copy (variants, steps, screenshots and their versions): project insiders only."""

    manual_field = "manual"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(_insider(user, f"{self.manual_field}__project"))


class Variant(ManualPart):
    manual = models.ForeignKey(Manual, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_("environment"), max_length=80, validators=[validate_single_line], help_text=_("e.g. Windows 11, or Chrome on Mac"))  # fmt: skip
    position = models.PositiveIntegerField(default=0)

    objects = ManualPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("environment")
        verbose_name_plural = _("environments")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["manual", "name"], name="variant_name_unique")]

    def __str__(self):
        return self.name


class Step(ManualPart):
    manual = models.ForeignKey(Manual, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("short title"), max_length=120, validators=[validate_single_line], help_text=_("e.g. Open the Start menu"))  # fmt: skip
    instruction = models.TextField(
        _("what to do (Markdown)"), blank=True, max_length=INSTRUCTION_MAX_LENGTH, validators=_text(INSTRUCTION_MAX_LENGTH),
        help_text=_("Short sentences, one action each. Dictionary terms are linked; words to avoid are flagged."),
    )  # fmt: skip
    expected = models.TextField(_("what you should see now"), blank=True, max_length=1_000, validators=_text(1_000))
    # A reviewer confirmed a changed screenshot but said the text no longer matches it: fixed by editing the step.
    needs_text_change = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ManualPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["manual", "position"], name="step_order")]

    def __str__(self):
        return self.title


class ScreenshotQuerySet(ManualPartQuerySet):
    manual_field = "step__manual"


class Screenshot(ManualPart):
    """The picture of one step in one environment (``variant`` empty: every environment without its own)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="screenshots")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="screenshots")
    annotations = models.JSONField(default=list, blank=True)
    # What the editor shows (the newest version not rejected) and what new versions are compared with (the newest
    # version readers have seen or someone confirmed; empty until the manual is first published).
    current = models.ForeignKey("ScreenshotVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    baseline = models.ForeignKey("ScreenshotVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScreenshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        constraints = [
            models.UniqueConstraint(fields=["step", "variant"], name="screenshot_one_per_variant"),
            models.UniqueConstraint(fields=["step"], condition=Q(variant__isnull=True), name="screenshot_one_shared"),
        ]

    def __str__(self):
        return f"{self.step} ({self.variant or _('all environments')})"

    def manuals(self) -> models.QuerySet:
        return Manual.objects.filter(steps=self.step_id)


class VersionState(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")  # the first picture, or one with nothing visible changed
    COMPARING = "comparing", _("Being compared")
    AWAITING = "awaiting", pgettext_lazy("screenshot version", "Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", pgettext_lazy("screenshot version", "Rejected")
    SUPERSEDED = "superseded", _("Replaced by a newer picture")


# A manual cannot be published or exported while any current screenshot is in one of these.
BLOCKING_STATES = (VersionState.COMPARING, VersionState.AWAITING)


class Decision(models.TextChoices):
    MOVED_TEXT_RIGHT = "moved_text_right", _("The screen changed; the text is still right")
    TEXT_NEEDS_CHANGE = "text_needs_change", _("The text needs a change")
    REJECTED = "rejected", _("Rejected: keep the earlier picture")


class Band(models.TextChoices):
    UNCHANGED = "unchanged", _("Unchanged")
    CHANGED = "changed", _("Changed")
    LAYOUT = "layout", _("Size or layout changed")


class ScreenshotVersionQuerySet(ManualPartQuerySet):
    manual_field = "screenshot__step__manual"

    def waiting_for(self, user):
        """Changed pictures this client PM was named to confirm (never their own upload), oldest first."""
        if not user.is_authenticated:
            return self.none()
        client_pm = Membership.objects.of_row(user, roles=[Role.CLIENT_PM], project_field="screenshot__step__manual__project")  # fmt: skip
        return (
            self.filter(state=VersionState.AWAITING, screenshot__step__manual__reviewer=user)
            .filter(Exists(client_pm))
            .exclude(uploaded_by=user)
            .select_related("screenshot__step__manual__project", "screenshot__variant", "uploaded_by")
            .order_by("uploaded_at", "pk")
        )


class ScreenshotVersion(ManualPart):
    screenshot = models.ForeignKey(Screenshot, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    image = models.FileField(max_length=200)  # re-encoded PNG under a random name; served by a permission-checked view
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=12, choices=VersionState.choices, default=VersionState.ACCEPTED)
    # The comparison with the version it replaces (the screenshot's baseline when it was uploaded).
    compared_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    band = models.CharField(max_length=10, choices=Band.choices, blank=True)
    changed_ratio = models.FloatField(null=True, blank=True)
    regions = models.JSONField(default=list, blank=True)  # [x, y, w, h] in pixels of this image
    touched = models.JSONField(default=list, blank=True)  # indices of annotations a changed region overlaps
    overlay = models.FileField(max_length=200, blank=True)
    compare_attempts = models.PositiveSmallIntegerField(default=0)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2_000, validators=_text(2_000))

    objects = ScreenshotVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("screenshot version")
        verbose_name_plural = _("screenshot versions")
        ordering = ["screenshot", "-number"]
        indexes = [models.Index(fields=["state", "uploaded_at"], name="shotversion_state")]
        constraints = [
            models.UniqueConstraint(fields=["screenshot", "number"], name="shotversion_number_unique"),
            models.CheckConstraint(condition=Q(state__in=VersionState.values), name="shotversion_state_valid"),
            models.CheckConstraint(
                condition=~Q(state__in=["confirmed", "rejected"]) | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="shotversion_decided_has_who_and_when",
            ),
            models.CheckConstraint(condition=~Q(decided_by=models.F("uploaded_by")), name="shotversion_not_own_decision"),
        ]

    def __str__(self):
        return f"{self.screenshot} v{self.number}"

    def get_absolute_url(self):
        manual = self.manual
        return reverse("manuals:version", kwargs={"code": manual.project.code, "pk": manual.pk, "version": self.pk})

    def manuals(self) -> models.QuerySet:
        return Manual.objects.filter(steps__screenshots=self.screenshot_id)

    @property
    def manual(self) -> Manual:
        return self.screenshot.step.manual

    @property
    def project(self):
        return self.manual.project

    @property
    def changed_percent(self) -> float | None:
        return None if self.changed_ratio is None else round(self.changed_ratio * 100, 2)


class EditionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(_insider(user, "manual__project") | _shared_reader(user, "manual"))


class Edition(ManualPart):
    """A published edition: the snapshot readers read, its change log, and its PDF (an export job)."""

    manual = models.ForeignKey(Manual, on_delete=models.CASCADE, related_name="editions")
    number = models.PositiveIntegerField(_("edition"))
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    # {"audience", "variants": [{"id", "name"}], "steps": [{"id", "number", "title", "instruction", "expected",
    #  "shots": {"<variant id or 'all'>": {"version", "file", "width", "height", "annotations"}}}]}
    snapshot = models.JSONField()
    # [{"step": number, "title", "what": [...]}]: which steps and screenshots changed since the edition before.
    change_log = models.JSONField(default=list)
    note = models.TextField(_("what changed, in your words"), blank=True, max_length=2_000, validators=_text(2_000))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    export = models.ForeignKey("pmo_portal.ExportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["manual", "-number"]
        constraints = [models.UniqueConstraint(fields=["manual", "number"], name="edition_number_unique")]

    def __str__(self):
        return f"{self.title} #{self.number}"

    def get_absolute_url(self):
        return reverse("manuals:edition", kwargs={"code": self.manual.project.code, "pk": self.manual_id, "number": self.number})  # fmt: skip

    @property
    def project(self):
        return self.manual.project

    def shot_for(self, step: dict, variant_id) -> dict | None:
        """The picture a reader of ``variant_id`` sees at ``step``: their environment's own, or the shared one."""
        shots = step.get("shots", {})
        return shots.get(str(variant_id)) or shots.get("all")


class ScreenReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO, client PM and security see every report of their projects; a reader sees their own."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_insider(user, "manual__project") | Q(reporter=user))


class ScreenReport(ManualPart):
    """A reader says "my screen looks different" at a step, perhaps with their own screenshot."""

    manual = models.ForeignKey(Manual, on_delete=models.CASCADE, related_name="reports")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="reports")
    step = models.ForeignKey(Step, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    step_number = models.PositiveIntegerField()
    step_title = models.CharField(max_length=120)
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("what looks different"), blank=True, max_length=2_000, validators=_text(2_000))
    image = models.FileField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, max_length=2_000, validators=_text(2_000))

    objects = ScreenReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("screen report")
        verbose_name_plural = _("screen reports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["manual", "resolved_at"], name="screenreport_open")]

    def __str__(self):
        return f"{self.manual} — {self.step_number}. {self.step_title}"

    @property
    def project(self):
        return self.manual.project
