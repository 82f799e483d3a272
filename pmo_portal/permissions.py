"""Fetching objects for a view: invisible is 404, visible but not allowed is 403 (DESIGN.md §4)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def get_visible_or_404(model, user, **lookup):
    """The object if ``user`` may see it; otherwise a 404, as if it did not exist. Where the model can fetch the
    user's standing with the object in the same query (``with_viewer_role``), it does, for the permission checks."""
    objects = model.objects
    visible = objects.with_viewer_role(user) if hasattr(objects, "with_viewer_role") else objects.visible_to(user)
    return get_object_or_404(visible, **lookup)


def get_for_perm_or_403(model, user, perm: str, **lookup):
    """The object if ``user`` may see it and holds ``perm`` on it; 404 if invisible, 403 if read-only."""
    obj = get_visible_or_404(model, user, **lookup)
    if not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def require_perm(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied
