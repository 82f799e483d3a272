"""The dictionary takes part in the approval inbox, notifications and PDF exports (registered in ready())."""

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pmo_portal import exports, inbox, notifications, pdf
from pmo_portal.models import Delivery

from . import services
from .dictionary_text import normalize, word_list
from .models import (
    Adopted,
    DictionaryBaseline,
    Project,
    ProposalKind,
    ProposalStatus,
    RelationKind,
    Term,
    TermProposal,
    TermStatus,
)
from .services.dictionary import changed_fields, term_content

# --- plain summaries -----------------------------------------------------------------------------------------


def proposal_summary(proposal: TermProposal) -> str:
    """The sentence the client PM reads in the inbox, e.g. “New term “保険金”: the money paid … (differs from standard)”."""
    if proposal.kind == ProposalKind.DEPRECATE:
        text = _("Deprecate “%(term)s”: %(note)s") % {"term": proposal.name, "note": proposal.note}
    elif proposal.kind == ProposalKind.CHANGE:
        fields = changed_fields(term_content(proposal.term), proposal.content())
        text = _("Change to “%(term)s” (%(fields)s): %(definition)s") % {"term": proposal.term.name, "fields": _field_labels(fields), "definition": Truncator(proposal.adopted_definition).chars(140)}  # fmt: skip
    else:
        text = _("New term “%(term)s”: %(definition)s") % {"term": proposal.name, "definition": Truncator(proposal.adopted_definition).chars(140)}  # fmt: skip
    if proposal.kind != ProposalKind.DEPRECATE and proposal.differs_from_standard:
        text += " — " + _("the project adopts the client's definition, which differs from the standard")
    return text


# --- notifications --------------------------------------------------------------------------------------------


def _proposed_sentence(params) -> str:
    return {
        ProposalKind.NEW: _("%(proposer)s proposes the new term “%(term)s” for the dictionary."),
        ProposalKind.CHANGE: _("%(proposer)s proposes a change to the term “%(term)s”."),
        ProposalKind.DEPRECATE: _("%(proposer)s proposes to deprecate the term “%(term)s”."),
    }.get(params.get("kind"), _("%(proposer)s proposes the new term “%(term)s” for the dictionary.")) % params


def _count(params) -> int:
    return params["count"] if isinstance(params.get("count"), int) else 0


def _proposed_many_sentence(params) -> str:
    return ngettext(
        "%(proposer)s proposes %(count)s term from “%(source)s” for the dictionary.",
        "%(proposer)s proposes %(count)s terms from “%(source)s” for the dictionary.",
        _count(params),
    ) % params


def _decided_sentence(params) -> str:
    if params.get("decision") == ProposalStatus.APPROVED:
        return _("%(approver)s approved “%(term)s”.") % params
    return _("%(approver)s rejected “%(term)s”: %(comment)s") % params


def _decided_many_sentence(params) -> str:
    terms = params.get("terms")
    params = params | {"terms": word_list(terms) if isinstance(terms, list) else terms or ""}
    if params.get("decision") == ProposalStatus.APPROVED:
        return ngettext("%(approver)s approved %(count)s term: %(terms)s", "%(approver)s approved %(count)s terms: %(terms)s", _count(params)) % params  # fmt: skip
    return ngettext("%(approver)s rejected %(count)s term (%(terms)s): %(comment)s", "%(approver)s rejected %(count)s terms (%(terms)s): %(comment)s", _count(params)) % params  # fmt: skip


notifications.register_kind("term.proposed", label=gettext_lazy("Dictionary terms waiting for your approval"), sentence=_proposed_sentence, default_delivery=Delivery.DIGEST)  # fmt: skip
notifications.register_kind("term.proposed_many", label=gettext_lazy("Many dictionary terms at once (imports, copies)"), sentence=_proposed_many_sentence)  # fmt: skip
notifications.register_kind("term.decided", label=gettext_lazy("Decisions on the terms you proposed"), sentence=_decided_sentence, default_delivery=Delivery.IN_APP)  # fmt: skip
notifications.register_kind("term.decided_many", label=gettext_lazy("Decisions on many of your terms at once"), sentence=_decided_many_sentence, default_delivery=Delivery.IN_APP)  # fmt: skip
def _field_labels(names) -> str:
    """Content field names as their labels, in the reader's language."""
    fields = {f.name: f for f in TermProposal._meta.get_fields()}
    return word_list(str(fields[name].verbose_name) for name in names if name in fields) if isinstance(names, list) else ""


def _changed_sentence(params) -> str:
    return _("The term “%(term)s” that “%(document)s” uses has changed (%(fields)s). Check that your text still says what you mean.") % (params | {"fields": _field_labels(params.get("fields"))})  # fmt: skip


notifications.register_kind("term.changed", label=gettext_lazy("Changed terms that your documents use"), sentence=_changed_sentence)  # fmt: skip


# --- the approval inbox ---------------------------------------------------------------------------------------

