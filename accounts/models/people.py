import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_single_line


class OrganizationKind(models.TextChoices):
    CLIENT = "client", _("Client")
    PMO = "pmo", _("PMO firm")
    VENDOR = "vendor", _("Vendor")


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organizations that take part in a project the user belongs to, and the user's own."""
        if not user.is_authenticated:
            return self.none()
        from projects.models import Membership

        mine = Membership.objects.visible_to(user)
        return self.filter(
            models.Q(pk=user.organization_id)
            | models.Q(pk__in=mine.values("organization"))
            | models.Q(client_projects__memberships__user=user)
            | models.Q(pmo_projects__memberships__user=user)
        ).distinct()


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=10, choices=OrganizationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=OrganizationKind.values), name="organization_kind_valid"),
        ]

    def __str__(self):
        return self.name


TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz or tz == "UTC"]


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Sign in with the user name or, failing that, the e-mail address (any letter case).
        try:
            return self.get(username=username)
        except self.model.DoesNotExist:
            return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in. What they may do depends on their role in each project (projects.Membership)."""

    display_name = models.CharField(
        _("display name"), max_length=150, blank=True, validators=[validate_single_line],
        help_text=_("How your name appears to others, e.g. 山田 花子."),
    )  # fmt: skip
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="people",
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Asia/Tokyo")

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="user_email_unique_ci", condition=~models.Q(email=""),
                violation_error_message=_("Another account already uses this e-mail address."),
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_pmo_staff(self) -> bool:
        """Works for a PMO firm: may create projects."""
        return self.organization_id is not None and self.organization.kind == OrganizationKind.PMO
