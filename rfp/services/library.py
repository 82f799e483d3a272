"""The firm's library: RFP templates and reusable clauses, one function per state change (DESIGN.md §4).

Both belong to a PMO firm (``Organization``), not to a project: its PMO staff save any RFP's sections as a
template (``rfp_create(template=...)`` starts a new RFP from one) and keep clauses, each with an owner who checks
it by its review date. A clause past its review date is not inserted into an RFP until its owner has reviewed
it (saving it with a new review date); its owner is reminded once a week (``rfp/library_registry.py``).
"""

from datetime import date
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, F, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pmo_portal import audit

from ..models import BODY_MAX_LENGTH, Clause, Rfp, RfpSection, RfpTemplate
from .document import lock_rfp, require_pmo, section_update

CLAUSE_AUDIT_FIELDS = ("title", "body", "language", "owner", "review_date")


def require_pmo_staff(actor) -> None:
    """The library is its firm's PMO staff's: nobody else reads or changes it."""
    if not (actor.is_authenticated and actor.is_pmo_staff):
        raise PermissionDenied(_("Only the staff of a PMO firm keep its library of templates and clauses."))


def is_overdue(clause: Clause, today: date | None = None) -> bool:
    """Past its review date: its owner must check it before it goes into another RFP."""
    return clause.review_date < (today or timezone.localdate())


