"""The badges of vendor access: a permission level's risk and a request's status.

Simple tags rather than included templates: a list page shows a few per row, and an ``{% include %}`` costs
a context push and a template render each time (on the request list, 150 of them a page). Labels come from the
choices' enums: a model's ``get_FOO_display()`` rebuilds its field's choices on every call.
"""

from django import template
from django.utils.html import format_html

from ..models import RequestKind, RequestStatus, Risk

register = template.Library()

RISK_LABELS = dict(Risk.choices)
RISK_CLASSES = {4: "text-bg-danger", 3: "text-bg-warning", 2: "text-bg-info", 1: "text-bg-success"}
STATUS_CLASSES = {
    "provisioned": "text-bg-success",
    "approved": "text-bg-success",
    "rejected": "text-bg-secondary",
    "withdrawn": "text-bg-secondary",
    "returned": "text-bg-light border",
    "draft": "text-bg-light border",
}


@register.simple_tag
def risk_badge(risk: int):
    """A risk (1 low to 4 critical: a permission level's, a delegation's ceiling), coloured and named."""
    css = RISK_CLASSES[4] if risk >= 4 else RISK_CLASSES.get(risk, RISK_CLASSES[1])
    return format_html('<span class="badge {}" data-testid="risk">{}</span>', css, RISK_LABELS.get(risk, risk))


@register.simple_tag
def request_status_badge(access_request):
    """Where an access request stands; waiting steps are yellow."""
    status = access_request.status
    return format_html(
        '<span class="badge {}" data-testid="request-status" data-status="{}">{}</span>',
        STATUS_CLASSES.get(status, "text-bg-warning"), status, RequestStatus(status).label,
    )  # fmt: skip


@register.filter
def request_kind(kind: str) -> str:
    """A request's kind in words: ``get_kind_display()`` without rebuilding the choices each row."""
    return RequestKind(kind).label
