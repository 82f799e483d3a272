"""What the navigation bar shows on every page: unread notifications and, for approvers, the inbox."""

from django import template
from django.db import connection

from projects.models import APPROVER_ROLES, Membership

from .. import inbox
from ..http import per_request
from ..models import Notification

register = template.Library()

# The bell counts unread notifications up to this and then says "99+": every page reads at most one row more than
# this, however many notifications someone has left unread.
UNREAD_SHOWN = 99


def _nav_state(user) -> dict:
    """The unread count and whether the user approves anywhere: one query for both, once per request (every page
    asks; written in SQL, as building it with the ORM cost more than running it). It also answers
    projects.rules.approves_anywhere for the rest of the request."""

    def fetch():
        notification, membership = Notification._meta.db_table, Membership._meta.db_table
        roles = ", ".join(["%s"] * len(APPROVER_ROLES))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {notification} WHERE recipient_id = %s AND read_at IS NULL LIMIT %s) AS unread), "  # noqa: S608  (table names from the models; values are parameters)
                f"EXISTS (SELECT 1 FROM {membership} WHERE user_id = %s AND role IN ({roles}))",
                [user.pk, UNREAD_SHOWN + 1, user.pk, *APPROVER_ROLES],
            )
            unread, approves = cursor.fetchone()
        per_request(user, "_approves_anywhere", lambda: bool(approves))
        return {"unread": unread, "approves": bool(approves)}

    return per_request(user, "_nav_state", fetch)


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read, counted up to ``UNREAD_SHOWN + 1`` (the bell says "99+")."""
    if not user.is_authenticated:
        return 0
    return _nav_state(user)["unread"]


@register.simple_tag
def inbox_nav(user) -> dict | None:
    """For client PMs and security officers: the inbox link with its count. None for everyone else."""
    if not user.is_authenticated or not _nav_state(user)["approves"]:
        return None
    return {"count": inbox.pending_count_cached(user)}
