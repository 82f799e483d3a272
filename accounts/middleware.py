"""Per-user language and time zone, idle sign-out, and the two-factor gate."""

import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import two_factor


class UserPreferencesMiddleware:
    """A signed-in person sees the portal in their own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class IdleTimeoutMiddleware:
    """Sign out a session nobody has used for SESSION_IDLE_TIMEOUT seconds."""

    # Refresh the timestamp at most this often, so that reading pages does not write the session each time.
    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen")
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                request.logout_reason = "idle"
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                return _to_login(request)
            if last_seen is None or now - last_seen >= self.TOUCH_EVERY:
                request.session["last_seen"] = now
        return self.get_response(request)


def _to_login(request):
    url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


class TwoFactorRequiredMiddleware:
    """Someone who must use two-factor sign-in reaches nothing but the set-up and verify pages until they do."""

    OPEN_URL_NAMES = {
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "accounts:logout",
        "accounts:language",
        "healthz",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            need = two_factor.requirement(request)  # remembered in the session when the answer is "no"
            if need is not None and not self._is_open(request.path_info):
                target = "accounts:two_factor_verify" if need == "verify" else "accounts:two_factor_setup"
                url = f"{redirect(target).url}?{urlencode({'next': request.get_full_path()})}"
                if getattr(request, "htmx", False):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a 404 page reveals nothing
        return match.view_name in self.OPEN_URL_NAMES
