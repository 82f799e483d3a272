"""Forms of the evaluation: the declaration of no conflict of interest, one proposal's scores, the recommendation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line

from ..models import MAX_SCORE, Recommendation

SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(MAX_SCORE + 1)]


class DeclarationForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I declare that I have no conflict of interest."),
        error_messages={
            "required": _(
                "Tick the box to declare that you have no conflict of interest; without it you cannot score the proposals."
            )
        },
    )


class ScoreForm(forms.Form):
    """One score (0–MAX_SCORE) and one comment per criterion: fields ``score_<id>`` and ``comment_<id>``."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Score"),
                choices=SCORE_CHOICES,
                coerce=int,
                error_messages={
                    "required": _("Choose a score from 0 to %(max)s.") % {"max": MAX_SCORE},
                    "invalid_choice": _("Choose a score from 0 to %(max)s.") % {"max": MAX_SCORE},
                },
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Why this score"),
                max_length=2_000,
                validators=[validate_multi_line],
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": _("Say why you give this score: the client PM reads it.")},
            )

    @staticmethod
    def initial_of(scores) -> dict:
        """Initial values from an evaluator's earlier scores of the proposal."""
        initial = {}
        for score in scores:
            initial[f"score_{score.criterion_id}"] = str(score.value)
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def rows(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"criterion": c, "value": data[f"score_{c.pk}"], "comment": data[f"comment_{c.pk}"]} for c in self.criteria
        ]

    def criterion_fields(self) -> list[tuple]:
        """(criterion, its score field, its comment field), for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["vendor", "reasons"]
        widgets = {"reasons": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"reasons": _("Why this company: how its proposal compares on the criteria, the risks you see, and what to settle in the contract.")}  # fmt: skip
        error_messages = {
            "vendor": {
                "required": _("Choose the company you recommend."),
                "invalid_choice": _("Recommend one of the companies whose proposal was opened."),
            },
            "reasons": {"required": _("Give your reasons: the client PM decides on them.")},
        }

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
        self.fields["vendor"].empty_label = _("Choose a company")
        self.fields["reasons"].validators.append(validate_multi_line)

    def _post_clean(self):
        pass  # the service sets the RFP and the writer, and checks the rest
