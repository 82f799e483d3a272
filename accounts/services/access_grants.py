"""What happens to access once provisioned: revocation, expiry, offboarding, access reviews, reconciliation."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo_portal import audit, notifications
from projects.models import Membership, Project, Role
from projects.services import require_role

from ..models import (
    AccessRequest,
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    Reconciliation,
    ReviewCampaign,
    ReviewDecision,
    ReviewItem,
    TargetSystem,
    VendorContract,
    VendorPerson,
)
from ..models.access import OPEN_STATUSES
from .access_requests import require_usable_delegation
from .events import event


def _lock_grant(grant: Grant) -> Grant:
    return Grant.objects.select_for_update(of=("self",)).select_related("project", "vendor", "person", "level__system").get(pk=grant.pk)  # fmt: skip


def _tell_pmo(project: Project, *, kind: str, obj, url: str, actor=None, **params) -> None:
    for person in project.people(Role.PMO):
        if actor is None or person.pk != actor.pk:
            notifications.notify(recipient=person, kind=kind, project=project, obj=obj, url=url, params=params)


def _ask_revocation(*, actor, grant: Grant, reason: str, verb: str = EventVerb.REVOCATION_ASKED) -> Grant:
    """Mark one live grant "to be revoked" (already locked by the caller); the PMO confirms it later."""
    grant.ask_revocation(reason=reason)
    grant.save()
    audit.record(actor=actor, verb="access.grant_revocation_ask", obj=grant, project=grant.project, after={"reason": reason})  # fmt: skip
    event(actor=actor, verb=verb, project=grant.project, grant=grant, comment=reason)
    return grant


# --- revocation and removal ------------------------------------------------------------------------------


def grant_request_revocation(*, actor, grant: Grant, reason: str) -> Grant:
    """The PMO opens a revocation task for one access (e.g. the person changed teams)."""
    with transaction.atomic():
        grant = _lock_grant(grant)
        require_role(actor, grant.project, Role.PMO, message=_("Only PMO staff of this project revoke access."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why this access is revoked.")})
        if grant.status != GrantStatus.ACTIVE:
            raise ValidationError(_("This access is %(status)s; it cannot be revoked again.") % {"status": grant.get_status_display().lower()})  # fmt: skip
        return _ask_revocation(actor=actor, grant=grant, reason=reason.strip())


def _check_authority(*, actor, grant: Grant, delegation: Delegation) -> Delegation:
    require_role(actor, grant.project, Role.PMO, message=_("Only PMO staff of this project remove accounts."))
    delegation = require_usable_delegation(actor=actor, delegation=delegation, project=grant.project)
    if grant.level.system_id not in delegation.system_ids():
        raise ValidationError({"delegation": _("This delegation does not cover %(system)s.") % {"system": grant.level.system}})  # fmt: skip
    return delegation


def grant_confirm_revocation(*, actor, grant: Grant, delegation: Delegation, comment: str = "") -> Grant:
    """The PMO confirms it removed the account on the target system, citing its delegation."""
    with transaction.atomic():
        grant = _lock_grant(grant)
        delegation = _check_authority(actor=actor, grant=grant, delegation=delegation)
        if grant.status != GrantStatus.REVOKING:
            raise ValidationError(_("This access is not waiting for revocation (it is %(status)s).") % {"status": grant.get_status_display().lower()})  # fmt: skip
        grant.confirm_revocation(by=actor, delegation=delegation)
        grant.save()
        audit.record(actor=actor, verb="access.grant_revoke", obj=grant, project=grant.project, after={"reason": grant.revoke_reason, "delegation": delegation.pk, "comment": comment.strip()})  # fmt: skip
        event(actor=actor, verb=EventVerb.REVOKED, project=grant.project, grant=grant, delegation=delegation, comment=comment.strip() or grant.revoke_reason)  # fmt: skip
    return grant


def grant_confirm_removal(*, actor, grant: Grant, delegation: Delegation, comment: str = "") -> Grant:
    """The PMO confirms an expired account is gone from the target system."""
    with transaction.atomic():
        grant = _lock_grant(grant)
        delegation = _check_authority(actor=actor, grant=grant, delegation=delegation)
        if grant.status != GrantStatus.EXPIRED or grant.removed_at is not None:
            raise ValidationError(_("This access is not an expired account waiting for removal."))
        grant.removed_at, grant.removed_by, grant.removal_delegation = timezone.now(), actor, delegation
        grant.save(update_fields=["removed_at", "removed_by", "removal_delegation"])
        audit.record(actor=actor, verb="access.grant_removal_confirm", obj=grant, project=grant.project, after={"delegation": delegation.pk})  # fmt: skip
        event(actor=actor, verb=EventVerb.REMOVAL_CONFIRMED, project=grant.project, grant=grant, delegation=delegation, comment=comment.strip())  # fmt: skip
    return grant


def grants_expire_due(*, today: date | None = None) -> int:
    """The beat job: active access past its end date becomes expired and "to be removed on the system"."""
    today = today or timezone.localdate()
    expired = 0
    for pk in Grant.objects.filter(status=GrantStatus.ACTIVE, end_date__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            grant = _lock_grant(Grant(pk=pk))
            if grant.status != GrantStatus.ACTIVE or grant.end_date >= today:
                continue  # changed since the list was read (extended, revoked, another worker)
            grant.expire()
            grant.save()
            audit.record(actor=None, verb="access.grant_expire", obj=grant, project=grant.project, after={"end_date": grant.end_date.isoformat()})  # fmt: skip
            event(actor=None, verb=EventVerb.EXPIRED, project=grant.project, grant=grant)
            _tell_pmo(grant.project, kind="access.expired", obj=grant, url=grant.get_absolute_url(), login=grant.login_name, system=str(grant.level.system), person=str(grant.person))  # fmt: skip
            expired += 1
    return expired


# --- offboarding -----------------------------------------------------------------------------------------


def remove_person(*, actor, person: VendorPerson, reason: str, removal_request: AccessRequest | None = None) -> int:
    """Inside a transaction: the person leaves; each live access becomes a revocation task; open requests close.

    Approved requests not provisioned yet close too (they would wait for ever); ``removal_request``, the
    removal request being provisioned, stays open for its caller.
    """
    person = VendorPerson.objects.select_for_update().select_related("contract__project").get(pk=person.pk)
    if not person.is_active:
        return 0
    person.removed_at, person.removed_by = timezone.now(), actor
    person.save(update_fields=["removed_at", "removed_by"])
    project = person.contract.project
    audit.record(actor=actor, verb="access.person_remove", obj=person, project=project, after={"reason": reason})
    tasks = 0
    for grant in Grant.objects.select_for_update(of=("self",)).select_related("project", "vendor", "person", "level__system").filter(person=person, status=GrantStatus.ACTIVE):  # fmt: skip
        _ask_revocation(actor=actor, grant=grant, reason=reason)
        tasks += 1
    still_open = AccessRequest.objects.select_for_update().filter(person=person, status__in=OPEN_STATUSES)
    for request in still_open.exclude(pk=getattr(removal_request, "pk", None)):
        before = audit.snapshot(request, ("status",))
        request.withdraw()
        request.save()
        audit.record(actor=actor, verb="access.request_withdraw", obj=request, project=project, before=before, after={"status": request.status, "comment": reason})  # fmt: skip
        event(actor=actor, verb=EventVerb.WITHDRAWN, project=project, request=request, comment=reason)
    event(actor=actor, verb=EventVerb.PERSON_REMOVED, project=project, vendor=person.contract.vendor, person=person, comment=reason)  # fmt: skip
    return tasks


def vendor_person_remove(*, actor, person: VendorPerson, reason: str) -> int:
    """Offboarding one person: the PMO removes them; every live access of theirs gets a revocation task."""
    with transaction.atomic():
        person = VendorPerson.objects.select_related("contract__project").get(pk=person.pk)
        require_role(actor, person.contract.project, Role.PMO, message=_("Only PMO staff of this project offboard vendor staff."))  # fmt: skip
        if not reason.strip():
            raise ValidationError({"reason": _("Say why this person leaves (e.g. left the company, moved to another project).")})  # fmt: skip
        if not person.is_active:
            raise ValidationError(_("%(person)s was already removed.") % {"person": person})
        return remove_person(actor=actor, person=person, reason=reason.strip())


def vendor_contract_end(*, actor, contract: VendorContract, reason: str) -> int:
    """Offboarding a company: the contract ends; each of its people is removed; every live access gets a task."""
    with transaction.atomic():
        contract = VendorContract.objects.select_for_update().select_related("project", "vendor").get(pk=contract.pk)
        require_role(actor, contract.project, Role.PMO, message=_("Only PMO staff of this project end vendor contracts."))  # fmt: skip
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the contract ends.")})
        if not contract.is_active:
            raise ValidationError(_("The contract of %(vendor)s has already ended.") % {"vendor": contract.vendor})
        contract.ended_at, contract.ended_by, contract.end_reason = timezone.now(), actor, reason.strip()
        contract.save(update_fields=["ended_at", "ended_by", "end_reason"])
        audit.record(actor=actor, verb="access.contract_end", obj=contract, project=contract.project, after={"reason": contract.end_reason})  # fmt: skip
        event(actor=actor, verb=EventVerb.CONTRACT_ENDED, project=contract.project, vendor=contract.vendor, comment=contract.end_reason)  # fmt: skip
        tasks = sum(remove_person(actor=actor, person=person, reason=contract.end_reason) for person in contract.people.filter(removed_at__isnull=True))  # fmt: skip
        if tasks:
            _tell_pmo(contract.project, kind="access.revocations", obj=contract, url=_revocations_url(contract.project), actor=actor, vendor=str(contract.vendor), count=tasks)  # fmt: skip
    return tasks


def _revocations_url(project: Project) -> str:
    return reverse("access:removals", kwargs={"code": project.code})


# --- access review (recertification) ---------------------------------------------------------------------


def review_start(*, actor, project: Project, title: str, due_date: date) -> ReviewCampaign:
    """The PMO asks the client PM to confirm every active access of the project, keep or revoke."""
    with transaction.atomic():
        require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project start access reviews."))
        if due_date < timezone.localdate():
            raise ValidationError({"due_date": _("The decision date cannot be in the past.")})
        grants = list(Grant.objects.filter(project=project, status=GrantStatus.ACTIVE).values_list("pk", flat=True))
        if not grants:
            raise ValidationError(_("There is no active access to review in this project."))
        campaign = ReviewCampaign(project=project, title=title.strip(), due_date=due_date, started_by=actor)
        campaign.full_clean()
        campaign.save()
        ReviewItem.objects.bulk_create([ReviewItem(campaign=campaign, grant_id=pk) for pk in grants])
        audit.record(actor=actor, verb="access.review_start", obj=campaign, project=project, after={"title": campaign.title, "grants": len(grants), "due_date": due_date.isoformat()})  # fmt: skip
        for pm in project.people(Role.CLIENT_PM):
            notifications.notify(recipient=pm, kind="access.review", project=project, obj=campaign, url=campaign.get_absolute_url(), params={"title": campaign.title, "count": len(grants), "due_date": due_date.isoformat()})  # fmt: skip
    return campaign


def review_decide(*, actor, item: ReviewItem, decision: str, comment: str = "") -> ReviewItem:
    """The client PM keeps or revokes one access; a revocation becomes a task for the PMO."""
    with transaction.atomic():
        # The campaign is locked first, so the decisions of one review run one after the other: the last one
        # sees all the others and completes the review (two "last" decisions at once would each see the
        # other as still pending, and the review would never complete).
        campaign_id = ReviewItem.objects.values_list("campaign_id", flat=True).get(pk=item.pk)
        campaign = ReviewCampaign.objects.select_for_update(of=("self",)).select_related("project").get(pk=campaign_id)
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        item.campaign = campaign
        require_role(actor, campaign.project, Role.CLIENT_PM, message=_("Only the client PM of this project decides in an access review."))  # fmt: skip
        if campaign.closed_at is not None:
            raise ValidationError(_("This access review is complete."))
        if decision not in (ReviewDecision.KEEP, ReviewDecision.REVOKE):
            raise ValidationError({"decision": _("Choose keep or revoke.")})
        if item.decision != ReviewDecision.PENDING:
            raise ValidationError(_("This access was already decided by %(person)s.") % {"person": item.decided_by})
        comment = comment.strip()
        if decision == ReviewDecision.REVOKE and not comment:
            raise ValidationError({"comment": _("Say why this access should be revoked.")})
        try:
            ReviewItem._meta.get_field("comment").clean(comment, item)  # length, no hidden characters
        except ValidationError as error:
            raise ValidationError({"comment": error.messages}) from error
        item.decision, item.decided_by, item.decided_at, item.comment = decision, actor, timezone.now(), comment
        item.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
        grant = _lock_grant(item.grant)
        while grant.status == GrantStatus.REPLACED and grant.replaced_by_id:
            grant = _lock_grant(Grant(pk=grant.replaced_by_id))  # extended or changed since: decide on what is live now
        audit.record(actor=actor, verb=f"access.review_{decision}", obj=grant, project=campaign.project, after={"review": campaign.pk, "comment": item.comment})  # fmt: skip
        if decision == ReviewDecision.REVOKE and grant.status == GrantStatus.ACTIVE:
            reason = _("Access review “%(title)s”: %(comment)s") % {"title": campaign.title, "comment": item.comment}
            limit = Grant._meta.get_field("revoke_reason").max_length
            _ask_revocation(actor=actor, grant=grant, reason=reason if len(reason) <= limit else reason[: limit - 1] + "…", verb=EventVerb.REVIEW_REVOKED)  # fmt: skip
        else:
            event(actor=actor, verb=EventVerb.REVIEW_KEPT if decision == ReviewDecision.KEEP else EventVerb.REVIEW_REVOKED, project=campaign.project, grant=grant, comment=item.comment)  # fmt: skip
        if not campaign.items.filter(decision=ReviewDecision.PENDING).exists():
            campaign.closed_at = timezone.now()
            campaign.save(update_fields=["closed_at"])
            audit.record(actor=actor, verb="access.review_complete", obj=campaign, project=campaign.project)
    return item


# --- the security officer's list of active access --------------------------------------------------------


def active_grants_export(*, actor, project: Project):
    """The active grants of the project, for a CSV download; the trail records who took the list, and when."""
    require_role(actor, project, Role.PMO, Role.SECURITY, message=_("Only PMO staff and security officers of this project can download the list of active access."))  # fmt: skip
    grants = Grant.objects.filter(project=project, status=GrantStatus.ACTIVE).for_list()
    grants = grants.order_by("vendor__name", "person__name", "level__system__name", "level__name", "pk")
    audit.record(actor=actor, verb="access.grants_export", project=project, after={"rows": grants.count()})
    return grants


# --- reconciliation --------------------------------------------------------------------------------------


def reconciliation_run(*, actor, system: TargetSystem, accounts: list[tuple[str, str]], file_name: str) -> Reconciliation:
    """Compare a system's own account list (login, level) with the portal's live grants on it.

    Orphans: accounts on the system with no grant. Missing: active grants with no account. Mismatches: the
    account exists, but its levels on the system differ from the levels granted (a level on the system that
    was never granted, or an active grant's level the account does not have). Logins and levels compare
    without letter case; a login may be listed once per level it holds.
    """
    with transaction.atomic():
        system = TargetSystem.objects.select_related("project").get(pk=system.pk)
        if not Membership.objects.filter(project=system.project, user=actor, role=Role.PMO).exists():
            raise PermissionDenied(_("Only PMO staff of this project reconcile accounts."))
        on_system: dict[str, tuple[str, dict[str, str]]] = {}  # login key -> (login as written, {level key: level})
        for login, level in accounts:
            login, level = login.strip(), level.strip()
            if login:
                on_system.setdefault(login.casefold(), (login, {}))[1].setdefault(level.casefold(), level)
        live = Q(status__in=[GrantStatus.ACTIVE, GrantStatus.REVOKING]) | Q(status=GrantStatus.EXPIRED, removed_at__isnull=True)  # fmt: skip
        granted: dict[str, list[Grant]] = {}
        for grant in Grant.objects.filter(live, level__system=system).select_related("person", "level", "vendor").order_by("pk"):  # fmt: skip
            granted.setdefault(grant.login_name.casefold(), []).append(grant)
        result = {"orphans": [], "missing": [], "mismatches": []}
        for key, (login, levels) in sorted(on_system.items()):
            grants = granted.get(key)
            if not grants:
                result["orphans"] += [{"login": login, "level": level} for level in sorted(levels.values())]
                continue
            live_levels = {grant.level.name.casefold() for grant in grants}
            lacking = [g for g in grants if g.status == GrantStatus.ACTIVE and g.level.name.casefold() not in levels]
            if lacking or set(levels) - live_levels:
                grant = (lacking or grants)[0]
                result["mismatches"].append({
                    "login": login, "level": " / ".join(sorted(levels.values())), "granted": " / ".join(sorted({g.level.name for g in grants})),  # fmt: skip
                    "grant": grant.pk, "person": str(grant.person), "vendor": str(grant.vendor),
                })  # fmt: skip
        for key, grants in sorted(granted.items()):
            if key not in on_system:
                result["missing"] += [
                    {"login": g.login_name, "granted": g.level.name, "grant": g.pk, "person": str(g.person), "vendor": str(g.vendor)}  # fmt: skip
                    for g in grants
                    if g.status == GrantStatus.ACTIVE
                ]
        reconciliation = Reconciliation.objects.create(project=system.project, system=system, uploaded_by=actor, file_name=file_name[:200], account_count=len(on_system), result=result, **{f"{key}_count": len(rows) for key, rows in result.items()})  # fmt: skip
        audit.record(actor=actor, verb="access.reconcile", obj=reconciliation, project=system.project, after={key: len(rows) for key, rows in result.items()} | {"accounts": len(on_system)})  # fmt: skip
    return reconciliation
