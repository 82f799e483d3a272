"""Notifications (the bell), each person's delivery choice per kind, and the record of sent reminders.

A notification stores its *kind* and a few parameters, never a finished sentence: the sentence is
written when someone reads it, in that reader's language (see ``pmo_portal.notifications``).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IN_APP = "in_app", _("In the portal only")
    IMMEDIATE = "immediate", _("In the portal and by e-mail at once")
    DIGEST = "digest", _("In the portal and in a daily e-mail digest")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Notifications are private: each person sees only their own."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something happened that one person should know about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)  # a key of pmo_portal.notifications registry
    params = models.JSONField(default=dict, blank=True)  # filled into the kind's sentence when shown
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("about"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)  # a path on this site
    # How it was to be delivered when it was created (the recipient's choice at that moment).
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.IN_APP)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    digested_at = models.DateTimeField(_("in a digest at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list page and the bell's five newest.
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            # The bell's unread count.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # The daily digest's claim.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(delivery="digest", digested_at__isnull=True),
                name="notification_digest_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(delivery__in=Delivery.values), name="notification_delivery_valid"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def sentence(self) -> str:
        """What happened, in one sentence of the active language."""
        from pmo_portal.notifications import render_sentence

        return render_sentence(self.kind, self.params)


class NotificationPreference(models.Model):
    """How one person wants one kind of notification. Without a row, the kind's default applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=64)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_one_per_kind"),
            models.CheckConstraint(condition=Q(delivery__in=Delivery.values), name="notification_preference_delivery_valid"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.delivery}"


class SentReminder(models.Model):
    """A reminder that went out. The unique key makes a second beat, a retry or a second worker send nothing."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self):
        return self.key
