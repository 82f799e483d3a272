"""State changes of the dictionary as a whole (DESIGN.md §4): releases, imports, copies from another dictionary,
shared glossaries. The terms themselves change through ``services/dictionary.py``, whose proposals these make.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit
from pmo_portal.inbox import AlreadyDecided

from ..dictionary_text import normalize
from ..models import (
    CONTENT_FIELDS,
    PUBLISHED_STATUSES,
    Adopted,
    BaselineTerm,
    DictionaryBaseline,
    DictionaryImport,
    ImportStatus,
    Project,
    ProposalStatus,
    Role,
    SharedGlossary,
    SharedGlossaryTerm,
    Term,
    TermCategory,
    TermProposal,
    TermStatus,
)
from .dictionary import (
    Vocabulary,
    changed_fields,
    check_content,
    dictionary_url,
    empty_content,
    lock_term,
    notify_approvers,
    propose_change,
    propose_new,
    require_pmo,
    term_content,
)
from .projects import require_role

# --- releases -----------------------------------------------------------------------------------------------


def snapshot_content(term: Term, names: dict[int, str]) -> dict:
    """A term's content as a release keeps it: category and related terms by name, so it reads the same later."""
    content = term_content(term)
    content["category"] = term.category.name if term.category_id else ""
    content["relations"] = [{"kind": r["kind"], "term": names.get(r["term"], "")} for r in term.relations]
    content["status"] = term.status
    return content


