"""The account request workflow: draft → submitted → PMO review → client PM → (security) → approved → provisioned.

Security approval is needed only when the request goes beyond every valid delegation the reviewing PMO
member holds (a higher risk, a longer period, or a system outside it). Nobody decides or provisions
their own request. Two approvers at once: the row lock lets one decide; the other hears who was first.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided
from projects.models import Membership, Project, Role
from projects.services import require_role

from ..models import (
    AccessRequest,
    AccessRequestItem,
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    PermissionLevel,
    RequestKind,
    RequestStatus,
    VendorContract,
    VendorPerson,
)
from ..models.access import APPROVAL_STEPS, OPEN_STATUSES, WITHDRAWABLE_STATUSES, items_with_levels
from .events import event

REQUEST_FIELDS = ("kind", "status", "justification", "needs_security")


@dataclass(frozen=True)
class ItemSpec:
    """One system asked for: the level, the period, and for a change or extension the grant it changes."""

    level: PermissionLevel
    start_date: date
    end_date: date
    grant: Grant | None = None


# --- checks ----------------------------------------------------------------------------------------------


def _require_own_vendor(actor, project: Project, vendor_id: int, message: str | None = None) -> None:
    if not Membership.objects.filter(project=project, user=actor, role=Role.VENDOR, organization_id=vendor_id).exists():
        raise PermissionDenied(message or _("Only the vendor's own staff can do this."))


def _active_contract(person: VendorPerson) -> VendorContract:
    contract = person.contract
    if not contract.is_active:
        raise ValidationError(_("The contract of %(vendor)s has ended: no new access can be asked for.") % {"vendor": contract.vendor})  # fmt: skip
    if not person.is_active:
        raise ValidationError({"person": _("%(person)s was removed from the project.") % {"person": person}})
    return contract


def _check_items(*, project: Project, person: VendorPerson, kind: str, items: list[ItemSpec], request_pk=None) -> None:
    """Every rule an item must meet; the first broken one is reported in words the vendor understands."""
    contract = _active_contract(person)
    if kind == RequestKind.REMOVE:
        if items:
            raise ValidationError(_("A removal request lists no systems: all of the person's access is removed."))
        open_removal = AccessRequest.objects.filter(person=person, kind=RequestKind.REMOVE, status__in=OPEN_STATUSES).exclude(pk=request_pk)  # fmt: skip
        if open_removal.exists():
            raise ValidationError(_("There is already an open request to remove %(person)s.") % {"person": person})
        return
    if not items:
        raise ValidationError({"levels": _("Choose at least one system and level.")})
    systems = [item.level.system_id for item in items]
    if len(set(systems)) != len(systems):
        raise ValidationError({"levels": _("Choose one level per system.")})
    for item in items:
        level = item.level
        if level.system.project_id != project.pk:
            raise ValidationError({"levels": _("Choose systems of this project only.")})
        if item.end_date < item.start_date:
            raise ValidationError({"end_date": _("The access cannot end before it starts.")})
        if item.start_date < contract.start_date:
            raise ValidationError({"start_date": _("The contract of %(vendor)s starts on %(date)s; access cannot start before it.") % {"vendor": contract.vendor, "date": date_format(contract.start_date)}})  # fmt: skip
        if item.end_date > contract.end_date:
            raise ValidationError({"end_date": _("The contract of %(vendor)s ends on %(date)s; access cannot last beyond it.") % {"vendor": contract.vendor, "date": date_format(contract.end_date)}})  # fmt: skip
        days = (item.end_date - item.start_date).days + 1
        if days > level.max_duration_days:
            raise ValidationError({"end_date": _("“%(level)s” can be granted for at most %(max)s days at a time; this period has %(days)s.") % {"level": level, "max": level.max_duration_days, "days": days}})  # fmt: skip
        _check_item_against_grants(project=project, person=person, kind=kind, item=item, request_pk=request_pk)


def _check_item_against_grants(*, project, person, kind, item: ItemSpec, request_pk) -> None:
    level, grant = item.level, item.grant
    if kind == RequestKind.NEW:
        if Grant.objects.filter(person=person, level=level, status=GrantStatus.ACTIVE).exists():
            raise ValidationError({"levels": _("%(person)s already has “%(level)s”. Ask for an extension instead.") % {"person": person, "level": level}})  # fmt: skip
    else:
        if grant is None or grant.person_id != person.pk or grant.status != GrantStatus.ACTIVE:
            raise ValidationError(_("Choose an active access of this person to change or extend."))
        if kind == RequestKind.CHANGE and (level.system_id != grant.level.system_id or level.pk == grant.level_id):
            raise ValidationError({"levels": _("Choose another level on the same system.")})
        if kind == RequestKind.EXTEND and (level.pk != grant.level_id or item.end_date <= grant.end_date):
            raise ValidationError({"end_date": _("An extension must end after the current expiry (%(date)s).") % {"date": date_format(grant.end_date)}})  # fmt: skip
    duplicate = AccessRequestItem.objects.filter(
        request__person=person, request__status__in=OPEN_STATUSES, level=level
    ).exclude(request_id=request_pk)
    if duplicate.exists():
        raise ValidationError({"levels": _("There is already an open request for %(person)s and “%(level)s”.") % {"person": person, "level": level}})  # fmt: skip


def _write_items(request: AccessRequest, items: list[ItemSpec]) -> None:
    request.items.all().delete()
    AccessRequestItem.objects.bulk_create(
        [AccessRequestItem(request=request, level=i.level, start_date=i.start_date, end_date=i.end_date, grant=i.grant) for i in items]  # fmt: skip
    )


def _items_snapshot(items: list[ItemSpec]) -> list[dict]:
    return [{"level": str(i.level), "start": i.start_date.isoformat(), "end": i.end_date.isoformat()} for i in items]


def _lock(request: AccessRequest) -> AccessRequest:
    return (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("project", "vendor", "person__contract__vendor", "requested_by")
        .get(pk=request.pk)
    )


# What a decision reads about the request besides its row: fixed when the request is created.
_DECISION_RELATED = ("project", "vendor", "person", "requested_by")
# From these statuses a request never goes back to one where it is edited: its items are final.
_ITEMS_FINAL = frozenset(RequestStatus) - {RequestStatus.DRAFT, RequestStatus.RETURNED, RequestStatus.SUBMITTED}


def _lock_with_items(request: AccessRequest, *, actor) -> AccessRequest:
    """Re-read and lock the row, with the actor's role in the project (``actor_role``, read fresh in the same
    query) and what the timeline and the notifications of a decision read.

    What the caller loaded with ``request`` and cannot have changed since is taken over instead of read
    again: the project, vendor, person and requester (a request never changes them), and the items if the
    caller read the request at an approval step or later (see ``_ITEMS_FINAL``).
    """
    loaded = [name for name in _DECISION_RELATED if AccessRequest._meta.get_field(name).is_cached(request)]
    missing = [name for name in _DECISION_RELATED if name not in loaded]
    role = Membership.objects.filter(project=OuterRef("project"), user=actor).order_by().values("role")[:1]
    locked = AccessRequest.objects.select_for_update(of=("self",)).annotate(actor_role=Subquery(role))
    if missing:  # (select_related() without names would follow every foreign key)
        locked = locked.select_related(*missing)
    locked = locked.get(pk=request.pk)
    for name in loaded:
        if getattr(locked, f"{name}_id") == getattr(request, f"{name}_id"):
            setattr(locked, name, getattr(request, name))
    items = getattr(request, "_prefetched_objects_cache", {}).get("items")
    if items is not None and request.status in _ITEMS_FINAL:
        locked._prefetched_objects_cache = {"items": items}
    else:
        prefetch_related_objects([locked], items_with_levels())
    return locked


def _record(*, actor, request: AccessRequest, verb: str, event_verb: str, before: dict, comment: str = "", delegation=None):  # fmt: skip
    request.save()
    before, after = audit.changed(before, audit.snapshot(request, REQUEST_FIELDS))
    if comment:
        after["comment"] = comment
    audit.record(actor=actor, verb=verb, obj=request, project=request.project, before=before, after=after)
    event(actor=actor, verb=event_verb, project=request.project, request=request, comment=comment, delegation=delegation)  # fmt: skip


def _notes(recipients, *, kind: str, request: AccessRequest, actor, **params) -> list[notifications.Note]:
    """One notification of ``kind`` about the request for each active recipient but the actor."""
    from ..access_registry import request_params

    recipients = {r.pk: r for r in recipients if r.pk != actor.pk and r.is_active}.values()
    if not recipients:
        return []
    url = request.get_absolute_url()
    params = request_params(request) | {"actor": str(actor)} | params
    return [notifications.Note(recipient=r, kind=kind, project=request.project, obj=request, url=url, params=params) for r in recipients]  # fmt: skip


def _tell(recipients, *, kind: str, request: AccessRequest, actor, **params) -> None:
    notifications.notify_many(_notes(recipients, kind=kind, request=request, actor=actor, **params))


# --- the vendor's side -----------------------------------------------------------------------------------


def access_request_create(
    *, actor, project: Project, person: VendorPerson, items: list[ItemSpec], justification: str,
    kind: str = RequestKind.NEW,
) -> AccessRequest:  # fmt: skip
    """A vendor drafts a request for one person of their company, for one or several systems."""
    with transaction.atomic():
        person = VendorPerson.objects.select_related("contract__vendor", "contract__project").get(pk=person.pk)
        if person.contract.project_id != project.pk:
            raise ValidationError({"person": _("Choose a person of your company in this project.")})
        _require_own_vendor(actor, project, person.contract.vendor_id, _("You can ask for access for people of your own company only."))  # fmt: skip
        if not justification.strip():
            raise ValidationError({"justification": _("Say why this person needs the access.")})
        _check_items(project=project, person=person, kind=kind, items=items)
        request = AccessRequest(project=project, vendor=person.contract.vendor, person=person, kind=kind, justification=justification.strip(), requested_by=actor)  # fmt: skip
        request.full_clean(exclude=["status"])
        request.save()
        _write_items(request, items)
        audit.record(actor=actor, verb="access.request_create", obj=request, project=project, after=audit.snapshot(request, REQUEST_FIELDS) | {"person": str(person), "items": _items_snapshot(items)})  # fmt: skip
        event(actor=actor, verb=EventVerb.CREATED, project=project, request=request)
    return request


def access_request_update(*, actor, request: AccessRequest, items: list[ItemSpec], justification: str) -> AccessRequest:
    """The vendor corrects a draft, or a request the PMO sent back."""
    with transaction.atomic():
        request = _lock(request)
        _require_own_vendor(actor, request.project, request.vendor_id)
        if not request.is_editable:
            raise ValidationError(_("This request is %(status)s: only a draft or a request sent back can be changed.") % {"status": request.get_status_display().lower()})  # fmt: skip
        if not justification.strip():
            raise ValidationError({"justification": _("Say why this person needs the access.")})
        _check_items(project=request.project, person=request.person, kind=request.kind, items=items, request_pk=request.pk)  # fmt: skip
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.justification = justification.strip()
        request.save(update_fields=["justification"])
        _write_items(request, items)
        audit.record(actor=actor, verb="access.request_update", obj=request, project=request.project, before=before, after=audit.snapshot(request, REQUEST_FIELDS) | {"items": _items_snapshot(items)})  # fmt: skip
    return request


def access_request_submit(*, actor, request: AccessRequest) -> AccessRequest:
    """The vendor sends the request to the PMO for review."""
    with transaction.atomic():
        request = _lock(request)
        _require_own_vendor(actor, request.project, request.vendor_id)
        if not request.is_editable:
            raise ValidationError(_("This request is %(status)s: only a draft or a request sent back can be submitted.") % {"status": request.get_status_display().lower()})  # fmt: skip
        items = [ItemSpec(i.level, i.start_date, i.end_date, i.grant) for i in request.items.select_related("level__system", "grant__level")]  # fmt: skip
        _check_items(project=request.project, person=request.person, kind=request.kind, items=items, request_pk=request.pk)  # fmt: skip
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.submit()
        _record(actor=actor, request=request, verb="access.request_submit", event_verb=EventVerb.SUBMITTED, before=before)
        _tell(request.project.people(Role.PMO), kind="access.submitted", request=request, actor=actor)
    return request


def access_request_withdraw(*, actor, request: AccessRequest, comment: str = "") -> AccessRequest:
    """The vendor takes the request back before it is approved. Final."""
    with transaction.atomic():
        request = _lock(request)
        _require_own_vendor(actor, request.project, request.vendor_id)
        if request.status not in WITHDRAWABLE_STATUSES:
            raise ValidationError(_("This request is %(status)s; it can no longer be withdrawn.") % {"status": request.get_status_display().lower()})  # fmt: skip
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.withdraw()
        _record(actor=actor, request=request, verb="access.request_withdraw", event_verb=EventVerb.WITHDRAWN, before=before, comment=comment.strip())  # fmt: skip
    return request


# --- PMO review ------------------------------------------------------------------------------------------


def _require_pmo_reviewer(actor, request: AccessRequest) -> None:
    require_role(actor, request.project, Role.PMO, message=_("Only PMO staff of this project review access requests."))
    if request.requested_by_id == actor.pk:
        raise PermissionDenied(_("Nobody can review their own request."))
    if request.status != RequestStatus.SUBMITTED:
        raise _already_decided(request)


def access_request_send_back(*, actor, request: AccessRequest, comment: str) -> AccessRequest:
    """The PMO returns an incomplete request to the vendor, saying what is missing."""
    with transaction.atomic():
        request = _lock(request)
        _require_pmo_reviewer(actor, request)
        if not comment.strip():
            raise ValidationError({"comment": _("Say what is missing, so that the vendor can complete it.")})
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.send_back()
        _record(actor=actor, request=request, verb="access.request_send_back", event_verb=EventVerb.SENT_BACK, before=before, comment=comment.strip())  # fmt: skip
        _tell([request.requested_by], kind="access.sent_back", request=request, actor=actor, comment=comment.strip())
    return request


def delegations_covering(*, holder, request: AccessRequest, on: date | None = None) -> list[Delegation]:
    """The holder's delegations valid on the day that cover every item (system, risk and period) of the request."""
    on = on or timezone.localdate()
    delegations = Delegation.objects.filter(project=request.project, delegate=holder).valid_on(on).prefetch_related("systems")  # fmt: skip
    items = list(request.items.select_related("level"))
    return [d for d in delegations if all(d.covers(item.level, item.days) for item in items)]


