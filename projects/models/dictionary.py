"""The project dictionary: one vocabulary that every document of the project follows.

A ``Term`` carries the world-standard definition and, where the client reads the word differently, the
client's definition, with which one the project adopts and why. Its row always holds the version *in
force* (what vendors and readers see, what search and linking use); a term never approved yet holds its
proposed content, visible only to the PMO, the client PM and the security officer.

Every change is a ``TermProposal`` (a new term, a change, a deprecation) that the client PM approves or
rejects; approving copies the proposal's content onto the term. The approved proposals of a term are its
version history (who proposed, who approved, when, and what changed). State changes live in
``projects/services/dictionary.py``.

A ``DictionaryBaseline`` freezes the approved dictionary as a numbered release; a ``SharedGlossary``
keeps a PMO firm's reusable terms for starting the dictionary of a new project. ``DictionaryImport``
holds a parsed spreadsheet between its preview and its import.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from pmo_portal.validators import validate_multi_line, validate_single_line

from ..dictionary_text import normalize
from .projects import FULL_VIEW_ROLES, Membership, Project, Role

TERM_MAX_LENGTH = 200
DEFINITION_MAX_LENGTH = 10_000
LIST_ITEM_MAX_LENGTH = 200
LIST_MAX_ITEMS = 50
EXAMPLE_MAX_LENGTH = 1_000


def _text(limit: int) -> list:
    """Validators of a text people type: no hidden characters, at most ``limit`` characters.

    A TextField's max_length limits only its form field; services (and imports) need the model to check it.
    """
    return [validate_multi_line, MaxLengthValidator(limit)]


def dictionary_changed(projects: models.QuerySet) -> None:
    """Count a change to these projects' dictionaries (saves and deletes of terms, proposals and categories call
    it; so must any code that changes what the list shows with bulk_create() or a queryset's update(), which
    bypass save(): the cached term lists are keyed by this count)."""
    projects.update(dictionary_version=models.F("dictionary_version") + 1)


class TermStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("term status", "Draft")  # never approved; its proposal was rejected or withdrawn
    PROPOSED = "proposed", _("Proposed")  # never approved; waiting for the client PM
    APPROVED = "approved", _("Approved")
    DEPRECATED = "deprecated", _("Deprecated")


# What vendors and readers may see: what the client PM approved (a deprecated term says what replaces it).
PUBLISHED_STATUSES = (TermStatus.APPROVED, TermStatus.DEPRECATED)


class Adopted(models.TextChoices):
    STANDARD = "standard", _("The standard definition")
    CLIENT = "client", _("The client's definition")


class RelationKind(models.TextChoices):
    BROADER = "broader", _("Broader term")
    NARROWER = "narrower", _("Narrower term")
    SEE_ALSO = "see_also", _("See also")
    REPLACED_BY = "replaced_by", _("Replaced by")


# Where standard definitions usually come from (suggested in the form; any source may be typed).
STANDARD_SOURCES = ("PMBOK", "ISO/IEC", "ITIL", "JIS", "IEEE", "BABOK", "IPA", _("vendor manual"), _("law or regulation"))


# --- categories --------------------------------------------------------------------------------------------


class ProjectMemberQuerySet(models.QuerySet):
    """Rows every member of the project may see."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.of_row(user)))


