"""Forms of the access reviews, reconciliations and the access history (views in views/access_review.py)."""

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_single_line

from .. import csv_io
from ..models import Organization, TargetSystem, VendorPerson

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewStartForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, validators=[validate_single_line],
        help_text=_("e.g. Quarterly access review, April 2026"),
    )  # fmt: skip
    due_date = forms.DateField(
        label=_("Decide by"), widget=DATE_INPUT,
        help_text=_("The client PM is reminded every day until every access is decided."),
    )  # fmt: skip


class KeepForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=500, validators=[validate_single_line],
    )  # fmt: skip


class RevokeForm(forms.Form):
    comment = forms.CharField(
        label=_("Why revoke it?"), max_length=500, validators=[validate_single_line],
        error_messages={"required": _("Say why this access should be revoked, so that the PMO team knows.")},
    )  # fmt: skip


class ReconciliationForm(forms.Form):
    system = forms.ModelChoiceField(label=_("System"), queryset=TargetSystem.objects.none())
    file = forms.FileField(label=_("Account list (CSV)"))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = TargetSystem.objects.filter(project=project)
        self.fields["file"].help_text = csv_io.upload_help_text()
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,text/csv,text/plain"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.cleaned_data["accounts"] = csv_io.read_accounts_csv(uploaded)  # ValidationError: shown on the field
        self.cleaned_data["file_name"] = csv_io.upload_display_name(uploaded.name)
        return uploaded


class AuditFilterForm(forms.Form):
    """The access history's filters. An id that is not of this project is ignored, never an error page."""

    system = forms.ModelChoiceField(label=_("System"), queryset=TargetSystem.objects.none(), required=False)
    vendor = forms.ModelChoiceField(label=_("Vendor company"), queryset=Organization.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("Person"), queryset=VendorPerson.objects.none(), required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = TargetSystem.objects.filter(project=project)
        self.fields["vendor"].queryset = Organization.objects.filter(contracts__project=project).order_by("name")
        self.fields["person"].queryset = VendorPerson.objects.filter(contract__project=project).select_related("contract__vendor").order_by("name")  # fmt: skip
        self.fields["person"].label_from_instance = lambda person: f"{person.name} ({person.contract.vendor})"

    def filters(self) -> dict:
        """The lookups to apply: only the fields that hold a valid choice."""
        if not self.is_valid():  # unbound: no filter
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value is not None}

    def full_clean(self):
        super().full_clean()
        # Bad ids (edited URLs, stale bookmarks) are dropped silently: the list simply is not filtered by them.
        self._errors = ErrorDict()

