"""Every state change of the project dictionary: one function each (DESIGN.md §4).

PMO staff propose: a new term, a change to a term, its deprecation. Each proposal waits for the client
PM (the approval inbox); the version in force stays until the decision. Approving copies the proposal's
content onto the term. Imports and copies from another dictionary make ordinary proposals, announced to
the client PM in one notification rather than one per term.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided

from ..dictionary_text import normalize
from ..models import (
    CONTENT_FIELDS,
    Adopted,
    Project,
    ProposalKind,
    ProposalStatus,
    RelationKind,
    Role,
    Term,
    TermCategory,
    TermProposal,
    TermStatus,
)
from .projects import require_role

TERM_AUDIT_FIELDS = ("name", "status", "version", "adopted", "category", "owner")


def require_pmo(actor, project) -> None:
    require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project can change its dictionary."))


# --- what a term says, checked ---------------------------------------------------------------------------


class Vocabulary:
    """The words a dictionary already uses (term names, synonyms, words to avoid), to refuse duplicates.

    Loads the terms that may clash with ``words`` (all terms when ``words`` is None, e.g. for an import).
    A word to avoid may belong to several terms (an ambiguous word points to each meaning); a term name or
    a synonym belongs to one term only.
    """

    def __init__(self, project: Project, words: list[str] | None = None):
        self.owners: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # key -> [(term id, name, role)]
        terms = Term.objects.filter(project=project)
        keys = [k for k in {normalize(w) for w in words or ()} if k] if words is not None else None
        if keys is not None:
            if not keys:
                return
            match = Q()
            for key in keys:
                match |= Q(search_text__contains=key)
            terms = terms.filter(match)
        for pk, name, synonyms, avoid in terms.values_list("pk", "name", "synonyms", "avoid"):
            self.add(pk, name, synonyms, avoid)

    def add(self, pk, name, synonyms, avoid) -> None:
        self.owners[normalize(name)].append((pk, name, "term"))
        for word in synonyms:
            self.owners[normalize(word)].append((pk, name, "synonym"))
        for word in avoid:
            self.owners[normalize(word)].append((pk, name, "avoid"))

    def remove(self, pk) -> None:
        for key in list(self.owners):
            self.owners[key] = [owner for owner in self.owners[key] if owner[0] != pk]

    def _others(self, word: str, pk, roles) -> list[tuple[int, str, str]]:
        return [o for o in self.owners.get(normalize(word), ()) if o[0] != pk and o[2] in roles]

    def errors(self, content: dict, pk=None) -> dict[str, str]:
        """Field -> message for every clash of ``content`` (of term ``pk``, None for a new one) with other terms."""
        errors = {}
        name = content["name"]
        for _other_pk, other, role in self._others(name, pk, ("term", "synonym", "avoid")):
            errors["name"] = {
                "term": _("“%(word)s” is already in this dictionary."),
                "synonym": _("“%(word)s” is already a synonym of “%(other)s”. Change that term instead, or remove the synonym from it first."),  # fmt: skip
                "avoid": _("“%(word)s” is a word to avoid (writers must use “%(other)s” instead). Remove it from that term first."),  # fmt: skip
            }[role] % {"word": name, "other": other}
            break
        for field_name in ("synonyms", "avoid"):
            clashing_roles = ("term", "synonym") if field_name == "avoid" else ("term", "synonym", "avoid")
            for word in content[field_name]:
                clash = self._others(word, pk, clashing_roles)
                if clash:
                    errors[field_name] = _("“%(word)s” already belongs to the term “%(other)s”.") % {"word": word, "other": clash[0][1]}  # fmt: skip
                    break
        return errors


def check_content(project: Project, content: dict, *, pk=None, vocabulary: Vocabulary | None = None) -> None:
    """Field validation and the model's rules on an unsaved proposal, then clashes with the rest of the dictionary."""
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"not term content: {sorted(unknown)}")
    candidate = TermProposal(**content)
    errors = {}
    try:
        # The category is an object of this project's (checked below): no query per term to re-read it.
        candidate.full_clean(exclude=["term", "kind", "status", "proposed_by", "base_version", "category"], validate_unique=False, validate_constraints=False)  # fmt: skip
    except ValidationError as error:
        errors = error.message_dict
    category = content.get("category")
    if category is not None and category.project_id != project.pk:
        errors.setdefault("category", [_("Choose a category of this dictionary.")])
    related = [r["term"] for r in content["relations"]]
    if related and (pk in related or Term.objects.filter(pk__in=related).exclude(project=project).exists()):
        errors.setdefault("relations", [_("A related term must be another term of this dictionary.")])
    if not errors.get("name"):
        vocabulary = vocabulary or Vocabulary(project, [content["name"], *content["synonyms"], *content["avoid"]])
        for name, message in vocabulary.errors(content, pk).items():
            errors.setdefault(name, [message])
    if errors:
        raise ValidationError(errors)