def library_clauses(user, *, today: date | None = None) -> QuerySet:
    """The clauses of ``user``'s firm, those overdue for review first (each with ``overdue``), then by title."""
    today = today or timezone.localdate()
    overdue = Case(When(review_date__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())
    return Clause.objects.visible_to(user).select_related("owner").annotate(overdue=overdue).order_by("-overdue", "title", "pk")  # fmt: skip


class ClauseChoice(NamedTuple):
    pk: int
    title: str
    language: str
    overdue: bool


def clause_choices(user, *, today: date | None = None) -> list[ClauseChoice]:
    """What the "insert a clause" control offers: ``library_clauses`` as plain values, without what the library page
    shows besides (owners): one lean query on every section editor."""
    today = today or timezone.localdate()
    rows = Clause.objects.visible_to(user).order_by("title", "pk").values_list("pk", "title", "language", "review_date")
    choices = [ClauseChoice(pk, title, language, review_date < today) for pk, title, language, review_date in rows]
    return sorted(choices, key=lambda choice: not choice.overdue)  # overdue first, each part by title (a stable sort)


def clause_owners(actor) -> QuerySet:
    """Who may own a clause of ``actor``'s firm: its active people (the firm's PMO staff)."""
    if not (actor.is_authenticated and actor.is_pmo_staff):
        return get_user_model().objects.none()
    return get_user_model().objects.filter(organization_id=actor.organization_id, is_active=True).order_by("display_name", "username")  # fmt: skip


# --- templates ----------------------------------------------------------------------------------------------


def template_save(*, actor, rfp: Rfp, name: str) -> RfpTemplate:
    """PMO staff of the RFP's project save its sections (title, text, explanation) as a template of their firm."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        require_pmo_staff(actor)
        name = (name or "").strip()
        if not name:
            raise ValidationError({"name": _("Give the template a name.")})
        if RfpTemplate.objects.filter(organization_id=actor.organization_id, name__iexact=name).exists():
            raise ValidationError({"name": _("Your firm already has a template named “%(name)s”. Choose another name, or delete the old template first.") % {"name": name}})  # fmt: skip
        sections = [{"key": s.key, "title": s.title, "body": s.body, "explanation": s.explanation} for s in rfp.sections.all()]  # fmt: skip
        template = RfpTemplate(organization_id=actor.organization_id, name=name, language=rfp.language, sections=sections, created_by=actor)  # fmt: skip
        template.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():  # two saves of one name at once: the database's constraint decides
                template.save()
        except IntegrityError:
            raise ValidationError({"name": _("Your firm already has a template named “%(name)s”. Choose another name, or delete the old template first.") % {"name": name}}) from None  # fmt: skip
        audit.record(actor=actor, verb="rfp.template_save", obj=template, project=rfp.project, after={"name": name, "rfp": rfp.title, "language": rfp.language, "sections": len(sections)})  # fmt: skip
    return template


def template_delete(*, actor, template: RfpTemplate) -> None:
    """PMO staff delete a template of their firm (RFPs started from it keep their sections). Like the clauses'
    events, it is the firm's business, not a client project's: audited without a project."""
    with transaction.atomic():
        require_pmo_staff(actor)
        template = RfpTemplate.objects.select_for_update().filter(pk=template.pk, organization_id=actor.organization_id).first()  # fmt: skip
        if template is None:
            raise ValidationError(_("This template is already deleted."))
        audit.record(actor=actor, verb="rfp.template_delete", obj=template, before={"name": template.name, "language": template.language, "sections": len(template.sections)})  # fmt: skip
        template.delete()


# --- clauses ------------------------------------------------------------------------------------------------


def _check_clause(actor, clause: Clause) -> None:
    """Owner of the firm, review date not past, text present; then the model's own validation."""
    if clause.owner_id is None or not clause_owners(actor).filter(pk=clause.owner_id).exists():
        raise ValidationError({"owner": _("Choose an owner among your firm's active staff.")})
    if clause.review_date is None:
        raise ValidationError({"review_date": _("Give the date by which its owner checks it again.")})
    if clause.review_date < timezone.localdate():
        raise ValidationError({"review_date": _("The review date is in the past: give the date of the next review.")})
    if not clause.title:
        raise ValidationError({"title": _("Give the clause a title.")})
    if not clause.body:
        raise ValidationError({"body": _("Write the clause's text.")})
    clause.full_clean()


def clause_create(*, actor, title: str, body: str, language: str, owner, review_date: date) -> Clause:
    """PMO staff add a reusable clause to their firm's library, with its owner and next review date."""
    with transaction.atomic():
        require_pmo_staff(actor)
        clause = Clause(organization_id=actor.organization_id, title=(title or "").strip(), body=(body or "").strip(), language=language, owner=owner, review_date=review_date)  # fmt: skip
        _check_clause(actor, clause)
        clause.save()
        audit.record(
            actor=actor, verb="rfp.clause_create", obj=clause, after=audit.snapshot(clause, CLAUSE_AUDIT_FIELDS)
        )
    return clause


def clause_update(*, actor, clause: Clause, title: str, body: str, language: str, owner, review_date: date) -> Clause:
    """Change a clause; reviewing it is saving it with the next review date."""
    with transaction.atomic():
        require_pmo_staff(actor)
        clause = Clause.objects.select_for_update().filter(pk=clause.pk, organization_id=actor.organization_id).first()
        if clause is None:
            raise PermissionDenied(_("This clause belongs to another firm."))
        before = audit.snapshot(clause, CLAUSE_AUDIT_FIELDS)
        clause.title, clause.body, clause.language = (title or "").strip(), (body or "").strip(), language
        clause.owner, clause.review_date = owner, review_date
        _check_clause(actor, clause)
        clause.save()
        before, after = audit.changed(before, audit.snapshot(clause, CLAUSE_AUDIT_FIELDS))
        audit.record(actor=actor, verb="rfp.clause_update", obj=clause, before=before, after=after)
    return clause


def clause_insert(*, actor, section: RfpSection, clause: Clause) -> RfpSection:
    """Add the clause's text at the end of an RFP section (through ``section_update``: a new revision, which the
    client PM reads again). Refused while the clause is overdue for review."""
    with transaction.atomic():
        rfp = lock_rfp(section.rfp)
        require_pmo(actor, rfp.project)
        require_pmo_staff(actor)
        clause = Clause.objects.visible_to(actor).select_related("owner").filter(pk=clause.pk).first()
        if clause is None:
            raise PermissionDenied(_("This clause belongs to another firm."))
        if is_overdue(clause):
            raise ValidationError(_("“%(title)s” was due for review on %(date)s: ask its owner, %(owner)s, to review it before it goes into an RFP.") % {"title": clause.title, "date": date_format(clause.review_date), "owner": clause.owner})  # fmt: skip
        section = RfpSection.objects.select_for_update().get(pk=section.pk, rfp=rfp)
        body = f"{section.body.rstrip()}\n\n{clause.body}" if section.body.strip() else clause.body
        if len(body) > BODY_MAX_LENGTH:
            raise ValidationError(_("With this clause the section would be longer than %(limit)s characters. Shorten the section or split it first.") % {"limit": f"{BODY_MAX_LENGTH:,}"})  # fmt: skip
        section = section_update(actor=actor, section=section, title=section.title, body=body, explanation=section.explanation)  # fmt: skip
        audit.record(actor=actor, verb="rfp.clause_insert", obj=rfp, project=rfp.project, after={"section": section.title, "clause": clause.title, "clause_id": clause.pk, "revision": section.revision})  # fmt: skip
    return section


def clauses_overdue(today: date) -> QuerySet:
    """Every firm's clauses past their review date whose owner still works there (for the weekly reminder)."""
    return (
        Clause.objects.filter(review_date__lt=today, owner__is_active=True)
        .filter(owner__organization_id=F("organization_id"))
        .select_related("owner")
        .order_by("pk")
    )
