"""Every state change of the RFP document: one function each (DESIGN.md §4).

The PMO drafts (sections from a template, requirements with stable IDs, weighted evaluation criteria) and
explains each section; the client PM marks each section understood or asks; the PMO submits it for review; the
client PM approves (approval inbox) only when every section is understood; the PMO issues it once no word to
avoid or unapproved term remains, which pins a release of the dictionary. Approving, issuing and each addendum
keep a version: the snapshot vendors read and versions are compared on.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided
from projects.dictionary_lint import lint
from projects.models import Project, Role
from projects.services import dictionary_baseline_create, require_role

from ..builtin_template import builtin_sections
from ..models import (
    REQUIREMENT_PREFIXES,
    EvaluationCriterion,
    PmQuestion,
    Requirement,
    Rfp,
    RfpSection,
    RfpStatus,
    RfpTemplate,
    RfpVersion,
    SectionUnderstanding,
    VersionKind,
)

RFP_AUDIT_FIELDS = ("title", "language", "status", "version", "question_deadline", "proposal_deadline")


def require_pmo(actor, project) -> None:
    require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project can change its RFPs."))


def require_client_pm(actor, project) -> None:
    require_role(actor, project, Role.CLIENT_PM, message=_("Only the client PM of this project can do this."))


def lock_rfp(rfp: Rfp) -> Rfp:
    return Rfp.objects.select_for_update(of=("self",)).select_related("project").get(pk=rfp.pk)


def _require_editable(rfp: Rfp) -> None:
    if not rfp.is_editable:
        raise ValidationError(_("This RFP is “%(status)s”: it cannot be changed now. Take it back to draft first.") % {"status": rfp.get_status_display()})  # fmt: skip


def _notify(people, *, kind, rfp, params, url=None, obj=None) -> None:
    for person in people:
        notifications.notify(recipient=person, kind=kind, project=rfp.project, obj=obj or rfp, url=url or rfp.get_absolute_url(), params={"rfp": rfp.title, **params})  # fmt: skip


# --- the document ---------------------------------------------------------------------------------------------


def rfp_create(*, actor, project: Project, title: str, language: str, template: RfpTemplate | None = None) -> Rfp:
    """PMO staff start an RFP: the usual sections of an IT RFP in its language, or a template of their firm."""
    with transaction.atomic():
        require_pmo(actor, project)
        if template is not None and not RfpTemplate.objects.visible_to(actor).filter(pk=template.pk).exists():
            raise PermissionDenied(_("This template belongs to another firm."))
        rfp = Rfp(project=project, title=title.strip(), language=language, created_by=actor)
        rfp.full_clean(exclude=["status"])  # the protected state field changes only by transition
        rfp.save()
        sections = template.sections if template is not None else builtin_sections(language)
        RfpSection.objects.bulk_create(
            RfpSection(rfp=rfp, position=n, key=s.get("key", ""), title=s["title"], body=s.get("body", ""), explanation=s.get("explanation", ""))  # fmt: skip
            for n, s in enumerate(sections, start=1)
        )
        audit.record(actor=actor, verb="rfp.create", obj=rfp, project=project, after=audit.snapshot(rfp, RFP_AUDIT_FIELDS) | {"template": str(template or "")})  # fmt: skip
    return rfp


def rfp_update(*, actor, rfp: Rfp, title: str, language: str, question_deadline=None, proposal_deadline=None) -> Rfp:
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        before = audit.snapshot(rfp, RFP_AUDIT_FIELDS)
        rfp.title, rfp.language = title.strip(), language
        rfp.question_deadline, rfp.proposal_deadline = question_deadline, proposal_deadline
        _check_deadlines(rfp)
        rfp.full_clean(exclude=["status"])
        rfp.save()
        before, after = audit.changed(before, audit.snapshot(rfp, RFP_AUDIT_FIELDS))
        if after:
            audit.record(actor=actor, verb="rfp.update", obj=rfp, project=rfp.project, before=before, after=after)
    return rfp


def clean_text(value: str) -> str:
    """Text as stored: line breaks as \\n (browsers send a textarea's as \\r\\n), no white space around it.

    Saving a section unchanged must not look like a change (it would void the client PM's "understood").
    """
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_deadlines(rfp: Rfp) -> None:
    questions, proposals = rfp.question_deadline, rfp.proposal_deadline
    if questions and proposals and questions > proposals:
        raise ValidationError({"question_deadline": _("Questions must close before proposals are due.")})


# --- sections -------------------------------------------------------------------------------------------------


def _lock_section(section: RfpSection) -> tuple[Rfp, RfpSection]:
    rfp = lock_rfp(section.rfp)
    return rfp, RfpSection.objects.select_for_update().get(pk=section.pk)


def section_add(*, actor, rfp: Rfp, title: str, body: str = "", explanation: str = "") -> RfpSection:
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        position = (rfp.sections.aggregate(n=Max("position"))["n"] or 0) + 1
        section = RfpSection(rfp=rfp, position=position, title=clean_text(title), body=clean_text(body), explanation=clean_text(explanation))  # fmt: skip
        section.full_clean()
        section.save()
        audit.record(actor=actor, verb="rfp.section_add", obj=rfp, project=rfp.project, after={"section": section.title})
    return section


def section_update(*, actor, section: RfpSection, title: str, body: str, explanation: str) -> RfpSection:
    """The PMO changes a section. A changed section must be understood again before the RFP is approved."""
    with transaction.atomic():
        rfp, section = _lock_section(section)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        new = {"title": clean_text(title), "body": clean_text(body), "explanation": clean_text(explanation)}
        changed = [name for name, value in new.items() if getattr(section, name) != value]
        if not changed:
            return section
        for name, value in new.items():
            setattr(section, name, value)
        section.revision += 1
        section.full_clean()
        section.save()
        audit.record(actor=actor, verb="rfp.section_update", obj=rfp, project=rfp.project, after={"section": section.title, "fields": changed, "revision": section.revision})  # fmt: skip
    return section


def section_move(*, actor, section: RfpSection, by: int) -> None:
    """Move a section one place up (by=-1) or down (by=+1); numbering follows the order."""
    with transaction.atomic():
        rfp, section = _lock_section(section)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        _swap(list(rfp.sections.all()), section, by)


def _swap(rows: list, row, by: int) -> None:
    """Swap ``row`` with its neighbour in ``rows`` (ordered); positions are rewritten 1..n."""
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index + by
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, item in enumerate(rows, start=1):
        if item.position != position:
            type(item).objects.filter(pk=item.pk).update(position=position)


def section_delete(*, actor, section: RfpSection) -> None:
    with transaction.atomic():
        rfp, section = _lock_section(section)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        if rfp.sections.count() == 1:
            raise ValidationError(_("An RFP needs at least one section."))
        audit.record(actor=actor, verb="rfp.section_delete", obj=rfp, project=rfp.project, before={"section": section.title})  # fmt: skip
        section.delete()


# --- explaining to the client PM ---------------------------------------------------------------------------------


def section_understood(*, actor, section: RfpSection) -> SectionUnderstanding:
    """The client PM has read the section and its explanation, and understood this revision of it."""
    with transaction.atomic():
        rfp, section = _lock_section(section)
        require_client_pm(actor, rfp.project)
        if rfp.status not in (RfpStatus.DRAFT, RfpStatus.IN_REVIEW):
            raise ValidationError(_("This RFP is no longer under review."))
        understanding, created = SectionUnderstanding.objects.get_or_create(section=section, revision=section.revision, user=actor)  # fmt: skip
        if created:
            audit.record(actor=actor, verb="rfp.section_understood", obj=rfp, project=rfp.project, after={"section": section.title, "revision": section.revision})  # fmt: skip
    return understanding


def section_ask(*, actor, section: RfpSection, text: str) -> PmQuestion:
    """The client PM asks the PMO about a section; PMO staff are told."""
    with transaction.atomic():
        rfp, section = _lock_section(section)
        require_client_pm(actor, rfp.project)
        question = PmQuestion(section=section, text=text.strip(), asked_by=actor)
        if not question.text:
            raise ValidationError({"text": _("Write your question.")})
        question.full_clean()
        question.save()
        audit.record(actor=actor, verb="rfp.pm_question", obj=rfp, project=rfp.project, after={"section": section.title})  # fmt: skip
        _notify(rfp.project.people(Role.PMO), kind="rfp.pm_question", rfp=rfp, params={"asker": str(actor), "section": section.title, "question": question.text}, url=_review_url(rfp, section))  # fmt: skip
    return question


def pm_question_answer(*, actor, question: PmQuestion, answer: str) -> PmQuestion:
    with transaction.atomic():
        question = PmQuestion.objects.select_for_update().select_related("section__rfp__project", "asked_by").get(pk=question.pk)  # fmt: skip
        rfp = question.section.rfp
        require_pmo(actor, rfp.project)
        if not answer.strip():
            raise ValidationError({"answer": _("Write the answer.")})
        question.answer, question.answered_by, question.answered_at = answer.strip(), actor, timezone.now()
        question.full_clean()
        question.save()
        audit.record(actor=actor, verb="rfp.pm_answer", obj=rfp, project=rfp.project, after={"section": question.section.title})  # fmt: skip
        _notify([question.asked_by], kind="rfp.pm_answer", rfp=rfp, params={"answerer": str(actor), "section": question.section.title}, url=_review_url(rfp, question.section))  # fmt: skip
    return question


def _review_url(rfp, section) -> str:
    from django.urls import reverse

    return reverse("rfp:review", kwargs={"code": rfp.project.code, "pk": rfp.pk}) + f"#section-{section.pk}"


def sections_not_understood(rfp: Rfp, user) -> list[RfpSection]:
    """The sections whose current revision ``user`` has not marked understood."""
    understood = set(SectionUnderstanding.objects.filter(section__rfp=rfp, user=user).values_list("section_id", "revision"))  # fmt: skip
    return [section for section in rfp.sections.all() if (section.pk, section.revision) not in understood]


# --- requirements and criteria -----------------------------------------------------------------------------------


def requirement_create(*, actor, rfp: Rfp, category: str, text: str, priority: str, acceptance_criteria: str = "", criterion: EvaluationCriterion | None = None) -> Requirement:  # fmt: skip
    """A new requirement gets the next ID of its category (FR-001, FR-002...), never used before in this RFP."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        _check_criterion(rfp, criterion)
        prefix = REQUIREMENT_PREFIXES.get(category)
        if prefix is None:
            raise ValidationError({"category": _("Choose a category.")})
        number = rfp.requirement_counters.get(prefix, 0) + 1
        position = (rfp.requirements.aggregate(n=Max("position"))["n"] or 0) + 1
        requirement = Requirement(
            rfp=rfp, code=f"{prefix}-{number:03d}", position=position, category=category, text=clean_text(text),
            priority=priority, acceptance_criteria=clean_text(acceptance_criteria), criterion=criterion,
        )  # fmt: skip
        requirement.full_clean()
        requirement.save()
        rfp.requirement_counters = {**rfp.requirement_counters, prefix: number}
        Rfp.objects.filter(pk=rfp.pk).update(requirement_counters=rfp.requirement_counters)
        audit.record(actor=actor, verb="rfp.requirement_add", obj=rfp, project=rfp.project, after={"requirement": requirement.code})  # fmt: skip
    return requirement


def _check_criterion(rfp, criterion) -> None:
    if criterion is not None and criterion.rfp_id != rfp.pk:
        raise ValidationError({"criterion": _("Choose an evaluation criterion of this RFP.")})


def requirement_update(*, actor, requirement: Requirement, text: str, priority: str, acceptance_criteria: str, criterion=None) -> Requirement:  # fmt: skip
    """The text, priority, acceptance criteria or criterion change; the ID and the category do not."""
    with transaction.atomic():
        rfp = lock_rfp(requirement.rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        _check_criterion(rfp, criterion)
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        requirement.text, requirement.priority = clean_text(text), priority
        requirement.acceptance_criteria, requirement.criterion = clean_text(acceptance_criteria), criterion
        requirement.full_clean()
        requirement.save()
        audit.record(actor=actor, verb="rfp.requirement_update", obj=rfp, project=rfp.project, after={"requirement": requirement.code})  # fmt: skip
    return requirement


def requirement_move(*, actor, requirement: Requirement, by: int) -> None:
    with transaction.atomic():
        rfp = lock_rfp(requirement.rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        _swap(list(rfp.requirements.all()), requirement, by)


def requirement_delete(*, actor, requirement: Requirement) -> None:
    """Its ID is not given to another requirement later."""
    with transaction.atomic():
        rfp = lock_rfp(requirement.rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        audit.record(actor=actor, verb="rfp.requirement_delete", obj=rfp, project=rfp.project, before={"requirement": requirement.code})  # fmt: skip
        Requirement.objects.filter(pk=requirement.pk).delete()


def criteria_save(*, actor, rfp: Rfp, rows: list[dict]) -> list[EvaluationCriterion]:
    """The whole set of evaluation criteria at once: ``rows`` of {"id" (None for new), "name", "description",
    "weight"} in order; criteria left out are deleted. The weights must add up to 100."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_editable(rfp)
        total = sum(row["weight"] or 0 for row in rows)
        if rows and total != 100:
            raise ValidationError(_("The weights add up to %(total)s%%: they must add up to 100%%.") % {"total": total})
        existing = {c.pk: c for c in rfp.criteria.all()}
        kept = []
        for position, row in enumerate(rows, start=1):
            criterion = existing.get(row.get("id")) or EvaluationCriterion(rfp=rfp)
            criterion.position, criterion.name = position, row["name"].strip()
            criterion.description, criterion.weight = row.get("description", "").strip(), row["weight"]
            criterion.full_clean()
            criterion.save()
            kept.append(criterion)
        rfp.criteria.exclude(pk__in=[c.pk for c in kept]).delete()
        audit.record(actor=actor, verb="rfp.criteria_save", obj=rfp, project=rfp.project, after={c.name: c.weight for c in kept})  # fmt: skip
    return kept


# --- review, approval, issue ------------------------------------------------------------------------------------


def readiness_problems(rfp: Rfp) -> list[str]:
    """What keeps the RFP from going to the client PM: each a sentence naming what to fix."""
    problems = []
    sections = list(rfp.sections.all())
    if not sections:
        problems.append(_("The RFP has no sections."))
    for number, section in enumerate(sections, start=1):
        if not section.body.strip():
            problems.append(_("Section %(number)s “%(title)s” has no text yet.") % {"number": number, "title": section.title})
        if not section.explanation.strip():
            problems.append(_("Section %(number)s “%(title)s” has no explanation for the client PM yet.") % {"number": number, "title": section.title})  # fmt: skip
    weights = [c.weight for c in rfp.criteria.all()]
    if not weights:
        problems.append(_("Add the evaluation criteria (their weights add up to 100%)."))
    elif sum(weights) != 100:
        problems.append(_("The weights of the evaluation criteria add up to %(total)s%%, not 100%%.") % {"total": sum(weights)})  # fmt: skip
    return problems


def rfp_submit(*, actor, rfp: Rfp) -> Rfp:
    """The PMO hands the draft to the client PM for review and approval."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        if rfp.status != RfpStatus.DRAFT:
            raise ValidationError(_("Only a draft can be sent for review."))
        problems = readiness_problems(rfp)
        if problems:
            raise ValidationError(problems)
        rfp.submit(by=actor, at=timezone.now())
        rfp.save()
        audit.record(actor=actor, verb="rfp.submit", obj=rfp, project=rfp.project, after={"status": rfp.status})
        _notify(rfp.project.people(Role.CLIENT_PM).exclude(pk=actor.pk), kind="rfp.review", rfp=rfp, params={"pmo": str(actor)})  # fmt: skip
    return rfp


def rfp_recall(*, actor, rfp: Rfp) -> Rfp:
    """The PMO takes an RFP in review, or approved but not issued, back to draft to change it."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        if rfp.status not in (RfpStatus.IN_REVIEW, RfpStatus.APPROVED):
            raise ValidationError(_("Only an RFP in review, or approved and not issued yet, can be taken back to draft."))
        before = rfp.status
        Rfp.objects.filter(pk=rfp.pk).update(status=RfpStatus.DRAFT, submitted_by=None, submitted_at=None, approved_by=None, approved_at=None)  # fmt: skip
        rfp.refresh_from_db()
        audit.record(actor=actor, verb="rfp.recall", obj=rfp, project=rfp.project, before={"status": before}, after={"status": rfp.status})  # fmt: skip
    return rfp


def _lock_for_decision(*, actor, rfp: Rfp) -> Rfp:
    rfp = Rfp.objects.select_for_update(of=("self",)).select_related("project", "approved_by", "submitted_by").get(pk=rfp.pk)  # fmt: skip
    if rfp.submitted_by_id == actor.pk:
        raise PermissionDenied(_("Nobody can approve what they submitted. The client PM decides."))
    require_client_pm(actor, rfp.project)
    if rfp.status != RfpStatus.IN_REVIEW:
        if rfp.approved_by_id:
            raise AlreadyDecided(_("This RFP was already approved by %(person)s.") % {"person": rfp.approved_by}, code="already_decided")  # fmt: skip
        raise AlreadyDecided(_("This RFP is no longer waiting for a decision (%(status)s).") % {"status": rfp.get_status_display()}, code="already_decided")  # fmt: skip
    return rfp


def rfp_approve(*, actor, rfp: Rfp, comment: str = "") -> Rfp:
    """The client PM approves the RFP. Every section must be understood (by them) in its current revision."""
    with transaction.atomic():
        rfp = _lock_for_decision(actor=actor, rfp=rfp)
        missing = sections_not_understood(rfp, actor)
        if missing:
            raise ValidationError(_("Mark every section understood first (or ask the PMO about it). Not yet understood: %(sections)s.") % {"sections": ", ".join(f"“{s.title}”" for s in missing)})  # fmt: skip
        rfp.approve(by=actor, at=timezone.now())
        rfp.save()
        version = version_create(actor=actor, rfp=rfp, kind=VersionKind.APPROVED, change_log=comment.strip())
        audit.record(actor=actor, verb="rfp.approve", obj=rfp, project=rfp.project, after={"version": version.number, "comment": comment.strip()})  # fmt: skip
        _notify(rfp.project.people(Role.PMO), kind="rfp.decided", rfp=rfp, params={"approver": str(actor), "decision": "approved", "comment": comment.strip()})  # fmt: skip
    return rfp


def rfp_send_back(*, actor, rfp: Rfp, comment: str) -> Rfp:
    """The client PM does not approve yet: the RFP goes back to the PMO as a draft, with the reason."""
    with transaction.atomic():
        rfp = _lock_for_decision(actor=actor, rfp=rfp)
        if not comment.strip():
            raise ValidationError({"comment": _("Say why you send it back, so that the PMO team can put it right.")})
        rfp.send_back()
        rfp.save()
        audit.record(actor=actor, verb="rfp.send_back", obj=rfp, project=rfp.project, after={"comment": comment.strip()})  # fmt: skip
        _notify(rfp.project.people(Role.PMO), kind="rfp.decided", rfp=rfp, params={"approver": str(actor), "decision": "sent_back", "comment": comment.strip()})  # fmt: skip
    return rfp


def dictionary_problems(rfp: Rfp, user) -> list[str]:
    """Words to avoid, deprecated and unapproved terms anywhere in the RFP, each named with its place."""
    places = [(_("Title"), rfp.title)]
    for number, section in enumerate(rfp.sections.all(), start=1):
        places.append((_("Section %(number)s “%(title)s”") % {"number": number, "title": section.title}, f"{section.title}\n{section.body}"))  # fmt: skip
    for requirement in rfp.requirements.all():
        places.append((requirement.code, f"{requirement.text}\n{requirement.acceptance_criteria}"))
    problems = []
    for place, text in places:
        for finding in lint(rfp.project, text, user):
            problems.append(_("%(place)s, line %(line)s: %(message)s") % {"place": place, "line": finding.line, "message": finding.message})  # fmt: skip
    return problems


def rfp_issue(*, actor, rfp: Rfp, question_deadline: datetime, proposal_deadline: datetime) -> Rfp:
    """The PMO issues the approved RFP to vendors. Refused while a word to avoid or an unapproved term remains;
    pins the dictionary as a new release; keeps the issued version."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        if rfp.status != RfpStatus.APPROVED:
            raise ValidationError(_("Only an RFP the client PM approved can be issued."))
        now = timezone.now()
        if proposal_deadline <= now or question_deadline <= now:
            raise ValidationError(_("The deadlines must be in the future."))
        rfp.question_deadline, rfp.proposal_deadline = question_deadline, proposal_deadline
        _check_deadlines(rfp)
        problems = dictionary_problems(rfp, actor)
        if problems:
            raise ValidationError([_("The RFP cannot be issued while it uses words the dictionary forbids or has not approved:"), *problems[:20]])  # fmt: skip
        with translation.override(rfp.language):
            title = _("At RFP issue: %(title)s") % {"title": rfp.title}
        try:
            rfp.baseline = dictionary_baseline_create(actor=actor, project=rfp.project, title=title[:200])
        except ValidationError:  # no approved term yet: nothing to pin
            rfp.baseline = None
        rfp.issue(at=now)
        rfp.save()
        version = version_create(actor=actor, rfp=rfp, kind=VersionKind.ISSUED)
        audit.record(actor=actor, verb="rfp.issue", obj=rfp, project=rfp.project, after={"version": version.number, "baseline": rfp.baseline.number if rfp.baseline else None})  # fmt: skip
    return rfp


def rfp_close(*, actor, rfp: Rfp) -> Rfp:
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        if rfp.status != RfpStatus.ISSUED:
            raise ValidationError(_("Only an issued RFP can be closed."))
        rfp.close(at=timezone.now())
        rfp.save()
        audit.record(actor=actor, verb="rfp.close", obj=rfp, project=rfp.project, after={"status": rfp.status})
    return rfp


# --- versions -------------------------------------------------------------------------------------------------


def rfp_snapshot(rfp: Rfp) -> dict:
    """The whole document as data: what a version keeps, vendors read, the PDF prints and versions compare."""
    criteria = list(rfp.criteria.all())
    names = {c.pk: c.name for c in criteria}
    return {
        "title": rfp.title,
        "language": rfp.language,
        "sections": [{"id": s.pk, "title": s.title, "body": s.body, "explanation": s.explanation} for s in rfp.sections.all()],  # fmt: skip
        "requirements": [
            {"code": r.code, "category": r.category, "text": r.text, "priority": r.priority, "acceptance_criteria": r.acceptance_criteria, "criterion": names.get(r.criterion_id, "")}  # fmt: skip
            for r in rfp.requirements.all()
        ],
        "criteria": [{"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight} for c in criteria],
    }


def version_create(*, actor, rfp: Rfp, kind: str, change_log: str = "") -> RfpVersion:
    """Keep the document as it is now as the RFP's next version. Call inside the caller's transaction, the RFP locked."""
    Rfp.objects.filter(pk=rfp.pk).update(version=F("version") + 1)
    rfp.refresh_from_db(fields=["version"])
    return RfpVersion.objects.create(rfp=rfp, number=rfp.version, kind=kind, snapshot=rfp_snapshot(rfp), change_log=change_log, created_by=actor)  # fmt: skip


def published_version(rfp: Rfp) -> RfpVersion | None:
    """The version vendors read: the latest issued one or addendum."""
    return rfp.versions.filter(kind__in=[VersionKind.ISSUED, VersionKind.ADDENDUM]).order_by("-number").first()
