"""Vendor access takes part in the approval inbox, notifications, reminders and PDF exports (loaded in ready())."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pmo_portal import exports, inbox, notifications, pdf, reminders
from projects.models import Role

from . import services
from .models import (
    AccessRequest,
    Grant,
    GrantStatus,
    RequestKind,
    RequestStatus,
    ReviewCampaign,
    ReviewDecision,
    Risk,
)

User = get_user_model()

# Vendor and PMO hear of an expiring access this many days before its end (each once).
EXPIRY_REMINDER_DAYS = (14, 3)


# --- plain summaries ---------------------------------------------------------------------------------------


def period_words(start: date, end: date) -> str:
    """“3 months”, “10 days”: how long an access lasts, the way a PM would say it."""
    days = (end - start).days + 1
    months = round(days / 30.44)
    if days >= 28 and abs(days - months * 30.44) <= 3:
        return ngettext("%(count)s month", "%(count)s months", months) % {"count": months}
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def request_params(request: AccessRequest) -> dict:
    """What a sentence about a request needs, stored with a notification (translated when shown)."""
    items = list(request.items.all())
    return {
        "number": request.pk,
        "person": str(request.person),
        "vendor": str(request.vendor),
        "what": "; ".join(f"{item.level.system.name}: {item.level.name}" for item in items),
    }


def request_summary(request: AccessRequest) -> str:
    """The one sentence the client PM reads in the inbox, e.g.

    “Tanaka (Kaito Systems) wants Read only on Claims test DB for 3 months — risk: medium — within PMO delegation”.
    """
    items = list(request.items.all())
    if request.kind == RequestKind.REMOVE:
        text = _("%(person)s (%(vendor)s) is to be removed: all of their access ends") % {"person": request.person, "vendor": request.vendor}  # fmt: skip
    else:
        wants = "; ".join(
            _("%(level)s on %(system)s for %(period)s") % {"level": item.level.name, "system": item.level.system.name, "period": period_words(item.start_date, item.end_date)}  # fmt: skip
            for item in items
        )
        sentence = {
            RequestKind.NEW: _("%(person)s (%(vendor)s) wants %(wants)s"),
            RequestKind.CHANGE: _("%(person)s (%(vendor)s) wants to change to %(wants)s"),
            RequestKind.EXTEND: _("%(person)s (%(vendor)s) wants to extend %(wants)s"),
        }[request.kind]
        text = sentence % {"person": request.person, "vendor": request.vendor, "wants": wants}
        risk = Risk(max((item.level.risk for item in items), default=Risk.LOW)).label
        text += " — " + _("risk: %(risk)s") % {"risk": str(risk).lower()}
    if request.status in (RequestStatus.PM_APPROVAL, RequestStatus.SECURITY_APPROVAL, RequestStatus.APPROVED):
        text += " — " + (_("above PMO delegation: the security officer decides too") if request.needs_security else _("within PMO delegation"))  # fmt: skip
    return text


notifications.register_kind("access.submitted", label=gettext_lazy("Access requests to review"), sentence=gettext_lazy("%(actor)s asks for access for %(person)s (%(vendor)s): %(what)s"))  # fmt: skip
notifications.register_kind("access.waiting", label=gettext_lazy("Access requests waiting for your approval"), sentence=gettext_lazy("Access request #%(number)s waits for your decision: %(person)s (%(vendor)s), %(what)s"))  # fmt: skip
notifications.register_kind("access.sent_back", label=gettext_lazy("Access requests sent back to you"), sentence=gettext_lazy("%(actor)s sent back access request #%(number)s for %(person)s: %(comment)s"))  # fmt: skip


def _decided_sentence(params) -> str:
    if params.get("decision") == RequestStatus.APPROVED:
        return _("%(actor)s approved access request #%(number)s for %(person)s.") % params
    return _("%(actor)s rejected access request #%(number)s for %(person)s: %(comment)s") % params


notifications.register_kind("access.decided", label=gettext_lazy("Decisions on your access requests"), sentence=_decided_sentence)  # fmt: skip
notifications.register_kind("access.to_provision", label=gettext_lazy("Approved access to provision"), sentence=gettext_lazy("Access request #%(number)s is approved: create the accounts for %(person)s (%(vendor)s)."))  # fmt: skip
notifications.register_kind("access.provisioned", label=gettext_lazy("Access that was provisioned"), sentence=gettext_lazy("The access of request #%(number)s for %(person)s is ready: %(what)s"))  # fmt: skip
def _number(params, key: str) -> int:
    return params[key] if isinstance(params.get(key), int) else 0


def _expiring_sentence(params) -> str:
    return ngettext(
        "The access of %(person)s to %(system)s (%(login)s) expires on %(end_date)s, in %(days)s day. Ask for an extension if it is still needed.",
        "The access of %(person)s to %(system)s (%(login)s) expires on %(end_date)s, in %(days)s days. Ask for an extension if it is still needed.",
        _number(params, "days"),
    ) % params  # fmt: skip


def _revocations_sentence(params) -> str:
    return ngettext(
        "The contract of %(vendor)s ended: %(count)s account is to be revoked.",
        "The contract of %(vendor)s ended: %(count)s accounts are to be revoked.",
        _number(params, "count"),
    ) % params


def _review_sentence(params) -> str:
    return ngettext(
        "Access review “%(title)s”: keep or revoke %(count)s access by %(due_date)s.",
        "Access review “%(title)s”: keep or revoke %(count)s accesses by %(due_date)s.",
        _number(params, "count"),
    ) % params


notifications.register_kind("access.expiring", label=gettext_lazy("Access about to expire"), sentence=_expiring_sentence)  # fmt: skip
notifications.register_kind("access.expired", label=gettext_lazy("Expired access to remove"), sentence=gettext_lazy("The access of %(person)s to %(system)s (%(login)s) expired: remove the account on the system and confirm it."))  # fmt: skip
notifications.register_kind("access.revocations", label=gettext_lazy("Access to revoke"), sentence=_revocations_sentence)
notifications.register_kind("access.review", label=gettext_lazy("Access reviews"), sentence=_review_sentence)


# --- approval inbox ----------------------------------------------------------------------------------------


def _decidable(user):
    """A request as the inbox's approve and reject fetch it, in two queries (``for_list``): with what the
    permission check (the project), the summary in the message (the person, the vendor, the items) and the
    service (the requester, and the same items: see ``services.access_requests._lock_with_items``) read."""
    return AccessRequest.objects.visible_to(user).for_list()


inbox.register(
    inbox.InboxKind(
        key="access",
        label=gettext_lazy("Vendor access"),
        pending=lambda user: AccessRequest.objects.waiting_for(user),
        visible=_decidable,
        summary=request_summary,
        waiting_since=lambda request: request.step_since or request.created_at,
        project=lambda request: request.project,
        url=lambda request: request.get_absolute_url(),
        approve=lambda actor, request, comment: services.access_request_approve(actor=actor, request=request, comment=comment),  # fmt: skip
        reject=lambda actor, request, comment: services.access_request_reject(actor=actor, request=request, comment=comment),  # fmt: skip
        can_decide=lambda user, request: user.has_perm("accounts.decide_accessrequest", request),
    )
)


# --- reminders ----------------------------------------------------------------------------------------------


def expiring_grants(now):
    """Vendor staff of the grant's company and the project's PMO staff, 14 and 3 days before the end; once each.

    "Once" is per end date: an extension moves the end, and the reminders come again before the new one.
    """
    today = timezone.localdate(now)
    horizon = today + timedelta(days=max(EXPIRY_REMINDER_DAYS))
    grants = Grant.objects.filter(status=GrantStatus.ACTIVE, end_date__gte=today, end_date__lte=horizon).select_related("project", "person", "level__system", "vendor")  # fmt: skip
    for grant in grants:
        left = (grant.end_date - today).days
        threshold = min(days for days in EXPIRY_REMINDER_DAYS if left <= days)
        # One filter() call: the project and the role must hold on the same membership.
        people = User.objects.filter(
            Q(memberships__role=Role.PMO) | Q(memberships__role=Role.VENDOR, memberships__organization=grant.vendor),
            is_active=True, memberships__project=grant.project,
        )  # fmt: skip
        for person in people.distinct().order_by("pk"):
            yield person, (grant, left), f"{grant.pk}:{grant.end_date.isoformat()}:{threshold}:{person.pk}"


def remind_expiring(recipient, item):
    grant, left = item
    return notifications.notify(
        recipient=recipient, kind="access.expiring", project=grant.project, obj=grant, url=grant.get_absolute_url(),
        params={"person": str(grant.person), "system": grant.level.system.name, "login": grant.login_name, "end_date": grant.end_date.isoformat(), "days": left},  # fmt: skip
    )  # fmt: skip


def reviews_waiting(now):
    """Each client PM of a project with an open access review, once a working day until every access is decided.

    Not on the day it starts (the start notice just went out) and not at weekends.
    """
    today = timezone.localdate(now)
    if today.weekday() >= 5:
        return
    for campaign in ReviewCampaign.objects.filter(closed_at__isnull=True, started_at__date__lt=today).select_related("project"):  # fmt: skip
        pending = campaign.items.filter(decision=ReviewDecision.PENDING).count()
        if not pending:
            continue
        for pm in campaign.project.people(Role.CLIENT_PM):
            yield pm, (campaign, pending), f"{campaign.pk}:{pm.pk}:{today.isoformat()}"


def remind_review(recipient, item):
    campaign, pending = item
    return notifications.notify(
        recipient=recipient, kind="access.review", project=campaign.project, obj=campaign, url=campaign.get_absolute_url(),
        params={"title": campaign.title, "count": pending, "due_date": campaign.due_date.isoformat()},
    )  # fmt: skip


reminders.register_reminder("access_expiring", due_items=expiring_grants, send=remind_expiring)
reminders.register_reminder("access_review_waiting", due_items=reviews_waiting, send=remind_review)


# --- the access review report (PDF) ------------------------------------------------------------------------


def build_review_report(campaign: ReviewCampaign, language: str, user) -> pdf.Document:
    items = list(campaign.items.select_related("grant__person", "grant__vendor", "grant__level__system", "decided_by").order_by("grant__vendor__name", "grant__person__name", "grant__level__system__name"))  # fmt: skip
    counts = {choice: sum(1 for i in items if i.decision == choice) for choice in ReviewDecision.values}
    return pdf.Document(
        template_name="pdf/access_review.html",
        context={"campaign": campaign, "items": items, "counts": counts, "decisions": ReviewDecision},
        language=language,
        title=_("Access review report"),
        project_name=f"{campaign.project.code} {campaign.project.name}",
        version=date_format(timezone.localdate(), "Y-m-d"),
        sections=[pdf.Section("summary", _("Summary")), pdf.Section("decisions", _("Decisions"))],
        change_log=[],
    )


exports.register(
    exports.ExportKind(
        key="access_review",
        load=lambda object_id: ReviewCampaign.objects.select_related("project").get(pk=object_id),
        visible=lambda user: ReviewCampaign.objects.visible_to(user),
        permission="accounts.view_review",
        project=lambda campaign: campaign.project,
        title=lambda campaign: campaign.title,
        document=build_review_report,
    )
)