class TermCategory(models.Model):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="term_categories")  # fmt: skip
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line], help_text=_("e.g. Claims, Contracts, Infrastructure"))  # fmt: skip
    key = models.CharField(max_length=100, editable=False)  # normalized name: 「請求」 and 「請求 」 are one category

    objects = ProjectMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("term category")
        verbose_name_plural = _("term categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="termcategory_unique_name", violation_error_message=_("This dictionary already has a category of this name.")),  # fmt: skip
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = normalize(self.name)
        super().save(*args, **kwargs)
        dictionary_changed(Project.objects.filter(pk=self.project_id))

    def delete(self, *args, **kwargs):
        dictionary_changed(Project.objects.filter(pk=self.project_id))
        return super().delete(*args, **kwargs)


# --- what a term says: shared by the term (in force) and its proposals ---------------------------------------


class TermContent(models.Model):
    """The content of a term. A proposal carries a full copy, so approving it is one copy."""

    name = models.CharField(_("term"), max_length=TERM_MAX_LENGTH, validators=[validate_single_line], help_text=_("The word as the project writes it, e.g. 保険金 or Claim payment."))  # fmt: skip
    reading = models.CharField(_("reading"), max_length=TERM_MAX_LENGTH, blank=True, validators=[validate_single_line], help_text=_("How it is read, e.g. ほけんきん. Sorts the dictionary."))  # fmt: skip
    abbreviation = models.CharField(_("abbreviation"), max_length=50, blank=True, validators=[validate_single_line])
    language = models.CharField(_("language of the term"), max_length=8, choices=settings.LANGUAGES, default="ja")
    category = models.ForeignKey(TermCategory, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="%(class)s_set")  # fmt: skip
    # [{"language": "en", "text": "Claim payment", "exact": true}, ...]: the term in the project's other languages.
    equivalents = models.JSONField(_("equivalents in other languages"), default=list, blank=True)
    standard_definition = models.TextField(_("standard definition"), blank=True, max_length=DEFINITION_MAX_LENGTH, validators=_text(DEFINITION_MAX_LENGTH))  # fmt: skip
    standard_source = models.CharField(_("source of the standard definition"), max_length=100, blank=True, validators=[validate_single_line], help_text=_("e.g. PMBOK, ISO/IEC, ITIL, JIS or a vendor manual"))  # fmt: skip
    standard_reference = models.CharField(_("reference"), max_length=300, blank=True, validators=[validate_single_line], help_text=_("Edition, section or page, e.g. PMBOK Guide 7th ed., 2.4"))  # fmt: skip
    client_definition = models.TextField(_("client's definition"), blank=True, max_length=DEFINITION_MAX_LENGTH, validators=_text(DEFINITION_MAX_LENGTH), help_text=_("Only where the client reads the word differently from the standard."))  # fmt: skip
    adopted = models.CharField(_("the project adopts"), max_length=10, choices=Adopted.choices, default=Adopted.STANDARD)  # fmt: skip
    rationale = models.TextField(_("why"), blank=True, max_length=5_000, validators=_text(5_000), help_text=_("Why the project follows this definition. Required when the client reads the word differently."))  # fmt: skip
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)  # other words that mean the same, fine to use
    avoid = models.JSONField(_("words to avoid"), default=list, blank=True)  # forbidden or ambiguous: write the term instead
    relations = models.JSONField(_("related terms"), default=list, blank=True)  # [{"kind": "broader", "term": <Term id>}]
    examples = models.JSONField(_("examples"), default=list, blank=True)
    counter_examples = models.JSONField(_("counter-examples"), default=list, blank=True)  # "this is not a …"

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(adopted=Adopted.STANDARD, standard_definition__gt="") | Q(adopted=Adopted.CLIENT, client_definition__gt=""),  # fmt: skip
                name="%(class)s_adopted_definition_given",
                violation_error_message=_("The adopted definition cannot be empty."),
            ),
            models.CheckConstraint(condition=Q(adopted__in=Adopted.values), name="%(class)s_adopted_valid"),
        ]

    @property
    def adopted_definition(self) -> str:
        return self.client_definition if self.adopted == Adopted.CLIENT else self.standard_definition

    @property
    def differs_from_standard(self) -> bool:
        """The project follows the client's reading, which is not the standard one: the mark people must see."""
        return self.adopted == Adopted.CLIENT and normalize(self.client_definition) != normalize(self.standard_definition)

    def related_ids(self, kind: str | None = None) -> list[int]:
        return [r["term"] for r in self.relations if kind is None or r["kind"] == kind]

    def _list_errors(self) -> dict:
        """The JSON lists hold what the form or the file gave: each item checked like a text field."""
        errors = {}
        checks = {"synonyms": validate_single_line, "avoid": validate_single_line, "examples": validate_multi_line, "counter_examples": validate_multi_line}  # fmt: skip
        for field, validate in checks.items():
            for item in getattr(self, field):
                try:
                    if not isinstance(item, str):
                        raise ValidationError(_("Write each entry as text."))
                    validate(item)
                except ValidationError as error:
                    errors[field] = error.messages[0]
                    break
        languages = {code for code, _name in settings.LANGUAGES}
        for equivalent in self.equivalents:
            text = equivalent.get("text") if isinstance(equivalent, dict) else None
            try:
                if equivalent.get("language") not in languages or not isinstance(text, str) or not text.strip() or len(text) > TERM_MAX_LENGTH:  # fmt: skip
                    raise ValidationError(_("Each equivalent needs a language of the project and a text of at most %(length)s characters.") % {"length": TERM_MAX_LENGTH})  # fmt: skip
                validate_single_line(text)
            except (ValidationError, AttributeError) as error:
                errors["equivalents"] = error.messages[0] if isinstance(error, ValidationError) else _("Write each entry as text.")  # fmt: skip
                break
        return errors

    def clean(self):
        super().clean()
        errors = {}
        if self.adopted == Adopted.CLIENT and not self.client_definition.strip():
            errors["client_definition"] = _("Write the client's definition, or adopt the standard one.")
        if self.adopted == Adopted.STANDARD and not self.standard_definition.strip():
            errors["standard_definition"] = _("Write the standard definition, or adopt the client's one.")
        if self.client_definition.strip() and self.standard_definition.strip() and not self.rationale.strip():
            errors["rationale"] = _("The client reads this word differently: say why the project adopts the definition it chose.")  # fmt: skip
        for field in ("synonyms", "avoid"):
            if len(getattr(self, field)) > LIST_MAX_ITEMS or any(len(w) > LIST_ITEM_MAX_LENGTH for w in getattr(self, field)):
                errors[field] = _("At most %(count)s entries of at most %(length)s characters each.") % {"count": LIST_MAX_ITEMS, "length": LIST_ITEM_MAX_LENGTH}  # fmt: skip
        for field in ("examples", "counter_examples"):
            if len(getattr(self, field)) > LIST_MAX_ITEMS or any(len(w) > EXAMPLE_MAX_LENGTH for w in getattr(self, field)):
                errors[field] = _("At most %(count)s entries of at most %(length)s characters each.") % {"count": LIST_MAX_ITEMS, "length": EXAMPLE_MAX_LENGTH}  # fmt: skip
        errors |= self._list_errors()
        own = normalize(self.name)
        for field in ("synonyms", "avoid"):
            if any(normalize(word) == own for word in getattr(self, field)):
                errors[field] = _("The term itself cannot be one of its own synonyms or words to avoid.")
        clash = {normalize(w) for w in self.synonyms} & {normalize(w) for w in self.avoid}
        if clash:
            errors["avoid"] = _("“%(word)s” is both a synonym and a word to avoid: choose one.") % {"word": sorted(clash)[0]}
        if errors:
            raise ValidationError(errors)


