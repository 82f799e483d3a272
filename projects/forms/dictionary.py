"""Forms of the project dictionary (views in views/dictionary.py and views/dictionary_io.py)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pmo_portal.validators import validate_multi_line, validate_single_line

from ..dictionary_io import upload_help_text
from ..dictionary_text import normalize, split_list, unique_items
from ..models import (
    Adopted,
    DictionaryBaseline,
    Project,
    RelationKind,
    Role,
    SharedGlossary,
    Term,
    TermCategory,
    TermProposal,
    TermStatus,
)
from ..models.dictionary import STANDARD_SOURCES

LIST_HELP = _("One per line (or separated by semicolons).")
# Relations typed in the term form; "replaced by" is set when a term is deprecated.
TYPED_RELATIONS = (RelationKind.BROADER, RelationKind.NARROWER, RelationKind.SEE_ALSO)


def _textarea(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class TermForm(forms.ModelForm):
    """A term's content, as PMO staff write it. ``content()`` gives what the services take.

    The services check the rules that need the rest of the dictionary (duplicates, clashes with other terms'
    words) and the model's own rules; their errors come back onto these fields.
    """

    synonyms = forms.CharField(label=_("Synonyms"), required=False, widget=_textarea(2), validators=[validate_multi_line], help_text=format_lazy("{} {}", _("Other words that mean the same and are fine to use."), LIST_HELP))  # fmt: skip
    avoid = forms.CharField(label=_("Words to avoid"), required=False, widget=_textarea(2), validators=[validate_multi_line], help_text=format_lazy("{} {}", _("Forbidden or ambiguous words: writers must use the term instead."), LIST_HELP))  # fmt: skip
    broader = forms.CharField(label=RelationKind.BROADER.label, required=False, validators=[validate_single_line], help_text=_("Terms of this dictionary, separated by semicolons."))  # fmt: skip
    narrower = forms.CharField(label=RelationKind.NARROWER.label, required=False, validators=[validate_single_line])
    see_also = forms.CharField(label=RelationKind.SEE_ALSO.label, required=False, validators=[validate_single_line])
    examples = forms.CharField(label=_("Examples"), required=False, widget=_textarea(2), validators=[validate_multi_line], help_text=_("One per line."))  # fmt: skip
    counter_examples = forms.CharField(label=_("Counter-examples"), required=False, widget=_textarea(2), validators=[validate_multi_line], help_text=_("“This is not a …”: one per line."))  # fmt: skip
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, help_text=_("The PMO consultant who keeps this term up to date."))  # fmt: skip
    note = forms.CharField(label=_("Note to the approver"), required=False, max_length=2000, widget=_textarea(2), validators=[validate_multi_line], help_text=_("What changes and why, in a sentence or two."))  # fmt: skip

    class Meta:
        model = TermProposal
        fields = [
            "name", "reading", "abbreviation", "language", "category", "standard_definition", "standard_source",
            "standard_reference", "client_definition", "adopted", "rationale",
        ]  # fmt: skip
        widgets = {
            "standard_definition": _textarea(4),
            "client_definition": _textarea(4),
            "rationale": _textarea(2),
            "adopted": forms.RadioSelect,
            "standard_source": forms.TextInput(attrs={"list": "standard-sources"}),
        }

    def __init__(self, *args, project: Project, term: Term | None = None, **kwargs):
        self.project, self.term = project, term
        if term is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(term)
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TermCategory.objects.filter(project=project)
        self.fields["owner"].queryset = project.people(Role.PMO).order_by("display_name")
        self.fields["language"].initial = self.fields["language"].initial or project.default_language
        self.fields["adopted"].choices = Adopted.choices  # no empty choice
        for code, name in settings.LANGUAGES:
            self.fields[f"equivalent_{code}"] = forms.CharField(label=name, required=False, max_length=200, validators=[validate_single_line])  # fmt: skip
            self.fields[f"approximate_{code}"] = forms.BooleanField(label=_("only approximate"), required=False)
        self.order_fields([
            "name", "reading", "abbreviation", "language", "category",
            *[f"{prefix}_{code}" for code, _name in settings.LANGUAGES for prefix in ("equivalent", "approximate")],
        ])  # fmt: skip

    @property
    def standard_sources(self):
        return [str(source) for source in STANDARD_SOURCES]

    @property
    def equivalent_fields(self):
        """(text field, approximate field) per language, for the template."""
        return [(self[f"equivalent_{code}"], self[f"approximate_{code}"]) for code, _name in settings.LANGUAGES]

    @staticmethod
    def initial_of(term) -> dict:
        """The form's values for a term, or a proposal waiting for approval (its content)."""
        names = dict(Term.objects.filter(pk__in=term.related_ids()).values_list("pk", "name"))
        initial = {
            name: getattr(term, name)
            for name in ("name", "reading", "abbreviation", "language", "category", "standard_definition", "standard_source", "standard_reference", "client_definition", "adopted", "rationale")  # fmt: skip
        }
        initial |= {
            "synonyms": "\n".join(term.synonyms), "avoid": "\n".join(term.avoid),
            "examples": "\n".join(term.examples), "counter_examples": "\n".join(term.counter_examples),
        }  # fmt: skip
        for kind in TYPED_RELATIONS:
            initial[kind.value] = "; ".join(names[pk] for pk in term.related_ids(kind) if pk in names)
        for equivalent in term.equivalents:
            initial[f"equivalent_{equivalent['language']}"] = equivalent["text"]
            initial[f"approximate_{equivalent['language']}"] = not equivalent.get("exact", True)
        owner = getattr(term, "owner", None)
        if owner is not None:
            initial["owner"] = owner
        return initial

    def _post_clean(self):
        # The service builds and checks the content; the form only turns the typed text into it.
        pass

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("language")
        if language and cleaned.get(f"equivalent_{language}"):
            self.add_error(f"equivalent_{language}", _("This is the term's own language: write the term itself above."))  # fmt: skip
        for kind in TYPED_RELATIONS:
            cleaned[f"{kind.value}_ids"] = self._related_ids(kind.value, cleaned.get(kind.value, ""))
        return cleaned

    def _related_ids(self, field_name: str, typed: str) -> list[int]:
        names = unique_items(split_list(typed))
        if not names:
            return []
        found = dict(Term.objects.filter(project=self.project, key__in=[normalize(n) for n in names]).values_list("key", "pk"))  # fmt: skip
        missing = [name for name in names if normalize(name) not in found]
        if missing:
            self.add_error(field_name, _("There is no term “%(name)s” in this dictionary.") % {"name": missing[0]})
            return []
        if self.term is not None and self.term.pk in found.values():
            self.add_error(field_name, _("A term cannot be related to itself."))
            return []
        return [found[normalize(name)] for name in names]

    def content(self) -> dict:
        """The term content the form describes (call after is_valid())."""
        data = self.cleaned_data
        content = {name: data[name] for name in self.Meta.fields}
        content |= {name: value.strip() for name, value in content.items() if isinstance(value, str)}
        content["synonyms"] = unique_items(split_list(data["synonyms"]))
        content["avoid"] = unique_items(split_list(data["avoid"]))
        content["examples"] = [line.strip() for line in data["examples"].splitlines() if line.strip()]
        content["counter_examples"] = [line.strip() for line in data["counter_examples"].splitlines() if line.strip()]
        content["equivalents"] = [
            {"language": code, "text": data[f"equivalent_{code}"].strip(), "exact": not data[f"approximate_{code}"]}
            for code, _name in settings.LANGUAGES
            if data.get(f"equivalent_{code}", "").strip() and code != data["language"]
        ]
        replaced_by = [r for r in getattr(self.term, "relations", []) if r["kind"] == RelationKind.REPLACED_BY]
        content["relations"] = [{"kind": kind.value, "term": pk} for kind in TYPED_RELATIONS for pk in data[f"{kind.value}_ids"]] + replaced_by  # fmt: skip
        return content


