"""State changes of a person's own account (DESIGN.md §4: one function per change)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmo_portal import audit

from .. import two_factor
from ..models import User

PREFERENCE_FIELDS = ("display_name", "language", "time_zone")


def user_update_preferences(*, actor: User, **changes) -> User:
    """A person changes their display name, language or time zone."""
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValueError(f"not a preference: {sorted(unknown)}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = audit.snapshot(user, PREFERENCE_FIELDS)
        for name, value in changes.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password", "username", "email"])
        user.save(update_fields=list(changes))
        before, after = audit.changed(before, audit.snapshot(user, PREFERENCE_FIELDS))
        if after:
            audit.record(actor=actor, verb="user.preferences", obj=user, before=before, after=after)
    return user


def two_factor_enable(*, actor: User, secret_hex: str, token: str) -> TOTPDevice:
    """Confirm an authenticator app by a code it shows, and keep it as the person's second factor."""
    if not two_factor.token_matches(secret_hex, token):
        raise ValidationError({"token": _("That code is not right. Check the time on your phone and type the current code.")})  # fmt: skip
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        TOTPDevice.objects.filter(user=actor).delete()
        device = TOTPDevice.objects.create(user=actor, name="Authenticator app", key=secret_hex, confirmed=True)
        audit.record(actor=actor, verb="auth.two_factor_enabled", obj=actor)
    return device


def two_factor_disable(*, actor: User) -> None:
    """Remove the authenticator, unless a project requires one of this person."""
    if two_factor.is_required_by_project(actor):
        raise ValidationError(_("A project you belong to requires two-factor sign-in, so it cannot be turned off."))
    with transaction.atomic():
        deleted, _detail = TOTPDevice.objects.filter(user=actor).delete()
        if deleted:
            audit.record(actor=actor, verb="auth.two_factor_disabled", obj=actor)
