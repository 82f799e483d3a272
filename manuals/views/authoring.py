"""Writing a manual: the project's manuals and settings, a manual's overview (its steps in order and what stops it
from being published), its environments, and each step's words and screenshots with their annotations.

PMO staff write; the client PM and security read the overview; readers read published editions (reading.py);
vendors never learn that manuals exist (404).
"""

import json
from functools import cached_property, lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.templatetags.fragments import CSRF_TOKEN_PLACEHOLDER
from projects.models import FULL_VIEW_ROLES
from projects.rules import dictionary_view_key, role_in
from rfp.markdown import linked_preview, render_linked_markdown_many

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
from .common import manual_for, part_of, project_for, render_figure, url_maker

PAGE_SIZE = 25
CHANGE = "manuals.change_manual"
DEFAULT_ENVIRONMENTS = "Windows 10\nWindows 11"


# --- helpers ----------------------------------------------------------------------------------------------------


def _count(queryset):
    """How many rows of ``queryset`` (filtered on an OuterRef) there are, as a subquery: no join, no GROUP BY."""
    return Coalesce(Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField()), 0)  # fmt: skip


def _alt(step_title: str, variant_name: str | None) -> str:
    return _("Screenshot of step “%(step)s” (%(variant)s)") % {"step": step_title, "variant": variant_name if variant_name is not None else _("all environments")}  # fmt: skip


def _figure(manual: Manual, shot: Screenshot, *, editable: bool = False) -> dict:
    """The context of templates/manuals/_annotated_image.html for the screenshot's current picture."""
    version = shot.current
    src = reverse("manuals:version_image", kwargs={"code": manual.project.code, "pk": manual.pk, "version": version.pk})
    alt = _alt(shot.step.title, shot.variant.name if shot.variant else None)
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


def _step_links(manual: Manual) -> dict:
    """Builders of each step's links (and its pictures' and their reviews'), and the links every step shares: the
    overview of a 50-step manual shows some 350 of them, and a reverse() each cost more than drawing the rest."""
    kwargs = {"code": manual.project.code, "pk": manual.pk}
    step = {name: url_maker(f"manuals:{name}", "step_pk", **kwargs) for name in ("step_edit", "step_up", "step_down", "step_duplicate", "step_delete")}  # fmt: skip
    return {
        **step, "version": url_maker("manuals:version", "version", **kwargs), "image": url_maker("manuals:version_image", "version", **kwargs),  # fmt: skip
        "step_add": reverse("manuals:step_add", kwargs=kwargs), "reports": reverse("manuals:reports", kwargs=kwargs),
    }  # fmt: skip


# What the overview shows of a step's pictures (the current one of each environment): plain values, no objects.
_OVERVIEW_SHOT_FIELDS = ("pk", "step_id", "variant_id", "variant__name", "annotations", "current_id", "current__width", "current__height", "current__state", "current__touched")  # fmt: skip


def _step_rows(request, manual: Manual, links: dict, can_edit: bool) -> list[dict]:
    """The steps in order, each with its number, its current pictures that wait for a confirmation, and its card:
    its rendered text (terms linked), its pictures (drawn), what is wrong with it and its actions."""
    open_reports = Count("reports", filter=Q(reports__resolved_at__isnull=True))
    steps = list(manual.steps.annotate(open_reports=open_reports).order_by("position", "pk"))
    pictures = Screenshot.objects.filter(step__manual=manual, current__isnull=False).order_by(F("variant__position").asc(nulls_first=True), "variant__pk")  # fmt: skip
    shots_of = {}
    for shot in pictures.values(*_OVERVIEW_SHOT_FIELDS):
        shots_of.setdefault(shot["step_id"], []).append(shot)
    texts = render_linked_markdown_many([s.instruction for s in steps], manual.project, request.user)
    rows = []
    for number, (step, text) in enumerate(zip(steps, texts, strict=True), start=1):
        shots = shots_of.get(step.pk, ())
        waiting = sorted((_waiting_version(step, number, shot, links) for shot in shots if shot["current__state"] in BLOCKING_STATES), key=lambda v: v.pk)  # fmt: skip
        card = {
            "step_pk": step.pk, "number": number, "title": step.title, "language": manual.language, "text": text,
            "expected": step.expected, "needs_text_change": step.needs_text_change, "open_reports": step.open_reports,
            "moved": any(shot["current__touched"] for shot in shots if shot["current__state"] == VersionState.AWAITING),
            "waiting": tuple((v.review_url, v.state) for v in waiting),
            "pictures": tuple(
                (shot["variant__name"] if shot["variant_id"] else None, shot["pk"], links["image"](shot["current_id"]),
                 shot["current__width"], shot["current__height"], json.dumps(shot["annotations"]))
                for shot in shots
            ),  # fmt: skip
            "can_edit": can_edit, "first": number == 1, "last": number == len(steps),
            **{f"url_{name}": links[f"step_{name}"](step.pk) for name in ("edit", "up", "down", "duplicate", "delete")},
            "step_add_url": links["step_add"], "reports_url": links["reports"],
        }  # fmt: skip
        rows.append({
            "step": step, "number": number, "waiting": waiting, "edit_url": card["url_edit"],
            "card": mark_safe(_step_card(get_language(), tuple(card.items()))),  # noqa: S308  (an auto-escaped template's)
        })  # fmt: skip
    return rows


