"""The dictionary as a whole: releases and their comparison, import and export, the text check, and starting
from another dictionary or saving a shared glossary."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pmo_portal import tabular
from pmo_portal.forms import add_service_errors
from pmo_portal.http import paginate
from pmo_portal.permissions import require_perm

from .. import dictionary_diff, dictionary_io, services
from ..dictionary_lint import find_in_text, render_linked
from ..dictionary_text import word_list
from ..forms.dictionary import BaselineForm, CheckTextForm, CopyFromForm, GlossaryForm, ImportForm
from ..models import PUBLISHED_STATUSES, DictionaryBaseline, DictionaryImport, ImportStatus, Term
from ..services.dictionary_io import snapshot_content
from .dictionary import PAGE_SIZE, _project

# --- releases ------------------------------------------------------------------------------------------------


@require_GET
@login_required
def baselines(request, code):
    project = _project(request, code)
    releases = DictionaryBaseline.objects.visible_to(request.user).filter(project=project).select_related("created_by")
    context = {"project": project, "page": paginate(request, releases, 25), "can_edit": request.user.has_perm("projects.change_dictionary", project)}  # fmt: skip
    return render(request, "dictionary/baselines.html", context)


@login_required
def baseline_create(request, code):
    project = _project(request, code, "projects.change_dictionary")
    form = BaselineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            baseline = services.dictionary_baseline_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("Release #%(number)s is frozen with %(count)s term.", "Release #%(number)s is frozen with %(count)s terms.", baseline.term_count) % {"number": baseline.number, "count": baseline.term_count})  # fmt: skip
            return redirect(baseline.get_absolute_url())
    approved = Term.objects.filter(project=project, status__in=PUBLISHED_STATUSES).count()
    return render(request, "dictionary/baseline_form.html", {"project": project, "form": form, "approved": approved})


def _baseline(request, code, number) -> DictionaryBaseline:
    baseline = get_object_or_404(DictionaryBaseline.objects.visible_to(request.user).select_related("project", "created_by"), project__code=code, number=number)  # fmt: skip
    require_perm(request.user, "projects.view_dictionary", baseline)
    return baseline


@require_GET
@login_required
def baseline_detail(request, code, number):
    baseline = _baseline(request, code, number)
    entries = baseline.entries.all()
    context = {"project": baseline.project, "baseline": baseline, "page": paginate(request, entries, PAGE_SIZE)}
    return render(request, "dictionary/baseline_detail.html", context)


def _snapshot(request, project, number: str):
    """{term id: (name, content)} of a release, or of the dictionary in force now ("current")."""
    if number == "current":
        terms = Term.objects.visible_to(request.user).filter(project=project, status__in=PUBLISHED_STATUSES).select_related("category")  # fmt: skip
        names = dict(Term.objects.filter(project=project).values_list("pk", "name"))
        return {t.pk: (t.name, snapshot_content(t, names)) for t in terms}
    baseline = _baseline(request, project.code, number)
    return {term_id: (name, content) for term_id, name, content in baseline.entries.values_list("term_id", "name", "content")}


@require_GET
@login_required
def baseline_compare(request, code):
    """Two releases (or a release and the dictionary now) side by side: terms added, removed, changed."""
    project = _project(request, code)
    numbers = list(DictionaryBaseline.objects.visible_to(request.user).filter(project=project).values_list("number", flat=True))  # fmt: skip
    old = request.GET.get("from") or (str(numbers[1]) if len(numbers) > 1 else "")
    new = request.GET.get("to") or (str(numbers[0]) if numbers else "current")
    choices = [str(n) for n in numbers] + ["current"]
    if old not in choices or new not in choices:
        if request.GET:
            raise Http404
        return render(request, "dictionary/baseline_compare.html", {"project": project, "numbers": numbers, "page": None})
    before, after = _snapshot(request, project, old), _snapshot(request, project, new)
    rows = [("added", after[pk][0], None, dictionary_diff.changes(None, after[pk][1])) for pk in after.keys() - before.keys()]
    rows += [("removed", before[pk][0], None, []) for pk in before.keys() - after.keys()]
    for pk in before.keys() & after.keys():
        changed = dictionary_diff.changes(before[pk][1], after[pk][1])
        if changed:
            rows.append(("changed", after[pk][0], before[pk][0], changed))
    rows.sort(key=lambda row: (row[1].casefold(), row[0]))
    counts = {kind: sum(1 for row in rows if row[0] == kind) for kind in ("added", "removed", "changed")}
    context = {"project": project, "numbers": numbers, "old": old, "new": new, "counts": counts, "page": paginate(request, rows, PAGE_SIZE)}  # fmt: skip
    return render(request, "dictionary/baseline_compare.html", context)


# --- import ----------------------------------------------------------------------------------------------------


@login_required
def import_upload(request, code):
    project = _project(request, code, "projects.change_dictionary")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = dictionary_io.read_rows(upload, default_language=project.default_language)
            prepared = services.dictionary_import_prepare(actor=request.user, project=project, file_name=tabular.upload_display_name(upload.name, "dictionary.csv"), rows=rows)  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            return redirect(prepared.get_absolute_url())
    return render(request, "dictionary/import_form.html", {"project": project, "form": form})


def _import(request, code, pk) -> DictionaryImport:
    found = get_object_or_404(DictionaryImport.objects.visible_to(request.user).select_related("project"), project__code=code, pk=pk)  # fmt: skip
    require_perm(request.user, "projects.change_dictionary", found.project)
    return found


@require_GET
@login_required
def import_preview(request, code, pk):
    """New, changed and conflicting rows, before anything is saved; one button imports."""
    prepared = _import(request, code, pk)
    plan = services.dictionary_import_plan(prepared) if prepared.status == ImportStatus.PREVIEW else None
    return render(request, "dictionary/import_preview.html", {"project": prepared.project, "prepared": prepared, "plan": plan, "shown": 200})  # fmt: skip


@require_POST
@login_required
def import_apply(request, code, pk):
    prepared = _import(request, code, pk)
    try:
        counts = services.dictionary_import_apply(actor=request.user, dictionary_import=prepared)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(prepared.get_absolute_url())
    waiting = counts["new"] + counts["change"]
    messages.success(request, ngettext("Imported: %(waiting)s proposal (new terms: %(new)s, changes: %(change)s) waits for the client PM's approval. Unchanged rows: %(same)s; skipped: %(conflict)s.", "Imported: %(waiting)s proposals (new terms: %(new)s, changes: %(change)s) wait for the client PM's approval. Unchanged rows: %(same)s; skipped: %(conflict)s.", waiting) % (counts | {"waiting": waiting}))  # fmt: skip
    return redirect("dictionary:approvals", code=code)


# --- export ------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def export(request, code, fmt):
    """The dictionary the viewer may see, as CSV or Excel (formulas neutralised)."""
    project = _project(request, code)
    terms = Term.objects.visible_to(request.user).filter(project=project).select_related("category").order_by("sort_key", "pk")  # fmt: skip
    names = dict(Term.objects.visible_to(request.user).filter(project=project).values_list("pk", "name"))
    rows = dictionary_io.term_rows(terms, names)
    filename = f"{project.code}-dictionary.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        tabular.write_csv(rows, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        out = io.BytesIO()
        dictionary_io.write_xlsx(rows, out)
        response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the text check ----------------------------------------------------------------------------------------------


@login_required
def check_text(request, code):
    """Paste a text: every dictionary word linked, words to avoid and unapproved terms listed with their place."""
    project = _project(request, code)
    form = CheckTextForm(request.POST or None)
    context = {"project": project, "form": form}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        context |= {"findings": find_in_text(project, text, request.user), "linked": render_linked(project, text, request.user)}  # fmt: skip
    return render(request, "dictionary/check.html", context)


# --- starting from another dictionary, sharing this one -----------------------------------------------------------


@login_required
def copy_from(request, code):
    project = _project(request, code, "projects.change_dictionary")
    form = CopyFromForm(request.POST or None, project=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.dictionary_copy_from(actor=request.user, project=project, source=form.cleaned_data["source"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("%(count)s term is copied and waits for the client PM's approval.", "%(count)s terms are copied and wait for the client PM's approval.", result["copied"]) % {"count": result["copied"]})  # fmt: skip
            if result["skipped"]:
                messages.info(request, _("Skipped, because this dictionary already has them: %(terms)s") % {"terms": word_list(result["skipped"][:20])})  # fmt: skip
            return redirect("dictionary:approvals", code=code)
    return render(request, "dictionary/copy_form.html", {"project": project, "form": form})


@login_required
def glossary_create(request, code):
    project = _project(request, code, "projects.change_dictionary")
    form = GlossaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            glossary = services.shared_glossary_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("“%(name)s” is saved with %(count)s term. Your firm's other projects can start from it.", "“%(name)s” is saved with %(count)s terms. Your firm's other projects can start from it.", glossary.term_count) % {"name": glossary.name, "count": glossary.term_count})  # fmt: skip
            return redirect("dictionary:list", code=code)
    return render(request, "dictionary/glossary_form.html", {"project": project, "form": form})
