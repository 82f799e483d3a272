"""Fetching an RFP and its parts for a view: invisible is 404, visible but not allowed is 403 (DESIGN.md §4)."""

from django.shortcuts import get_object_or_404

from pmo_portal.permissions import get_for_perm_or_403, require_perm
from projects.models import Project, with_project_role
from projects.rules import remember_role

from ..models import Rfp


def project_for(request, code, perm="rfp.view_rfps") -> Project:
    """The project, if the user may see it (404) and holds ``perm`` on it (403)."""
    return get_for_perm_or_403(Project, request.user, perm, code=code)


def rfp_for(request, code, pk, perm="rfp.view_rfp") -> Rfp:
    """The RFP of this project, if the user may see it (404: a vendor before it is issued, another vendor's
    invitation, another project) and holds ``perm`` on it (403)."""
    visible = with_project_role(Rfp.objects.visible_to(request.user).select_related("project__client"), request.user)
    rfp = get_object_or_404(visible, project__code=code, pk=pk)
    remember_role(request.user, rfp.project, rfp.role_of_viewer)
    require_perm(request.user, perm, rfp)
    return rfp


def part_of(request, rfp: Rfp, queryset, **lookup):
    """A part of the RFP (section, requirement, question, proposal...) the user may see, or 404."""
    return get_object_or_404(queryset.visible_to(request.user).filter(rfp=rfp), **lookup)