# Copied from a proposal onto its term when the client PM approves it (and compared to show what changed).
CONTENT_FIELDS = tuple(f.name for f in TermContent._meta.local_fields)


# --- terms -------------------------------------------------------------------------------------------------


class TermQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO, client PM and security see every term of their projects; vendors and readers approved ones only."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES)) | (Exists(Membership.objects.of_row(user)) & Q(status__in=PUBLISHED_STATUSES))
        )

    def search(self, query: str):
        """Terms whose term, reading, abbreviation, synonyms, words to avoid, equivalents or definitions contain
        ``query`` anywhere (a substring, so 「保険金」 finds 「保険金支払」), ignoring case and full/half width.

        On PostgreSQL a trigram index on ``search_text`` serves it (migration 0004).
        """
        needle = normalize(query)
        return self.filter(search_text__contains=needle) if needle else self

    def for_list(self, *, flag_pending: bool = True):
        """What the dictionary list shows of each term; with ``flag_pending``, whether a change waits for approval
        (only for those who may see proposals: vendors and readers never learn of one)."""
        terms = self.select_related("category")
        if not flag_pending:
            return terms
        pending = TermProposal.objects.filter(term=OuterRef("pk"), status=ProposalStatus.PENDING)
        return terms.annotate(has_pending_change=Exists(pending))


