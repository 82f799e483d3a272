"""Reading published editions: the latest one, the list of editions, the reader view (one step at a time, in the
reader's environment), its pictures (blurred where the PMO drew blur boxes) and PDF; "my screen looks different"
and the PMO's list of those reports.

Readers see only editions of manuals shared with them; everything here is a 404 for vendors and other projects.
The pictures served here are the edition's own copies, never the working copy's originals.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.models import ExportStatus
from pmo_portal.permissions import require_perm
from rfp.markdown import render_markdown

from .. import services
from ..annotations import image_context
from ..forms.review import ReportForm, ResolveForm
from ..models import Edition, ScreenReport
from ..registry import change_summary, describe_change
from .common import edition_for, manual_for
from .review import png_response

PAGE_SIZE = 25
VARIANT_SESSION_KEY = "manual_variant_{pk}"


# --- helpers --------------------------------------------------------------------------------------------------


def _variant(request, edition: Edition) -> dict | None:
    """The reader's environment: ``?variant=<id>`` (remembered per manual), else the remembered one, else the first."""
    variants = edition.snapshot.get("variants", [])
    by_id = {str(v["id"]): v for v in variants}
    key = VARIANT_SESSION_KEY.format(pk=edition.manual_id)
    asked = request.GET.get("variant", "")
    if asked in by_id:
        request.session[key] = asked
        return by_id[asked]
    return by_id.get(str(request.session.get(key, ""))) or (variants[0] if variants else None)


def _snapshot_step(edition: Edition, step_id: int) -> dict:
    step = next((s for s in edition.snapshot.get("steps", []) if s["id"] == step_id), None)
    if step is None:
        raise Http404
    return step


def _figure(edition: Edition, step: dict, variant: dict | None) -> dict | None:
    """The step's picture in this environment, as the edition keeps it (already blurred), with its annotations."""
    shot = edition.shot_for(step, variant["id"] if variant else "all")
    if shot is None:
        return None
    kwargs = {"code": edition.manual.project.code, "pk": edition.manual_id, "number": edition.number, "version": shot["version"]}  # fmt: skip
    return image_context(
        src=reverse("manuals:edition_image", kwargs=kwargs), width=shot["width"], height=shot["height"],
        shapes=shot.get("annotations", []), alt=f"{step['number']}. {step['title']}", show_blur=False, uid=f"s{step['number']}",
    )  # fmt: skip


def _step_number(request, count: int) -> int:
    try:
        number = int(request.GET.get("step", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), max(count, 1))


def _pdf_ready(edition: Edition) -> bool:
    return edition.export is not None and edition.export.status == ExportStatus.DONE and bool(edition.export.file)


# --- reading --------------------------------------------------------------------------------------------------


@require_GET
@login_required
def read_latest(request, code, pk):
    """The newest edition this person may read; an insider on a manual not yet published learns so (404)."""
    manual = manual_for(request, code, pk, "manuals.view_edition")
    latest = Edition.objects.visible_to(request.user).filter(manual=manual).order_by("-number").first()
    if latest is None:
        context = {"project": manual.project, "manual": manual, "page": paginate(request, Edition.objects.none(), PAGE_SIZE), "rows": [], "unpublished": True}  # fmt: skip
        return render(request, "manuals/edition_list.html", context, status=404)
    return redirect(latest.get_absolute_url())


@require_GET
@login_required
def edition_list(request, code, pk):
    manual = manual_for(request, code, pk, "manuals.view_edition")
    editions = Edition.objects.visible_to(request.user).filter(manual=manual).select_related("published_by", "export").order_by("-number")  # fmt: skip
    page = paginate(request, editions, PAGE_SIZE)
    rows = [(edition, change_summary(edition)) for edition in page.object_list]
    return render(request, "manuals/edition_list.html", {"project": manual.project, "manual": manual, "page": page, "rows": rows})  # fmt: skip


@require_GET
@login_required
def edition_detail(request, code, pk, number):
    """The reader view: one step at a time (Previous / Next), or every step (``?all=1``), in the reader's environment."""
    edition = edition_for(request, code, pk, number)
    manual = edition.manual
    variant = _variant(request, edition)
    steps = edition.snapshot.get("steps", [])
    show_all = request.GET.get("all") == "1"
    current = _step_number(request, len(steps))
    shown = steps if show_all else steps[current - 1 : current]
    context = {
        "project": manual.project, "manual": manual, "edition": edition, "variant": variant, "variants": edition.snapshot.get("variants", []),  # noqa: E501  # fmt: skip
        "steps": [{"step": s, "html": render_markdown(s.get("instruction", "")), "figure": _figure(edition, s, variant)} for s in shown],  # noqa: E501  # fmt: skip
        "count": len(steps), "current": current, "show_all": show_all,
        "previous": current - 1 if current > 1 else None, "next": current + 1 if current < len(steps) else None,
        "insider": request.user.has_perm("manuals.view_working_copy", manual),
        "changes": [(e["step"], e["title"], ", ".join(describe_change(w) for w in e["what"])) for e in edition.change_log],
        "pdf_ready": _pdf_ready(edition), "newer": manual.edition > edition.number,
    }  # fmt: skip
    return render(request, "manuals/edition_detail.html", context)