class DeprecateForm(forms.Form):
    replaced_by = forms.CharField(label=_("Replaced by"), required=False, max_length=200, validators=[validate_single_line], help_text=_("The approved term writers should use instead, if there is one."))  # fmt: skip
    note = forms.CharField(label=_("Why should it no longer be used?"), max_length=2000, widget=_textarea(3), validators=[validate_multi_line])  # fmt: skip

    def __init__(self, *args, term: Term, **kwargs):
        self.term = term
        super().__init__(*args, **kwargs)

    def clean_replaced_by(self):
        name = self.cleaned_data["replaced_by"].strip()
        if not name:
            return None
        found = Term.objects.filter(project=self.term.project, key=normalize(name), status=TermStatus.APPROVED).exclude(pk=self.term.pk).first()  # fmt: skip
        if found is None:
            raise ValidationError(_("There is no other approved term “%(name)s” in this dictionary.") % {"name": name})
        return found


class TermFilterForm(forms.Form):
    """The dictionary list's search box and filters. Anything unknown is ignored, never an error page."""

    STATUS_CHOICES = [
        ("", _("All")),
        ("approved", _("Approved")),
        ("pending", _("Waiting for approval")),
        ("draft", _("Drafts (sent back or withdrawn)")),
        ("deprecated", _("Deprecated")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=None, empty_label=_("All categories"), widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    differs = forms.BooleanField(label=_("Only where the project adopts the client's definition"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))  # fmt: skip

    def __init__(self, *args, project: Project, show_unapproved: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TermCategory.objects.filter(project=project)
        if not show_unapproved:
            self.fields["status"].choices = [c for c in self.STATUS_CHOICES if c[0] in ("", "approved", "deprecated")]

    def filtered(self, terms):
        if not self.is_valid():
            return terms
        data = self.cleaned_data
        terms = terms.search(data["q"])
        status = data["status"]
        if status == "pending":
            terms = terms.filter(proposals__status="pending")
        elif status:
            terms = terms.filter(status=status)
        if data["category"] is not None:
            terms = terms.filter(category=data["category"])
        if data["differs"]:
            terms = terms.filter(adopted=Adopted.CLIENT)
        return terms


class BulkDecisionForm(forms.Form):
    proposals = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={"required": _("Tick the terms you decide on.")})  # fmt: skip
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=_textarea(2), validators=[validate_multi_line])  # fmt: skip

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].choices = [(p.pk, p.pk) for p in proposals]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = TermCategory
        fields = ["name"]

    def _post_clean(self):
        pass  # the service checks the name (and its uniqueness) with the project set


