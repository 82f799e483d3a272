"""Setting up vendor access: target systems and levels, vendor contracts and people, delegations."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pmo_portal import audit
from projects.models import Membership, Project, Role
from projects.services import require_role

from ..models import (
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    Organization,
    OrganizationKind,
    PermissionLevel,
    TargetSystem,
    VendorContract,
    VendorPerson,
)
from .events import event

SYSTEM_FIELDS = ("name", "owner", "description")
LEVEL_FIELDS = ("name", "explanation", "risk", "max_duration_days")
CONTRACT_FIELDS = ("vendor", "start_date", "end_date", "contact_name", "contact_email")
DELEGATION_FIELDS = ("delegate", "max_risk", "max_duration_days", "valid_from", "valid_until", "note")

SYSTEM_KEEPERS = (Role.PMO, Role.SECURITY)


def _save(obj, *, exclude=()):
    obj.full_clean(exclude=list(exclude))
    obj.save()
    return obj


def _update(*, actor, obj, project, verb: str, fields, changes: dict):
    before = audit.snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    _save(obj)
    before, after = audit.changed(before, audit.snapshot(obj, fields))
    if after:
        audit.record(actor=actor, verb=verb, obj=obj, project=project, before=before, after=after)
    return obj


# --- systems and levels ----------------------------------------------------------------------------------


def target_system_create(*, actor, project: Project, name: str, owner: str, description: str = "") -> TargetSystem:
    """PMO staff or the security officer list a system vendors may need accounts on."""
    with transaction.atomic():
        require_role(actor, project, *SYSTEM_KEEPERS, message=_("Only PMO staff and security officers of this project can set up systems."))  # fmt: skip
        system = _save(TargetSystem(project=project, name=name.strip(), owner=owner.strip(), description=description.strip()))  # fmt: skip
        audit.record(actor=actor, verb="access.system_create", obj=system, project=project, after=audit.snapshot(system, SYSTEM_FIELDS))  # fmt: skip
    return system


def target_system_update(*, actor, system: TargetSystem, **changes) -> TargetSystem:
    with transaction.atomic():
        system = TargetSystem.objects.select_for_update().select_related("project").get(pk=system.pk)
        require_role(actor, system.project, *SYSTEM_KEEPERS, message=_("Only PMO staff and security officers of this project can set up systems."))  # fmt: skip
        return _update(actor=actor, obj=system, project=system.project, verb="access.system_update", fields=SYSTEM_FIELDS, changes=changes)  # fmt: skip


def permission_level_create(*, actor, system: TargetSystem, name: str, explanation: str, risk: int, max_duration_days: int) -> PermissionLevel:  # fmt: skip
    """A level of access on a system, explained in words a non-engineer understands, with its risk."""
    with transaction.atomic():
        system = TargetSystem.objects.select_related("project").get(pk=system.pk)
        require_role(actor, system.project, *SYSTEM_KEEPERS, message=_("Only PMO staff and security officers of this project can set up systems."))  # fmt: skip
        level = _save(PermissionLevel(system=system, name=name.strip(), explanation=explanation.strip(), risk=risk, max_duration_days=max_duration_days))  # fmt: skip
        audit.record(actor=actor, verb="access.level_create", obj=level, project=system.project, after=audit.snapshot(level, LEVEL_FIELDS))  # fmt: skip
    return level


def permission_level_update(*, actor, level: PermissionLevel, **changes) -> PermissionLevel:
    with transaction.atomic():
        level = PermissionLevel.objects.select_for_update().select_related("system__project").get(pk=level.pk)
        require_role(actor, level.project, *SYSTEM_KEEPERS, message=_("Only PMO staff and security officers of this project can set up systems."))  # fmt: skip
        return _update(actor=actor, obj=level, project=level.project, verb="access.level_update", fields=LEVEL_FIELDS, changes=changes)  # fmt: skip


# --- vendor contracts and people -------------------------------------------------------------------------


def vendor_contract_create(
    *, actor, project: Project, vendor: Organization, start_date: date, end_date: date, contact_name: str, contact_email: str
) -> VendorContract:
    """PMO staff record a vendor company's contract: access is never granted beyond its end."""
    with transaction.atomic():
        require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project manage vendor contracts."))
        if vendor.kind != OrganizationKind.VENDOR:
            raise ValidationError({"vendor": _("Choose a vendor company.")})
        contract = _save(VendorContract(project=project, vendor=vendor, start_date=start_date, end_date=end_date, contact_name=contact_name.strip(), contact_email=contact_email.strip()))  # fmt: skip
        audit.record(actor=actor, verb="access.contract_create", obj=contract, project=project, after=audit.snapshot(contract, CONTRACT_FIELDS))  # fmt: skip
    return contract


def vendor_contract_update(*, actor, contract: VendorContract, **changes) -> VendorContract:
    """PMO staff correct a contract's dates or contact. Its company never changes; its end never cuts live access."""
    with transaction.atomic():
        contract = VendorContract.objects.select_for_update().select_related("project", "vendor").get(pk=contract.pk)
        require_role(actor, contract.project, Role.PMO, message=_("Only PMO staff of this project manage vendor contracts."))  # fmt: skip
        if not contract.is_active:
            raise ValidationError(_("This contract has ended; it can no longer be changed."))
        if "vendor" in changes and changes["vendor"] != contract.vendor:
            raise ValidationError({"vendor": _("A contract stays with its company. End it and add a contract for the other company.")})  # fmt: skip
        end = changes.get("end_date")
        if end is not None:
            outliving = Grant.objects.filter(person__contract=contract, status=GrantStatus.ACTIVE, end_date__gt=end).order_by("-end_date").first()  # fmt: skip
            if outliving is not None:
                raise ValidationError({"end_date": _("Access already granted runs until %(date)s (%(grant)s). Shorten or revoke it first, or end the contract.") % {"date": date_format(outliving.end_date), "grant": outliving}})  # fmt: skip
        return _update(actor=actor, obj=contract, project=contract.project, verb="access.contract_update", fields=CONTRACT_FIELDS, changes=changes)  # fmt: skip