def access_request_forward(*, actor, request: AccessRequest, comment: str = "") -> AccessRequest:
    """The PMO finds the request complete and passes it to the client PM; it decides now if security must see it."""
    with transaction.atomic():
        request = _lock(request)
        _require_pmo_reviewer(actor, request)
        if not request.project.people(Role.CLIENT_PM).exclude(pk=request.requested_by_id).exists():
            raise ValidationError(_("This project has no client PM yet. Invite them first."))
        before = audit.snapshot(request, REQUEST_FIELDS)
        covering = [] if request.kind == RequestKind.REMOVE else delegations_covering(holder=actor, request=request)
        request.needs_security = request.kind != RequestKind.REMOVE and not covering
        request.within_delegation = covering[0] if covering else None
        request.reviewed_by = actor
        request.forward()
        _record(actor=actor, request=request, verb="access.request_forward", event_verb=EventVerb.FORWARDED, before=before, comment=comment.strip(), delegation=request.within_delegation)  # fmt: skip
        _tell(request.project.people(Role.CLIENT_PM), kind="access.waiting", request=request, actor=actor)
    return request


# --- approvals -------------------------------------------------------------------------------------------


def _already_decided(request: AccessRequest) -> AlreadyDecided:
    last = request.events.exclude(verb__in=[EventVerb.CREATED]).select_related("actor").order_by("-at", "-pk").first()
    who = (last.actor if last and last.actor else None) or _("someone else")
    return AlreadyDecided(
        _("This request was already decided by %(person)s (now: %(status)s).") % {"person": who, "status": request.get_status_display()},  # fmt: skip
        code="already_decided",
    )