class BaselineForm(forms.ModelForm):
    class Meta:
        model = DictionaryBaseline
        fields = ["title", "note"]
        widgets = {"note": _textarea(2)}

    def _post_clean(self):
        pass  # the service numbers the release and checks it


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help_text()


class CheckTextForm(forms.Form):
    text = forms.CharField(label=_("Text to check"), max_length=50_000, widget=_textarea(10), validators=[validate_multi_line], help_text=_("Paste a paragraph of an RFP, a manual or an e-mail: every dictionary term is linked, and words to avoid are marked with what to write instead."))  # fmt: skip


class CopyFromForm(forms.Form):
    source_project = forms.ModelChoiceField(label=_("Another project's dictionary"), required=False, queryset=None, help_text=_("Copies its approved terms. Only projects where you are PMO staff are listed."))  # fmt: skip
    glossary = forms.ModelChoiceField(label=_("…or a shared glossary of your firm"), required=False, queryset=None)

    def __init__(self, *args, project: Project, user, **kwargs):
        super().__init__(*args, **kwargs)
        pmo_projects = Project.objects.filter(memberships__user=user, memberships__role=Role.PMO).exclude(pk=project.pk)
        self.fields["source_project"].queryset = pmo_projects.order_by("code")
        self.fields["glossary"].queryset = SharedGlossary.objects.visible_to(user)

    def clean(self):
        cleaned = super().clean()
        chosen = [value for value in (cleaned.get("source_project"), cleaned.get("glossary")) if value is not None]
        if len(chosen) != 1:
            raise ValidationError(_("Choose one project or one glossary to copy from."))
        cleaned["source"] = chosen[0]
        return cleaned


class GlossaryForm(forms.ModelForm):
    class Meta:
        model = SharedGlossary
        fields = ["name", "description"]
        widgets = {"description": _textarea(2)}

    def _post_clean(self):
        pass  # the service sets the firm and checks the name's uniqueness within it
