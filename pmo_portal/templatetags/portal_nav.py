"""What the navigation bar shows on every page: unread notifications and, for approvers, the inbox."""

from django import template

from projects.rules import approves_anywhere

from .. import inbox
from ..http import per_request
from ..models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read (one query, remembered for the request)."""
    if not user.is_authenticated:
        return 0
    return per_request(user, "_unread_notifications", lambda: Notification.objects.visible_to(user).unread().count())


@register.simple_tag
def inbox_nav(user) -> dict | None:
    """For client PMs and security officers: the inbox link with its count. None for everyone else."""
    if not approves_anywhere(user):
        return None
    return {"count": inbox.pending_count_cached(user)}
