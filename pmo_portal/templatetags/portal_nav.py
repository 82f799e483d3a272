"""What the navigation bar shows on every page: unread notifications and, for approvers, the inbox."""

from django import template

from projects.models import APPROVER_ROLES, Membership

from .. import inbox
from ..models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read (one query, remembered for the request)."""
    if not user.is_authenticated:
        return 0
    if "_unread_notifications" not in user.__dict__:
        user.__dict__["_unread_notifications"] = Notification.objects.visible_to(user).unread().count()
    return user.__dict__["_unread_notifications"]


@register.simple_tag
def inbox_nav(user) -> dict | None:
    """For client PMs and security officers: the inbox link with its count. None for everyone else."""
    if not user.is_authenticated:
        return None
    if "_is_approver" not in user.__dict__:
        user.__dict__["_is_approver"] = Membership.objects.filter(user=user, role__in=APPROVER_ROLES).exists()
    if not user.__dict__["_is_approver"]:
        return None
    return {"count": inbox.pending_count_cached(user)}
