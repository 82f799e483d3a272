"""Reminders: each kind is a query of due items plus a message, run by Celery beat every hour.

A kind registers two functions::

    reminders.register_reminder(
        "vendor_access_expiring",
        due_items=lambda now: ((grant.requested_by, grant, f"{grant.pk}:{now.date()}") for grant in ...),
        send=lambda recipient, grant: notifications.notify(recipient=recipient, kind=..., ...),
    )

``due_items(now)`` yields ``(recipient, item, unique_key_suffix)``; the suffix says what "once" means
(once per item, once per item per day ...). :func:`send_due_reminders` records
``SentReminder(key=f"{kind}:{suffix}")`` and calls ``send`` in the same transaction: a key that is
already there (a second beat, a retry, two workers at once) means it was sent, so nothing happens.

Built in: approvals waiting longer than the project's ``approval_reminder_days`` working days
(Monday to Friday, in the approver's time zone), once per item and approver per day. The daily
digest is the other built-in reminder; it has its own task because it claims notification rows
(see ``pmo_portal.notifications.digest_send``).
"""

import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import inbox, notifications
from .models import Delivery, SentReminder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderKind:
    key: str
    due_items: Callable[[datetime], Iterable[tuple[Any, Any, str]]]
    send: Callable[[Any, Any], Any]


_kinds: dict[str, ReminderKind] = {}


def register_reminder(key: str, due_items: Callable, send: Callable) -> ReminderKind:
    kind = ReminderKind(key=key, due_items=due_items, send=send)
    _kinds[key] = kind
    return kind


def kinds() -> list[ReminderKind]:
    return list(_kinds.values())


def send_due_reminders(now: datetime | None = None) -> int:
    """Send every due reminder that has not been sent yet; returns how many went out now."""
    now = now or timezone.now()
    sent = 0
    for kind in list(_kinds.values()):
        try:
            for recipient, item, suffix in kind.due_items(now):
                if _send_once(kind, recipient, item, f"{kind.key}:{suffix}"):
                    sent += 1
        except Exception:
            # One broken kind must not stop the others; the next beat tries it again.
            log.exception("reminder kind %s failed", kind.key)
    return sent


def _send_once(kind: ReminderKind, recipient, item, key: str) -> bool:
    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key[:200])
            kind.send(recipient, item)  # its e-mail leaves after commit; a failure here un-records the key
    except IntegrityError:
        return False  # sent before, by this beat or another worker
    return True


# --- working days ----------------------------------------------------------------------------------------


def add_working_days(start: datetime, days: int, tz: zoneinfo.ZoneInfo) -> datetime:
    """The moment ``days`` working days (Monday to Friday) after ``start``, counted in ``tz``.

    Something that arrives at the weekend starts waiting on Monday morning.
    """
    moment = start.astimezone(tz)
    while moment.weekday() >= 5:
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# --- built in: approvals waiting too long ----------------------------------------------------------------


# Above this many items of one kind waiting in one project, an approver gets one reminder for all of them
# (an import of 300 dictionary terms must not send 300 e-mails a day).
GROUP_REMINDERS_ABOVE = 3


@dataclass(frozen=True)
class WaitingApproval:
    kind: inbox.InboxKind
    obj: Any
    days: int


@dataclass(frozen=True)
class WaitingApprovals:
    """Many items of one kind, in one project, all waiting too long for the same approver."""

    kind: inbox.InboxKind
    project: Any
    count: int
    days: int

    @property
    def pk(self) -> str:
        return f"{self.kind.key}:{self.project.pk}"

    def __str__(self) -> str:
        return f"{self.count} × {self.kind.label}"


def approvals_waiting(now: datetime):
    """Each approver, for each item waiting longer than its project's limit; once per day, never at weekends.

    Where more than GROUP_REMINDERS_ABOVE items of one kind wait in one project, one reminder covers them.
    """
    roles = {role for kind in inbox.kinds() for role in kind.approver_roles}
    if not roles:
        return
    approvers = get_user_model().objects.filter(is_active=True, memberships__role__in=roles).distinct().order_by("pk")
    for user in approvers:
        tz = _zone(user.time_zone)
        today = now.astimezone(tz).date()
        if today.weekday() >= 5:
            continue
        for kind in inbox.kinds():
            due: dict[Any, list] = {}
            for obj in kind.pending(user):
                project = kind.project(obj)
                if project.approval_reminder_days and now > add_working_days(kind.waiting_since(obj), project.approval_reminder_days, tz):  # fmt: skip
                    due.setdefault(project, []).append(obj)
            for project, objs in due.items():
                days = project.approval_reminder_days
                if len(objs) > GROUP_REMINDERS_ABOVE:
                    yield user, WaitingApprovals(kind, project, len(objs), days), f"{kind.key}:project-{project.pk}:{user.pk}:{today.isoformat()}"  # fmt: skip
                    continue
                for obj in objs:
                    yield user, WaitingApproval(kind, obj, days), f"{kind.key}:{obj.pk}:{user.pk}:{today.isoformat()}"


def remind_approval(recipient, item: WaitingApproval | WaitingApprovals):
    if isinstance(item, WaitingApprovals):
        return notifications.notify(
            recipient=recipient,
            kind="approval.waiting_many",
            project=item.project,
            url=reverse("inbox:list"),
            params={"count": item.count, "what": str(item.kind.label), "project": str(item.project), "days": item.days},
        )
    return notifications.notify(
        recipient=recipient,
        kind="approval.waiting",
        project=item.kind.project(item.obj),
        obj=item.obj,
        url=item.kind.url(item.obj),
        params={"summary": item.kind.summary(item.obj), "days": item.days},
    )


def _approval_waiting_sentence(params) -> str:
    days = params["days"] if isinstance(params["days"], int) else 0
    return ngettext(
        "Waiting for your decision for more than %(days)s working day: %(summary)s",
        "Waiting for your decision for more than %(days)s working days: %(summary)s",
        days,
    ) % params


def _approvals_waiting_sentence(params) -> str:
    days = params["days"] if isinstance(params.get("days"), int) else 0
    count = params["count"] if isinstance(params.get("count"), int) else 0
    wait = ngettext("%(days)s working day", "%(days)s working days", days) % {"days": days}
    return ngettext(
        "%(count)s item (%(what)s) in %(project)s has waited for your decision for more than %(wait)s.",
        "%(count)s items (%(what)s) in %(project)s have waited for your decision for more than %(wait)s.",
        count,
    ) % (params | {"wait": wait})


notifications.register_kind(
    "approval.waiting",
    label=_("Reminders of approvals waiting for you"),
    sentence=_approval_waiting_sentence,
    default_delivery=Delivery.IMMEDIATE,
)
notifications.register_kind(
    "approval.waiting_many",
    label=_("Reminders of many approvals of one kind waiting for you"),
    sentence=_approvals_waiting_sentence,
    default_delivery=Delivery.IMMEDIATE,
)
register_reminder("approval_waiting", due_items=approvals_waiting, send=remind_approval)