def dictionary_baseline_create(*, actor, project: Project, title: str, note: str = "") -> DictionaryBaseline:
    """PMO staff freeze the approved dictionary as the next numbered release (kick-off, RFP issue...)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)  # numbers are handed out one at a time
        require_pmo(actor, project)
        terms = list(Term.objects.filter(project=project, status__in=PUBLISHED_STATUSES).select_related("category"))
        if not terms:
            raise ValidationError(_("The dictionary has no approved term yet: there is nothing to freeze."))
        number = (DictionaryBaseline.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
        baseline = DictionaryBaseline(project=project, number=number, title=title.strip(), note=note.strip(), created_by=actor, term_count=len(terms))  # fmt: skip
        baseline.full_clean()
        baseline.save()
        names = dict(Term.objects.filter(project=project).values_list("pk", "name"))
        BaselineTerm.objects.bulk_create(
            [BaselineTerm(baseline=baseline, term=t, name=t.name, sort_key=t.sort_key, version=t.version, content=snapshot_content(t, names)) for t in terms],  # fmt: skip
            batch_size=1000,
        )
        audit.record(actor=actor, verb="term.baseline_create", obj=baseline, project=project, after={"number": number, "title": baseline.title, "terms": len(terms)})  # fmt: skip
    return baseline


# --- import -------------------------------------------------------------------------------------------------

# Columns a file gives straight to the term's content (the others are gathered: category, equivalents, relations).
_PLAIN_COLUMNS = (
    "name", "reading", "abbreviation", "language", "standard_definition", "standard_source", "standard_reference",
    "client_definition", "adopted", "rationale", "synonyms", "avoid", "examples", "counter_examples",
)  # fmt: skip
_LANGUAGE_ORDER = {code: n for n, code in enumerate(("en", "ja", "ko"))}


@dataclass
class ImportRow:
    number: int  # the row in the file
    content: dict  # the term's content once imported (the file's columns over what the term says now)
    action: str  # "new", "change", "same" or "conflict"
    term: Term | None = None
    reason: str = ""  # why a conflicting row is skipped
    fields: list[str] = field(default_factory=list)  # what a changed row changes
    related: dict | None = None  # {kind: [names]} for the relation columns the file has; None: it has none

    @property
    def field_titles(self) -> list[str]:
        from ..dictionary_io import column_title

        return [column_title(name) for name in self.fields]


@dataclass
class ImportPlan:
    rows: list[ImportRow]

    def of(self, action: str) -> list[ImportRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def counts(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ("new", "change", "same", "conflict")}


def _row_error(number: int, field_name: str, message) -> str:
    from ..dictionary_io import column_title

    return _("Row %(row)s, %(column)s: %(message)s") % {"row": number, "column": column_title(field_name), "message": message}  # fmt: skip


def _row_content(project, row: dict, categories: dict[str, TermCategory], base: Term | None) -> dict:
    """The content a row gives a term (see dictionary_io.read_rows): the file's columns over what the term says
    now, or over a new term's defaults. A column the file does not have leaves the term's value alone."""
    content = term_content(base) if base is not None else empty_content(language=project.default_language)
    content.update({key: row[key] for key in _PLAIN_COLUMNS if key in row})
    if "category" in row:
        content["category"] = categories.get(normalize(row["category"])) if row["category"] else None
    if "equivalent_languages" in row:
        kept = [e for e in content["equivalents"] if e["language"] not in row["equivalent_languages"]]
        content["equivalents"] = kept + row["equivalents"]
    content["equivalents"] = sorted(
        (e for e in content["equivalents"] if e["language"] != content["language"]), key=lambda e: _LANGUAGE_ORDER.get(e["language"], 9)  # fmt: skip
    )
    if "adopted" not in row and base is None:  # not said: the only definition given, or the standard one
        content["adopted"] = Adopted.CLIENT if content["client_definition"] and not content["standard_definition"] else Adopted.STANDARD  # fmt: skip
    return content


def _related_names(row: dict) -> dict | None:
    if "related_kinds" not in row:
        return None
    return {kind: [r["term"] for r in row["related"] if r["kind"] == kind] for kind in row["related_kinds"]}


def dictionary_import_prepare(*, actor, project: Project, file_name: str, rows: list[dict]) -> DictionaryImport:
    """Check every row of a parsed file; keep them for the preview. Any error refuses the whole file (nothing kept).

    The ValidationError lists each problem with its row and column, up to twenty of them. Clashes with the
    dictionary's other words are not errors: the preview shows them as conflicts, skipped on import.
    """
    with transaction.atomic():
        require_pmo(actor, project)
        if not rows:
            raise ValidationError(_("The file has no terms."))
        categories = {c.key: c for c in TermCategory.objects.filter(project=project)}
        terms = {t.key: t for t in Term.objects.filter(project=project).select_related("category")}
        file_keys = {normalize(row.get("name", "")) for row in rows}
        no_clash_check = Vocabulary(project, [])
        errors, seen = [], {}
        for row in rows:
            number = row["row"]
            if row.get("category") and normalize(row["category"]) not in categories:
                errors.append(_row_error(number, "category", _("there is no category “%(name)s” in this dictionary. Add it first, or correct the name.") % {"name": row["category"]}))  # fmt: skip
            key = normalize(row.get("name", ""))
            content = _row_content(project, row, categories, terms.get(key))
            try:
                check_content(project, content, vocabulary=no_clash_check)
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    errors.extend(_row_error(number, field_name, message) for message in messages)
            if key and key in seen:
                errors.append(_row_error(number, "name", _("“%(term)s” is already on row %(row)s (upper/lower case and full/half width are the same).") % {"term": content["name"], "row": seen[key]}))  # fmt: skip
            seen.setdefault(key, number)
            for relation in row.get("related", []):
                if normalize(relation["term"]) not in terms.keys() | file_keys:
                    errors.append(_row_error(number, relation["kind"], _("there is no term “%(name)s” in this dictionary or in the file.") % {"name": relation["term"]}))  # fmt: skip
            if len(errors) >= 20:
                break
        if errors:
            raise ValidationError(errors)
        prepared = DictionaryImport.objects.create(project=project, file_name=file_name[:200], rows=rows, uploaded_by=actor)  # fmt: skip
    return prepared


def _conflict(term: Term | None) -> str:
    """Why an existing term cannot take a row's content now (empty: it can)."""
    if term is None:
        return ""
    if term.status == TermStatus.DEPRECATED:
        return _("the term is deprecated.")
    if term.has_pending_change or term.status == TermStatus.PROPOSED:
        return _("a change to this term already waits for the client PM.")
    return ""


def _relations_differ(term: Term, related: dict | None, names: dict[int, str]) -> bool:
    if related is None:
        return False
    now = {(r["kind"], normalize(names.get(r["term"], ""))) for r in term.relations if r["kind"] in related}
    wanted = {(kind, normalize(name)) for kind, found in related.items() for name in found}
    return now != wanted


