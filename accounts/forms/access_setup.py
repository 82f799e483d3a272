"""Forms of the vendor-access setup screens: systems and levels, vendor contracts and people, delegations.

Every choice of an object is limited to the project at hand, so an id of another project is simply
"not a valid choice". The services check everything again; these forms only say it earlier, and kindly.
"""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line, validate_single_line
from projects.models import Role

from ..models import (
    Delegation,
    Organization,
    OrganizationKind,
    PermissionLevel,
    TargetSystem,
    VendorContract,
    VendorPerson,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DAYS_INPUT = forms.NumberInput(attrs={"min": 1, "max": 730})
PDF_MAGIC = b"%PDF-"


def _max_mb() -> int:
    return settings.ACCESS_EVIDENCE_MAX_BYTES // (1024 * 1024)


class TargetSystemForm(forms.ModelForm):
    class Meta:
        model = TargetSystem
        fields = ["name", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PermissionLevelForm(forms.ModelForm):
    class Meta:
        model = PermissionLevel
        fields = ["name", "explanation", "risk", "max_duration_days"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 2}), "max_duration_days": DAYS_INPUT}
        help_texts = {"risk": _("How much harm a mistake or a misuse at this level could do.")}


class VendorContractForm(forms.ModelForm):
    """A new contract: which vendor company, the contract period, and who to talk to on their side."""

    class Meta:
        model = VendorContract
        fields = ["vendor", "start_date", "end_date", "contact_name", "contact_email"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}
        help_texts = {"end_date": _("No access is granted beyond this date.")}

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        taken = VendorContract.objects.filter(project=project).values("vendor")
        vendors = Organization.objects.visible_to(user).filter(kind=OrganizationKind.VENDOR)
        self.fields["vendor"].queryset = vendors.exclude(pk__in=taken).order_by("name")
        self.fields["vendor"].help_text = _(
            "Vendor companies already under contract in this project are not listed. A new company appears "
            "here once someone of it is invited to one of your projects."
        )


class VendorContractEditForm(forms.ModelForm):
    """The company of a contract stays what it is: its people and their access belong to it."""

    class Meta:
        model = VendorContract
        fields = ["start_date", "end_date", "contact_name", "contact_email"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}
        help_texts = {"end_date": _("No access is granted beyond this date.")}


class VendorPersonForm(forms.ModelForm):
    class Meta:
        model = VendorPerson
        fields = ["name", "email", "job_role"]
        help_texts = {"email": _("Their work e-mail address; it tells people of the same name apart.")}


class ReasonForm(forms.Form):
    """The one required sentence a small POST-only action asks for (its label and message set per action)."""

    required_message = _("Give a reason.")
    reason_label = _("Reason")

    reason = forms.CharField(max_length=500, validators=[validate_single_line])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.reason_label
        self.fields["reason"].error_messages["required"] = self.required_message


class ContractEndForm(ReasonForm):
    required_message = _("Say why the contract ends.")
    reason_label = _("Why does the contract end?")


class PersonRemoveForm(ReasonForm):
    required_message = _("Say why this person leaves (e.g. left the company, moved to another project).")
    reason_label = _("Why does this person leave?")


class DelegationRevokeForm(ReasonForm):
    required_message = _("Say why the delegation is revoked.")
    reason_label = _("Why is it revoked?")


class RemovalRequestForm(forms.Form):
    justification = forms.CharField(
        label=_("Why should this person's access be removed?"), max_length=2000, validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("Say why this person's access should be removed.")},  # fmt: skip
        help_text=_("e.g. They left our company on 31 March. The PMO removes every account they have."),
    )  # fmt: skip


class DelegationForm(forms.ModelForm):
    """The security officer lets one PMO member provision accounts, within limits, backed by a signed memo."""

    evidence = forms.FileField(
        label=_("Signed memo (PDF)"),
        error_messages={
            "required": _("Attach the signed memo (PDF) that gives this authority."),
            "empty": _("The file is empty. Attach the signed memo as a PDF file."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Delegation
        fields = ["delegate", "systems", "max_risk", "max_duration_days", "valid_from", "valid_until", "note"]
        widgets = {"valid_from": DATE_INPUT, "valid_until": DATE_INPUT, "systems": forms.CheckboxSelectMultiple, "max_duration_days": DAYS_INPUT}  # fmt: skip
        help_texts = {
            "max_risk": _("Requests at a higher risk need the security officer's approval."),
            "max_duration_days": _("Requests for a longer period need the security officer's approval."),
            "note": _("Optional, e.g. the memo's reference number."),
        }
        error_messages = {"systems": {"required": _("Choose at least one system.")}}

    field_order = ["delegate", "systems", "max_risk", "max_duration_days", "valid_from", "valid_until", "evidence", "note"]  # fmt: skip

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = project.people(Role.PMO).order_by("display_name", "username")
        self.fields["delegate"].help_text = _("PMO staff of this project only.")
        self.fields["systems"].queryset = TargetSystem.objects.filter(project=project)
        self.fields["systems"].help_text = ""
        self.fields["evidence"].help_text = gettext(
            "The memo that gives this authority, as a PDF of at most %(mb)s MB. "
            "If the form comes back with an error, choose the file again: it is not kept."
        ) % {"mb": _max_mb()}
        if not self.is_bound:
            self.initial.setdefault("valid_from", timezone.localdate())

    def clean_evidence(self):
        evidence = self.cleaned_data["evidence"]
        if evidence.size > settings.ACCESS_EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(gettext("The file is too large: at most %(mb)s MB.") % {"mb": _max_mb()})
        evidence.seek(0)
        head = evidence.read(len(PDF_MAGIC))
        evidence.seek(0)
        if head != PDF_MAGIC:
            raise forms.ValidationError(_("This file is not a PDF. Attach the memo as a PDF file."))
        return evidence