def _lock_for_decision(*, actor, request: AccessRequest) -> AccessRequest:
    """Lock the request (with its items) and check that its current step is the actor's to decide."""
    request = _lock_with_items(request, actor=actor)
    _check_decider(actor=actor, request=request)
    return request


def _check_decider(*, actor, request: AccessRequest) -> None:
    """The current step of the locked request is the actor's to decide.

    A client PM or security officer whose step is already past hears who decided it (AlreadyDecided), so
    the loser of two simultaneous approvals gets an answer, never an error page.
    """
    if request.requested_by_id == actor.pk:
        raise PermissionDenied(_("Nobody can decide their own request."))
    role = request.actor_role
    steps = list(APPROVAL_STEPS)  # in order: the client PM, then the security officer
    my_step = next((status for status, step_role in APPROVAL_STEPS.items() if step_role == role), None)
    if my_step is None:
        raise PermissionDenied(_("Only the client PM or the security officer of this project decides access requests."))  # fmt: skip
    if request.status == my_step:
        return
    if request.status in steps and steps.index(request.status) < steps.index(my_step):
        raise PermissionDenied(_("The client PM decides this request first."))
    if request.status in (RequestStatus.DRAFT, RequestStatus.RETURNED, RequestStatus.SUBMITTED):
        raise PermissionDenied(_("This request has not reached the approval step yet."))
    raise _already_decided(request)


