"""Forms of the request workflow: asking for access, deciding, provisioning, revoking."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line, validate_single_line

from ..models import Delegation, PermissionLevel, VendorContract, VendorPerson
from ..services.access_requests import ItemSpec

COMMENT_ATTRS = {"rows": 2}


class LevelChoices(forms.ModelMultipleChoiceField):
    """Levels of the project's systems; the template draws them grouped by system, explanation and risk shown."""

    def label_from_instance(self, level):
        return f"{level.system.name}: {level.name}"


class AccessRequestForm(forms.Form):
    """A vendor asks access for one person of their company, on one or several systems, for one period."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=VendorPerson.objects.none(), required=False, empty_label=_("— someone new (fill in below) —"))  # fmt: skip
    new_name = forms.CharField(label=_("Name"), max_length=150, required=False, validators=[validate_single_line])
    new_email = forms.EmailField(label=_("E-mail"), required=False)
    new_job_role = forms.CharField(label=_("Role in the project"), max_length=150, required=False, validators=[validate_single_line], help_text=_("e.g. Test engineer"))  # fmt: skip
    levels = LevelChoices(label=_("Systems and levels"), queryset=PermissionLevel.objects.none(), widget=forms.CheckboxSelectMultiple, error_messages={"required": _("Choose at least one system and level.")})  # fmt: skip
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Leave empty for the longest period allowed (never after the contract ends)."))  # fmt: skip
    justification = forms.CharField(label=_("Why they need it"), max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What they will do with this access, in a sentence or two."))  # fmt: skip

    def __init__(self, *args, contract: VendorContract, request_obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract, self.request_obj = contract, request_obj
        self.fields["person"].queryset = contract.people.filter(removed_at__isnull=True)
        self.fields["levels"].queryset = PermissionLevel.objects.filter(system__project=contract.project_id).select_related("system").order_by("system__name", "risk", "name")  # fmt: skip
        self.fields["start_date"].initial = max(timezone.localdate(), contract.start_date)
        if request_obj is not None:  # editing: the person stays; levels and period can change
            for name in ("person", "new_name", "new_email", "new_job_role"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if "person" in self.fields and not data.get("person"):
            missing = [name for name in ("new_name", "new_email", "new_job_role") if not data.get(name)]
            for name in missing:
                if name not in self.errors:
                    self.add_error(name, _("Choose a person above, or fill in who the new person is."))
        start, levels = data.get("start_date"), data.get("levels")
        if start and levels and not data.get("end_date"):
            longest = min(level.max_duration_days for level in levels)
            data["end_date"] = min(start + timedelta(days=longest - 1), self.contract.end_date)
        return data

    def items(self) -> list[ItemSpec]:
        data = self.cleaned_data
        return [ItemSpec(level, data["start_date"], data["end_date"]) for level in data["levels"]]

    def level_groups(self):
        """[(system, [(checkbox, level), ...]), ...] for the template: levels under their system."""
        levels = {str(level.pk): level for level in self.fields["levels"].queryset}
        groups: dict = {}
        for checkbox in self["levels"]:
            level = levels[str(checkbox.data["value"])]
            groups.setdefault(level.system, []).append((checkbox, level))
        return list(groups.items())


class GrantChangeForm(forms.Form):
    """A vendor asks for another level on the same system, for a period."""

    level = forms.ModelChoiceField(label=_("New level"), queryset=PermissionLevel.objects.none(), widget=forms.RadioSelect)  # fmt: skip
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    justification = forms.CharField(label=_("Why they need it"), max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant = grant
        self.fields["level"].queryset = PermissionLevel.objects.filter(system=grant.level.system).exclude(pk=grant.level_id)  # fmt: skip
        self.fields["level"].label_from_instance = lambda level: f"{level.name} — {level.explanation} ({level.get_risk_display()})"  # fmt: skip
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["end_date"].initial = grant.end_date

    def items(self) -> list[ItemSpec]:
        data = self.cleaned_data
        return [ItemSpec(data["level"], data["start_date"], data["end_date"], self.grant)]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs=COMMENT_ATTRS))  # fmt: skip


class ReasonForm(forms.Form):
    comment = forms.CharField(label=_("Reason"), max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs=COMMENT_ATTRS), error_messages={"required": _("Say why, so that the others understand.")})  # fmt: skip


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why is this access revoked?"), max_length=500, validators=[validate_single_line], error_messages={"required": _("Say why this access is revoked.")})  # fmt: skip


class DelegationChoiceForm(forms.Form):
    """Which of my valid delegations I act under."""

    delegation = forms.ModelChoiceField(label=_("Under my delegation"), queryset=Delegation.objects.none(), empty_label=None, error_messages={"required": _("You hold no valid delegation in this project. Ask the security officer."), "invalid_choice": _("This delegation cannot be used: it is not yours, or it expired or was revoked. Choose a valid one, or ask the security officer.")})  # fmt: skip
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs=COMMENT_ATTRS))  # fmt: skip

    def __init__(self, *args, user, project, **kwargs):
        super().__init__(*args, **kwargs)
        held = Delegation.objects.filter(project=project, delegate=user).valid_on(timezone.localdate())
        self.fields["delegation"].queryset = held.prefetch_related("systems")
        self.fields["delegation"].label_from_instance = lambda d: _("#%(number)s: %(systems)s, up to %(risk)s risk and %(days)s days, until %(until)s") % {"number": d.pk, "systems": ", ".join(s.name for s in d.systems.all()), "risk": d.get_max_risk_display().lower(), "days": d.max_duration_days, "until": d.valid_until}  # fmt: skip


class ProvisionForm(DelegationChoiceForm):
    """The provisioning checklist: the login created on each system, and the delegation cited."""

    def __init__(self, *args, access_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.access_request = access_request
        self.login_fields = []
        for item in access_request.items.all():
            name = f"login_{item.pk}"
            initial = item.grant.login_name if item.grant_id else access_request.person.email.split("@")[0]
            self.fields[name] = forms.CharField(label=_("Login created on %(system)s") % {"system": item.level.system.name}, max_length=150, validators=[validate_single_line], initial=initial)  # fmt: skip
            self.login_fields.append((item, name))

    def login_names(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[name] for item, name in self.login_fields}
