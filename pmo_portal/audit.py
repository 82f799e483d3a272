"""Writing the audit trail. Services call :func:`record` once per state change."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .middleware import current_request_context
from .models import AuditEvent


def snapshot(obj: models.Model, fields) -> dict:
    """A JSON-friendly summary of ``fields`` of ``obj`` for the before/after columns."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose value differs, so the trail shows what actually changed."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(*, actor, verb: str, obj: models.Model | None = None, project=None, before=None, after=None) -> AuditEvent:
    """Append one event. The request id and client address come from the current request, if any."""
    context = current_request_context()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        project=project,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before or {},
        after=after or {},
        ip=context.ip,
        request_id=context.request_id,
    )