class Term(FSMModelMixin, TermContent):
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="terms")  # fmt: skip
    status = FSMField(_("status"), max_length=12, choices=TermStatus.choices, default=TermStatus.PROPOSED, protected=True)  # fmt: skip
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+", help_text=_("The PMO consultant who keeps this term up to date."))  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=0)  # how many versions were approved; 0: never
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Derived from the content by refresh_derived(), for uniqueness, sorting and substring search.
    key = models.CharField(max_length=TERM_MAX_LENGTH, editable=False)
    sort_key = models.CharField(max_length=TERM_MAX_LENGTH, editable=False)
    search_text = models.TextField(editable=False, default="")

    objects = TermQuerySet.as_manager()

    class Meta(TermContent.Meta):
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["sort_key", "pk"]
        indexes = [
            models.Index(fields=["project", "sort_key", "id"], name="term_project_sorted"),
            models.Index(fields=["project", "status", "sort_key"], name="term_project_status"),
            models.Index(fields=["project", "category", "sort_key"], name="term_project_category"),
        ]
        constraints = [
            *TermContent.Meta.constraints,
            models.UniqueConstraint(fields=["project", "key"], name="term_unique_per_project", violation_error_message=_("This dictionary already has this term.")),  # fmt: skip
            models.CheckConstraint(condition=Q(status__in=TermStatus.values), name="term_status_valid"),
            models.CheckConstraint(
                condition=Q(status__in=PUBLISHED_STATUSES, version__gte=1, approved_by__isnull=False, approved_at__isnull=False)  # fmt: skip
                | Q(status__in=[TermStatus.DRAFT, TermStatus.PROPOSED], version=0),
                name="term_approved_has_who_and_when",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        dictionary_changed(Project.objects.filter(pk=self.project_id))

    def get_absolute_url(self):
        return reverse("dictionary:term_detail", kwargs={"code": self.project.code, "pk": self.pk})

    def delete(self, *args, **kwargs):
        dictionary_changed(Project.objects.filter(pk=self.project_id))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    def phrases(self) -> list[str]:
        """The words that stand for this term in a text: the term, its abbreviation, synonyms and equivalents."""
        return [self.name, self.abbreviation, *self.synonyms, *(e["text"] for e in self.equivalents)]

    def refresh_derived(self) -> None:
        """Recompute key, sort key and search text from the content (services call it before saving)."""
        self.key = normalize(self.name)
        self.sort_key = normalize(self.reading) or self.key
        parts = [
            self.name, self.reading, self.abbreviation, *self.synonyms, *self.avoid,
            *(e.get("text", "") for e in self.equivalents), self.standard_definition, self.client_definition,
        ]  # fmt: skip
        self.search_text = "\n".join(normalize(part) for part in parts if part)

    # Transitions. The service copies an approved proposal's content and sets who approved it.

    @transition(field=status, source=[TermStatus.DRAFT, TermStatus.PROPOSED], target=TermStatus.PROPOSED)
    def propose(self):
        pass

    @transition(field=status, source=TermStatus.PROPOSED, target=TermStatus.DRAFT)
    def send_back(self):
        pass

    @transition(field=status, source=[TermStatus.PROPOSED, TermStatus.APPROVED], target=TermStatus.APPROVED)
    def approve(self, *, by, at):
        self.version += 1
        self.approved_by, self.approved_at = by, at

    @transition(field=status, source=TermStatus.APPROVED, target=TermStatus.DEPRECATED)
    def deprecate(self, *, by, at):
        self.version += 1
        self.approved_by, self.approved_at = by, at


# --- proposals ---------------------------------------------------------------------------------------------


class ProposalKind(models.TextChoices):
    NEW = "new", _("New term")
    CHANGE = "change", _("Change")
    DEPRECATE = "deprecate", _("Deprecation")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TermProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals are internal to the PMO, the client PM and the security officer: vendors see none."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES, project_field="term__project")))

    def waiting_for(self, user):
        """Pending proposals this client PM may decide (never their own), oldest first."""
        if not user.is_authenticated:
            return self.none()
        return (
            self.filter(status=ProposalStatus.PENDING)
            .filter(Exists(Membership.objects.of_row(user, roles=[Role.CLIENT_PM], project_field="term__project")))
            .exclude(proposed_by=user)
            .select_related("term__project", "proposed_by", "category")
            .order_by("created_at", "pk")
        )


class TermProposal(FSMModelMixin, TermContent):
    """A new term, a change to a term, or its deprecation, waiting for (or decided by) the client PM."""

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices)
    status = FSMField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, protected=True)  # fmt: skip
    note = models.TextField(_("note to the approver"), blank=True, max_length=2_000, validators=_text(2_000), help_text=_("What changes and why, in a sentence or two."))  # fmt: skip
    base_version = models.PositiveIntegerField(default=0)  # the version in force when it was proposed
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2_000, validators=_text(2_000))
    version = models.PositiveIntegerField(null=True, blank=True)  # the term's version this proposal became

    objects = TermProposalQuerySet.as_manager()

    class Meta(TermContent.Meta):
        verbose_name = _("term proposal")
        verbose_name_plural = _("term proposals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["term", "status", "-created_at"], name="termproposal_term_status")]
        constraints = [
            *TermContent.Meta.constraints,
            models.UniqueConstraint(fields=["term"], condition=Q(status="pending"), name="termproposal_one_pending_per_term", violation_error_message=_("This term already has a change waiting for approval.")),  # fmt: skip
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="termproposal_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=ProposalKind.values), name="termproposal_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "withdrawn"], decided_by__isnull=True, decided_at__isnull=True)
                | (Q(status__in=["approved", "rejected"]) & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="termproposal_decided_has_who_and_when",
            ),
            models.CheckConstraint(condition=~Q(status="rejected", comment=""), name="termproposal_rejection_has_reason"),  # fmt: skip
            models.CheckConstraint(condition=~Q(decided_by=models.F("proposed_by")), name="termproposal_not_own_decision"),  # fmt: skip
            models.CheckConstraint(condition=Q(status="approved", version__isnull=False) | (~Q(status="approved") & Q(version__isnull=True)), name="termproposal_approved_has_version"),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"

    def save(self, *args, **kwargs):  # the list flags terms with a change waiting
        super().save(*args, **kwargs)
        dictionary_changed(Project.objects.filter(terms=self.term_id))

    def get_absolute_url(self):
        """A pending proposal is decided on its term's page; a decided one is part of the term's history."""
        kwargs = {"code": self.term.project.code, "pk": self.term_id}
        if self.is_pending:
            return reverse("dictionary:term_detail", kwargs=kwargs) + "#pending-change"
        return reverse("dictionary:term_history", kwargs=kwargs) + f"#proposal-{self.pk}"

    def delete(self, *args, **kwargs):
        dictionary_changed(Project.objects.filter(terms=self.term_id))
        return super().delete(*args, **kwargs)

    @property
    def project(self):
        return self.term.project

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING

    def content(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}

    @transition(field=status, source=ProposalStatus.PENDING, target=ProposalStatus.APPROVED)
    def approve(self, *, by, at, comment: str, version: int):
        self.decided_by, self.decided_at, self.comment, self.version = by, at, comment, version

    @transition(field=status, source=ProposalStatus.PENDING, target=ProposalStatus.REJECTED)
    def reject(self, *, by, at, comment: str):
        self.decided_by, self.decided_at, self.comment = by, at, comment

    @transition(field=status, source=ProposalStatus.PENDING, target=ProposalStatus.WITHDRAWN)
    def withdraw(self):
        pass


