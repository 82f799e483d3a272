"""Forms between an issued RFP and its vendors: inviting a company, a vendor's question, the PMO's answer, a proposal.

Every choice is limited to the RFP at hand; the services check everything again.
"""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Answer, VendorQuestion
from ..services.vendors import invitable_vendors, proposal_max_bytes


class InviteForm(forms.Form):
    vendor = forms.ModelChoiceField(
        label=_("Vendor company"), queryset=None,
        help_text=_("Vendor companies with people in this project. Their people are told at once."),
        error_messages={"required": _("Choose the vendor company to invite."), "invalid_choice": _("Choose a vendor company of this project that is not invited yet.")},  # fmt: skip
    )  # fmt: skip

    def __init__(self, *args, rfp, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = invitable_vendors(rfp)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = VendorQuestion
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"text": _("The PMO publishes its answer to every invited vendor, without saying who asked.")}

    def _post_clean(self):
        pass  # the service sets the RFP, the company and the asker, and checks the deadline


class QuestionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, question):
        return f"{question.vendor} — {Truncator(question.text).chars(160)}"


class AnswerForm(forms.ModelForm):
    questions = QuestionChoiceField(
        label=_("Questions it answers"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the question or questions this answers."), "invalid_choice": _("Choose unanswered questions of this RFP only."), "invalid_pk_value": _("Choose unanswered questions of this RFP only.")},  # fmt: skip
    )  # fmt: skip

    class Meta:
        model = Answer
        fields = ["questions", "question_summary", "text", "changes_rfp"]
        widgets = {"question_summary": forms.Textarea(attrs={"rows": 3}), "text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, rfp, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = VendorQuestion.objects.filter(rfp=rfp, answer__isnull=True).select_related("vendor")  # fmt: skip

    def _post_clean(self):
        pass  # the service sets the RFP and the author, and checks the rest


class ProposalForm(forms.Form):
    file = forms.FileField(
        label=_("Proposal (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Choose your proposal as a PDF file."), "empty": _("The file is empty. Choose your proposal as a PDF file."), "invalid": _("Choose your proposal as a PDF file.")},  # fmt: skip
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("One PDF of at most %(limit)s. A new upload replaces the previous one until the deadline.") % {"limit": filesizeformat(proposal_max_bytes())}  # fmt: skip
