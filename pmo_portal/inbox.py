"""The approval inbox: everything that waits for one person's decision, across all their projects.

Each app registers the kinds of items people approve (see ``projects/signoffs.py``)::

    inbox.register(inbox.InboxKind(
        key="signoff",                           # in URLs: /inbox/signoff/<pk>/approve/
        label=_("Sign-off"),
        pending=lambda user: SignOffRequest.objects.waiting_for(user),   # oldest first
        visible=lambda user: SignOffRequest.objects.visible_to(user),
        summary=lambda s: s.summary,
        waiting_since=lambda s: s.created_at,
        project=lambda s: s.project,
        url=lambda s: s.get_absolute_url(),
        approve=lambda actor, s, comment: services.signoff_approve(actor=actor, signoff=s, comment=comment),
        reject=lambda actor, s, comment: services.signoff_reject(actor=actor, signoff=s, comment=comment),
        can_decide=lambda user, s: user.has_perm("projects.decide_signoff", s),
    ))

Contract for ``pending(user)``: a queryset of the items waiting for *this user's* decision, ordered
oldest first, with whatever ``summary`` and ``project`` read already joined (the inbox page runs a
constant number of queries). ``visible(user)`` finds any item the user may see, decided or not, so a
late click hears "already decided by …" instead of "not found". ``approve`` and ``reject`` are services:
they check the actor's right (PermissionDenied), raise :class:`AlreadyDecided` when someone was first and
ValidationError for anything else wrong (a missing reason for a rejection).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise

from .http import per_request

# Roles whose members can have items waiting for them (client PMs and security officers today).
APPROVER_ROLES = ("client_pm", "security")


class AlreadyDecided(ValidationError):
    """Someone decided the item first. Views answer HTTP 409 to htmx requests, a message otherwise."""


@dataclass(frozen=True)
class InboxKind:
    key: str
    label: str | Promise
    pending: Callable[[Any], QuerySet]
    visible: Callable[[Any], QuerySet]
    summary: Callable[[Any], str]
    waiting_since: Callable[[Any], datetime]
    project: Callable[[Any], Any]
    url: Callable[[Any], str]
    approve: Callable[[Any, Any, str], Any]
    reject: Callable[[Any, Any, str], Any]
    # user, item -> may this user decide it? Checked before the form, so that someone who may only look
    # gets a 403 whatever they post; the service checks again on fresh data.
    can_decide: Callable[[Any, Any], bool] | None = None
    approver_roles: tuple[str, ...] = APPROVER_ROLES  # whom the approval reminder asks about this kind


_kinds: dict[str, InboxKind] = {}


def register(kind: InboxKind) -> InboxKind:
    _kinds[kind.key] = kind
    return kind


def get_kind(key: str) -> InboxKind | None:
    return _kinds.get(key)


def kinds() -> list[InboxKind]:
    return list(_kinds.values())


def pending_count(user) -> int:
    """How many items wait for ``user``'s decision (one count query per registered kind)."""
    if not user.is_authenticated:
        return 0
    return sum(kind.pending(user).count() for kind in _kinds.values())


def pending_count_cached(user) -> int:
    """The same, remembered on the user object for the rest of the request (navbar and home page)."""
    return per_request(user, "_inbox_pending_count", lambda: pending_count(user))


@dataclass(frozen=True)
class InboxItem:
    """One waiting item, with what the inbox shows about it."""

    kind: InboxKind
    obj: Any

    @property
    def pk(self):
        return self.obj.pk

    @property
    def dom_id(self) -> str:
        """The id of its element on the inbox page (htmx swaps it after a decision)."""
        return f"inbox-{self.kind.key}-{self.obj.pk}"

    @property
    def summary(self) -> str:
        return self.kind.summary(self.obj)

    @property
    def waiting_since(self) -> datetime:
        return self.kind.waiting_since(self.obj)

    @property
    def project(self):
        return self.kind.project(self.obj)

    @property
    def url(self) -> str:
        return self.kind.url(self.obj)

    def sort_key(self):
        return (self.waiting_since, self.kind.key, str(self.obj.pk))


class PendingItems:
    """Everything waiting for one user, every kind merged oldest first; slices like a list for a Paginator.

    A page costs two queries per registered kind (a count and the first ``stop`` rows of each), whatever
    the number of waiting items.
    """

    def __init__(self, user):
        self.querysets = [(kind, kind.pending(user)) for kind in _kinds.values()]
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(qs.count() for _kind, qs in self.querysets)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        items = [InboxItem(kind, obj) for kind, qs in self.querysets for obj in qs[:stop]]
        return sorted(items, key=InboxItem.sort_key)[start:stop]
