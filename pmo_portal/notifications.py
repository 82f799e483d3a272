"""Notifications: the kinds apps register, and the services that create and read them.

An app registers each kind once, when it is loaded (see ``projects/signoffs.py``)::

    notifications.register_kind(
        "signoff.requested",
        label=_("Sign-off requests for you"),
        sentence=_("%(requester)s asks you to sign off “%(title)s”."),
        default_delivery=Delivery.IMMEDIATE,
    )

and a service tells someone inside its transaction::

    notifications.notify(recipient=pm, kind="signoff.requested", project=project, obj=signoff,
                         url=signoff.get_absolute_url(), params={"requester": str(actor), "title": signoff.title})

The row stores the kind and the parameters; the sentence is written when it is shown, in the reader's
language. ``sentence`` is a (lazy) format string with ``%(name)s`` placeholders, or a function
``params -> str`` for sentences that depend on a parameter; it runs with the reader's language active.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import audit
from .emails import render_email, send_now, send_on_commit
from .http import is_local_path
from .models import Delivery, Notification, NotificationPreference


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str | Promise  # what people choose a delivery for on the settings page
    sentence: str | Promise | Callable[[dict], str]
    default_delivery: str = Delivery.IMMEDIATE


_kinds: dict[str, NotificationKind] = {}


def register_kind(
    key: str, label, sentence, default_delivery: str = Delivery.IMMEDIATE
) -> NotificationKind:
    if default_delivery not in Delivery.values:
        raise ValueError(f"unknown delivery {default_delivery!r} for notification kind {key!r}")
    kind = NotificationKind(key=key, label=label, sentence=sentence, default_delivery=default_delivery)
    _kinds[key] = kind
    return kind


def get_kind(key: str) -> NotificationKind | None:
    return _kinds.get(key)


def kinds() -> list[NotificationKind]:
    """Every registered kind, in the order they were registered."""
    return list(_kinds.values())


class _Params(dict):
    """A placeholder without a value shows as an empty string rather than breaking the page."""

    def __missing__(self, key):
        return ""


def render_sentence(kind_key: str, params: dict) -> str:
    """The sentence of a notification in the active language."""
    kind = _kinds.get(kind_key)
    params = _Params(params or {})
    if kind is None:
        return _("Something changed.")
    if callable(kind.sentence) and not isinstance(kind.sentence, str | Promise):
        return kind.sentence(params)
    try:
        return str(kind.sentence) % params
    except (TypeError, ValueError):  # a translation with a broken placeholder must not break the page
        return str(kind.label)


def delivery_for(user, kind_key: str) -> str:
    """The recipient's choice for this kind, or the kind's default."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind_key).values_list("delivery", flat=True).first()
    if chosen:
        return chosen
    kind = _kinds.get(kind_key)
    return kind.default_delivery if kind else Delivery.IN_APP


def deliveries_for(user) -> dict[str, str]:
    """Kind key -> delivery for every registered kind (one query)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind.key: chosen.get(kind.key, kind.default_delivery) for kind in _kinds.values()}


# --- services --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One notification to write: see :func:`notify` for the fields."""

    recipient: Any
    kind: str
    project: Any = None
    obj: models.Model | None = None
    url: str = ""
    params: dict | None = None


def notify(
    *, recipient, kind: str, project=None, obj: models.Model | None = None, url: str = "", params: dict | None = None
) -> Notification | None:
    """Tell ``recipient`` that something happened. Call it inside the service's transaction.

    The row is written now (it disappears with a rolled-back transaction); an e-mail goes out after
    commit when the recipient chose "immediate" for this kind. Inactive people are not notified.
    """
    written = notify_many([Note(recipient=recipient, kind=kind, project=project, obj=obj, url=url, params=params)])
    return written[0] if written else None


def notify_many(notes: Iterable[Note]) -> list[Notification]:
    """Several notifications at once (a service telling several people): what :func:`notify` does for each,
    in one query for the recipients' delivery choices, one insert and, after commit, one mail task.

    Returns the notifications written, in the order given (inactive recipients are skipped).
    """
    notes = list(notes)
    for note in notes:
        if note.kind not in _kinds:
            raise ValueError(f"unknown notification kind {note.kind!r}: register it with register_kind()")
    notes = [note for note in notes if note.recipient.is_active]
    for note in notes:
        if note.url and not is_local_path(note.url):
            raise ValueError(f"a notification links to a path on this site, not {note.url!r}")
    if not notes:
        return []
    preferences = NotificationPreference.objects.filter(
        user__in={note.recipient.pk for note in notes}, kind__in={note.kind for note in notes}
    ).values_list("user_id", "kind", "delivery")
    chosen = {(user_id, kind): delivery for user_id, kind, delivery in preferences}
    now = timezone.now()
    rows = []
    for note in notes:
        delivery = chosen.get((note.recipient.pk, note.kind)) or _kinds[note.kind].default_delivery
        email_now = delivery == Delivery.IMMEDIATE and bool(note.recipient.email)
        obj = note.obj
        rows.append(
            Notification(
                recipient=note.recipient,
                kind=note.kind,
                params=dict(note.params or {}),
                project=note.project,
                object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
                object_id=str(obj.pk) if obj is not None else "",
                object_repr=str(obj)[:200] if obj is not None else "",
                url=note.url,
                delivery=delivery,
                emailed_at=now if email_now else None,  # handed to the mail task, which retries on its own
            )
        )
    rows = Notification.objects.bulk_create(rows)
    to_mail = [row.pk for row in rows if row.emailed_at is not None]
    if to_mail:
        # Written by a worker from the rows (the sentence is in the recipient's language): not in the request.
        transaction.on_commit(lambda: _mail_task().delay(to_mail))
    return rows