def vendor_person_add(*, actor, contract: VendorContract, name: str, email: str, job_role: str) -> VendorPerson:
    """A vendor lists someone of their own company (PMO staff may too) before asking access for them."""
    with transaction.atomic():
        contract = VendorContract.objects.select_related("project", "vendor").get(pk=contract.pk)
        membership = Membership.objects.filter(project=contract.project, user=actor).first()
        own_vendor = membership is not None and membership.role == Role.VENDOR and membership.organization_id == contract.vendor_id  # fmt: skip
        if not own_vendor:
            require_role(actor, contract.project, Role.PMO, message=_("Vendors can add people of their own company only."))  # fmt: skip
        if not contract.is_active:
            raise ValidationError(_("The contract of %(vendor)s has ended; nobody can be added.") % {"vendor": contract.vendor})  # fmt: skip
        email = email.strip().lower()
        person = VendorPerson.objects.filter(contract=contract, email__iexact=email).first()
        if person is not None and person.is_active:
            raise ValidationError({"email": _("%(person)s is already listed with this e-mail address.") % {"person": person}})  # fmt: skip
        if person is not None:  # someone who left comes back: listed again, their history kept
            person.name, person.job_role, person.removed_at, person.removed_by = name.strip(), job_role.strip(), None, None
            _save(person)
        else:
            person = _save(VendorPerson(contract=contract, name=name.strip(), email=email, job_role=job_role.strip(), added_by=actor))  # fmt: skip
        audit.record(actor=actor, verb="access.person_add", obj=person, project=contract.project, after={"name": person.name, "email": person.email, "vendor": str(contract.vendor)})  # fmt: skip
    return person


# --- delegations -----------------------------------------------------------------------------------------


def _check_evidence(evidence) -> None:
    if evidence is None:
        raise ValidationError({"evidence": _("Attach the signed memo (PDF) that gives this authority.")})
    if evidence.size > settings.ACCESS_EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": _("The file is too large: at most %(mb)s MB.") % {"mb": settings.ACCESS_EVIDENCE_MAX_BYTES // (1024 * 1024)}})  # fmt: skip
    evidence.seek(0)
    head = evidence.read(5)
    evidence.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"evidence": _("This file is not a PDF. Attach the memo as a PDF file.")})


def delegation_grant(
    *, actor, project: Project, delegate, systems, max_risk: int, max_duration_days: int, valid_from: date,
    valid_until: date, evidence, note: str = "",
) -> Delegation:  # fmt: skip
    """The security officer lets a PMO staff member provision vendor accounts, within limits and for a period."""
    with transaction.atomic():
        require_role(actor, project, Role.SECURITY, message=_("Only the security officer of this project can delegate authority."))  # fmt: skip
        if not Membership.objects.filter(project=project, user=delegate, role=Role.PMO).exists():
            raise ValidationError({"delegate": _("Authority can be delegated only to PMO staff of this project.")})
        systems = list(systems)
        if not systems:
            raise ValidationError({"systems": _("Choose at least one system.")})
        if any(system.project_id != project.pk for system in systems):
            raise ValidationError({"systems": _("Choose systems of this project only.")})
        _check_evidence(evidence)
        if valid_until < timezone.localdate():
            raise ValidationError({"valid_until": _("A delegation that has already ended cannot be granted.")})
        delegation = Delegation(
            project=project, delegate=delegate, granted_by=actor, max_risk=max_risk, max_duration_days=max_duration_days,
            valid_from=valid_from, valid_until=valid_until, note=note.strip(), evidence_name=evidence.name[:200],
        )  # fmt: skip
        delegation.full_clean(exclude=["evidence"])
        delegation.evidence.save("memo.pdf", evidence, save=False)
        delegation.save()
        delegation.systems.set(systems)
        after = audit.snapshot(delegation, DELEGATION_FIELDS) | {"systems": sorted(s.name for s in systems)}
        audit.record(actor=actor, verb="access.delegation_grant", obj=delegation, project=project, after=after)
        event(actor=actor, verb=EventVerb.DELEGATION_GRANTED, project=project, delegation=delegation, comment=note.strip())  # fmt: skip
    return delegation


def delegation_revoke(*, actor, delegation: Delegation, reason: str) -> Delegation:
    """The security officer withdraws a delegation at once; grants made under it stay, and keep citing it."""
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().select_related("project").get(pk=delegation.pk)
        require_role(actor, delegation.project, Role.SECURITY, message=_("Only the security officer of this project can revoke a delegation."))  # fmt: skip
        if delegation.revoked_at:
            raise ValidationError(_("This delegation was already revoked."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the delegation is revoked.")})
        delegation.revoked_at, delegation.revoked_by, delegation.revoke_reason = timezone.now(), actor, reason.strip()
        delegation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit.record(actor=actor, verb="access.delegation_revoke", obj=delegation, project=delegation.project, after={"reason": delegation.revoke_reason})  # fmt: skip
        event(actor=actor, verb=EventVerb.DELEGATION_REVOKED, project=delegation.project, delegation=delegation, comment=delegation.revoke_reason)  # fmt: skip
    return delegation