def empty_content(**values) -> dict:
    """Term content with every field present (the defaults of a new term), updated with ``values``."""
    content = {
        "name": "", "reading": "", "abbreviation": "", "language": "ja", "category": None, "equivalents": [],
        "standard_definition": "", "standard_source": "", "standard_reference": "", "client_definition": "",
        "adopted": Adopted.STANDARD, "rationale": "", "synonyms": [], "avoid": [], "relations": [], "examples": [],
        "counter_examples": [],
    }  # fmt: skip
    content.update(values)
    return content


def term_content(term) -> dict:
    return {name: getattr(term, name) for name in CONTENT_FIELDS}


def changed_fields(before: dict, after: dict) -> list[str]:
    """Content fields whose value differs (text compared as typed, lists in order)."""
    return [name for name in CONTENT_FIELDS if before.get(name) != after.get(name)]


def _set_content(obj, content: dict) -> None:
    for name, value in content.items():
        setattr(obj, name, value)


def notify_approvers(*, actor, project, kind: str, params: dict, url: str, obj=None) -> None:
    for approver in project.people(Role.CLIENT_PM).exclude(pk=actor.pk):
        notifications.notify(recipient=approver, kind=kind, project=project, obj=obj, url=url, params=params)


def _proposal_params(actor, proposal: TermProposal) -> dict:
    return {"proposer": str(actor), "term": proposal.name, "kind": proposal.kind, "note": proposal.note}


# --- proposing ----------------------------------------------------------------------------------------------


def propose_new(*, actor, project, content, note, owner, vocabulary=None) -> TermProposal:
    check_content(project, content, vocabulary=vocabulary)
    term = Term(project=project, owner=owner or actor)
    _set_content(term, content)
    term.refresh_derived()
    term.save()
    proposal = TermProposal.objects.create(term=term, kind=ProposalKind.NEW, note=note, proposed_by=actor, **content)
    audit.record(actor=actor, verb="term.propose", obj=term, project=project, after=audit.snapshot(term, TERM_AUDIT_FIELDS) | {"proposal": proposal.pk})  # fmt: skip
    return proposal


def term_propose(*, actor, project: Project, content: dict, note: str = "", owner=None) -> TermProposal:
    """PMO staff propose a new term; the client PM is asked to approve it. Nobody outside the PMO, the client
    PM and the security officer sees it before then."""
    with transaction.atomic():
        require_pmo(actor, project)
        proposal = propose_new(actor=actor, project=project, content=content, note=note.strip(), owner=owner)
        notify_approvers(actor=actor, project=project, kind="term.proposed", params=_proposal_params(actor, proposal), url=proposal.get_absolute_url(), obj=proposal.term)  # fmt: skip
    return proposal


def lock_term(term: Term) -> Term:
    return Term.objects.select_for_update(of=("self",)).select_related("project").get(pk=term.pk)


def _pending(term: Term) -> TermProposal | None:
    return TermProposal.objects.select_for_update().filter(term=term, status=ProposalStatus.PENDING).first()


