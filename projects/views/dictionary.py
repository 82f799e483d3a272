"""The project dictionary: the list and search, a term's page and history, proposing and deciding.

PMO staff propose and edit; the client PM decides each proposal through the approval inbox's URLs (one view
per transition) or many at once on the approvals page. Vendors and readers see approved terms only.
"""

import hashlib
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pmo_portal import inbox
from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.inbox_views import ApproveForm, RejectForm
from pmo_portal.permissions import get_for_perm_or_403, require_perm

from .. import dictionary_diff, services
from ..dictionary_lint import render_linked
from ..dictionary_registry import proposal_summary
from ..dictionary_usage import usages_of
from ..forms.dictionary import BulkDecisionForm, CategoryForm, DeprecateForm, TermFilterForm, TermForm
from ..models import PUBLISHED_STATUSES, Project, ProposalStatus, RelationKind, Term, TermCategory, TermProposal
from ..rules import dictionary_view_key
from ..services.dictionary import term_content

PAGE_SIZE = 50
RESULTS_CACHE_SECONDS = 10 * 60


def _project(request, code, perm="projects.view_dictionary") -> Project:
    return get_for_perm_or_403(Project, request.user, perm, code=code)


def _term(request, code, pk, perm="projects.view_dictionary") -> Term:
    term = get_object_or_404(Term.objects.visible_to(request.user).select_related("project", "category", "owner", "approved_by"), project__code=code, pk=pk)  # fmt: skip
    require_perm(request.user, perm, term)
    return term


def _pending_proposals(user, project):
    return TermProposal.objects.visible_to(user).filter(term__project=project, status=ProposalStatus.PENDING)


def _waiting_count(user, project) -> int:
    return _pending_proposals(user, project).count()


# --- list and search -----------------------------------------------------------------------------------------


@require_GET
@login_required
def term_list(request, code):
    """Every term the viewer may see, searchable as they type (htmx swaps the results only).

    The page below the tabs is drawn once per state of the dictionary, kind of viewer and query (the
    ``{% fragment %}`` keyed by ``dictionary_view_key``): what it needs is only fetched when it is drawn."""
    project = _project(request, code)
    sees_proposals = request.user.has_perm("projects.view_term_proposals", project)
    # Built only where the page or its results are drawn (a form's fields are deep-copied when it is made).
    form = SimpleLazyObject(lambda: TermFilterForm(request.GET or None, project=project, show_unapproved=sees_proposals))
    query = urlencode(sorted((name, value) for name, values in request.GET.lists() for value in values))
    view_key = dictionary_view_key(request.user, project)
    if request.htmx and request.htmx.target == "term-results":
        return HttpResponse(_results(request, project, form, sees_proposals, view_key, query))
    context = {
        "project": project, "form": form, "view_key": view_key, "query": query,
        "results": partial(_results, request, project, form, sees_proposals, view_key, query),
        "categories": lambda: form.fields["category"].queryset,  # the filter's choices, where the filters are drawn
        "waiting": partial(_waiting_count, request.user, project) if sees_proposals else 0,
        "can_edit": request.user.has_perm("projects.change_dictionary", project),
    }  # fmt: skip
    return render(request, "dictionary/term_list.html", context)