def _waiting_version(step: Step, number: int, shot: dict, links: dict) -> ScreenshotVersion:
    """A step's current picture that waits, as services.blocking_versions gives it (with its screenshot, step and
    environment), from what the overview has fetched already; with its step's number and where it is reviewed."""
    variant = Variant(pk=shot["variant_id"], name=shot["variant__name"]) if shot["variant_id"] else None
    version = ScreenshotVersion(pk=shot["current_id"], state=shot["current__state"], touched=shot["current__touched"])
    version.screenshot = Screenshot(pk=shot["pk"], step=step, variant=variant, annotations=shot["annotations"], current_id=version.pk)  # fmt: skip
    version.step_number, version.review_url = number, links["version"](version.pk)
    return version


@lru_cache(maxsize=1024)
def _step_card(language: str, card: tuple) -> str:
    """templates/manuals/_step_card.html of one step, with its pictures drawn. Its output depends on the card's values
    (plain, hashable) and the language alone: each worker keeps the cards it rendered, keyed by both, so a 50-step
    overview renders only the steps that changed since, and nothing kept can be stale."""
    context = dict(card)
    # Drawn inside the overview's {% fragment %}, which gives each answer its own token in place of this one.
    context["csrf_token"] = CSRF_TOKEN_PLACEHOLDER
    context["pictures"] = [
        (variant, render_figure(annotations.image_context(
            src=src, width=width, height=height, shapes=json.loads(shapes), alt=_alt(context["title"], variant),
            show_blur=True, uid=uid, extra_class="mb-0",
        )))
        for variant, uid, src, width, height, shapes in context["pictures"]
    ]  # fmt: skip
    return get_template("manuals/_step_card.html").render(context)


class _Overview:
    """What the overview shows below the project's header, fetched and drawn only when the page is drawn: it is
    kept per revision of the manual (templates/manuals/manual_detail.html), so most answers need none of it."""

    def __init__(self, request, manual: Manual, can_edit: bool):
        self.request, self.manual, self.can_edit = request, manual, can_edit

    @cached_property
    def links(self) -> dict:
        return _step_links(self.manual)

    @cached_property
    def rows(self) -> list[dict]:
        return _step_rows(self.request, self.manual, self.links, self.can_edit)

    @cached_property
    def waiting(self) -> list[ScreenshotVersion]:
        return [version for row in self.rows for version in row["waiting"]]  # services.blocking_versions, from the rows

    @cached_property
    def blockers(self) -> list[str]:
        return services.publish_blockers(self.manual, self.waiting, [row["step"] for row in self.rows])

    @cached_property
    def text_changes(self) -> list[dict]:
        return [row for row in self.rows if row["step"].needs_text_change]

    @cached_property
    def variants(self) -> list[Variant]:
        return list(self.manual.variants.all())

    @cached_property
    def open_reports(self) -> int:
        return self.manual.reports.filter(resolved_at__isnull=True).count()


@require_GET
@login_required
def manual_detail(request, code, pk):
    """The writer's overview: the steps in order, and everything that stops publishing, with where to fix it."""
    manual = manual_for(request, code, pk)
    can_edit = request.user.has_perm(CHANGE, manual)
    context = {
        "project": manual.project, "manual": manual, "can_edit": can_edit, "variant_form": VariantForm(),
        "overview": _Overview(request, manual, can_edit),
        # Everything the kept overview depends on besides the manual's parts (counted in its revision): the
        # dictionary its texts link to, as this person sees it, and what they may do. The creation time too:
        # SQLite may give a deleted manual's id to a new one.
        "view_key": (manual.pk, manual.created_at.isoformat(), manual.revision, *dictionary_view_key(request.user, manual.project), can_edit),  # noqa: E501
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
    preview, findings = linked_preview(form["instruction"].value() or "", manual.project, request.user)
    context = {
        "project": manual.project, "manual": manual, "step": step, "form": form, "after": after,
        "preview": preview, "findings": findings, "panels": _upload_panels(manual, step, failed) if step else [],
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
    preview, findings = linked_preview(text, project, request.user)
    context = {"preview": preview, "findings": findings, "errors": error_sentences(form)}
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
