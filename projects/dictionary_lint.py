"""Term linking and lint: the dictionary applied to any text of the project (RFP sections, manual steps...).

* :func:`find_in_text` finds every dictionary word in a text, with its position: terms, abbreviations,
  synonyms and equivalents (links to the term), words to avoid and deprecated terms (with what to write
  instead), and, for the PMO and the client side, terms not approved yet. Overlapping words are all
  reported (「保険金」 and 「保険金支払」).
* :func:`lint` keeps the problems: words to avoid, deprecated terms, unapproved terms.
* :func:`render_linked` returns the text as HTML, escaped, with each word linked to its term and a hover
  card showing the adopted definition; words to avoid are marked with their replacement. Where words
  overlap, the longest one is linked.

A viewer sees only what they may see: vendors and readers are never shown a term that is not approved.
The phrase index of a dictionary is built once and kept per process until a term changes.
"""

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .dictionary_text import Matcher, Phrase, leftmost_longest, line_and_column, word_list
from .models import FULL_VIEW_ROLES, RelationKind, Term, TermStatus
from .rules import role_in

# Kinds of finding. The first four link to a term; the last three are problems a writer must fix.
TERM, ABBREVIATION, SYNONYM, EQUIVALENT = "term", "abbreviation", "synonym", "equivalent"
AVOID, DEPRECATED, UNAPPROVED = "avoid", "deprecated", "unapproved"
PROBLEMS = (AVOID, DEPRECATED, UNAPPROVED)
CARD_DEFINITION_CHARS = 280
_MATCHER_CACHE_SIZE = 32
_matchers: "OrderedDict[tuple, tuple[tuple, Matcher]]" = OrderedDict()
_card_ids = itertools.count(1)


@dataclass(frozen=True)
class Finding:
    start: int  # position in the text (characters), as text[start:end]
    end: int
    text: str  # the words as written
    kind: str
    term: Term  # the term the words belong to
    line: int
    column: int
    replacements: list = field(default_factory=list)  # terms to write instead (words to avoid, deprecated terms)

    @property
    def is_problem(self) -> bool:
        return self.kind in PROBLEMS

    @property
    def message(self) -> str:
        """What a writer reads about it."""
        names = word_list((t.name for t in self.replacements), quoted=True)
        if self.kind == AVOID:
            return _("“%(word)s” is a word to avoid: write %(terms)s.") % {"word": self.text, "terms": names}
        if self.kind == DEPRECATED:
            if names:
                return _("“%(word)s” is deprecated: write %(terms)s.") % {"word": self.text, "terms": names}
            return _("“%(word)s” is deprecated: do not use it.") % {"word": self.text}
        if self.kind == UNAPPROVED:
            return _("“%(word)s” is not approved by the client PM yet.") % {"word": self.text}
        return _("“%(word)s”: see the term “%(term)s”.") % {"word": self.text, "term": self.term.name}


def _sees_unapproved(user, project) -> bool:
    return role_in(user, project) in FULL_VIEW_ROLES


def _phrases(row, include_unapproved: bool):
    pk, status, name, abbreviation, synonyms, avoid, equivalents = row
    if status == TermStatus.APPROVED:
        yield Phrase(name, TERM, pk)
        yield Phrase(abbreviation, ABBREVIATION, pk)
        yield from (Phrase(word, SYNONYM, pk) for word in synonyms)
        yield from (Phrase(e["text"], EQUIVALENT, pk) for e in equivalents)
        yield from (Phrase(word, AVOID, pk) for word in avoid)
    elif status == TermStatus.DEPRECATED:
        yield from (Phrase(word, DEPRECATED, pk) for word in (name, abbreviation, *synonyms, *(e["text"] for e in equivalents)))  # fmt: skip
    elif include_unapproved:
        yield from (Phrase(word, UNAPPROVED, pk) for word in (name, abbreviation, *synonyms, *(e["text"] for e in equivalents)))  # fmt: skip


def dictionary_matcher(project, *, include_unapproved: bool) -> Matcher:
    """The project's phrase index, rebuilt only when a term was added, changed or deleted since."""
    terms = Term.objects.filter(project=project)
    stamp = tuple(terms.aggregate(n=Count("pk"), changed=Max("updated_at")).values())
    key = (project.pk, include_unapproved)
    cached = _matchers.get(key)
    if cached is not None and cached[0] == stamp:
        _matchers.move_to_end(key)
        return cached[1]
    rows = terms.values_list("pk", "status", "name", "abbreviation", "synonyms", "avoid", "equivalents")
    matcher = Matcher(phrase for row in rows for phrase in _phrases(row, include_unapproved) if phrase.text)
    _matchers[key] = (stamp, matcher)
    while len(_matchers) > _MATCHER_CACHE_SIZE:
        _matchers.popitem(last=False)
    return matcher


