"""Forms for writing a manual: the manual, its environments, its steps, their screenshots and annotations, and the
project's settings. They check the shape of the input; the services check the rest (DESIGN.md §4)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line
from projects.models import Membership, Role

from .. import annotations
from ..models import INSTRUCTION_MAX_LENGTH, Manual, ManualSettings, Step, Variant

MAX_ENVIRONMENTS = 20
IMAGE_ACCEPT = "image/png,image/jpeg,image/webp"


class ManualCreateForm(forms.ModelForm):
    environments = forms.CharField(
        label=_("Environments (one per line)"), max_length=2_000, validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("Name at least one environment, e.g. Windows 11.")},
        help_text=_("Where the readers work, e.g. Windows 10 and Windows 11: each step can have a screenshot per environment. You can add or remove environments later."),  # noqa: E501
    )  # fmt: skip

    class Meta:
        model = Manual
        fields = ["title", "audience", "language"]

    def clean_environments(self) -> list[str]:
        names = list(dict.fromkeys(line.strip() for line in self.cleaned_data["environments"].splitlines() if line.strip()))  # fmt: skip
        if not names:
            raise ValidationError(_("Name at least one environment, e.g. Windows 11."))
        if len(names) > MAX_ENVIRONMENTS:
            raise ValidationError(_("At most %(max)d environments.") % {"max": MAX_ENVIRONMENTS})
        if any(len(name) > Variant._meta.get_field("name").max_length for name in names):
            raise ValidationError(_("An environment's name has at most 80 characters."))
        return names

    def _post_clean(self):
        pass  # the service sets the project and the author, and checks the rest


def _roles(project, roles) -> dict[int, str]:
    """{user id: role name} of the project's members with one of ``roles``."""
    memberships = Membership.objects.filter(project=project, role__in=roles).select_related("user")
    return {m.user_id: m.get_role_display() for m in memberships}


class ManualForm(forms.ModelForm):
    reviewer = forms.ModelChoiceField(
        label=_("Who confirms changed screenshots"), queryset=get_user_model().objects.none(), required=False,
        empty_label=_("Any PMO staff member but the one who uploaded it"),
        help_text=_("When a replaced screenshot looks different, this person compares and confirms it before the manual can be published again. A client PM named here finds it in their approval inbox."),  # noqa: E501
    )  # fmt: skip
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Readers who may read it"), queryset=get_user_model().objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only used when it is not shared with all readers of the project."),
    )  # fmt: skip

    class Meta:
        model = Manual
        fields = ["title", "audience", "language", "reviewer", "share_with_all_readers", "shared_with"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("display_name", "username")
        reviewers = _roles(project, [Role.PMO, Role.CLIENT_PM])
        self.fields["reviewer"].queryset = users.filter(pk__in=reviewers)
        self.fields["reviewer"].label_from_instance = lambda user: f"{user} ({reviewers.get(user.pk, '')})"
        self.fields["shared_with"].queryset = users.filter(pk__in=_roles(project, [Role.READER]))

    def _post_clean(self):
        pass


class ManualSettingsForm(forms.ModelForm):
    class Meta:
        model = ManualSettings
        fields = ["unchanged_max_percent", "layout_min_percent", "review_months"]

    def _post_clean(self):
        pass


class VariantForm(forms.ModelForm):
    class Meta:
        model = Variant
        fields = ["name"]
        labels = {"name": _("New environment")}
        widgets = {"name": forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. Chrome on Mac")})}

    def _post_clean(self):
        pass


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = ["title", "instruction", "expected"]
        widgets = {"instruction": forms.Textarea(attrs={"rows": 8}), "expected": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "instruction": _("Markdown: **bold**, lists with 1. or -. Short sentences, one action each. Dictionary terms are linked; words to avoid are flagged."),  # noqa: E501
            "expected": _("What the reader sees once the step is done, so they know they are on track."),
        }

    def _post_clean(self):
        pass


class PreviewForm(forms.Form):
    instruction = forms.CharField(required=False, max_length=INSTRUCTION_MAX_LENGTH, validators=[validate_multi_line])


class ScreenshotUploadForm(forms.Form):
    image = forms.FileField(
        label=_("Screenshot"), widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        error_messages={"required": _("Choose a screenshot (PNG, JPEG or WebP), or paste or drop one here.")},
    )  # fmt: skip
    variant = forms.ModelChoiceField(label=_("Environment"), queryset=Variant.objects.none(), required=False, empty_label=_("All environments"))  # fmt: skip

    def __init__(self, *args, manual, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = manual.variants.all()


class AnnotationsForm(forms.Form):
    annotations = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def clean_annotations(self) -> list[dict]:
        return annotations.parse(self.cleaned_data["annotations"])