def dictionary_import_plan(dictionary_import: DictionaryImport) -> ImportPlan:
    """What confirming the import would do, row by row, against the dictionary as it is now.

    New terms are taken first, then changes, each in file order, as the import does them: a row that would
    take a word another row (or term) already has is a conflict.
    """
    project = dictionary_import.project
    categories = {c.key: c for c in TermCategory.objects.filter(project=project)}
    terms = {t.key: t for t in Term.objects.filter(project=project).for_list()}
    names = {t.pk: t.name for t in terms.values()}
    vocabulary = Vocabulary(project)
    planned = {}
    rows = sorted(dictionary_import.rows, key=lambda row: (normalize(row["name"]) in terms, row["row"]))
    for row in rows:
        term = terms.get(normalize(row["name"]))
        content = _row_content(project, row, categories, term)
        plan_row = ImportRow(row["row"], content, "new", term, related=_related_names(row))
        planned[row["row"]] = plan_row
        if row.get("category") and content["category"] is None:
            plan_row.action, plan_row.reason = "conflict", _("the category “%(name)s” was deleted since the upload.") % {"name": row["category"]}  # fmt: skip
            continue
        if reason := _conflict(term):
            plan_row.action, plan_row.reason = "conflict", reason
            continue
        if term is not None:
            plan_row.fields = changed_fields(term_content(term) | {"relations": []}, content | {"relations": []})
            if _relations_differ(term, plan_row.related, names):
                plan_row.fields.append("relations")
            plan_row.action = "change" if plan_row.fields else "same"
            if plan_row.action == "same":
                continue
            vocabulary.remove(term.pk)
        key = term.pk if term is not None else ("row", row["row"])
        clash = vocabulary.errors(content, key)
        if clash:
            plan_row.action, plan_row.reason, plan_row.fields = "conflict", next(iter(clash.values())), []
            content = term_content(term) if term is not None else None
        if content is not None:
            vocabulary.add(key, content["name"], content["synonyms"], content["avoid"])
    return ImportPlan([planned[number] for number in sorted(planned)])


def dictionary_import_apply(*, actor, dictionary_import: DictionaryImport) -> dict:
    """Confirm the preview: new rows become proposed terms, changed rows change proposals; the rest is skipped.

    All of it in one transaction, planned again against the dictionary as it is now. The client PM hears of
    it once. Returns the counts.
    """
    with transaction.atomic():
        dictionary_import = DictionaryImport.objects.select_for_update().select_related("project").get(pk=dictionary_import.pk)  # fmt: skip
        project = dictionary_import.project
        require_pmo(actor, project)
        if dictionary_import.status != ImportStatus.PREVIEW:
            raise AlreadyDecided(_("This file was already imported."), code="already_decided")
        plan = dictionary_import_plan(dictionary_import)
        vocabulary = Vocabulary(project)
        proposals = []
        for row in plan.of("new"):
            proposal = propose_new(actor=actor, project=project, content=row.content, note="", owner=actor, vocabulary=vocabulary)  # fmt: skip
            vocabulary.add(proposal.term_id, proposal.name, proposal.synonyms, proposal.avoid)
            row.term = proposal.term
            proposals.append(proposal)
        ids = dict(Term.objects.filter(project=project).values_list("key", "pk"))
        for row in plan.of("change"):
            content = row.content | {"relations": _relations(row, ids)}
            vocabulary.remove(row.term.pk)
            proposal, _created = propose_change(actor=actor, term=lock_term(row.term), content=content, note="", vocabulary=vocabulary)  # fmt: skip
            vocabulary.add(row.term.pk, proposal.name, proposal.synonyms, proposal.avoid)
            proposals.append(proposal)
        for row in plan.of("new"):
            if row.related:
                relations = _relations(row, ids)
                TermProposal.objects.filter(term=row.term, status=ProposalStatus.PENDING).update(relations=relations)
                Term.objects.filter(pk=row.term.pk).update(relations=relations)
        counts = plan.counts
        dictionary_import.status = ImportStatus.APPLIED
        dictionary_import.applied_at = timezone.now()
        dictionary_import.summary = counts
        dictionary_import.save(update_fields=["status", "applied_at", "summary"])
        audit.record(actor=actor, verb="term.import", obj=dictionary_import, project=project, after={"file": dictionary_import.file_name, **counts})  # fmt: skip
        if proposals:
            notify_approvers(actor=actor, project=project, kind="term.proposed_many", params={"proposer": str(actor), "count": len(proposals), "source": dictionary_import.file_name}, url=dictionary_url(project, "dictionary:approvals"))  # fmt: skip
    return counts


def _relations(row: ImportRow, ids: dict[str, int]) -> list[dict]:
    """A row's relations by id: the file's for the relation columns it has, the term's own for the others."""
    kept = [r for r in (row.term.relations if row.term is not None else []) if row.related is None or r["kind"] not in row.related]  # fmt: skip
    named = [{"kind": kind, "term": ids[normalize(name)]} for kind, found in (row.related or {}).items() for name in found if normalize(name) in ids]  # fmt: skip
    return kept + [r for r in named if r["term"] != getattr(row.term, "pk", None)]


# --- starting from another dictionary -------------------------------------------------------------------------


def _content_from_snapshot(snapshot: dict, categories: dict[str, TermCategory]) -> dict:
    values = {k: v for k, v in snapshot.items() if k in CONTENT_FIELDS and k not in ("category", "relations")}
    values["category"] = categories.get(normalize(snapshot.get("category") or ""))
    return empty_content(**values)