# --- baselines: numbered releases of the approved dictionary ------------------------------------------------


class DictionaryBaseline(models.Model):
    """The approved dictionary frozen at a moment (kick-off, RFP issue...), numbered 1, 2, 3 per project."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="dictionary_baselines")  # fmt: skip
    number = models.PositiveIntegerField(_("release"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line], help_text=_("e.g. At kick-off, At RFP issue"))  # fmt: skip
    note = models.TextField(_("note"), blank=True, max_length=2_000, validators=_text(2_000))
    term_count = models.PositiveIntegerField(_("terms"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)

    objects = ProjectMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("dictionary release")
        verbose_name_plural = _("dictionary releases")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="baseline_unique_number")]

    def __str__(self):
        return f"#{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("dictionary:baseline_detail", kwargs={"code": self.project.code, "number": self.number})


class BaselineTerm(models.Model):
    """One approved term as it stood in a release: a snapshot of its content (category and related terms by name)."""

    baseline = models.ForeignKey(DictionaryBaseline, on_delete=models.CASCADE, related_name="entries")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=TERM_MAX_LENGTH)
    sort_key = models.CharField(max_length=TERM_MAX_LENGTH)
    version = models.PositiveIntegerField()
    content = models.JSONField()

    class Meta:
        ordering = ["sort_key", "term_id"]
        constraints = [models.UniqueConstraint(fields=["baseline", "term"], name="baselineterm_unique_term")]

    def __str__(self):
        return self.name


# --- shared glossaries: a PMO firm's reusable terms -------------------------------------------------------------


class SharedGlossaryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The PMO staff of the firm that keeps it."""
        if not user.is_authenticated or not user.is_pmo_staff:
            return self.none()
        return self.filter(organization_id=user.organization_id)


