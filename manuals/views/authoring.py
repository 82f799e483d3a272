"""Writing a manual: the project's manuals and settings, a manual's overview (its steps in order and what stops it
from being published), its environments, and each step's words and screenshots with their annotations.

PMO staff write; the client PM and security read the overview; readers read published editions (reading.py);
vendors never learn that manuals exist (404).
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from projects.dictionary_lint import lint
from projects.models import FULL_VIEW_ROLES
from projects.rules import role_in
from rfp.markdown import render_linked_markdown, render_linked_markdown_many

from .. import annotations, services
from ..forms.authoring import (
    AnnotationsForm,
    ManualCreateForm,
    ManualForm,
    ManualSettingsForm,
    PreviewForm,
    ScreenshotUploadForm,
    StepForm,
    VariantForm,
)
from ..models import BLOCKING_STATES, Manual, ManualSettings, Screenshot, ScreenshotVersion, Step, Variant, VersionState
from .common import manual_for, part_of, project_for

PAGE_SIZE = 25
CHANGE = "manuals.change_manual"
DEFAULT_ENVIRONMENTS = "Windows 10\nWindows 11"


# --- helpers ----------------------------------------------------------------------------------------------------


def _count(queryset):
    """How many rows of ``queryset`` (filtered on an OuterRef) there are, as a subquery: no join, no GROUP BY."""
    return Coalesce(Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField()), 0)  # fmt: skip


def _figure(manual: Manual, shot: Screenshot, *, editable: bool = False) -> dict:
    """The context of templates/manuals/_annotated_image.html for the screenshot's current picture."""
    version = shot.current
    src = reverse("manuals:version_image", kwargs={"code": manual.project.code, "pk": manual.pk, "version": version.pk})
    alt = _("Screenshot of step “%(step)s” (%(variant)s)") % {"step": shot.step.title, "variant": shot.variant or _("all environments")}  # fmt: skip
    return annotations.image_context(src=src, width=version.width, height=version.height, shapes=shot.annotations, alt=alt, show_blur=True, editable=editable, uid=shot.pk)  # fmt: skip


