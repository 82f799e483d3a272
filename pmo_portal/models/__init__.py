"""The portal's cross-cutting models, one module each."""

from .audit import VERB_LABELS, AuditEvent, AuditEventQuerySet
from .exports import ExportJob, ExportStatus
from .notifications import Delivery, Notification, NotificationPreference, NotificationQuerySet, SentReminder

__all__ = [
    "VERB_LABELS", "AuditEvent", "AuditEventQuerySet", "ExportJob", "ExportStatus",
    "Delivery", "Notification", "NotificationPreference", "NotificationQuerySet", "SentReminder",
]
