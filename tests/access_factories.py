"""Building blocks for vendor-access tests: systems, contracts, people, delegations, requests in any state.

Requests are moved through their states by the real services, so a test's data is what users make.
"""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services
from accounts.models import (
    AccessRequest,
    Delegation,
    PermissionLevel,
    RequestKind,
    RequestStatus,
    Risk,
    TargetSystem,
    VendorContract,
    VendorPerson,
)
from accounts.services.access_requests import ItemSpec
from projects.models import Membership, Role

MEMO = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def memo_pdf(name="memo.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MEMO, content_type="application/pdf")


def member(project, role):
    return Membership.objects.filter(project=project, role=role).select_related("user", "organization").order_by("pk").first()  # fmt: skip


def system_with_levels(project, name="Claims test DB") -> TargetSystem:
    """A system with three levels: read (low, 180 days), write (medium, 90 days), admin (critical, 30 days)."""
    system, _created = TargetSystem.objects.get_or_create(project=project, name=name, defaults={"owner": "Claims IT", "description": "Test environment"})  # fmt: skip
    for level_name, explanation, risk, days in [
        ("Read only", "Can read customer records in the test environment; cannot change anything.", Risk.LOW, 180),
        ("Read and write", "Can change test data; cannot deploy.", Risk.MEDIUM, 90),
        ("Administrator", "Can change everything, including other people's access.", Risk.CRITICAL, 30),
    ]:
        PermissionLevel.objects.get_or_create(system=system, name=level_name, defaults={"explanation": explanation, "risk": risk, "max_duration_days": days})  # fmt: skip
    return system


def level(project, name="Read only", system="Claims test DB") -> PermissionLevel:
    return PermissionLevel.objects.get(system=system_with_levels(project, system), name=name)


def contract_for(project, vendor, *, end=None) -> VendorContract:
    today = timezone.localdate()
    contract, _created = VendorContract.objects.get_or_create(
        project=project, vendor=vendor,
        defaults={"start_date": today - timedelta(days=30), "end_date": end or today + timedelta(days=365), "contact_name": "Contact", "contact_email": "contact@vendor.test"},  # fmt: skip
    )  # fmt: skip
    return contract


def person_for(project, vendor, name="Tanaka", email=None) -> VendorPerson:
    contract = contract_for(project, vendor)
    email = email or f"{name.lower()}@{vendor.pk}.vendor.test"
    existing = VendorPerson.objects.filter(contract=contract, email=email).first()
    if existing:
        return existing
    added_by = member(project, Role.PMO).user
    return VendorPerson.objects.create(contract=contract, name=name, email=email, job_role="Test engineer", added_by=added_by)  # fmt: skip


def delegation_for(project, delegate, *, systems=None, max_risk=Risk.MEDIUM, max_days=180, valid_from=None, valid_until=None) -> Delegation:  # fmt: skip
    """A delegation from the project's security officer to ``delegate`` (through the service).

    An already ended one (``valid_until`` in the past) is granted valid first, then moved back in time.
    """
    today = timezone.localdate()
    security = member(project, Role.SECURITY).user
    valid_from, valid_until = valid_from or today - timedelta(days=1), valid_until or today + timedelta(days=365)
    delegation = services.delegation_grant(
        actor=security, project=project, delegate=delegate, systems=systems or [system_with_levels(project)],
        max_risk=max_risk, max_duration_days=max_days, valid_from=min(valid_from, today), valid_until=max(valid_until, today),
        evidence=memo_pdf(),
    )  # fmt: skip
    if (delegation.valid_from, delegation.valid_until) != (valid_from, valid_until):
        Delegation.objects.filter(pk=delegation.pk).update(valid_from=valid_from, valid_until=valid_until)
        delegation.refresh_from_db()
    return delegation


def period(days=90, start=None) -> tuple[date, date]:
    start = start or timezone.localdate()
    return start, start + timedelta(days=days - 1)


def draft_request(project, vendor_user, *, level_name="Read only", days=90, person_name="Tanaka", kind=RequestKind.NEW, grant=None) -> AccessRequest:  # fmt: skip
    person = grant.person if grant else person_for(project, vendor_user.organization, person_name)
    start, end = period(days)
    lvl = grant.level if (grant and kind == RequestKind.EXTEND) else level(project, level_name)
    if kind == RequestKind.EXTEND:
        start, end = grant.end_date + timedelta(days=1), grant.end_date + timedelta(days=days)
    items = [] if kind == RequestKind.REMOVE else [ItemSpec(lvl, start, end, grant)]
    return services.access_request_create(actor=vendor_user, project=project, person=person, items=items, justification="Needed to run the integration tests.", kind=kind)  # fmt: skip


def request_in(project, status: str, *, level_name="Read only", days=90, person_name="Tanaka") -> AccessRequest:  # fmt: skip
    """A request of the project's first vendor (vendor A in the personas), moved by the services to ``status``."""
    vendor = member(project, Role.VENDOR).user
    pmo = member(project, Role.PMO).user
    pm = member(project, Role.CLIENT_PM).user
    request = draft_request(project, vendor, level_name=level_name, days=days, person_name=person_name)
    if status == RequestStatus.DRAFT:
        return request
    services.access_request_submit(actor=vendor, request=request)
    if status == RequestStatus.SUBMITTED:
        return request
    if status == RequestStatus.RETURNED:
        return services.access_request_send_back(actor=pmo, request=request, comment="Add the project role.")
    services.access_request_forward(actor=pmo, request=request)
    if status == RequestStatus.PM_APPROVAL:
        return request
    request = services.access_request_approve(actor=pm, request=request)
    if status == RequestStatus.SECURITY_APPROVAL:
        assert request.status == status, "ask for a level above the PMO's delegation"
        return request
    if request.status == RequestStatus.SECURITY_APPROVAL:
        request = services.access_request_approve(actor=member(project, Role.SECURITY).user, request=request)
    if status == RequestStatus.APPROVED:
        return request
    delegation = Delegation.objects.filter(project=project, delegate=pmo, revoked_at__isnull=True).first() or delegation_for(project, pmo)  # fmt: skip
    logins = {item.pk: f"{person_name.lower()}-{item.level.pk}" for item in request.items.all()}
    return services.access_request_provision(actor=pmo, request=request, delegation=delegation, login_names=logins)
