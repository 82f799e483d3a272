"""Screens for PDF exports: start one, watch it (htmx polling), list mine, download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import exports
from .http import paginate
from .models import ExportJob, ExportStatus
from .permissions import require_perm


def _kind_or_404(kind: str) -> exports.ExportKind:
    spec = exports.registry.get(kind)
    if spec is None:
        raise Http404
    return spec


@require_POST
@login_required
def export_start(request, kind, object_id):
    spec = _kind_or_404(kind)
    obj = get_object_or_404(spec.visible(request.user), pk=object_id)
    require_perm(request.user, spec.permission, obj)
    job = exports.export_request(actor=request.user, kind=kind, obj=obj, language=request.POST.get("language", ""))
    if request.htmx:
        return render(request, "exports/_status.html", {"job": job})
    return redirect("exports:detail", pk=job.pk)


@require_GET
@login_required
def export_list(request):
    jobs = ExportJob.objects.visible_to(request.user).select_related("project")
    page = paginate(request, jobs, 25)
    return render(request, "exports/list.html", {"page": page})


@require_GET
@login_required
def export_detail(request, pk):
    job = get_object_or_404(ExportJob.objects.visible_to(request.user).select_related("project"), pk=pk)
    template = "exports/_status.html" if request.htmx else "exports/detail.html"
    return render(request, template, {"job": job})


@require_GET
@login_required
def export_download(request, pk):
    job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk, status=ExportStatus.DONE)
    # The document's own permission is checked again: access lost since the export means no download.
    spec = _kind_or_404(job.kind)
    obj = get_object_or_404(spec.visible(request.user), pk=job.object_id)
    require_perm(request.user, spec.permission, obj)
    filename = f"{job.title[:80]}.pdf".replace("/", "_")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
