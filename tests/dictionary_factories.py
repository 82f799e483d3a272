"""Building blocks for dictionary tests: terms in any state, made by the real services (as users make them)."""

from projects import services
from projects.models import DictionaryBaseline, DictionaryImport, Membership, Role, Term, TermProposal
from projects.services.dictionary import empty_content, term_content


def member(project, role):
    """The first person with ``role`` in ``project`` (made if there is none)."""
    from .factories import MembershipFactory

    found = Membership.objects.filter(project=project, role=role).select_related("user").order_by("pk").first()
    return (found or MembershipFactory(project=project, role=role)).user


def content(name="保険金", **values) -> dict:
    """Term content with a standard definition (and whatever ``values`` add)."""
    values.setdefault("standard_definition", f"{name}: the standard definition.")
    return empty_content(name=name, **values)


def proposed(project, name="保険金", **values) -> TermProposal:
    """A new term proposed by the project's PMO consultant, waiting for the client PM."""
    return services.term_propose(actor=member(project, Role.PMO), project=project, content=content(name, **values))


def approved(project, name="保険金", **values) -> Term:
    """A term proposed by the PMO and approved by the client PM (version 1)."""
    proposal = proposed(project, name, **values)
    services.term_proposal_approve(actor=member(project, Role.CLIENT_PM), proposal=proposal)
    return Term.objects.get(pk=proposal.term_id)


def term_in(project, status: str, name: str | None = None) -> Term:
    """The project's term of this name in ``status`` (made once): "proposed", "approved" or "changing" (an
    approved term with a change waiting for approval)."""
    name = name or {"proposed": "未承認の用語", "approved": "保険金", "changing": "支払査定"}[status]
    existing = Term.objects.filter(project=project, name=name).first()
    if existing is not None:
        return existing
    if status == "proposed":
        return proposed(project, name).term
    term = approved(project, name)
    if status == "changing":
        changed = term_content(term) | {"standard_definition": "A changed definition."}
        services.term_update(actor=member(project, Role.PMO), term=term, content=changed, note="Clearer wording.")
    return term


def pending_change(project) -> TermProposal:
    """The change waiting for approval on the project's "changing" term (proposed again if it was decided)."""
    term = term_in(project, "changing")
    found = TermProposal.objects.filter(term=term, status="pending").first()
    if found is not None:
        return found
    term.refresh_from_db()
    number = TermProposal.objects.filter(term=term).count()
    changed = term_content(term) | {"standard_definition": f"A definition changed {number} times."}
    return services.term_update(actor=member(project, Role.PMO), term=term, content=changed, note="Clearer wording.")


def baseline(project) -> DictionaryBaseline:
    """Release #1 of the project's dictionary (made once, with at least one approved term)."""
    found = DictionaryBaseline.objects.filter(project=project, number=1).first()
    if found is not None:
        return found
    term_in(project, "approved")
    return services.dictionary_baseline_create(actor=member(project, Role.PMO), project=project, title="At kick-off")


def prepared_import(project) -> DictionaryImport:
    """An uploaded file of two terms, checked and waiting for the PMO to confirm its preview."""
    rows = [
        {"row": 2, "name": "査定", "standard_definition": "支払の可否と金額を決めること。"},
        {"row": 3, "name": "免責", "standard_definition": "保険会社が支払わない場合。"},
    ]
    return services.dictionary_import_prepare(actor=member(project, Role.PMO), project=project, file_name="用語.csv", rows=rows)  # fmt: skip