def _is_id(value: str) -> bool:
    """A row id as a browser sends it: ASCII digits that fit any database's integer."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _detail_url(manual: Manual, anchor: str = "") -> str:
    return manual.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _step_url(step: Step, anchor: str = "") -> str:
    url = reverse("manuals:step_edit", kwargs={"code": step.manual.project.code, "pk": step.manual_id, "step_pk": step.pk})
    return url + (f"#{anchor}" if anchor else "")


def _shot_anchor(variant_id) -> str:
    return f"shot-{variant_id or 'all'}"


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _step(request, code, pk, step_pk, perm=CHANGE) -> Step:
    manual = manual_for(request, code, pk, perm)
    return part_of(request, manual, Step.objects.select_related("manual__project"), pk=step_pk)


def _screenshot(request, code, pk, shot_pk) -> Screenshot:
    manual = manual_for(request, code, pk, CHANGE)
    shots = Screenshot.objects.select_related("step__manual__project", "variant")
    return part_of(request, manual, shots, "step__manual", pk=shot_pk)


# --- the project's manuals ----------------------------------------------------------------------------------------


@require_GET
@login_required
def manual_list(request, code):
    """Insiders: every manual with where it stands. Readers: the published manuals shared with them."""
    project = project_for(request, code)
    insider = role_in(request.user, project) in FULL_VIEW_ROLES
    manuals = Manual.objects.visible_to(request.user).filter(project=project).select_related("reviewer")
    if insider:
        waiting = Screenshot.objects.filter(step__manual=OuterRef("pk"), current__state__in=BLOCKING_STATES)
        manuals = manuals.annotate(step_count=_count(Step.objects.filter(manual=OuterRef("pk"))), waiting=_count(waiting))  # fmt: skip
    context = {
        "project": project, "page": paginate(request, manuals, PAGE_SIZE), "insider": insider,
        "can_add": request.user.has_perm("manuals.add_manual", project),
    }  # fmt: skip
    return render(request, "manuals/manual_list.html", context)


@login_required
def manual_create(request, code):
    project = project_for(request, code, "manuals.add_manual")
    form = ManualCreateForm(request.POST or None, initial={"language": project.default_language, "environments": DEFAULT_ENVIRONMENTS})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            manual = services.manual_create(actor=request.user, project=project, title=data["title"], audience=data["audience"], language=data["language"], variants=data["environments"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The manual is started. Add its first step."))
            return redirect(manual.get_absolute_url())
    return render(request, "manuals/manual_form.html", {"project": project, "form": form, "creating": True})


@login_required
def project_settings(request, code):
    """How changed screenshots are judged in this project, and how often published manuals are re-read."""
    project = project_for(request, code, "manuals.add_manual")
    form = ManualSettingsForm(request.POST or None, instance=ManualSettings.for_project(project))
    if request.method == "POST" and form.is_valid():
        try:
            services.manual_settings_update(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The settings are saved. They apply to screenshots uploaded from now on."))
            return redirect("manuals:list", code=project.code)
    return render(request, "manuals/settings_form.html", {"project": project, "form": form})


# --- a manual -------------------------------------------------------------------------------------------------------


def _step_rows(request, manual: Manual) -> list[dict]:
    """The steps in order, each with its rendered text, its pictures and what is wrong with them."""
    shots = Screenshot.objects.select_related("current", "variant").order_by(F("variant__position").asc(nulls_first=True), "variant__pk")  # fmt: skip
    open_reports = Count("reports", filter=Q(reports__resolved_at__isnull=True))
    steps = list(manual.steps.prefetch_related(Prefetch("screenshots", queryset=shots)).annotate(open_reports=open_reports).order_by("position", "pk"))  # fmt: skip
    texts = render_linked_markdown_many([s.instruction for s in steps], manual.project, request.user)
    rows = []
    for number, (step, text) in enumerate(zip(steps, texts, strict=True), start=1):
        step.manual = manual  # for _figure's alt text and links, without a query per step
        pictures = [(shot, _figure(manual, shot)) for shot in step.screenshots.all() if shot.current_id]
        current = [shot.current for shot, _fig in pictures]
        rows.append({
            "step": step, "number": number, "text": text, "pictures": pictures,
            "waiting": [v for v in current if v.state in BLOCKING_STATES],
            "moved": any(v.touched for v in current if v.state == VersionState.AWAITING),
        })  # fmt: skip
    return rows


@require_GET
@login_required
def manual_detail(request, code, pk):
    """The writer's overview: the steps in order, and everything that stops publishing, with where to fix it."""
    manual = manual_for(request, code, pk)
    rows = _step_rows(request, manual)
    numbers = {row["step"].pk: row["number"] for row in rows}
    waiting = list(services.blocking_versions(manual))
    for version in waiting:
        version.step_number = numbers.get(version.screenshot.step_id)
    context = {
        "project": manual.project, "manual": manual, "rows": rows, "variants": list(manual.variants.all()),
        "waiting": waiting, "blockers": services.publish_blockers(manual, waiting),
        "text_changes": [row for row in rows if row["step"].needs_text_change],
        "open_reports": manual.reports.filter(resolved_at__isnull=True).count(),
        "can_edit": request.user.has_perm(CHANGE, manual), "variant_form": VariantForm(),
    }  # fmt: skip
    return render(request, "manuals/manual_detail.html", context)