def access_request_approve(*, actor, request: AccessRequest, comment: str = "") -> AccessRequest:
    """The client PM (then, above the delegation, the security officer) approves the step waiting for them."""
    with transaction.atomic():
        request = _lock_for_decision(actor=actor, request=request)
        before = audit.snapshot(request, REQUEST_FIELDS)
        if request.status == RequestStatus.PM_APPROVAL and request.needs_security:
            request.escalate()
            _record(actor=actor, request=request, verb="access.request_approve", event_verb=EventVerb.ESCALATED, before=before, comment=comment.strip())  # fmt: skip
            _tell(request.project.people(Role.SECURITY), kind="access.waiting", request=request, actor=actor)
            return request
        request.approve()
        _record(actor=actor, request=request, verb="access.request_approve", event_verb=EventVerb.APPROVED, before=before, comment=comment.strip())  # fmt: skip
        notifications.notify_many([
            *_notes([request.requested_by], kind="access.decided", request=request, actor=actor, decision=RequestStatus.APPROVED, comment=comment.strip()),  # fmt: skip
            *_notes(request.project.people(Role.PMO), kind="access.to_provision", request=request, actor=actor),
        ])  # fmt: skip
    return request


def access_request_reject(*, actor, request: AccessRequest, comment: str) -> AccessRequest:
    """The approver of the current step refuses, saying why; the PMO may refuse at review. Final."""
    with transaction.atomic():
        request = _lock_with_items(request, actor=actor)
        if request.status == RequestStatus.SUBMITTED:
            _require_pmo_reviewer(actor, request)
        else:
            _check_decider(actor=actor, request=request)
        if not comment.strip():
            raise ValidationError({"comment": _("Say why you reject it, so that the vendor understands.")})
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.reject()
        _record(actor=actor, request=request, verb="access.request_reject", event_verb=EventVerb.REJECTED, before=before, comment=comment.strip())  # fmt: skip
        _tell([request.requested_by], kind="access.decided", request=request, actor=actor, decision=RequestStatus.REJECTED, comment=comment.strip())  # fmt: skip
    return request


