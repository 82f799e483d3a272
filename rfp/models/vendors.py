"""Vendors and an issued RFP: invitations, their questions and the published answers, their sealed proposals.

A vendor sees only what concerns its own company: its questions, the answers published to every invited vendor
(never who asked), and its own proposal. Proposals stay sealed until the deadline has passed and the PMO opens
them.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import FULL_VIEW_ROLES, Membership, Role

from .document import Rfp, RfpVersion, _text


def _full_view(user, project_field="rfp__project"):
    return Exists(Membership.objects.of_row(user, roles=FULL_VIEW_ROLES, project_field=project_field))


def _own_vendor(user, project_field="rfp__project"):
    """The outer row belongs to the vendor company ``user`` works for in that project."""
    return Exists(Membership.objects.of_row(user, roles=[Role.VENDOR], project_field=project_field).filter(organization=OuterRef("vendor")))  # fmt: skip


class VendorRowQuerySet(models.QuerySet):
    """PMO, client PM and security see every vendor's rows; a vendor its own company's only."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(_full_view(user) | _own_vendor(user))


class Invitation(models.Model):
    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="invitations")
    vendor = models.ForeignKey("accounts.Organization", verbose_name=_("vendor company"), on_delete=models.PROTECT, related_name="rfp_invitations")  # fmt: skip
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    objects = VendorRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["vendor__name"]
        constraints = [models.UniqueConstraint(fields=["rfp", "vendor"], name="invitation_once_per_vendor", violation_error_message=_("This company is already invited."))]  # fmt: skip

    def __str__(self):
        return str(self.vendor)


class AnswerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """PMO, client PM and security: every answer, drafts included. Invited vendors: published answers."""
        if not user.is_authenticated:
            return self.none()
        from .document import invited_vendor

        return self.filter(_full_view(user) | (Q(published_at__isnull=False) & Exists(invited_vendor(user, "rfp"))))


class Answer(models.Model):
    """The PMO's answer to one or more vendor questions, published to every invited vendor without the asker."""

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="answers")
    question_summary = models.TextField(_("the question, as all vendors will read it"), max_length=5_000, validators=_text(5_000), help_text=_("Rewrite it without anything that shows who asked."))  # fmt: skip
    text = models.TextField(_("answer"), max_length=10_000, validators=_text(10_000))
    changes_rfp = models.BooleanField(_("this answer changes the RFP"), default=False, help_text=_("Publishing it then issues an addendum: the RFP as you have edited it, with this answer in its change log."))  # fmt: skip
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    addendum = models.ForeignKey(RfpVersion, verbose_name=_("addendum"), on_delete=models.PROTECT, null=True, blank=True, related_name="answers")  # fmt: skip

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.question_summary[:80]


class VendorQuestion(models.Model):
    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="vendor_questions")
    vendor = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("your question"), max_length=5_000, validators=_text(5_000))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.ForeignKey(Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions")

    objects = VendorRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor question")
        verbose_name_plural = _("vendor questions")
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["rfp", "vendor", "asked_at"], name="vendorquestion_rfp_vendor")]

    def __str__(self):
        return self.text[:80]


def proposal_upload_to(instance, filename):
    """Random stored names: the vendor's file name is kept in ``file_name`` for display only."""
    return f"proposals/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.pdf"


class Proposal(models.Model):
    """A vendor's proposal: one PDF per invited company, replaceable until the deadline, sealed until opened."""

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="proposals")
    vendor = models.ForeignKey("accounts.Organization", verbose_name=_("vendor company"), on_delete=models.PROTECT, related_name="+")  # fmt: skip
    file = models.FileField(upload_to=proposal_upload_to, max_length=200)
    file_name = models.CharField(_("file"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)  # what the vendor sent, checkable later
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("received at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    objects = VendorRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["vendor__name"]
        constraints = [
            models.UniqueConstraint(fields=["rfp", "vendor"], name="proposal_one_per_vendor"),
            models.CheckConstraint(condition=Q(opened_at__isnull=True, opened_by__isnull=True) | Q(opened_at__isnull=False, opened_by__isnull=False), name="proposal_opened_has_who"),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.vendor} — {self.file_name}"

    @property
    def is_sealed(self) -> bool:
        return self.opened_at is None
