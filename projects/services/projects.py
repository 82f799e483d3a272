"""Every state change of projects, memberships and sign-off requests: one function each (DESIGN.md §4)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind
from pmo_portal import audit, notifications
from pmo_portal.emails import send_on_commit
from pmo_portal.inbox import AlreadyDecided

from ..models import Membership, Project, Role, SignOffRequest

User = get_user_model()

PROJECT_AUDIT_FIELDS = ("code", "name", "description", "phase", "start_date", "end_date", "default_language", "require_two_factor", "approval_reminder_days", "client")  # fmt: skip
MEMBERSHIP_AUDIT_FIELDS = ("user", "role", "organization")


def require_role(actor, project: Project, *roles: str, message: str | None = None) -> None:
    """Fresh check of the actor's role (not the per-request cache): a service decides on current data."""
    if not Membership.objects.filter(project=project, user=actor, role__in=roles).exists():
        raise PermissionDenied(message or _("Only PMO staff of this project can do this."))


def organization_for_role(*, project: Project, role: str, vendor: Organization | None) -> Organization:
    """PMO staff belong to the PMO firm, vendors to their vendor company, everyone else to the client."""
    if role == Role.VENDOR:
        if vendor is None or vendor.kind != OrganizationKind.VENDOR:
            raise ValidationError({"vendor": _("Choose the vendor company this person works for.")})
        return vendor
    return project.pmo_firm if role == Role.PMO else project.client


def organization_get_or_create(*, name: str, kind: str) -> Organization:
    """Find an organization by exact name, or create it. A name already used by another kind is an error."""
    org, _created = Organization.objects.get_or_create(name=name.strip(), defaults={"kind": kind})
    if org.kind != kind:
        raise ValidationError(_("“%(name)s” is already registered, but not as a %(kind)s.") % {"name": org.name, "kind": OrganizationKind(kind).label})  # fmt: skip
    return org


# --- projects --------------------------------------------------------------------------------------------


def project_create(
    *, actor, client: Organization, code: str, name: str, start_date: date, end_date: date, **fields
) -> Project:
    """A PMO consultant opens a project for a client; they become its first PMO member."""
    if not actor.is_pmo_staff:
        raise PermissionDenied(_("Only PMO staff can create projects."))
    if client.kind != OrganizationKind.CLIENT:
        raise ValidationError({"client": _("Choose a client organization.")})
    with transaction.atomic():
        project = Project(client=client, pmo_firm=actor.organization, code=code, name=name, start_date=start_date, end_date=end_date, **fields)  # fmt: skip
        project.full_clean()
        project.save()
        Membership.objects.create(project=project, user=actor, role=Role.PMO, organization=actor.organization)
        audit.record(actor=actor, verb="project.create", obj=project, project=project, after=audit.snapshot(project, PROJECT_AUDIT_FIELDS))  # fmt: skip
    return project


def project_update(*, actor, project: Project, **changes) -> Project:
    """PMO staff edit a project's details; the trail keeps what changed."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        require_role(actor, project, Role.PMO)
        before = audit.snapshot(project, PROJECT_AUDIT_FIELDS)
        for name, value in changes.items():
            setattr(project, name, value)
        project.full_clean()
        project.save()
        before, after = audit.changed(before, audit.snapshot(project, PROJECT_AUDIT_FIELDS))
        if after:
            audit.record(actor=actor, verb="project.update", obj=project, project=project, before=before, after=after)
    return project


# --- memberships -----------------------------------------------------------------------------------------


def _invitation_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:invitation", kwargs={"uidb64": uid, "token": token})


def membership_invite(
    *, actor, project: Project, email: str, display_name: str, role: str, vendor: Organization | None = None
) -> Membership:
    """Add a person to the project by e-mail. Someone new gets an account and a link to choose a password."""
    email = email.strip().lower()
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        require_role(actor, project, Role.PMO)
        organization = organization_for_role(project=project, role=role, vendor=vendor)
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(username=email, email=email, display_name=display_name.strip(), organization=organization, language=project.default_language)  # fmt: skip
            user.set_unusable_password()
            user.full_clean()
            user.save()
        elif Membership.objects.filter(project=project, user=user).exists():
            raise ValidationError({"email": _("%(person)s is already a member of this project.") % {"person": user}})
        membership = Membership.objects.create(project=project, user=user, role=role, organization=organization, invited_by=actor)  # fmt: skip
        audit.record(actor=actor, verb="membership.invite", obj=membership, project=project, after=audit.snapshot(membership, MEMBERSHIP_AUDIT_FIELDS) | {"new_account": created})  # fmt: skip
        context = {"project": project, "inviter": actor, "membership": membership}
        if created:
            context["link"] = _invitation_link(user)
        send_on_commit(template="invitation" if created else "added_to_project", to=user.email, context=context, language=user.language)  # fmt: skip
    return membership


def _require_another_pmo(membership: Membership) -> None:
    others = Membership.objects.filter(project=membership.project, role=Role.PMO).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("A project needs at least one PMO member. Invite another PMO consultant first."))


def membership_change_role(*, actor, membership: Membership, role: str, vendor: Organization | None = None) -> Membership:
    """PMO staff change what a member does in the project."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
        require_role(actor, membership.project, Role.PMO)
        if membership.role == Role.PMO and role != Role.PMO:
            _require_another_pmo(membership)
        before = audit.snapshot(membership, MEMBERSHIP_AUDIT_FIELDS)
        membership.role = role
        membership.organization = organization_for_role(project=membership.project, role=role, vendor=vendor)
        membership.save(update_fields=["role", "organization"])
        before, after = audit.changed(before, audit.snapshot(membership, MEMBERSHIP_AUDIT_FIELDS))
        if after:
            audit.record(actor=actor, verb="membership.change", obj=membership, project=membership.project, before=before, after=after)  # fmt: skip
    return membership


