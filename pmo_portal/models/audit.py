"""Cross-cutting models every app uses."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEvent.Immutable(_("Audit events cannot be changed."))

    def delete(self):
        raise AuditEvent.Immutable(_("Audit events cannot be deleted."))

    def visible_to(self, user):
        """PMO staff, client PMs and security officers read the trail of their projects; superusers all of it."""
        from projects.models import Role

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            project__memberships__user=user,
            project__memberships__role__in=[Role.PMO, Role.CLIENT_PM, Role.SECURITY],
        )


# What each verb means, in words people read on the audit page. Apps add theirs as they come.
VERB_LABELS = {
    "auth.login": _("signed in"),
    "auth.logout": _("signed out"),
    "auth.login_failed": _("failed to sign in"),
    "auth.locked_out": _("was locked out after too many attempts"),
    "auth.two_factor_enabled": _("turned on two-factor sign-in"),
    "auth.two_factor_disabled": _("turned off two-factor sign-in"),
    "auth.two_factor_failed": _("typed a wrong two-factor code"),
    "auth.password_changed": _("changed their password"),
    "auth.password_reset": _("set a new password through an e-mailed link"),
    "auth.invitation_accepted": _("accepted the invitation and chose a password"),
    "user.preferences": _("changed their settings"),
    "project.create": _("created the project"),
    "project.update": _("changed the project"),
    "membership.invite": _("added a member"),
    "membership.change": _("changed a member's role"),
    "membership.remove": _("removed a member"),
    "user.notification_preferences": _("changed how they are notified"),
    "signoff.request": _("asked for a sign-off"),
    "signoff.approve": _("signed off"),
    "signoff.reject": _("rejected a sign-off request"),
    "access.system_create": _("added a target system"),
    "access.system_update": _("changed a target system"),
    "access.level_create": _("added a permission level"),
    "access.level_update": _("changed a permission level"),
    "access.contract_create": _("added a vendor contract"),
    "access.contract_update": _("changed a vendor contract"),
    "access.contract_end": _("ended a vendor contract"),
    "access.person_add": _("listed a vendor person"),
    "access.person_remove": _("removed a vendor person"),
    "access.delegation_grant": _("delegated authority over vendor access"),
    "access.delegation_revoke": _("revoked a delegation of authority"),
    "access.request_create": _("drafted an access request"),
    "access.request_update": _("changed an access request"),
    "access.request_submit": _("submitted an access request"),
    "access.request_withdraw": _("withdrew an access request"),
    "access.request_send_back": _("sent an access request back"),
    "access.request_forward": _("reviewed an access request"),
    "access.request_approve": _("approved an access request"),
    "access.request_reject": _("rejected an access request"),
    "access.request_provision": _("provisioned an access request"),
    "access.grant_provision": _("created an account on a target system"),
    "access.grant_extend": _("extended an account"),
    "access.grant_revocation_ask": _("asked for an account to be revoked"),
    "access.grant_revoke": _("confirmed an account was revoked"),
    "access.grant_expire": _("access expired"),
    "access.grant_removal_confirm": _("confirmed an expired account was removed"),
    "access.review_start": _("started an access review"),
    "access.review_keep": _("kept an access in a review"),
    "access.review_revoke": _("revoked an access in a review"),
    "access.review_complete": _("completed an access review"),
    "access.reconcile": _("reconciled a system's accounts"),
    "access.grants_export": _("downloaded the list of active access"),
}


class AuditEvent(models.Model):
    """One thing somebody did. Append-only: the ORM refuses changes, and so does the database (a trigger)."""

    class Immutable(Exception):
        pass

    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,  # deactivate people; never erase who did what
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("what"), max_length=64, db_index=True)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.Immutable(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.Immutable(_("Audit events cannot be deleted."))

    @property
    def verb_label(self):
        return VERB_LABELS.get(self.verb, self.verb)
