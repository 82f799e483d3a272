"""Forms for confirming changed screenshots, publishing, readers' "my screen looks different" and the PMO's answer.

They only check what was typed; the services check the state and the person's right again.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line

from ..models import Decision


def _comment(label, *, required=False, help_text="", rows=2, **kwargs):
    return forms.CharField(
        label=label, required=required, max_length=2000, help_text=help_text, validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": rows}), **kwargs,
    )  # fmt: skip


class VersionConfirmForm(forms.Form):
    """The changed picture is right: is the step's text still right too?"""

    decision = forms.ChoiceField(
        label=_("Is the step's text still right?"), widget=forms.RadioSelect, initial=Decision.MOVED_TEXT_RIGHT,
        choices=[(Decision.MOVED_TEXT_RIGHT, Decision.MOVED_TEXT_RIGHT.label), (Decision.TEXT_NEEDS_CHANGE, Decision.TEXT_NEEDS_CHANGE.label)],  # noqa: E501
        error_messages={"required": _("Choose whether the text is still right."), "invalid_choice": _("Choose whether the text is still right.")},  # noqa: E501
    )  # fmt: skip
    comment = _comment(_("Comment (optional)"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "confirm-%s")  # two forms on one page: ids stay unique
        super().__init__(*args, **kwargs)


class VersionRejectForm(forms.Form):
    comment = _comment(
        _("Why is the new screenshot wrong?"), required=True,
        error_messages={"required": _("Say why the screenshot is rejected, so that the PMO can take a better one.")},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reject-%s")
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    note = _comment(_("What changed, in your words (optional)"), help_text=_("Readers see it at the top of the change log."))  # fmt: skip


class ReportForm(forms.Form):
    """A reader's screen does not look like the step's picture."""

    comment = _comment(
        _("What looks different on your screen? (optional)"), rows=4,
        help_text=_("For example: “I cannot find the blue button at the bottom left.”"),
    )  # fmt: skip
    image = forms.FileField(
        label=_("A picture of your screen (optional)"), required=False,
        help_text=_("A screenshot as PNG, JPEG or WebP. We remove hidden data such as the place where it was taken."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )  # fmt: skip


class ResolveForm(forms.Form):
    resolution = _comment(_("What did you do? (optional)"), help_text=_("The reader is told."))

    def __init__(self, *args, report_pk=None, **kwargs):
        kwargs.setdefault("auto_id", f"resolve-{report_pk}-%s")  # one form per report on the list
        super().__init__(*args, **kwargs)
