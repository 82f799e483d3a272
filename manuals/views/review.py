"""Confirming a changed screenshot (old and new side by side, as an overlay, with a slider), its pictures, and the
manual's way to readers: submit for review, publish an edition, the draft's PDF, "still right".

Every picture of the working copy is for project insiders only (PMO, client PM, security): readers read the
blurred copies of an edition (``reading.edition_image``), vendors and other projects get a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal import exports
from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.permissions import require_perm
from rfp.markdown import render_markdown

from .. import services
from ..annotations import image_context
from ..forms.review import PublishForm, VersionConfirmForm, VersionRejectForm
from ..models import Band, Manual, ScreenshotVersion, VersionState
from .common import manual_for, part_of

OTHER_VERSIONS = 50


def png_response(name: str) -> FileResponse:
    """A stored PNG shown in the page (never downloaded, never sniffed as anything else, never in a shared cache)."""
    if not name:
        raise Http404
    try:
        stored = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(stored, content_type="image/png")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response


def _version(request, code, pk, version_pk, perm="manuals.view_working_copy") -> tuple[Manual, ScreenshotVersion]:
    manual = manual_for(request, code, pk, perm)
    queryset = ScreenshotVersion.objects.select_related("screenshot__step", "screenshot__variant", "compared_to", "uploaded_by", "decided_by")  # fmt: skip
    version = part_of(request, manual, queryset, manual_field="screenshot__step__manual", pk=version_pk)
    version.screenshot.step.manual = manual  # the rules and the templates reach the manual through the version
    return manual, version


def _touched_labels(annotations: list, touched: list) -> list[str]:
    """How the page names the annotations a changed region lies on: "callout 1" by its number, arrows and boxes by
    their order among their own kind ("arrow 1" is the first arrow drawn)."""
    ordinals, seen = {}, {}
    for index, shape in enumerate(annotations):
        kind = shape.get("type")
        seen[kind] = seen.get(kind, 0) + 1
        ordinals[index] = seen[kind]
    labels = []
    for index in touched:
        if not isinstance(index, int) or not 0 <= index < len(annotations):
            continue
        shape = annotations[index]
        if shape.get("type") == "callout":
            labels.append(_("callout %(number)s") % {"number": shape.get("n")})
        elif shape.get("type") == "arrow":
            labels.append(_("arrow %(number)s") % {"number": ordinals[index]})
        else:
            labels.append(_("box %(number)s") % {"number": ordinals[index]})
    return labels


def _version_context(request, manual, version, *, confirm_form=None, reject_form=None) -> dict:
    shot = version.screenshot
    url = lambda name, v: reverse(f"manuals:{name}", kwargs={"code": manual.project.code, "pk": manual.pk, "version": v.pk})  # noqa: E731  # fmt: skip
    can_decide = version.state == VersionState.AWAITING and request.user.has_perm("manuals.confirm_screenshot", version)
    others = shot.versions.exclude(pk=version.pk).select_related("uploaded_by", "decided_by").order_by("-number")[:OTHER_VERSIONS]  # fmt: skip
    return {
        "project": manual.project, "manual": manual, "version": version, "shot": shot, "step": shot.step, "instruction": render_markdown(shot.step.instruction), "old": version.compared_to,
        "new_url": url("version_image", version), "old_url": url("version_image", version.compared_to) if version.compared_to else "",
        "overlay_url": url("version_overlay", version) if version.overlay else "",
        "figure": image_context(src=url("version_image", version), width=version.width, height=version.height, shapes=shot.annotations, alt=shot.step.title, show_blur=True, uid=f"v{version.pk}"),  # noqa: E501  # fmt: skip
        "regions": [dict(zip(("x", "y", "w", "h"), region, strict=False)) for region in version.regions if len(region) == 4],
        "touched": _touched_labels(shot.annotations, version.touched), "layout": version.band == Band.LAYOUT,
        "can_decide": can_decide, "others": others, "can_edit": request.user.has_perm("manuals.change_manual", manual),
        "confirm_form": confirm_form or (VersionConfirmForm() if can_decide else None),
        "reject_form": reject_form or (VersionRejectForm() if can_decide else None),
    }  # fmt: skip


@require_GET
@login_required
def version_detail(request, code, pk, version):
    manual, version = _version(request, code, pk, version)
    return render(request, "manuals/version_detail.html", _version_context(request, manual, version))


@require_GET
@login_required
def version_image(request, code, pk, version):
    """The picture as uploaded (blur boxes not applied: the editor shows them hatched): insiders only. A reader of
    the manual gets a 404 as for any part of the working copy (``part_of``), not a 403."""
    _manual, version = _version(request, code, pk, version, perm="manuals.view_manual")
    return png_response(version.image.name)


@require_GET
@login_required
def version_overlay(request, code, pk, version):
    _manual, version = _version(request, code, pk, version, perm="manuals.view_manual")
    return png_response(version.overlay.name)


def _decide(request, code, pk, version_pk, form_class, decide):
    manual, version = _version(request, code, pk, version_pk)
    require_perm(request.user, "manuals.confirm_screenshot", version)  # the uploader, security: 403 before the form
    form = form_class(request.POST)
    if form.is_valid():
        try:
            version = decide(version, form.cleaned_data)
        except AlreadyDecided as error:
            return _already_decided(request, manual, version, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return render(request, "manuals/_review_decision.html", _version_context(request, manual, version))
            messages.success(request, _("Thank you. Your decision is saved: %(decision)s.") % {"decision": version.get_decision_display()})  # fmt: skip
            return redirect(version.get_absolute_url())
    forms_ = {"confirm_form": form} if form_class is VersionConfirmForm else {"reject_form": form}
    context = _version_context(request, manual, version, **forms_)
    return render(request, "manuals/_review_decision.html" if request.htmx else "manuals/version_detail.html", context, status=422)  # fmt: skip


def _already_decided(request, manual, version, error):
    """Someone else was quicker: say so (409 for htmx), never a 500."""
    notice = " ".join(error.messages)
    version.refresh_from_db()
    if request.htmx:
        return render(request, "manuals/_review_decision.html", {**_version_context(request, manual, version), "notice": notice}, status=409)  # fmt: skip
    messages.warning(request, notice)
    return redirect(version.get_absolute_url())


@require_POST
@login_required
def version_confirm(request, code, pk, version):
    confirm = lambda v, data: services.version_confirm(actor=request.user, version=v, decision=data["decision"], comment=data["comment"])  # noqa: E731, E501  # fmt: skip
    return _decide(request, code, pk, version, VersionConfirmForm, confirm)


@require_POST
@login_required
def version_reject(request, code, pk, version):
    reject = lambda v, data: services.version_reject(actor=request.user, version=v, comment=data["comment"])  # noqa: E731  # fmt: skip
    return _decide(request, code, pk, version, VersionRejectForm, reject)


# --- the manual's way to readers ------------------------------------------------------------------------------


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def manual_submit(request, code, pk):
    manual = manual_for(request, code, pk, "manuals.change_manual")
    try:
        services.manual_submit(actor=request.user, manual=manual)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("The manual is sent for review. The reviewer is told."))
    return redirect(manual.get_absolute_url())


@require_POST
@login_required
def manual_publish(request, code, pk):
    manual = manual_for(request, code, pk, "manuals.change_manual")
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect(manual.get_absolute_url())
    try:
        edition = services.manual_publish(actor=request.user, manual=manual, note=form.cleaned_data["note"])
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Edition %(number)s is published. Its readers are told; its PDF is being prepared.") % {"number": edition.number})  # fmt: skip
    return redirect(manual.get_absolute_url())


@require_POST
@login_required
def manual_export(request, code, pk):
    """The working copy as a PDF, for reading on paper; refused while a screenshot waits."""
    manual = manual_for(request, code, pk)
    blockers = services.publish_blockers(manual)
    if blockers:
        messages.error(request, _("The manual cannot be exported yet:"))
        for blocker in blockers:
            messages.error(request, blocker)
        return redirect(manual.get_absolute_url())
    job = exports.export_request(actor=request.user, kind="manual", obj=manual, language=manual.language)
    return redirect("exports:detail", pk=job.pk)


@require_POST
@login_required
def manual_reviewed(request, code, pk):
    manual = manual_for(request, code, pk, "manuals.change_manual")
    try:
        services.manual_mark_reviewed(actor=request.user, manual=manual)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Marked as reviewed: the manual still matches today's screens."))
    return redirect(manual.get_absolute_url())
