"""What changed between two versions of a term, as people read it: field by field, with a redline.

Works on live content (category an object, related terms by id) and on the snapshots releases keep
(category and related terms by name) alike: :func:`display` turns either into text.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import CONTENT_FIELDS, Adopted, RelationKind, Term, TermStatus
from .models.dictionary import TermContent

# Latin words, runs of white space, and every other character on its own (Japanese, Korean, punctuation):
# a redline of Japanese text marks the changed characters, of English text the changed words.
_TOKENS = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+|\s+|.", re.S)


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def display(name: str, value, names: dict | None = None) -> str:
    """One content field as text: lists one item per line, equivalents with their language, relations by name."""
    names = names or {}
    if value in (None, "", []):
        return ""
    if name in ("synonyms", "avoid", "examples", "counter_examples"):
        return "\n".join(value)
    if name == "equivalents":
        return "\n".join(f"{e['language']}: {e['text']}" + ("" if e.get("exact", True) else " (≈)") for e in value)
    if name == "relations":
        lines = []
        for relation in value:
            target = relation["term"] if isinstance(relation["term"], str) else names.get(relation["term"], "")
            if target:
                lines.append(f"{RelationKind(relation['kind']).label}: {target}")
        return "\n".join(lines)
    if name == "adopted":
        return str(Adopted(value).label)
    if name == "status":
        return str(TermStatus(value).label)
    if name == "language":
        return str(dict(TermContent._meta.get_field("language").choices).get(value, value))
    return str(value)


# An unchanged stretch this short between two changes is folded into them, so that a rewritten Japanese phrase
# reads as "old phrase → new phrase" rather than as interleaved characters (「支払額課長の算承認」).
_SHORT_EQUAL = 2
_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")


def _chunks(before: str, after: str) -> list[tuple[str, str, str]]:
    """(op, old text, new text) runs: "equal" or "change", short equal runs between changes folded in."""
    old, new = _tokens(before), _tokens(after)
    chunks: list[list] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        kind = "equal" if op == "equal" else "change"
        piece = ["".join(old[i1:i2]), "".join(new[j1:j2])]
        if chunks and chunks[-1][0] == kind == "change":
            chunks[-1][1] += piece[0]
            chunks[-1][2] += piece[1]
        else:
            chunks.append([kind, *piece])
    folded: list[list] = []
    for index, (kind, old_text, new_text) in enumerate(chunks):
        # Japanese or Korean characters, punctuation or spaces only: an English word is never folded.
        between_changes = 0 < index < len(chunks) - 1 and len(old_text) <= _SHORT_EQUAL and not _LATIN.search(old_text)
        if kind == "equal" and between_changes or kind == "change" and folded and folded[-1][0] == "change":
            folded[-1][1] += old_text
            folded[-1][2] += new_text
        else:
            folded.append([kind, old_text, new_text])
    return [tuple(chunk) for chunk in folded]


def redline(before: str, after: str) -> SafeString:
    """``after`` with what was removed struck through (<del>) and what was added marked (<ins>)."""
    parts = []
    for kind, old_text, new_text in _chunks(before, after):
        if kind == "equal":
            parts.append(format_html("{}", old_text))
            continue
        if old_text:
            parts.append(format_html("<del>{}</del>", old_text))
        if new_text:
            parts.append(format_html("<ins>{}</ins>", new_text))
    return format_html_join("", "{}", ((part,) for part in parts))


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str

    @property
    def redline(self) -> SafeString:
        return redline(self.before, self.after)


def changes(before: dict | None, after: dict, names: dict | None = None) -> list[FieldChange]:
    """The fields that differ between two contents (``before`` None: everything ``after`` says).

    A release's snapshot also keeps the term's status, so a deprecation shows as a change between releases.
    """
    before = before or {}
    found = []
    for name in (*CONTENT_FIELDS, "status"):
        old, new = display(name, before.get(name), names), display(name, after.get(name), names)
        if old != new and not (name == "status" and not before):
            found.append(FieldChange(name, str(Term._meta.get_field(name).verbose_name), old, new))
    return found