def propose_change(*, actor, term: Term, content: dict, note: str, vocabulary=None) -> tuple[TermProposal, bool]:
    """The change as a proposal (a new one, or the pending one revised). Returns it and whether it is new."""
    if term.status == TermStatus.DEPRECATED:
        raise ValidationError(_("“%(term)s” is deprecated: it can no longer be changed.") % {"term": term.name})
    check_content(term.project, content, pk=term.pk, vocabulary=vocabulary)
    pending = _pending(term)
    in_force = term_content(term)
    if term.is_published and not changed_fields(in_force, content) and (pending is None or pending.kind != ProposalKind.DEPRECATE):  # fmt: skip
        if pending is not None:  # the PMO changed it back: nothing is waiting any more
            pending.withdraw()
            pending.save()
            audit.record(actor=actor, verb="term.withdraw", obj=term, project=term.project, after={"proposal": pending.pk})  # fmt: skip
            return pending, False
        raise ValidationError(_("Nothing changed: the text is the same as the version in force."))
    if not term.is_published:  # never approved: the term shows what is proposed
        _set_content(term, content)
        term.refresh_derived()
        if term.status == TermStatus.DRAFT:
            term.propose()
        term.save()
    created = pending is None
    if created:
        kind = ProposalKind.CHANGE if term.is_published else ProposalKind.NEW
        pending = TermProposal(term=term, kind=kind, proposed_by=actor, base_version=term.version)
    elif pending.kind == ProposalKind.DEPRECATE:
        raise ValidationError(_("“%(term)s” waits for approval of its deprecation. Withdraw that first.") % {"term": term.name})  # fmt: skip
    _set_content(pending, content)
    pending.note = note
    pending.proposed_by = actor
    pending.save()
    audit.record(actor=actor, verb="term.propose_change" if term.is_published else "term.propose", obj=term, project=term.project, after={"proposal": pending.pk, "fields": changed_fields(in_force, content)})  # fmt: skip
    return pending, created


def term_update(*, actor, term: Term, content: dict, note: str = "", owner=None) -> TermProposal | None:
    """PMO staff change a term. An approved term stays in force: the change waits for the client PM. A term
    never approved is revised in place (and proposed again if it was sent back).

    The owner changes at once (keeping a term up to date is the PMO's own business). Returns the proposal,
    or None when only the owner changed.
    """
    with transaction.atomic():
        term = lock_term(term)
        require_pmo(actor, term.project)
        new_owner = owner is not None and owner.pk != term.owner_id
        if new_owner:
            if not term.project.people(Role.PMO).filter(pk=owner.pk).exists():
                raise ValidationError({"owner": _("The owner of a term must be PMO staff of this project.")})
            before = audit.snapshot(term, ("owner",))
            Term.objects.filter(pk=term.pk).update(owner=owner)
            term.owner = owner
            audit.record(actor=actor, verb="term.owner", obj=term, project=term.project, before=before, after=audit.snapshot(term, ("owner",)))  # fmt: skip
            if term.is_published and not changed_fields(term_content(term), content) and _pending(term) is None:
                return None
        proposal, created = propose_change(actor=actor, term=term, content=content, note=note.strip())
        if created and proposal.is_pending:
            notify_approvers(actor=actor, project=term.project, kind="term.proposed", params=_proposal_params(actor, proposal), url=proposal.get_absolute_url(), obj=term)  # fmt: skip
    return proposal


def term_deprecate(*, actor, term: Term, replaced_by: Term | None, note: str) -> TermProposal:
    """PMO staff propose to retire an approved term, saying why and, usually, which term replaces it."""
    with transaction.atomic():
        term = lock_term(term)
        require_pmo(actor, term.project)
        if term.status != TermStatus.APPROVED:
            raise ValidationError(_("Only an approved term can be deprecated."))
        if not note.strip():
            raise ValidationError({"note": _("Say why the term should no longer be used.")})
        if replaced_by is not None and (replaced_by.project_id != term.project_id or replaced_by.pk == term.pk or not replaced_by.is_published):  # fmt: skip
            raise ValidationError({"replaced_by": _("Choose another approved term of this dictionary.")})
        if _pending(term) is not None:
            raise ValidationError(_("“%(term)s” already has a change waiting for approval. Withdraw it first.") % {"term": term.name})  # fmt: skip
        content = term_content(term)
        content["relations"] = [r for r in content["relations"] if r["kind"] != RelationKind.REPLACED_BY]
        if replaced_by is not None:
            content["relations"].append({"kind": RelationKind.REPLACED_BY, "term": replaced_by.pk})
        proposal = TermProposal.objects.create(term=term, kind=ProposalKind.DEPRECATE, note=note.strip(), proposed_by=actor, base_version=term.version, **content)  # fmt: skip
        audit.record(actor=actor, verb="term.propose_deprecation", obj=term, project=term.project, after={"proposal": proposal.pk, "replaced_by": str(replaced_by or "")})  # fmt: skip
        notify_approvers(actor=actor, project=term.project, kind="term.proposed", params=_proposal_params(actor, proposal), url=proposal.get_absolute_url(), obj=term)  # fmt: skip
    return proposal


