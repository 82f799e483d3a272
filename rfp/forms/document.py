"""Forms of the RFP document: the RFP, its sections, the review, requirements, criteria, issue."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line, validate_single_line

from ..models import BODY_MAX_LENGTH, EvaluationCriterion, PmQuestion, Requirement, Rfp, RfpSection, RfpTemplate

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RfpCreateForm(forms.ModelForm):
    template = forms.ModelChoiceField(
        label=_("Start from"), required=False, queryset=RfpTemplate.objects.none(),
        empty_label=_("The usual sections of an IT RFP"),
        help_text=_("Or a template your firm saved from an earlier RFP."),
    )  # fmt: skip

    class Meta:
        model = Rfp
        fields = ["title", "language"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = RfpTemplate.objects.visible_to(user)

    def _post_clean(self):
        pass  # the service sets the project and the author, and checks the rest


class RfpForm(forms.ModelForm):
    class Meta:
        model = Rfp
        fields = ["title", "language", "question_deadline", "proposal_deadline"]
        widgets = {"question_deadline": DATETIME_INPUT, "proposal_deadline": DATETIME_INPUT}
        help_texts = {
            "question_deadline": _("Vendors can ask questions until then. Set when the RFP is issued, if not now."),
            "proposal_deadline": _("Proposals received after this moment are refused."),
        }

    def _post_clean(self):
        pass


class SectionForm(forms.ModelForm):
    class Meta:
        model = RfpSection
        fields = ["title", "body", "explanation"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}), "explanation": forms.Textarea(attrs={"rows": 4})}  # fmt: skip
        help_texts = {"body": _("Markdown: **bold**, lists with -, tables with |, headings with #. HTML is shown as text.")}

    def _post_clean(self):
        pass


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=BODY_MAX_LENGTH, validators=[validate_multi_line])


class PmQuestionForm(forms.ModelForm):
    class Meta:
        model = PmQuestion
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass


class PmAnswerForm(forms.ModelForm):
    class Meta:
        model = PmQuestion
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        fields = ["category", "text", "priority", "acceptance_criteria", "criterion"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "acceptance_criteria": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, rfp: Rfp, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = rfp.criteria.all()
        self.fields["criterion"].empty_label = _("(not scored directly)")
        if self.instance.pk:  # the category is part of the ID: it does not change
            del self.fields["category"]

    def _post_clean(self):
        pass


class CriterionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Criterion"), max_length=200, validators=[validate_single_line])
    description = forms.CharField(label=_("What scores well"), required=False, max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=1, max_value=100)


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        total = sum(row["weight"] for row in rows)
        if rows and total != 100:
            raise ValidationError(_("The weights add up to %(total)s%%: they must add up to 100%%.") % {"total": total})

    def rows(self) -> list[dict]:
        return [
            {"id": f.cleaned_data.get("id"), "name": f.cleaned_data["name"], "description": f.cleaned_data["description"], "weight": f.cleaned_data["weight"]}  # fmt: skip
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


CriterionFormSet = formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True, max_num=30, validate_max=True)  # fmt: skip


def criteria_initial(rfp: Rfp) -> list[dict]:
    return [{"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight} for c in EvaluationCriterion.objects.filter(rfp=rfp)]  # fmt: skip


class IssueForm(forms.Form):
    question_deadline = forms.DateTimeField(label=_("Questions until"), widget=DATETIME_INPUT)
    proposal_deadline = forms.DateTimeField(label=_("Proposals until"), widget=DATETIME_INPUT)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, validators=[validate_multi_line], widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