def _mail_task():
    from .notification_tasks import send_notification_emails

    return send_notification_emails


class EmailsInterrupted(Exception):
    """Sending stopped at an SMTP error; ``unsent`` are the ids of the notifications still to be mailed."""

    def __init__(self, unsent: list[int]):
        super().__init__(f"{len(unsent)} notification e-mails not sent")
        self.unsent = unsent


def notifications_email(notification_ids: list[int]) -> int:
    """E-mail the notifications that were to be mailed at once (a worker runs this after the service's commit).

    Each e-mail is written in its recipient's language, all go over one SMTP connection. Notifications that
    are gone (their transaction rolled back after all) send nothing. At an SMTP error it raises
    :class:`EmailsInterrupted` with those not sent yet, so that a retry sends none twice. Returns how many.
    """
    due = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=False)
        .select_related("recipient", "project")
        .order_by("pk")
    )
    due = [n for n in due if n.recipient.email and n.recipient.is_active]
    if not due:
        return 0
    connection = get_connection()
    done = 0
    try:
        connection.open()
        for notification in due:
            recipient = notification.recipient
            message = render_email("notification", {"notification": notification, "recipient": recipient}, recipient.language)  # fmt: skip
            send_now(to=recipient.email, connection=connection, **message)
            done += 1
    except OSError as error:  # smtplib's errors too
        raise EmailsInterrupted([n.pk for n in due[done:]]) from error
    finally:
        connection.close()
    return done


def notification_mark_read(*, actor, notification: Notification) -> bool:
    """The recipient has seen it. Returns False when it was read already (nothing changes then).

    Not audited: reading one's own notifications changes nothing anybody else relies on.
    """
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is for someone else."))
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


def notifications_mark_all_read(*, actor) -> int:
    """Everything in the actor's bell is read; returns how many were unread."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notification_preferences_update(*, actor, deliveries: dict[str, str]) -> dict[str, str]:
    """The actor chooses, per kind, how to be told. Unknown kinds and deliveries are refused."""
    unknown = [k for k, v in deliveries.items() if k not in _kinds or v not in Delivery.values]
    if unknown:
        raise ValueError(f"unknown notification kinds or deliveries: {unknown}")
    with transaction.atomic():
        before = deliveries_for(actor)
        for kind, delivery in deliveries.items():
            NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"delivery": delivery})
        before, after = audit.changed(before, deliveries_for(actor))
        if after:
            audit.record(actor=actor, verb="user.notification_preferences", obj=actor, before=before, after=after)
    return after


# --- the daily digest ------------------------------------------------------------------------------------

DIGEST_MAX_ITEMS = 50  # the e-mail lists this many and says how many more wait in the portal


def digest_recipients() -> list[int]:
    """Ids of the people who have notifications waiting for their digest."""
    due = Notification.objects.filter(delivery=Delivery.DIGEST, digested_at__isnull=True)
    return sorted(set(due.values_list("recipient_id", flat=True)))


def digest_send(*, recipient_id: int) -> int:
    """Claim one person's undigested notifications and e-mail the unread ones after commit.

    The claim (rows locked, skipping rows another run holds, then marked ``digested_at``) comes first,
    so two runs never put the same notification in two e-mails. Returns how many were e-mailed.
    """
    from projects.models import Project

    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient_id=recipient_id, delivery=Delivery.DIGEST, digested_at__isnull=True)
            .order_by("created_at", "pk")
        )
        if not claimed:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in claimed], digested_at__isnull=True).update(digested_at=timezone.now())  # fmt: skip
        unread = [n for n in claimed if n.read_at is None]  # what they saw in the portal needs no e-mail
        recipient = get_user_model().objects.get(pk=recipient_id)
        if not unread or not recipient.email or not recipient.is_active:
            return 0
        shown = unread[:DIGEST_MAX_ITEMS]
        projects = Project.objects.in_bulk({n.project_id for n in shown if n.project_id})
        for n in shown:
            n.project = projects.get(n.project_id)
        context = {"recipient": recipient, "notifications": shown, "more": len(unread) - len(shown), "total": len(unread)}
        send_on_commit(template="digest", to=recipient.email, context=context, language=recipient.language)
    return len(unread)


def send_daily_digests() -> int:
    """One digest e-mail per person with unread digest notifications; returns how many e-mails."""
    return sum(1 for recipient_id in digest_recipients() if digest_send(recipient_id=recipient_id))