@login_required
def manual_edit(request, code, pk):
    manual = manual_for(request, code, pk, CHANGE)
    form = ManualForm(request.POST or None, instance=manual, project=manual.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.manual_update(actor=request.user, manual=manual, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The manual is saved."))
            return redirect(manual.get_absolute_url())
    return render(request, "manuals/manual_form.html", {"project": manual.project, "manual": manual, "form": form})


@require_POST
@login_required
def variant_add(request, code, pk):
    manual = manual_for(request, code, pk, CHANGE)
    form = VariantForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect(_detail_url(manual, "environments"))
    try:
        variant = services.variant_add(actor=request.user, manual=manual, name=form.cleaned_data["name"])
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The environment “%(name)s” is added. Steps show the picture for all environments until you upload one for it.") % {"name": variant.name})  # fmt: skip
    return redirect(_detail_url(manual, "environments"))


@require_POST
@login_required
def variant_delete(request, code, pk, variant_pk):
    manual = manual_for(request, code, pk, CHANGE)
    variant = part_of(request, manual, Variant.objects.select_related("manual__project"), pk=variant_pk)
    try:
        services.variant_delete(actor=request.user, variant=variant)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The environment “%(name)s” and its own screenshots are removed.") % {"name": variant.name})  # fmt: skip
    return redirect(_detail_url(manual, "environments"))


# --- steps ----------------------------------------------------------------------------------------------------------


def _upload_panels(manual: Manual, step: Step, failed: ScreenshotUploadForm | None) -> list[dict]:
    """One panel per environment, "all environments" first: the picture to annotate, its upload form, its history."""
    versions = Prefetch("versions", queryset=ScreenshotVersion.objects.select_related("uploaded_by").order_by("-number"))
    shots = {s.variant_id: s for s in step.screenshots.select_related("current", "variant").prefetch_related(versions)}
    failed_key = (failed.data.get("variant") or "") if failed is not None else None
    panels = []
    for variant in [None, *manual.variants.all()]:
        key = variant.pk if variant else None
        shot = shots.get(key)
        if shot is not None:
            shot.step = step
        panels.append({
            "variant": variant, "anchor": _shot_anchor(key), "shot": shot, "key": str(key or ""), "upload_errors": [],
            "figure": _figure(manual, shot, editable=True) if shot and shot.current_id else None,
            "versions": list(shot.versions.all()) if shot else [],
        })  # fmt: skip
    if failed is not None:  # the refused upload's errors go next to its form (an unknown environment: the first)
        panel = next((p for p in panels if p["key"] == failed_key), panels[0])
        panel["upload_errors"] = [error for errors in failed.errors.values() for error in errors]
    return panels


def _step_page(request, manual: Manual, form, step: Step | None = None, *, after: Step | None = None, failed=None, status=200):  # noqa: E501
    """The step editor: its words beside their preview (terms linked, problems listed), then its screenshots."""
    instruction = form["instruction"].value() or ""
    context = {
        "project": manual.project, "manual": manual, "step": step, "form": form, "after": after,
        "preview": render_linked_markdown(instruction, manual.project, request.user),
        "findings": lint(manual.project, instruction, request.user),
        "panels": _upload_panels(manual, step, failed) if step else [],
    }  # fmt: skip
    return render(request, "manuals/step_form.html", context, status=status)


@login_required
def step_add(request, code, pk):
    """A new step at the end, or right after ``?after=<step id>``."""
    manual = manual_for(request, code, pk, CHANGE)
    after_id = request.POST.get("after") or request.GET.get("after") or ""
    after = manual.steps.filter(pk=int(after_id)).first() if _is_id(after_id) else None
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step = services.step_add(actor=request.user, manual=manual, after=after, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The step is added. Now add its screenshot: paste it (Ctrl+V), drop it, or choose the file."))  # fmt: skip
            return redirect(_step_url(step, "screenshots"))
    return _step_page(request, manual, form, after=after)


@login_required
def step_edit(request, code, pk, step_pk):
    step = _step(request, code, pk, step_pk)
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_update(actor=request.user, step=step, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The step is saved."))
            return redirect(_detail_url(step.manual, f"step-{step.pk}"))
    return _step_page(request, step.manual, form, step)


@require_POST
@login_required
def step_preview(request, code, pk, step_pk):
    """The live preview (htmx): the instruction as readers will see it, dictionary terms linked, problems listed."""
    step = _step(request, code, pk, step_pk)
    form = PreviewForm(request.POST)
    text = form.cleaned_data["instruction"] if form.is_valid() else ""
    project = step.manual.project
    context = {"preview": render_linked_markdown(text, project, request.user), "findings": lint(project, text, request.user), "errors": error_sentences(form)}  # fmt: skip
    return render(request, "manuals/_authoring_preview.html", context)


@require_POST
@login_required
def step_duplicate(request, code, pk, step_pk):
    step = _step(request, code, pk, step_pk)
    try:
        copy = services.step_duplicate(actor=request.user, step=step)
    except ValidationError as error:
        _error(request, error)
        return redirect(_detail_url(step.manual, f"step-{step.pk}"))
    messages.success(request, _("The step is copied, with its screenshots and annotations, right after the original."))
    return redirect(_detail_url(step.manual, f"step-{copy.pk}"))


@require_POST
@login_required
def step_delete(request, code, pk, step_pk):
    step = _step(request, code, pk, step_pk)
    try:
        services.step_delete(actor=request.user, step=step)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The step “%(title)s” is deleted. Published editions keep it.") % {"title": step.title})
    return redirect(_detail_url(step.manual, "steps"))


def _move(request, code, pk, step_pk, delta: int):
    step = _step(request, code, pk, step_pk)
    try:
        services.step_move(actor=request.user, step=step, delta=delta)
    except ValidationError as error:
        _error(request, error)
    return redirect(_detail_url(step.manual, f"step-{step.pk}"))


@require_POST
@login_required
def step_up(request, code, pk, step_pk):
    return _move(request, code, pk, step_pk, -1)


@require_POST
@login_required
def step_down(request, code, pk, step_pk):
    return _move(request, code, pk, step_pk, +1)


@require_POST
@login_required
def steps_reorder(request, code, pk):
    """Drag and drop (editor.js posts ``order=<id>&order=…`` with HX-Request): 204, or 409 with the reason."""
    manual = manual_for(request, code, pk, CHANGE)
    order = request.POST.getlist("order")
    try:
        if not all(_is_id(value) for value in order):
            raise ValidationError(_("The new order could not be read. Reload the page and try again."))
        services.steps_reorder(actor=request.user, manual=manual, order=[int(value) for value in order])
    except ValidationError as error:
        if request.htmx:
            return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain; charset=utf-8")
        _error(request, error)
    else:
        if request.htmx:
            return HttpResponse(status=204)
        messages.success(request, _("The steps are in their new order."))
    return redirect(_detail_url(manual, "steps"))


# --- screenshots --------------------------------------------------------------------------------------------------


@require_POST
@login_required
def screenshot_upload(request, code, pk, step_pk):
    """Add or replace the picture of a step in one environment (pasted, dropped or chosen)."""
    step = _step(request, code, pk, step_pk)
    form = ScreenshotUploadForm(request.POST, request.FILES, manual=step.manual)
    if form.is_valid():
        variant = form.cleaned_data["variant"]
        try:
            version = services.screenshot_upload(actor=request.user, step=step, variant=variant, file=form.cleaned_data["image"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if version.state in BLOCKING_STATES:
                messages.success(request, _("Uploaded; it is being compared with the published picture."))
            else:
                messages.success(request, _("Screenshot saved."))
            return redirect(_step_url(step, _shot_anchor(variant.pk if variant else None)))
    return _step_page(request, step.manual, StepForm(instance=step), step, failed=form, status=422)


@require_POST
@login_required
def screenshot_annotate(request, code, pk, shot_pk):
    shot = _screenshot(request, code, pk, shot_pk)
    form = AnnotationsForm(request.POST)
    if form.is_valid():
        try:
            services.screenshot_annotate(actor=request.user, screenshot=shot, shapes=form.cleaned_data["annotations"])
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("The annotations are saved."))
    else:
        messages.error(request, error_sentences(form))
    return redirect(_step_url(shot.step, _shot_anchor(shot.variant_id)))


@require_POST
@login_required
def screenshot_delete(request, code, pk, shot_pk):
    shot = _screenshot(request, code, pk, shot_pk)
    try:
        services.screenshot_delete(actor=request.user, screenshot=shot)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The screenshot for %(variant)s is removed.") % {"variant": shot.variant or _("all environments")})  # fmt: skip
    return redirect(_step_url(shot.step, _shot_anchor(shot.variant_id)))