def _results(request, project: Project, form: TermFilterForm, sees_proposals: bool, view_key: tuple, query: str) -> str:
    """The results table (count, rows, pages), rendered once per state of the dictionary, kind of viewer and query
    (``dictionary_view_key``: a cached table never outlives what it shows; which terms someone sees, and whether
    waiting changes are flagged, follow from their role; the language decides how the rows read)."""
    key = "dictionary-results:" + hashlib.sha256(repr((view_key, query)).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        terms = form.filtered(Term.objects.visible_to(request.user).filter(project=project).for_list(flag_pending=sees_proposals))
        context = {"project": project, "page": paginate(request, terms, PAGE_SIZE)}
        html = render_to_string("dictionary/_term_results.html", context, request=request)
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  (our own template's output, escaped when it was rendered)


# --- a term --------------------------------------------------------------------------------------------------


def _related(request, term: Term) -> list[tuple[str, str, Term]]:
    """(relation kind, its label, term) for each related term the viewer may see."""
    visible = Term.objects.visible_to(request.user).filter(pk__in=term.related_ids()).in_bulk()
    return [(r["kind"], RelationKind(r["kind"]).label, visible[r["term"]]) for r in term.relations if r["term"] in visible]


def _pending_context(request, term: Term) -> dict:
    """The change waiting for approval (with what it changes) and, for the client PM, the decision forms."""
    if not request.user.has_perm("projects.view_term_proposals", term.project):
        return {}
    pending = _pending_proposals(request.user, term.project).filter(term=term).select_related("proposed_by", "category").first()  # fmt: skip
    if pending is None:
        return {}
    names = dict(Term.objects.filter(pk__in=term.related_ids() + pending.related_ids()).values_list("pk", "name"))
    before = term_content(term) if term.is_published else None
    context = {"pending": pending, "pending_changes": dictionary_diff.changes(before, pending.content(), names)}
    if request.user.has_perm("projects.decide_termproposal", pending):
        context |= {"decision_item": inbox.InboxItem(inbox.get_kind("term"), pending), "approve_form": ApproveForm(), "reject_form": RejectForm()}  # fmt: skip
    return context


@require_GET
@login_required
def term_detail(request, code, pk):
    term = _term(request, code, pk)
    linked = {name: render_linked(term.project, getattr(term, name), request.user, exclude=term) for name in ("standard_definition", "client_definition", "rationale")}  # fmt: skip
    context = {
        "project": term.project, "term": term, "linked": linked, "related": _related(request, term),
        "usages": usages_of(term, request.user), "can_edit": request.user.has_perm("projects.change_dictionary", term),
        "sees_history": request.user.has_perm("projects.view_term_proposals", term), **_pending_context(request, term),
    }  # fmt: skip
    return render(request, "dictionary/term_detail.html", context)


@require_GET
@login_required
def term_history(request, code, pk):
    """Every version the client PM approved, and every proposal refused or withdrawn, with what it changed."""
    term = _term(request, code, pk, "projects.view_term_proposals")
    proposals = TermProposal.objects.visible_to(request.user).filter(term=term).select_related("proposed_by", "decided_by", "category")  # fmt: skip
    page = paginate(request, proposals, 20)
    approved = {p.version: p.content() for p in TermProposal.objects.filter(term=term, status=ProposalStatus.APPROVED).select_related("category")}  # fmt: skip
    ids = {r["term"] for content in [*approved.values(), *(p.content() for p in page)] for r in content["relations"]}
    names = dict(Term.objects.filter(pk__in=ids).values_list("pk", "name"))
    entries = [(p, dictionary_diff.changes(approved.get(p.base_version), p.content(), names)) for p in page]
    return render(request, "dictionary/term_history.html", {"project": term.project, "term": term, "page": page, "entries": entries})  # fmt: skip


@login_required
def term_create(request, code):
    project = _project(request, code, "projects.change_dictionary")
    form = TermForm(request.POST or None, project=project, initial={"owner": request.user, "language": project.default_language})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.term_propose(actor=request.user, project=project, content=form.content(), note=form.cleaned_data["note"], owner=form.cleaned_data["owner"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(term)s” is proposed. The client PM will find it in their approval inbox.") % {"term": proposal.name})  # fmt: skip
            return redirect(proposal.term.get_absolute_url())
    return render(request, "dictionary/term_form.html", {"project": project, "form": form})


@login_required
def term_edit(request, code, pk):
    """Change a term. An approved term's change waits for the client PM; the page says who is affected."""
    term = _term(request, code, pk, "projects.change_dictionary")
    pending = TermProposal.objects.filter(term=term, status=ProposalStatus.PENDING).first()
    initial = TermForm.initial_of(pending or term) | {"owner": term.owner, "note": pending.note if pending else ""}
    form = TermForm(request.POST or None, project=term.project, term=term, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.term_update(actor=request.user, term=term, content=form.content(), note=form.cleaned_data["note"], owner=form.cleaned_data["owner"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if proposal is None:
                messages.success(request, _("The term's owner is now %(person)s.") % {"person": form.cleaned_data["owner"]})
            elif proposal.status == ProposalStatus.WITHDRAWN:
                messages.info(request, _("The text is the same as the version in force again: the waiting change was withdrawn."))  # fmt: skip
            elif term.is_published:
                messages.success(request, _("Your change waits for the client PM's approval. Until then everyone sees the approved version."))  # fmt: skip
            else:
                messages.success(request, _("The proposal is updated. The client PM decides on this version."))
            return redirect(term.get_absolute_url())
    context = {"project": term.project, "form": form, "term": term, "pending": pending, "usages": usages_of(term, request.user) if term.is_published else []}  # fmt: skip
    return render(request, "dictionary/term_form.html", context)


@login_required
def term_deprecate(request, code, pk):
    term = _term(request, code, pk, "projects.change_dictionary")
    form = DeprecateForm(request.POST or None, term=term)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_deprecate(actor=request.user, term=term, replaced_by=form.cleaned_data["replaced_by"], note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The deprecation waits for the client PM's approval."))
            return redirect(term.get_absolute_url())
    return render(request, "dictionary/term_deprecate.html", {"project": term.project, "term": term, "form": form, "usages": usages_of(term, request.user)})  # fmt: skip


@require_POST
@login_required
def term_delete(request, code, pk):
    term = _term(request, code, pk, "projects.change_dictionary")
    try:
        services.term_delete(actor=request.user, term=term)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(term.get_absolute_url())
    messages.success(request, _("“%(term)s” is deleted.") % {"term": term.name})
    return redirect("dictionary:list", code=code)


@require_POST
@login_required
def proposal_withdraw(request, code, pk):
    proposal = get_object_or_404(TermProposal.objects.visible_to(request.user).select_related("term__project"), term__project__code=code, pk=pk)  # fmt: skip
    require_perm(request.user, "projects.change_dictionary", proposal.term)
    try:
        services.term_proposal_withdraw(actor=request.user, proposal=proposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proposal is withdrawn. The version in force is unchanged."))
    return redirect(proposal.term.get_absolute_url())


# --- approving many at once ----------------------------------------------------------------------------------


@require_GET
@login_required
def approvals(request, code):
    """Everything waiting for the client PM in this dictionary, with what each proposal changes; tick and decide."""
    project = _project(request, code, "projects.view_term_proposals")
    pending = _pending_proposals(request.user, project).select_related("term__project", "proposed_by", "category").order_by("created_at", "pk")  # fmt: skip
    page = paginate(request, pending, PAGE_SIZE)
    rows = [(proposal, proposal_summary(proposal), request.user.has_perm("projects.decide_termproposal", proposal)) for proposal in page]  # fmt: skip
    context = {"project": project, "page": page, "rows": rows, "can_decide": any(row[2] for row in rows)}
    return render(request, "dictionary/approvals.html", context)


def _decide_selected(request, code, approve: bool):
    project = _project(request, code, "projects.approve_terms")
    form = BulkDecisionForm(request.POST, proposals=_pending_proposals(request.user, project).exclude(proposed_by=request.user))  # fmt: skip
    if not form.is_valid():
        messages.error(request, error_sentences(form) or _("Tick the terms you decide on."))
        return redirect("dictionary:approvals", code=code)
    try:
        result = services.term_proposals_decide(actor=request.user, project=project, proposal_ids=form.cleaned_data["proposals"], approve=approve, comment=form.cleaned_data["comment"])  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dictionary:approvals", code=code)
    count = len(result.decided)
    if approve:
        messages.success(request, ngettext("%(count)s term approved.", "%(count)s terms approved.", count) % {"count": count})
    else:
        messages.success(request, ngettext("%(count)s term rejected. The PMO is told why.", "%(count)s terms rejected. The PMO is told why.", count) % {"count": count})  # fmt: skip
    for skipped in result.skipped:
        messages.warning(request, skipped)
    return redirect("dictionary:approvals", code=code)


@require_POST
@login_required
def approve_selected(request, code):
    return _decide_selected(request, code, approve=True)


@require_POST
@login_required
def reject_selected(request, code):
    return _decide_selected(request, code, approve=False)


# --- categories ----------------------------------------------------------------------------------------------


def _categories_page(request, project, form, status=200):
    visible = Q(term_set__status__in=PUBLISHED_STATUSES) if not request.user.has_perm("projects.view_term_proposals", project) else Q()  # fmt: skip
    categories = TermCategory.objects.filter(project=project).annotate(term_count=Count("term_set", filter=visible))
    context = {"project": project, "categories": categories, "form": form, "can_edit": request.user.has_perm("projects.change_dictionary", project)}  # fmt: skip
    return render(request, "dictionary/categories.html", context, status=status)


@require_GET
@login_required
def categories(request, code):
    return _categories_page(request, _project(request, code), CategoryForm())


@require_POST
@login_required
def category_create(request, code):
    project = _project(request, code, "projects.change_dictionary")
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            category = services.term_category_create(actor=request.user, project=project, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The category “%(name)s” is added.") % {"name": category.name})
            return redirect(reverse("dictionary:categories", kwargs={"code": code}))
    return _categories_page(request, project, form, status=422)
