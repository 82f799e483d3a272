from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationKind
from pmo_portal.validators import validate_single_line

from ..models import Project, Role, SignOffRequest

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["code", "name", "description", "phase", "start_date", "end_date", "default_language", "require_two_factor", "approval_reminder_days"]  # fmt: skip
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 4})}

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class OrganizationChoiceMixin:
    """An existing organization from a short list, or the name of a new one."""

    def pick_organization(self, choice_field: str, name_field: str, kind: str, required: bool):
        choice, name = self.cleaned_data.get(choice_field), self.cleaned_data.get(name_field, "").strip()
        if choice and name:
            raise ValidationError({name_field: _("Choose an existing organization or type a new name, not both.")})
        if required and not choice and not name:
            raise ValidationError({choice_field: _("Choose an organization or type the name of a new one.")})
        return choice, name


class ProjectCreateForm(OrganizationChoiceMixin, ProjectForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Organization.objects.none(), required=False)
    new_client_name = forms.CharField(
        label=_("…or a new client"), max_length=200, required=False, validators=[validate_single_line]
    )

    class Meta(ProjectForm.Meta):
        fields = ["client", "new_client_name", *ProjectForm.Meta.fields]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Organization.objects.visible_to(user).filter(kind=OrganizationKind.CLIENT)

    def _post_clean(self):
        # client and pmo_firm are set by the service, not by the form's instance.
        pass

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["client"], cleaned["new_client_name"] = self.pick_organization("client", "new_client_name", OrganizationKind.CLIENT, required=True)  # fmt: skip
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field, errors)
        code = cleaned.get("code")
        if code and Project.objects.filter(code=code).exists():
            self.add_error("code", _("Another project already uses this code."))
        return cleaned


class MemberForm(OrganizationChoiceMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Role.choices])
    vendor = forms.ModelChoiceField(
        label=_("Vendor company"), queryset=Organization.objects.none(), required=False,
        help_text=_("Only for vendors: the company this person works for."),
    )  # fmt: skip
    new_vendor_name = forms.CharField(
        label=_("…or a new vendor company"), max_length=200, required=False, validators=[validate_single_line]
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Organization.objects.filter(
            kind=OrganizationKind.VENDOR, memberships__project=project
        ).distinct()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.VENDOR:
            try:
                cleaned["vendor"], cleaned["new_vendor_name"] = self.pick_organization("vendor", "new_vendor_name", OrganizationKind.VENDOR, required=True)  # fmt: skip
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    self.add_error(field, errors)
        else:
            cleaned["vendor"], cleaned["new_vendor_name"] = None, ""
        return cleaned


class InviteForm(MemberForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=150)
    display_name = forms.CharField(
        label=_("Name"), max_length=150, required=False, validators=[validate_single_line],
        help_text=_("How the name appears to others, e.g. 山田 花子. Used only for someone new to the portal."),
    )  # fmt: skip
    field_order = ["email", "display_name", "role", "vendor", "new_vendor_name"]


class SignOffRequestForm(forms.ModelForm):
    class Meta:
        model = SignOffRequest
        fields = ["title", "summary", "details", "approver_role"]
        widgets = {"details": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"details": _("Optional: anything the approver should know, or where to find the document.")}
