"""Fetching a manual and its parts for a view: invisible is 404, visible but not allowed is 403 (DESIGN.md §4)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from pmo_portal.permissions import get_visible_or_404, require_perm
from projects.models import Project

from ..models import Edition, Manual


def project_for(request, code, perm="manuals.view_manuals") -> Project:
    """The project, if the user may see it and its manuals (404: an outsider; a vendor, who never learns that the
    project has manuals) and holds ``perm`` on it (403: a client PM or a reader on a PMO-only page)."""
    project = get_visible_or_404(Project, request.user, code=code)
    if not request.user.has_perm("manuals.view_manuals", project):
        raise Http404
    require_perm(request.user, perm, project)
    return project


def manual_for(request, code, pk, perm="manuals.view_working_copy") -> Manual:
    """The manual of this project, if the user may see it (404: a vendor, another project, a reader it is not
    shared with or before its first edition) and holds ``perm`` on it (403: a reader on the working copy)."""
    manual = get_object_or_404(Manual.objects.visible_to(request.user).select_related("project"), project__code=code, pk=pk)  # fmt: skip
    require_perm(request.user, perm, manual)
    return manual


def part_of(request, manual: Manual, queryset, manual_field: str = "manual", **lookup):
    """A part of the working copy (step, screenshot, version...) of this manual the user may see, or 404."""
    return get_object_or_404(queryset.visible_to(request.user).filter(**{manual_field: manual}), **lookup)


def edition_for(request, code, pk, number) -> Edition:
    """A published edition the user may read, or 404."""
    return get_object_or_404(
        Edition.objects.visible_to(request.user).select_related("manual__project", "published_by", "export"),
        manual__project__code=code, manual_id=pk, number=number,
    )  # fmt: skip
