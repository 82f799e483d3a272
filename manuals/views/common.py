"""Fetching a manual and its parts for a view: invisible is 404, visible but not allowed is 403 (DESIGN.md §4).
And helpers for pages with many steps: links built without a reverse() per row, steps and pictures rendered once."""

import json
from collections.abc import Callable
from functools import lru_cache

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from pmo_portal.permissions import get_visible_or_404, require_perm
from projects.models import Project
from projects.rules import remember_role

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
    manual = Manual.objects.select_related("project__client").visible_one(request.user, project__code=code, pk=pk)
    if manual is None:
        raise Http404
    remember_role(request.user, manual.project, manual.role_of_viewer)
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


def url_maker(viewname: str, slot: str, **kwargs) -> Callable[[int], str]:
    """``reverse(viewname, kwargs={**kwargs, slot: value})`` for any integer ``value``, reversed twice in all
    instead of once per row of a long page: the URLs differ only in the number (``<int:…>`` prints it as is)."""
    one, two = (reverse(viewname, kwargs={**kwargs, slot: n}) for n in (1, 2))
    cut = next(i for i, (a, b) in enumerate(zip(one, two, strict=True)) if a != b)
    prefix, suffix = one[:cut], one[cut + 1 :]
    if one[cut] != "1" or two != f"{prefix}2{suffix}":  # pragma: no cover (a URL the number does not end)
        return lambda value: reverse(viewname, kwargs={**kwargs, slot: value})
    return lambda value: f"{prefix}{int(value)}{suffix}"


FIGURE_TEMPLATE = "manuals/_annotated_image.html"


def render_figure(context: dict) -> SafeString:
    """``manuals/_annotated_image.html`` rendered with ``context`` (annotations.image_context's). Its output depends on
    that context and the language alone, so each worker keeps the pictures it drew, keyed by both: a page of many
    screenshots draws each once, and a changed picture is a new key."""
    return mark_safe(_figure_html(get_language(), json.dumps(context, sort_keys=True, separators=(",", ":"))))  # noqa: S308  (auto-escaped template)


@lru_cache(maxsize=1024)
def _figure_html(language: str, context: str) -> str:
    return get_template(FIGURE_TEMPLATE).render(json.loads(context))  # in `language`: it is the active one