def term_proposal_withdraw(*, actor, proposal: TermProposal) -> TermProposal:
    """PMO staff take back a proposal before the client PM decides. A new term becomes a draft again."""
    with transaction.atomic():
        term = lock_term(proposal.term)
        require_pmo(actor, term.project)
        proposal = TermProposal.objects.select_for_update().get(pk=proposal.pk)
        if not proposal.is_pending:
            raise AlreadyDecided(_("This proposal was already decided."), code="already_decided")
        proposal.withdraw()
        proposal.save()
        if term.status == TermStatus.PROPOSED:
            term.send_back()
            term.save()
        audit.record(actor=actor, verb="term.withdraw", obj=term, project=term.project, after={"proposal": proposal.pk})
    return proposal


def term_delete(*, actor, term: Term) -> None:
    """PMO staff delete a term that was never approved (a mistake, a duplicate). Approved terms are deprecated."""
    with transaction.atomic():
        term = lock_term(term)
        require_pmo(actor, term.project)
        if term.is_published:
            raise ValidationError(_("An approved term cannot be deleted: documents may use it. Deprecate it instead."))
        audit.record(actor=actor, verb="term.delete", obj=term, project=term.project, before=audit.snapshot(term, TERM_AUDIT_FIELDS))  # fmt: skip
        term.delete()


# --- deciding -----------------------------------------------------------------------------------------------


def _lock_for_decision(*, actor, proposal: TermProposal) -> TermProposal:
    proposal = TermProposal.objects.select_for_update(of=("self",)).select_related("term__project", "proposed_by", "decided_by").get(pk=proposal.pk)  # fmt: skip
    if proposal.proposed_by_id == actor.pk:
        raise PermissionDenied(_("Nobody can approve their own proposal. The client PM decides."))
    require_role(actor, proposal.term.project, Role.CLIENT_PM, message=_("Only the client PM of this project can approve dictionary terms."))  # fmt: skip
    if not proposal.is_pending:
        if proposal.status == ProposalStatus.WITHDRAWN:
            message = _("The PMO withdrew this proposal.")
        else:
            message = _("This proposal was already decided by %(person)s (%(decision)s).") % {"person": proposal.decided_by, "decision": proposal.get_status_display()}  # fmt: skip
        raise AlreadyDecided(message, code="already_decided")
    return proposal


def _approve(*, actor, proposal: TermProposal, comment: str) -> TermProposal:
    proposal = _lock_for_decision(actor=actor, proposal=proposal)
    term = lock_term(proposal.term)
    before = audit.snapshot(term, TERM_AUDIT_FIELDS)
    changed = changed_fields(term_content(term), proposal.content())
    now = timezone.now()
    _set_content(term, proposal.content())
    term.refresh_derived()
    if proposal.kind == ProposalKind.DEPRECATE:
        term.deprecate(by=actor, at=now)
    else:
        term.approve(by=actor, at=now)
    try:
        term.validate_constraints()  # e.g. another term took the same name since this was proposed
    except ValidationError as error:
        raise ValidationError(_("“%(term)s” cannot be approved: %(reason)s") % {"term": proposal.name, "reason": " ".join(error.messages)}) from error  # fmt: skip
    term.save()
    proposal.approve(by=actor, at=now, comment=comment.strip(), version=term.version)
    proposal.save()
    after = audit.snapshot(term, TERM_AUDIT_FIELDS) | {"proposal": proposal.pk, "fields": changed}
    audit.record(actor=actor, verb="term.approve", obj=term, project=term.project, before=before, after=after)
    if proposal.kind == ProposalKind.CHANGE and changed:
        _tell_affected_authors(actor=actor, term=term, proposal=proposal, changed=changed)
    return proposal


def _reject(*, actor, proposal: TermProposal, comment: str) -> TermProposal:
    proposal = _lock_for_decision(actor=actor, proposal=proposal)
    if not comment.strip():
        raise ValidationError({"comment": _("Say why you reject it, so that the PMO team can put it right.")})
    term = lock_term(proposal.term)
    proposal.reject(by=actor, at=timezone.now(), comment=comment.strip())
    proposal.save()
    if term.status == TermStatus.PROPOSED:
        term.send_back()
        term.save()
    audit.record(actor=actor, verb="term.reject", obj=term, project=term.project, after={"proposal": proposal.pk, "comment": proposal.comment})  # fmt: skip
    return proposal


def _tell_proposer(*, actor, proposal: TermProposal) -> None:
    notifications.notify(
        recipient=proposal.proposed_by, kind="term.decided", project=proposal.term.project, obj=proposal.term,
        url=proposal.get_absolute_url(),
        params={"approver": str(actor), "term": proposal.name, "decision": proposal.status, "comment": proposal.comment},
    )  # fmt: skip


def _tell_affected_authors(*, actor, term: Term, proposal: TermProposal, changed: list[str]) -> None:
    """The authors of documents that use the term hear that its meaning changed, to check their text."""
    from ..dictionary_usage import usages_of

    for usage in usages_of(term):
        for author in usage.authors:
            if author.pk != actor.pk:
                notifications.notify(
                    recipient=author, kind="term.changed", project=term.project, obj=term, url=term.get_absolute_url(),
                    params={"term": term.name, "document": usage.title, "fields": changed},
                )  # fmt: skip


def term_proposal_approve(*, actor, proposal: TermProposal, comment: str = "") -> TermProposal:
    """The client PM approves: the proposal's content is in force from now on. One decision wins at a time."""
    with transaction.atomic():
        proposal = _approve(actor=actor, proposal=proposal, comment=comment)
        _tell_proposer(actor=actor, proposal=proposal)
    return proposal


def term_proposal_reject(*, actor, proposal: TermProposal, comment: str) -> TermProposal:
    """The client PM refuses, saying why. The version in force stays; a new term becomes a draft again."""
    with transaction.atomic():
        proposal = _reject(actor=actor, proposal=proposal, comment=comment)
        _tell_proposer(actor=actor, proposal=proposal)
    return proposal


@dataclass
class BulkDecision:
    decided: list[TermProposal] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one sentence per proposal that could not be decided


def term_proposals_decide(*, actor, project: Project, proposal_ids, approve: bool, comment: str) -> BulkDecision:
    """The client PM approves (or rejects) many proposals at once, with one comment.

    Each proposal is decided on its own: one that someone else decided first is reported, not fatal. The
    PMO hears of the outcome once per proposer, not once per term.
    """
    require_role(actor, project, Role.CLIENT_PM, message=_("Only the client PM of this project can approve dictionary terms."))  # fmt: skip
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why you reject them, so that the PMO team can put them right.")})
    result = BulkDecision()
    proposals = TermProposal.objects.filter(pk__in=list(proposal_ids)[:500], term__project=project).order_by("created_at", "pk")  # fmt: skip
    with transaction.atomic():
        for proposal in proposals:
            try:
                with transaction.atomic():
                    decide = _approve if approve else _reject
                    result.decided.append(decide(actor=actor, proposal=proposal, comment=comment))
            except (ValidationError, PermissionDenied) as error:
                result.skipped.append(f"{proposal.name}: {' '.join(getattr(error, 'messages', [str(error)]))}")
        by_proposer = defaultdict(list)
        for proposal in result.decided:
            by_proposer[proposal.proposed_by].append(proposal)
        for proposer, decided in by_proposer.items():
            if len(decided) == 1:
                _tell_proposer(actor=actor, proposal=decided[0])
                continue
            notifications.notify(
                recipient=proposer, kind="term.decided_many", project=project, url=dictionary_url(project),
                params={"approver": str(actor), "count": len(decided), "decision": decided[0].status, "comment": comment.strip(), "terms": [p.name for p in decided[:10]]},  # fmt: skip
            )
    return result


def dictionary_url(project, name="dictionary:list") -> str:
    return reverse(name, kwargs={"code": project.code})


# --- categories ---------------------------------------------------------------------------------------------


def term_category_create(*, actor, project: Project, name: str) -> TermCategory:
    with transaction.atomic():
        require_pmo(actor, project)
        category = TermCategory(project=project, name=name.strip())
        category.key = normalize(category.name)
        category.full_clean()
        category.save()
        audit.record(actor=actor, verb="term.category_create", obj=category, project=project, after={"name": category.name})  # fmt: skip
    return category