inbox.register(
    inbox.InboxKind(
        key="term",
        label=gettext_lazy("Dictionary term"),
        pending=lambda user: TermProposal.objects.waiting_for(user),
        visible=lambda user: TermProposal.objects.visible_to(user).select_related("term__project", "proposed_by"),
        summary=proposal_summary,
        waiting_since=lambda proposal: proposal.created_at,
        project=lambda proposal: proposal.term.project,
        url=lambda proposal: proposal.get_absolute_url(),
        approve=lambda actor, proposal, comment: services.term_proposal_approve(actor=actor, proposal=proposal, comment=comment),  # fmt: skip
        reject=lambda actor, proposal, comment: services.term_proposal_reject(actor=actor, proposal=proposal, comment=comment),  # fmt: skip
        can_decide=lambda user, proposal: user.has_perm("projects.decide_termproposal", proposal),
        approver_roles=("client_pm",),
    )
)


# --- PDF exports -------------------------------------------------------------------------------------------


def _sections(entries, key) -> list[tuple[pdf.Section, list]]:
    """Entries grouped by category (uncategorised last), each group a level-1 section of the PDF."""
    groups: dict[str, list] = {}
    for entry in entries:
        groups.setdefault(key(entry) or "", []).append(entry)
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))
    return [(pdf.Section(f"category-{n}", name or _("Other terms")), items) for n, (name, items) in enumerate(ordered, 1)]


def _releases_log(project, up_to: int | None = None) -> list[dict]:
    releases = DictionaryBaseline.objects.filter(project=project).select_related("created_by").order_by("number")
    if up_to is not None:
        releases = releases.filter(number__lte=up_to)
    return [{"version": f"#{r.number}", "date": r.created_at, "author": str(r.created_by), "summary": f"{r.title} ({r.term_count})"} for r in releases]  # fmt: skip


def build_dictionary(project: Project, language: str, user) -> pdf.Document:
    """The dictionary in force as the requester may see it (vendors and readers: approved terms only)."""
    terms = list(
        Term.objects.visible_to(user).filter(project=project, status__in=(TermStatus.APPROVED, TermStatus.DEPRECATED))
        .select_related("category", "approved_by").order_by("sort_key", "pk")
    )  # fmt: skip
    names = dict(Term.objects.visible_to(user).filter(project=project).values_list("pk", "name"))
    groups = _sections(terms, key=lambda t: t.category.name if t.category_id else "")
    entries = [(section, [_entry_of_term(t, names) for t in items]) for section, items in groups]
    return pdf.Document(
        template_name="pdf/dictionary.html",
        context={"project": project, "groups": entries, "term_count": len(terms)},
        language=language,
        title=_("Project dictionary"),
        project_name=f"{project.code} {project.name}",
        version=_("as of %(date)s") % {"date": max((t.approved_at for t in terms), default=project.updated_at).date().isoformat()},  # fmt: skip
        sections=[section for section, _items in entries],
        change_log=_releases_log(project),
    )


def _entry_of_term(term: Term, names: dict) -> dict:
    """What the PDF prints of a term: its content, with related terms by name."""
    entry = term_content(term) | {"status": term.status, "version": term.version, "approved_by": term.approved_by, "approved_at": term.approved_at}  # fmt: skip
    entry["category"] = term.category.name if term.category_id else ""
    entry["relations"] = [{"kind": r["kind"], "term": names[r["term"]]} for r in term.relations if r["term"] in names]
    return _decorate(entry)


def _decorate(entry: dict) -> dict:
    """Labels and the "differs from standard" mark, for a term or a release's snapshot of one."""
    adopted_client = entry["adopted"] == Adopted.CLIENT
    entry["adopted_definition"] = entry["client_definition"] if adopted_client else entry["standard_definition"]
    entry["differs"] = adopted_client and normalize(entry["client_definition"]) != normalize(entry["standard_definition"])
    entry["relation_labels"] = [(RelationKind(r["kind"]).label, r["term"]) for r in entry["relations"] if r["term"]]
    entry["status_label"] = TermStatus(entry["status"]).label
    return entry


def build_baseline(baseline: DictionaryBaseline, language: str, user) -> pdf.Document:
    entries = [_decorate(dict(e.content)) for e in baseline.entries.all()]
    groups = _sections(entries, key=lambda e: e.get("category", ""))
    return pdf.Document(
        template_name="pdf/dictionary.html",
        context={"project": baseline.project, "groups": groups, "term_count": len(entries), "baseline": baseline},
        language=language,
        title=_("Project dictionary"),
        project_name=f"{baseline.project.code} {baseline.project.name}",
        version=f"#{baseline.number} {baseline.title}",
        sections=[section for section, _items in groups],
        change_log=_releases_log(baseline.project, up_to=baseline.number),
    )


exports.register(
    exports.ExportKind(
        key="dictionary",
        load=lambda object_id: Project.objects.get(pk=object_id),
        visible=lambda user: Project.objects.visible_to(user),
        permission="projects.view_dictionary",
        project=lambda project: project,
        title=lambda project: _("Dictionary of %(project)s") % {"project": project.code},
        document=build_dictionary,
    )
)
exports.register(
    exports.ExportKind(
        key="dictionary_baseline",
        load=lambda object_id: DictionaryBaseline.objects.select_related("project", "created_by").prefetch_related("entries").get(pk=object_id),  # fmt: skip
        visible=lambda user: DictionaryBaseline.objects.visible_to(user),
        permission="projects.view_dictionary",
        project=lambda baseline: baseline.project,
        title=lambda baseline: _("Dictionary of %(project)s, release %(number)s") % {"project": baseline.project.code, "number": baseline.number},  # fmt: skip
        document=build_baseline,
    )
)
