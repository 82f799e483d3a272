"""The firm's library, reached from a project: its clauses (owner, review date, overdue first) and its RFP
templates; saving an RFP as a template; adding and editing clauses; inserting a clause into a section.

The library is the PMO firm's, shared across its projects: a page needs the project (PMO staff of it, for the
navigation) and the user's firm (PMO staff, ``rfp.use_library``). Another firm's template or clause is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.permissions import require_perm
from projects.models import Project

from .. import services
from ..forms.library import ClauseForm, ClauseInsertForm, TemplateSaveForm
from ..models import Clause, RfpSection, RfpTemplate
from .common import part_of, project_for, rfp_for

PAGE_SIZE = 50


def _library_project(request, code) -> Project:
    """The project the library is opened from (404 / 403 as for starting an RFP), if the user is PMO staff."""
    project = project_for(request, code, "rfp.add_rfp")
    require_perm(request.user, "rfp.use_library")
    return project


def _library_url(project, anchor="") -> str:
    return reverse("rfp:clauses", kwargs={"code": project.code}) + anchor


@require_GET
@login_required
def clauses(request, code):
    """The firm's clauses, those past their review date first (or only them), and its RFP templates."""
    project = _library_project(request, code)
    only_overdue = request.GET.get("show") == "overdue"
    rows = services.library_clauses(request.user)
    if only_overdue:
        rows = rows.filter(overdue=True)
    templates = RfpTemplate.objects.visible_to(request.user).select_related("created_by").order_by("name", "pk")
    context = {
        "project": project,
        "page": paginate(request, rows, PAGE_SIZE),
        "only_overdue": only_overdue,
        "overdue_count": services.library_clauses(request.user).filter(overdue=True).count(),
        "templates": Paginator(templates, PAGE_SIZE).get_page(request.GET.get("templates_page")),
    }
    return render(request, "rfp/library/clauses.html", context)


@login_required
def clause_create(request, code):
    project = _library_project(request, code)
    initial = {"owner": request.user, "language": project.default_language}
    form = ClauseForm(request.POST or None, owners=services.clause_owners(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clause = services.clause_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The clause “%(title)s” is in your firm's library.") % {"title": clause.title})
            return redirect(_library_url(project, f"#clause-{clause.pk}"))
    return render(request, "rfp/library/clause_form.html", {"project": project, "form": form})


@login_required
def clause_edit(request, code, clause_pk):
    """Change a clause, or review it: saving it with the next review date."""
    project = _library_project(request, code)
    clause = get_object_or_404(Clause.objects.visible_to(request.user).select_related("owner"), pk=clause_pk)
    form = ClauseForm(request.POST or None, instance=clause, owners=services.clause_owners(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.clause_update(actor=request.user, clause=clause, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The clause is saved."))
            return redirect(_library_url(project, f"#clause-{clause.pk}"))
    context = {"project": project, "form": form, "clause": clause, "overdue": services.is_overdue(clause)}  # fmt: skip
    return render(request, "rfp/library/clause_form.html", context)


@login_required
def template_save(request, code, pk):
    """PMO staff save the RFP's sections as a template of their firm."""
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    require_perm(request.user, "rfp.use_library")
    form = TemplateSaveForm(request.POST or None, initial={"name": rfp.title})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_save(actor=request.user, rfp=rfp, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(template.sections)
            saved = ngettext("“%(name)s” is saved as a template of your firm, with %(count)s section.", "“%(name)s” is saved as a template of your firm, with %(count)s sections.", count)  # fmt: skip
            start_from = _("Choose it under “Start from” when you start an RFP.")
            messages.success(request, f"{saved % {'name': template.name, 'count': count}} {start_from}")
            return redirect(rfp.get_absolute_url())
    context = {"project": rfp.project, "rfp": rfp, "form": form, "section_count": rfp.sections.count()}
    return render(request, "rfp/library/template_form.html", context)


@require_POST
@login_required
def template_delete(request, code, template_pk):
    project = _library_project(request, code)
    template = get_object_or_404(RfpTemplate.objects.visible_to(request.user), pk=template_pk)
    try:
        services.template_delete(actor=request.user, template=template)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The template “%(name)s” is deleted. RFPs started from it keep their sections.") % {"name": template.name})  # fmt: skip
    return redirect(_library_url(project, "#templates"))


@require_http_methods(["GET", "POST"])
@login_required
def clause_insert(request, code, pk, section_pk):
    """GET: the firm's clauses to choose from (the section editor's "Choose a clause…" loads them into its card).
    POST: add a clause's text at the end of a section (a new revision: the client PM reads it again)."""
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    require_perm(request.user, "rfp.use_library")
    section = part_of(request, rfp, RfpSection.objects.select_related("rfp__project"), pk=section_pk)
    if request.method == "GET":
        context = {"project": rfp.project, "rfp": rfp, "section": section, "clauses": services.clause_choices(request.user)}  # fmt: skip
        return render(request, "rfp/library/_insert_clause.html" if request.htmx else "rfp/library/clause_insert.html", context)  # fmt: skip
    form = ClauseInsertForm(request.POST, clauses=Clause.objects.visible_to(request.user))
    if not form.is_valid():
        messages.error(request, error_sentences(form))
    else:
        clause = form.cleaned_data["clause"]
        try:
            services.clause_insert(actor=request.user, section=section, clause=clause)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(clause)s” is added at the end of the section. The client PM will be asked to read the section again.") % {"clause": clause.title})  # fmt: skip
    return redirect(reverse("rfp:section_edit", kwargs={"code": code, "pk": rfp.pk, "section_pk": section.pk}))