# --- provisioning ----------------------------------------------------------------------------------------


def require_usable_delegation(*, actor, delegation: Delegation, project: Project) -> Delegation:
    """The actor's own delegation, in this project, neither expired nor revoked (re-read, locked)."""
    delegation = Delegation.objects.select_for_update().prefetch_related("systems").get(pk=delegation.pk)
    if delegation.delegate_id != actor.pk or delegation.project_id != project.pk:
        raise PermissionDenied(_("You can act only under a delegation given to you in this project."))
    if not delegation.is_valid_on(timezone.localdate()):
        raise ValidationError({"delegation": _("This delegation is %(state)s; it cannot be used. Ask the security officer for a new one.") % {"state": delegation.state_label().lower()}})  # fmt: skip
    return delegation


def access_request_provision(
    *, actor, request: AccessRequest, delegation: Delegation, login_names: dict[int, str], comment: str = ""
) -> AccessRequest:
    """The PMO records the accounts it created on the target systems, citing the delegation it used.

    Within the PMO's authority the delegation must cover each item's system, risk and period; when the
    security officer approved a request above it, the delegation must still cover the system.
    """
    with transaction.atomic():
        request = _lock(request)
        require_role(actor, request.project, Role.PMO, message=_("Only PMO staff of this project provision accounts."))
        if request.requested_by_id == actor.pk:
            raise PermissionDenied(_("Nobody can provision their own request."))
        if request.status != RequestStatus.APPROVED:
            raise ValidationError(_("Only an approved request can be provisioned (this one is %(status)s).") % {"status": request.get_status_display().lower()})  # fmt: skip
        delegation = require_usable_delegation(actor=actor, delegation=delegation, project=request.project)
        _active_contract(request.person)
        items = list(request.items.select_related("level__system", "grant__level"))
        if request.kind == RequestKind.REMOVE:
            from .access_grants import remove_person

            remove_person(actor=actor, person=request.person, reason=_("Removal request #%(number)s") % {"number": request.pk}, removal_request=request)  # fmt: skip
        for item in items:
            if item.level.system_id not in delegation.system_ids():
                raise ValidationError({"delegation": _("This delegation does not cover %(system)s.") % {"system": item.level.system}})  # fmt: skip
            if not request.needs_security and not delegation.covers(item.level, item.days):
                raise ValidationError({"delegation": _("“%(level)s” for %(days)s days is beyond this delegation.") % {"level": item.level, "days": item.days}})  # fmt: skip
            login = (login_names.get(item.pk) or "").strip()
            if not login and item.grant is not None:
                login = item.grant.login_name
            if not login:
                raise ValidationError(_("Enter the login name created on %(system)s.") % {"system": item.level.system})  # fmt: skip
            _provision_item(actor=actor, request=request, item=item, login=login, delegation=delegation, comment=comment)
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.provision()
        request.save()
        audit.record(actor=actor, verb="access.request_provision", obj=request, project=request.project, before=before, after=audit.changed(before, audit.snapshot(request, REQUEST_FIELDS))[1] | {"delegation": delegation.pk})  # fmt: skip
        _tell([request.requested_by], kind="access.provisioned", request=request, actor=actor)
    return request