def membership_remove(*, actor, membership: Membership) -> None:
    """PMO staff take a person off the project. Their account stays; their history stays."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
        require_role(actor, membership.project, Role.PMO)
        if membership.role == Role.PMO:
            _require_another_pmo(membership)
        audit.record(actor=actor, verb="membership.remove", obj=membership, project=membership.project, before=audit.snapshot(membership, MEMBERSHIP_AUDIT_FIELDS))  # fmt: skip
        membership.delete()


# --- sign-off requests -----------------------------------------------------------------------------------

SIGNOFF_AUDIT_FIELDS = ("title", "summary", "approver_role", "status", "comment")


def _notify_approvers(*, actor, signoff: SignOffRequest) -> None:
    for approver in signoff.project.people(signoff.approver_role).exclude(pk=actor.pk):
        notifications.notify(
            recipient=approver, kind="signoff.requested", project=signoff.project, obj=signoff,
            url=signoff.get_absolute_url(), params={"requester": str(actor), "title": signoff.title, "summary": signoff.summary},
        )  # fmt: skip


def signoff_request(
    *, actor, project: Project, title: str, summary: str, details: str = "", approver_role: str
) -> SignOffRequest:
    """PMO staff ask the project's client PM (or security officer) to sign something off."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project can ask for a sign-off."))
        if approver_role not in (Role.CLIENT_PM, Role.SECURITY):
            raise ValidationError({"approver_role": _("Choose the client PM or the security officer.")})
        if not Membership.objects.filter(project=project, role=approver_role, user__is_active=True).exclude(user=actor).exists():  # fmt: skip
            raise ValidationError({"approver_role": _("Nobody in this project has the role %(role)s yet. Invite them first.") % {"role": Role(approver_role).label}})  # fmt: skip
        signoff = SignOffRequest(project=project, title=title.strip(), summary=summary.strip(), details=details.strip(), approver_role=approver_role, requested_by=actor)  # fmt: skip
        signoff.full_clean(exclude=["status"])  # the protected state field changes only by transition
        signoff.save()
        audit.record(actor=actor, verb="signoff.request", obj=signoff, project=project, after=audit.snapshot(signoff, SIGNOFF_AUDIT_FIELDS))  # fmt: skip
        _notify_approvers(actor=actor, signoff=signoff)
    return signoff


def _lock_for_decision(*, actor, signoff: SignOffRequest) -> SignOffRequest:
    """Re-read and lock the request, then check that the actor may decide it and that nobody did yet."""
    signoff = SignOffRequest.objects.select_for_update(of=("self",)).select_related("project", "requested_by").get(pk=signoff.pk)  # fmt: skip
    if signoff.requested_by_id == actor.pk:
        raise PermissionDenied(_("Nobody can decide their own request. Someone else must sign it off."))
    require_role(actor, signoff.project, signoff.approver_role, message=_("Only the %(role)s of this project can decide this request.") % {"role": Role(signoff.approver_role).label})  # fmt: skip
    if not signoff.is_pending:
        raise AlreadyDecided(
            _("This request was already decided by %(person)s (%(decision)s).") % {"person": signoff.decided_by, "decision": signoff.get_status_display()},  # fmt: skip
            code="already_decided",
        )
    return signoff


def _decide(*, actor, signoff: SignOffRequest, verb: str, before: dict) -> SignOffRequest:
    signoff.full_clean(exclude=["status"])  # the protected state field changes only by transition
    signoff.save()
    before, after = audit.changed(before, audit.snapshot(signoff, SIGNOFF_AUDIT_FIELDS))
    audit.record(actor=actor, verb=verb, obj=signoff, project=signoff.project, before=before, after=after)
    notifications.notify(
        recipient=signoff.requested_by, kind="signoff.decided", project=signoff.project, obj=signoff,
        url=signoff.get_absolute_url(),
        params={"approver": str(actor), "title": signoff.title, "decision": signoff.status, "comment": signoff.comment},
    )  # fmt: skip
    return signoff


def signoff_approve(*, actor, signoff: SignOffRequest, comment: str = "") -> SignOffRequest:
    """The asked-for approver signs it off. Exactly one decision wins when two arrive at once."""
    with transaction.atomic():
        signoff = _lock_for_decision(actor=actor, signoff=signoff)
        before = audit.snapshot(signoff, SIGNOFF_AUDIT_FIELDS)
        signoff.approve(by=actor, comment=comment.strip())
        return _decide(actor=actor, signoff=signoff, verb="signoff.approve", before=before)


def signoff_reject(*, actor, signoff: SignOffRequest, comment: str) -> SignOffRequest:
    """The asked-for approver refuses, saying why, so the PMO team can put it right."""
    with transaction.atomic():
        signoff = _lock_for_decision(actor=actor, signoff=signoff)
        if not comment.strip():
            raise ValidationError({"comment": _("Say why you reject it, so that the PMO team can put it right.")})
        before = audit.snapshot(signoff, SIGNOFF_AUDIT_FIELDS)
        signoff.reject(by=actor, comment=comment.strip())
        return _decide(actor=actor, signoff=signoff, verb="signoff.reject", before=before)
