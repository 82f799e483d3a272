"""Forms of the firm's library: saving an RFP as a template, a clause, inserting a clause into a section."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Clause, RfpTemplate


class TemplateSaveForm(forms.ModelForm):
    class Meta:
        model = RfpTemplate
        fields = ["name"]
        help_texts = {"name": _("Your firm's PMO staff choose it under “Start from” when they start an RFP.")}

    def _post_clean(self):
        pass  # the service sets the firm, the language and the sections, and checks the name is free


class ClauseForm(forms.ModelForm):
    class Meta:
        model = Clause
        fields = ["title", "body", "language", "owner", "review_date"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "body": _(
                "Markdown: **bold**, lists with -, tables with |. It is added at the end of the section it goes into."
            ),
            "owner": _("The person who checks, by the review date, that the clause is still right. They are reminded once it is past."),
            "review_date": _(
                "When the owner checks it again. After this date it cannot go into an RFP until reviewed."
            ),
        }

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = None

    def clean_review_date(self):
        review_date = self.cleaned_data["review_date"]
        if review_date is not None and review_date < timezone.localdate():
            raise forms.ValidationError(_("The review date is in the past: give the date of the next review."))
        return review_date

    def _post_clean(self):
        pass  # the service sets the firm and checks the rest


class ClauseInsertForm(forms.Form):
    clause = forms.ModelChoiceField(
        label=_("Clause"),
        queryset=Clause.objects.none(),
        error_messages={
            "required": _("Choose a clause to insert."),
            "invalid_choice": _("Choose one of your firm's clauses."),
        },  # fmt: skip
    )

    def __init__(self, *args, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = clauses
