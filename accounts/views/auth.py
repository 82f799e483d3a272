from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from pmo_portal import audit
from pmo_portal.forms import add_service_errors
from pmo_portal.http import safe_next

from .. import services, two_factor
from ..forms.auth import PreferencesForm, SignInForm, TokenForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(actor=self.request.user, verb="auth.password_changed", obj=self.request.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")
    audit_verb = "auth.password_reset"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(actor=form.user, verb=self.audit_verb, obj=form.user)
        return response


class InvitationView(PasswordResetConfirmView):
    """The link in an invitation e-mail: the new member chooses a password and is signed in."""

    template_name = "registration/invitation_accept.html"
    audit_verb = "auth.invitation_accepted"

    def dispatch(self, *args, **kwargs):
        # The invitee has no session or language cookie yet: greet them in the language of their account.
        invitee = self.get_user(kwargs["uidb64"])
        if invitee is not None:
            translation.activate(invitee.language)
            self.request.LANGUAGE_CODE = invitee.language
        return super().dispatch(*args, **kwargs)
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Welcome! Your password is set."))
        return response


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_update_preferences(actor=request.user, **{f: form.cleaned_data[f] for f in form.changed_data})  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your settings are saved."))
            response = redirect("accounts:preferences")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax", secure=request.is_secure())  # fmt: skip
            return response
    return render(request, "accounts/preferences.html", {"form": form, "has_two_factor": two_factor.has_device(request.user)})  # fmt: skip


@require_POST
def switch_language(request):
    """The language menu: remembered on the account when signed in, in a cookie either way."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("That language is not available."))
        return HttpResponseRedirect(safe_next(request))
    if request.user.is_authenticated and request.user.language != language:
        services.user_update_preferences(actor=request.user, language=language)
    translation.activate(language)
    response = HttpResponseRedirect(safe_next(request))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax", secure=request.is_secure())  # fmt: skip
    return response


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the code, type what the app shows."""
    secret = request.session.get("2fa_pending_secret") or two_factor.new_secret()
    request.session["2fa_pending_secret"] = secret
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enable(actor=request.user, secret_hex=secret, token=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            del request.session["2fa_pending_secret"]
            otp_login(request, device)
            two_factor.forget_requirement(request)
            messages.success(request, _("Two-factor sign-in is on. You will be asked for a code each time you sign in."))
            return HttpResponseRedirect(safe_next(request))
    url = two_factor.otpauth_url(request.user, secret)
    context = {"form": form, "qr": two_factor.qr_svg(url), "secret": two_factor.readable_secret(secret), "required": two_factor.is_required_by_project(request.user), "next": safe_next(request, "")}  # fmt: skip
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def two_factor_verify(request):
    """After the password: the code from the authenticator app."""
    if request.user.is_verified():
        return HttpResponseRedirect(safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is None:
            audit.record(actor=request.user, verb="auth.two_factor_failed", obj=request.user)
            form.add_error("token", _("That code is not right, or it has expired. Type the code your app shows now."))
        else:
            otp_login(request, device)
            return HttpResponseRedirect(safe_next(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": safe_next(request, "")})


@require_POST
@login_required
def two_factor_disable(request):
    try:
        services.two_factor_disable(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        two_factor.forget_requirement(request)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:preferences")
