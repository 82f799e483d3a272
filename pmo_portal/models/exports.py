"""Export jobs: a PDF of any registered document, produced by a Celery worker.

The row is the truth, the broker only a doorbell (DESIGN.md §2): a job is saved in the user's
transaction, its task is sent on commit, a periodic sweep re-sends jobs nobody picked up or whose
worker died, and the task claims the row with a conditional update so that a second delivery
does nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People see their own exports (downloads check the document's permission again)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)


class ExportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("document kind"), max_length=64)  # a key of pmo_portal.exports.registry
    object_id = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=300)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="exports")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("what went wrong"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["status", "lease_until"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ExportStatus.values), name="exportjob_status_valid"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="exportjob_progress_percent"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_language_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def file_name(self) -> str:
        """Deterministic: a retry overwrites its own earlier attempt, never another job's file."""
        return f"exports/{self.id}.pdf"