def _provision_item(*, actor, request, item: AccessRequestItem, login: str, delegation: Delegation, comment: str) -> Grant:
    old = Grant.objects.select_for_update().get(pk=item.grant_id) if item.grant_id else None
    if old is not None and old.status != GrantStatus.ACTIVE:
        raise ValidationError(_("The access to %(system)s is no longer active; ask for new access instead.") % {"system": item.level.system})  # fmt: skip
    if request.kind == RequestKind.EXTEND:
        before = {"end_date": old.end_date.isoformat()}
        old.end_date = item.end_date
        old.save(update_fields=["end_date"])
        audit.record(actor=actor, verb="access.grant_extend", obj=old, project=request.project, before=before, after={"end_date": old.end_date.isoformat(), "delegation": delegation.pk})  # fmt: skip
        event(actor=actor, verb=EventVerb.PROVISIONED, project=request.project, request=request, grant=old, delegation=delegation, comment=comment.strip())  # fmt: skip
        return old
    grant = Grant(
        project=request.project, vendor=request.vendor, person=request.person, level=item.level, login_name=login,
        start_date=item.start_date, end_date=item.end_date, request_item=item, provisioned_by=actor, delegation=delegation,
    )  # fmt: skip
    grant.full_clean(exclude=["status", "request_item"])
    try:
        with transaction.atomic():
            if old is not None:  # a change of level: the old account is replaced by the new one
                old.replace(by_grant=None)
                old.save()
            grant.save()
    except IntegrityError as error:
        raise ValidationError(_("The login “%(login)s” already has live access at this level.") % {"login": login}) from error  # fmt: skip
    if old is not None:
        old.replaced_by = grant
        old.save(update_fields=["replaced_by"])
    audit.record(actor=actor, verb="access.grant_provision", obj=grant, project=request.project, after={"login": login, "level": str(item.level), "end_date": item.end_date.isoformat(), "delegation": delegation.pk})  # fmt: skip
    event(actor=actor, verb=EventVerb.PROVISIONED, project=request.project, request=request, grant=grant, delegation=delegation, comment=comment.strip())  # fmt: skip
    return grant
