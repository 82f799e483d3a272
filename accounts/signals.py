"""Sign-in events go to the audit trail. (Django and django-axes announce them as signals.)"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pmo_portal import audit


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record(actor=user, verb="auth.login", obj=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "logout_reason", "user")
        audit.record(actor=user, verb="auth.logout", obj=user, after={"reason": reason})


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=None, verb="auth.login_failed", after={"username": username})


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(actor=None, verb="auth.locked_out", after={"username": str(username or "")[:150]})