@require_GET
@login_required
def edition_image(request, code, pk, number, version):
    """A picture of this edition (blur boxes already burned in), only if that version is part of the edition."""
    edition = edition_for(request, code, pk, number)
    for step in edition.snapshot.get("steps", []):
        for shot in step.get("shots", {}).values():
            if shot.get("version") == version and shot.get("file"):
                return png_response(shot["file"])
    raise Http404


@require_GET
@login_required
def edition_pdf(request, code, pk, number):
    edition = edition_for(request, code, pk, number)
    if not _pdf_ready(edition):
        if edition.export is not None and edition.export.status == ExportStatus.FAILED:
            messages.warning(request, _("The PDF of this edition could not be made. The PMO team can make it again."))
        else:
            messages.info(request, _("The PDF of this edition is being prepared. Please try again in a minute."))
        return redirect(edition.get_absolute_url())
    try:
        stored = edition.export.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    filename = f"{edition.title[:80]} #{edition.number}.pdf".replace("/", "_")
    return FileResponse(stored, as_attachment=True, filename=filename, content_type="application/pdf")


# --- "my screen looks different" -----------------------------------------------------------------------------


@login_required
def report_create(request, code, pk, number, step_id):
    """A reader tells the PMO that their screen differs at a step, optionally with their own screenshot."""
    edition = edition_for(request, code, pk, number)
    require_perm(request.user, "manuals.report_screen", edition)
    step = _snapshot_step(edition, step_id)
    variant = _variant(request, edition)
    form = ReportForm(request.POST, request.FILES) if request.method == "POST" else ReportForm()
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["image"]
        try:
            services.report_create(actor=request.user, edition=edition, step_id=step["id"], variant_id=variant["id"] if variant else None, comment=form.cleaned_data["comment"], file=file)  # noqa: E501  # fmt: skip
        except ValidationError as error:
            if hasattr(error, "error_dict") or not file:
                add_service_errors(form, error)
            else:
                form.add_error("image", error)  # the picture was refused: say why next to it
        else:
            messages.success(request, _("Thank you — the PMO team has been told. They will look at this step."))
            return redirect(f"{edition.get_absolute_url()}?step={step['number']}")
    context = {"project": edition.manual.project, "manual": edition.manual, "edition": edition, "step": step, "variant": variant, "figure": _figure(edition, step, variant), "form": form}  # noqa: E501  # fmt: skip
    return render(request, "manuals/report_form.html", context, status=422 if request.method == "POST" else 200)


@require_GET
@login_required
def report_list(request, code, pk):
    """Readers' reports of this manual, open ones first; the PMO marks them dealt with."""
    manual = manual_for(request, code, pk)
    reports = (
        ScreenReport.objects.visible_to(request.user).filter(manual=manual)
        .select_related("reporter", "variant", "resolved_by", "edition")
        .order_by(F("resolved_at").desc(nulls_first=True), "-created_at", "-pk")
    )  # fmt: skip
    page = paginate(request, reports, PAGE_SIZE)
    can_resolve = request.user.has_perm("manuals.resolve_report", manual)
    rows = [(r, ResolveForm(report_pk=r.pk) if can_resolve and not r.resolved_at else None) for r in page.object_list]
    return render(request, "manuals/report_list.html", {"project": manual.project, "manual": manual, "page": page, "rows": rows})  # fmt: skip


@require_GET
@login_required
def report_image(request, code, pk, report_pk):
    """The reader's own screenshot: for the project's insiders, and the reader who sent it."""
    report = get_object_or_404(ScreenReport.objects.visible_to(request.user), manual__project__code=code, manual_id=pk, pk=report_pk)  # fmt: skip
    return png_response(report.image.name)


@require_POST
@login_required
def report_resolve(request, code, pk, report_pk):
    manual = manual_for(request, code, pk, "manuals.resolve_report")
    report = get_object_or_404(ScreenReport.objects.visible_to(request.user).filter(manual=manual).select_related("reporter", "variant", "edition"), pk=report_pk)  # fmt: skip
    form = ResolveForm(request.POST, report_pk=report.pk)
    notice, status = "", 200
    if not form.is_valid():
        notice, status = error_sentences(form), 422
    else:
        try:
            report = services.report_resolve(actor=request.user, report=report, resolution=form.cleaned_data["resolution"])  # fmt: skip
        except AlreadyDecided as error:
            notice, status = " ".join(error.messages), 409
            report.refresh_from_db()
        except ValidationError as error:
            notice, status = " ".join(error.messages), 422
    if request.htmx:
        row_form = form if status == 422 else None
        context = {"project": manual.project, "manual": manual, "report": report, "form": row_form, "notice": notice}
        return render(request, "manuals/_reading_report.html", context, status=status)
    if notice:
        (messages.warning if status == 409 else messages.error)(request, notice)
    else:
        messages.success(request, _("The report is marked as dealt with. The reader is told."))
    return redirect("manuals:reports", code=code, pk=pk)
