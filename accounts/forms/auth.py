import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ..models import User


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name or e-mail"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )  # fmt: skip


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone"]


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )  # fmt: skip

    def clean_token(self):
        # Full-width digits typed through a Japanese or Korean input method count as digits; so do spaces.
        token = unicodedata.normalize("NFKC", self.cleaned_data["token"]).replace(" ", "")
        if not (token.isascii() and token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Type the 6 digits your authenticator app shows."))
        return token