def find_in_text(project, text: str, user) -> list[Finding]:
    """Every dictionary word in ``text`` that ``user`` may know of, overlapping ones included, in text order."""
    if not text:
        return []
    matcher = dictionary_matcher(project, include_unapproved=_sees_unapproved(user, project))
    matches = matcher.find(text)
    if not matches:
        return []
    terms = Term.objects.filter(pk__in={m.phrase.owner for m in matches}).select_related("project").in_bulk()
    replaced_by = {r["term"] for t in terms.values() for r in t.relations if r["kind"] == RelationKind.REPLACED_BY}
    replacements = Term.objects.filter(pk__in=replaced_by, status=TermStatus.APPROVED).in_bulk() if replaced_by else {}
    found = []
    for match in matches:
        term = terms.get(match.phrase.owner)
        if term is None:  # deleted since the index was built
            continue
        instead = [term] if match.phrase.kind == AVOID else []
        if match.phrase.kind == DEPRECATED:
            instead = [replacements[pk] for pk in term.related_ids(RelationKind.REPLACED_BY) if pk in replacements]
        line, column = line_and_column(text, match.start)
        found.append(Finding(match.start, match.end, match.text, match.phrase.kind, term, line, column, instead))
    return found


def lint(project, text: str, user) -> list[Finding]:
    """The problems in ``text``: words to avoid, deprecated terms, terms not approved yet."""
    return [finding for finding in find_in_text(project, text, user) if finding.is_problem]


# --- rendering ---------------------------------------------------------------------------------------------


def _card(finding: Finding) -> SafeString:
    term = finding.term
    if finding.kind in (AVOID, DEPRECATED, UNAPPROVED):
        body = format_html('<span class="term-card-problem">{}</span>', finding.message)
    else:
        badge = format_html(' <span class="badge text-bg-warning">{}</span>', _("differs from standard")) if term.differs_from_standard else ""  # fmt: skip
        reading = format_html(' <span class="term-card-reading">{}</span>', term.reading) if term.reading else ""
        definition = Truncator(term.adopted_definition).chars(CARD_DEFINITION_CHARS)
        body = format_html('<strong>{}</strong>{}{}<span class="term-card-definition">{}</span>', term.name, reading, badge, definition)  # fmt: skip
    return body


def _linked(finding: Finding) -> SafeString:
    card_id = f"term-card-{next(_card_ids)}"
    card = format_html('<span class="term-card" role="tooltip" id="{}">{}</span>', card_id, _card(finding))
    if finding.kind in (AVOID, DEPRECATED):
        word = format_html('<mark class="term-word term-avoid" tabindex="0" aria-describedby="{}">{}</mark>', card_id, finding.text)  # fmt: skip
    elif finding.kind == UNAPPROVED:
        word = format_html('<mark class="term-word term-unapproved" tabindex="0" aria-describedby="{}">{}</mark>', card_id, finding.text)  # fmt: skip
    else:
        url = reverse("dictionary:term_detail", kwargs={"code": finding.term.project.code, "pk": finding.term.pk})
        word = format_html('<a class="term-word term-link" href="{}" aria-describedby="{}">{}</a>', url, card_id, finding.text)  # fmt: skip
    return format_html('<span class="term-ref" data-kind="{}" data-term="{}">{}{}</span>', finding.kind, finding.term.pk, word, card)  # fmt: skip


def _plain(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def render_linked(project, text: str, user, *, exclude=None) -> SafeString:
    """``text`` as HTML: escaped, line breaks kept, dictionary words linked with hover cards, problems marked.

    ``exclude``: a term not to link (a term's own page does not link the term to itself).
    """
    findings = [f for f in find_in_text(project, text, user) if exclude is None or f.term.pk != exclude.pk]
    parts, position = [], 0
    for finding in leftmost_longest(findings):
        parts.append(_plain(text[position : finding.start]))
        parts.append(_linked(finding))
        position = finding.end
    parts.append(_plain(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece is escaped above)
