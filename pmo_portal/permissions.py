"""Fetching objects for a view: invisible is 404, visible but not allowed is 403 (DESIGN.md §4)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def get_visible_or_404(model, user, **lookup):
    """The object if ``user`` may see it; otherwise a 404, as if it did not exist."""
    return get_object_or_404(model.objects.visible_to(user), **lookup)


def get_for_perm_or_403(model, user, perm: str, **lookup):
    """The object if ``user`` may see it and holds ``perm`` on it; 404 if invisible, 403 if read-only."""
    obj = get_visible_or_404(model, user, **lookup)
    if not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def require_perm(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied
