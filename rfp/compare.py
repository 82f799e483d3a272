"""Two versions of an RFP compared section by section, sentence by sentence (the snapshots of ``RfpVersion``).

A changed section shows, side by side, the sentences it lost and gained; a sentence rewritten in place shows a
redline of its words (English) or characters (Japanese, Korean). Requirements compare by their stable ID,
criteria by name.
"""

import difflib
import re
from dataclasses import dataclass, field

from projects.dictionary_diff import redline

# A sentence ends at 。．！？ (Japanese), at . ! ? followed by a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[。．！？])|(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part and part.strip()]


@dataclass
class SentenceRow:
    old: str
    new: str

    @property
    def kind(self) -> str:
        if self.old == self.new:
            return "same"
        return "removed" if not self.new else "added" if not self.old else "changed"

    @property
    def redline(self):
        return redline(self.old, self.new)


@dataclass
class SectionChange:
    number: int  # in the newer version (the older one's for a removed section)
    title: str
    old_title: str
    kind: str  # "added", "removed", "changed", "same"
    rows: list[SentenceRow] = field(default_factory=list)  # the changed sentences (and their neighbours' absence)


def _sentence_rows(old: str, new: str) -> list[SentenceRow]:
    before, after = sentences(old), sentences(new)
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        removed, added = before[i1:i2], after[j1:j2]
        for k in range(max(len(removed), len(added))):
            rows.append(SentenceRow(removed[k] if k < len(removed) else "", added[k] if k < len(added) else ""))
    return rows


def compare_versions(old: dict, new: dict) -> dict:
    """{"sections": [SectionChange], "requirements": [(code, old, new)], "criteria": [(name, old weight, new weight)]}"""
    old_sections = {s["id"]: (n, s) for n, s in enumerate(old["sections"], start=1)}
    changes = []
    for number, section in enumerate(new["sections"], start=1):
        previous = old_sections.pop(section["id"], None)
        if previous is None:
            changes.append(SectionChange(number, section["title"], "", "added", _sentence_rows("", section["body"])))
            continue
        before = previous[1]
        rows = _sentence_rows(f"{before['title']}\n{before['body']}", f"{section['title']}\n{section['body']}")
        changes.append(SectionChange(number, section["title"], before["title"], "changed" if rows else "same", rows))
    for number, section in old_sections.values():
        changes.append(SectionChange(number, section["title"], section["title"], "removed", _sentence_rows(section["body"], "")))  # fmt: skip
    old_requirements = {r["code"]: r for r in old["requirements"]}
    new_requirements = {r["code"]: r for r in new["requirements"]}
    requirements = [
        (code, old_requirements.get(code), new_requirements.get(code))
        for code in sorted(old_requirements.keys() | new_requirements.keys())
        if old_requirements.get(code) != new_requirements.get(code)
    ]
    old_weights = {c["name"]: c["weight"] for c in old["criteria"]}
    new_weights = {c["name"]: c["weight"] for c in new["criteria"]}
    criteria = [
        (name, old_weights.get(name), new_weights.get(name))
        for name in sorted(old_weights.keys() | new_weights.keys())
        if old_weights.get(name) != new_weights.get(name)
    ]
    return {"sections": changes, "requirements": requirements, "criteria": criteria, "changed": sum(1 for c in changes if c.kind != "same")}  # fmt: skip