def dictionary_copy_from(*, actor, project: Project, source) -> dict:
    """Start (or extend) a dictionary from another project's approved terms or from a shared glossary.

    Each copied term is a proposal the client PM of this project approves; terms this dictionary already
    has (or that clash with its words) are skipped. Categories are created as needed, related terms kept
    where both ends were copied. Returns {"copied": n, "skipped": [names]}.
    """
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        require_pmo(actor, project)
        if isinstance(source, Project):
            if source.pk == project.pk:
                raise ValidationError(_("This is the dictionary the terms would be copied into: choose another project."))
            require_role(actor, source, Role.PMO, message=_("You can copy only from projects where you are PMO staff."))
            names = dict(Term.objects.filter(project=source).values_list("pk", "name"))
            entries = [snapshot_content(t, names) for t in Term.objects.filter(project=source, status=TermStatus.APPROVED).select_related("category")]  # fmt: skip
            label = f"{source.code} {source.name}"
        elif isinstance(source, SharedGlossary):
            if not SharedGlossary.objects.visible_to(actor).filter(pk=source.pk).exists():
                raise PermissionDenied(_("This glossary belongs to another firm."))
            entries = list(source.entries.values_list("content", flat=True))
            label = source.name
        else:
            raise TypeError(f"cannot copy a dictionary from {source!r}")
        categories = {c.key: c for c in TermCategory.objects.filter(project=project)}
        for name in {e.get("category") for e in entries if e.get("category")}:
            if normalize(name) not in categories:
                categories[normalize(name)] = TermCategory.objects.create(project=project, name=name.strip()[:100])
        vocabulary = Vocabulary(project)
        copied, skipped, related = {}, [], {}
        for entry in entries:
            content = _content_from_snapshot(entry, categories)
            try:
                with transaction.atomic():
                    proposal = propose_new(actor=actor, project=project, content=content, note=_("Copied from %(source)s") % {"source": label}, owner=actor, vocabulary=vocabulary)  # fmt: skip
            except ValidationError:
                skipped.append(content["name"])
                continue
            vocabulary.add(proposal.term_id, proposal.name, proposal.synonyms, proposal.avoid)
            copied[normalize(proposal.name)] = proposal.term_id
            related[proposal.term_id] = entry.get("relations", [])
        for term_id, relations in related.items():
            resolved = [{"kind": r["kind"], "term": copied[normalize(r["term"])]} for r in relations if normalize(r.get("term", "")) in copied]  # fmt: skip
            if resolved:
                Term.objects.filter(pk=term_id).update(relations=resolved)
                TermProposal.objects.filter(term_id=term_id, status=ProposalStatus.PENDING).update(relations=resolved)
        audit.record(actor=actor, verb="term.copy", obj=project, project=project, after={"source": label, "copied": len(copied), "skipped": len(skipped)})  # fmt: skip
        if copied:
            notify_approvers(actor=actor, project=project, kind="term.proposed_many", params={"proposer": str(actor), "count": len(copied), "source": label}, url=dictionary_url(project, "dictionary:approvals"))  # fmt: skip
    return {"copied": len(copied), "skipped": skipped}


def shared_glossary_create(*, actor, project: Project, name: str, description: str = "") -> SharedGlossary:
    """PMO staff save a project's approved terms as a glossary their firm can start other projects from."""
    with transaction.atomic():
        require_pmo(actor, project)
        if not actor.is_pmo_staff or actor.organization_id is None:
            raise PermissionDenied(_("Only PMO staff can keep shared glossaries."))
        terms = list(Term.objects.filter(project=project, status=TermStatus.APPROVED).select_related("category"))
        if not terms:
            raise ValidationError(_("The dictionary has no approved term yet: there is nothing to share."))
        glossary = SharedGlossary(organization_id=actor.organization_id, name=name.strip(), description=description.strip(), source_project=project, created_by=actor, term_count=len(terms))  # fmt: skip
        glossary.full_clean()
        glossary.save()
        names = dict(Term.objects.filter(project=project).values_list("pk", "name"))
        SharedGlossaryTerm.objects.bulk_create(
            [SharedGlossaryTerm(glossary=glossary, name=t.name, sort_key=t.sort_key, content=snapshot_content(t, names)) for t in terms],  # fmt: skip
            batch_size=1000,
        )
        audit.record(actor=actor, verb="term.glossary_create", obj=glossary, project=project, after={"name": glossary.name, "terms": len(terms)})  # fmt: skip
    return glossary