class SharedGlossary(models.Model):
    """Terms a PMO firm reuses from project to project, saved from a project's approved dictionary."""

    organization = models.ForeignKey("accounts.Organization", verbose_name=_("PMO firm"), on_delete=models.CASCADE, related_name="glossaries")  # fmt: skip
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line], help_text=_("e.g. Insurance claims — standard terms"))  # fmt: skip
    description = models.TextField(_("description"), blank=True, max_length=2_000, validators=_text(2_000))
    source_project = models.ForeignKey("projects.Project", verbose_name=_("saved from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")  # fmt: skip
    term_count = models.PositiveIntegerField(_("terms"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    objects = SharedGlossaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared glossary")
        verbose_name_plural = _("shared glossaries")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="glossary_unique_name", violation_error_message=_("Your firm already has a glossary of this name."))]  # fmt: skip

    def __str__(self):
        return self.name


class SharedGlossaryTerm(models.Model):
    glossary = models.ForeignKey(SharedGlossary, on_delete=models.CASCADE, related_name="entries")
    name = models.CharField(max_length=TERM_MAX_LENGTH)
    sort_key = models.CharField(max_length=TERM_MAX_LENGTH)
    content = models.JSONField()

    class Meta:
        ordering = ["sort_key", "pk"]

    def __str__(self):
        return self.name


# --- imports: a spreadsheet between its preview and its import -------------------------------------------------


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Waiting for confirmation")
    APPLIED = "applied", _("Imported")


class DictionaryImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The PMO staff of the project (an import is a PMO tool)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.of_row(user, roles=[Role.PMO])))


class DictionaryImport(models.Model):
    """The rows read from an uploaded CSV or Excel file, checked and waiting for the PMO to confirm the preview.

    Nothing reaches the dictionary before the confirmation; a file with any error is refused whole and never
    stored. ``rows`` holds each row's content (category by name), numbered as in the file.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="dictionary_imports")
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # counts of what the import did

    objects = DictionaryImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="dictionaryimport_status_valid")]  # fmt: skip

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("dictionary:import_preview", kwargs={"code": self.project.code, "pk": self.pk})
