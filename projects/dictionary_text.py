"""Text rules of the project dictionary: how terms are compared, searched and found in a text.

Pure functions, no database: the models, the search, the import and the lint service all use them.

* :func:`normalize` is the one comparison form. NFKC folds full-width and half-width forms (``ＡＰＩ`` is
  ``API``, ``ｶﾞ`` is ``ガ``), casefold ignores case, runs of white space become one space. Two terms are
  duplicates when their normalized forms are equal; search compares normalized text with normalized text.
* :class:`Matcher` finds every occurrence of many phrases in a text at once, with the positions in the
  *original* text, overlapping ones included (「保険金」 inside 「保険金支払」). Latin-script phrases match
  whole words only (``API`` is not found in ``rapid``), with an English plural allowed (``claims``);
  Japanese, Chinese and Korean phrases match anywhere, as those scripts do not separate words with spaces
  (Korean particles attach to the word: 「보험금을」 contains 「보험금」).
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Separators between the items of a list typed into one box: new lines and semicolons (ASCII and full-width).
LIST_SEPARATORS = ("\n", ";", "；")


def normalize(text: str) -> str:
    """The form in which terms are compared and searched: NFKC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def split_list(text: str) -> list[str]:
    """The items of a list typed one per line (or separated by semicolons), stripped, empty ones dropped."""
    for separator in LIST_SEPARATORS[1:]:
        text = (text or "").replace(separator, "\n")
    return [item.strip() for item in (text or "").split("\n") if item.strip()]


def unique_items(items: Iterable[str]) -> list[str]:
    """``items`` without repeats (compared normalized), first spelling kept, order kept."""
    seen, kept = set(), []
    for item in items:
        key = normalize(item)
        if key and key not in seen:
            seen.add(key)
            kept.append(item.strip())
    return kept


def word_list(words: Iterable[str], *, quoted: bool = False) -> str:
    """Words joined for a sentence in the active language: “保険金”、“給付金” in Japanese, “claim”, “payment” in English."""
    if quoted:
        words = (_("“%(term)s”") % {"term": word} for word in words)
    return pgettext("separator between the items of a list", ", ").join(words)


def is_word_char(ch: str) -> bool:
    """A letter or digit of a script that separates words with spaces (Latin, Greek, Cyrillic...).

    CJK ideographs, kana and Hangul are not: a phrase in those scripts matches anywhere.
    """
    return ch.isalnum() and ord(ch) < 0x2E80


def normalize_mapped(text: str) -> tuple[str, list[int], list[int]]:
    """:func:`normalize` of ``text``, and for each normalized character where it came from.

    Returns ``(normalized, starts, ends)``: normalized character ``i`` comes from ``text[starts[i]:ends[i]]``.
    Normalizing character by character keeps that mapping; a half-width voiced sound mark is composed
    with the kana before it (``ｶﾞ`` becomes ``ガ``), which then maps to both original characters.
    Leading and trailing white space is dropped and inner runs become one space, as in :func:`normalize`.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, ch in enumerate(text):
        # One character may fold to several, white space included (NFKC turns "´" into a space and an accent).
        for piece in unicodedata.normalize("NFKC", ch).casefold():
            if piece.isspace():
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    starts.append(index)
                    ends.append(index + 1)
                continue
            if chars and unicodedata.combining(piece) and chars[-1] != " ":
                composed = unicodedata.normalize("NFC", chars[-1] + piece)
                if len(composed) == 1:
                    chars[-1] = composed
                    ends[-1] = index + 1
                    continue
            chars.append(piece)
            starts.append(index)
            ends.append(index + 1)
    if chars and chars[-1] == " ":
        chars.pop(), starts.pop(), ends.pop()
    return "".join(chars), starts, ends


@dataclass(frozen=True)
class Phrase:
    """Something to look for: its text, what kind of phrase it is, and what it belongs to (e.g. a term id)."""

    text: str
    kind: str
    owner: Any = None


@dataclass(frozen=True)
class Match:
    """One occurrence: ``source[start:end]`` (positions in the original text) is ``phrase``."""

    start: int
    end: int
    text: str
    phrase: Phrase

    @property
    def length(self) -> int:
        return self.end - self.start


class Matcher:
    """Finds many phrases in a text in one pass, overlapping occurrences included.

    Built once from the phrases (keyed by their normalized form); ``find`` then looks, at each position
    of the normalized text, only at the lengths of the phrases that start with that character.
    """

    def __init__(self, phrases: Iterable[Phrase]):
        self._phrases: dict[str, list[Phrase]] = {}
        lengths: dict[str, set[int]] = {}
        for phrase in phrases:
            key = normalize(phrase.text)
            if not key:
                continue
            bucket = self._phrases.setdefault(key, [])
            if phrase not in bucket:
                bucket.append(phrase)
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._phrases.values())

    def find(self, text: str) -> list[Match]:
        """Every occurrence in ``text``, sorted by start, longer first at the same start."""
        norm, starts, ends = normalize_mapped(text)
        found: list[Match] = []
        for i, first in enumerate(norm):
            for length in self._lengths.get(first, ()):
                key = norm[i : i + length]
                phrases = self._phrases.get(key)
                if not phrases or len(key) < length:
                    continue
                end = self._word_end(norm, i, length)
                if end is None:
                    continue
                start_at, end_at = starts[i], ends[end - 1]
                for phrase in phrases:
                    found.append(Match(start_at, end_at, text[start_at:end_at], phrase))
        found.sort(key=lambda m: (m.start, -m.length, m.phrase.kind, str(m.phrase.owner)))
        return found

    @staticmethod
    def _word_end(norm: str, i: int, length: int) -> int | None:
        """Where the occurrence at ``norm[i:i+length]`` ends, or None if it is only part of a word."""
        end = i + length
        if is_word_char(norm[i]) and i > 0 and is_word_char(norm[i - 1]):
            return None
        if not is_word_char(norm[end - 1]):
            return end
        if end == len(norm) or not is_word_char(norm[end]):
            return end
        # An English plural: "claim" is found in "claims" and "process" in "processes".
        for suffix in ("s", "es"):
            after = end + len(suffix)
            if length >= 3 and norm[end:after] == suffix and (after == len(norm) or not is_word_char(norm[after])):
                return after
        return None


def leftmost_longest(matches: Iterable[Match]) -> list[Match]:
    """Occurrences that do not overlap, for linking: at each place the longest phrase wins.

    ``matches`` must be sorted as :meth:`Matcher.find` sorts them. Where a phrase has several owners
    (two terms share a synonym) the first one is kept.
    """
    chosen: list[Match] = []
    covered_until = 0
    for match in matches:
        if match.start >= covered_until:
            chosen.append(match)
            covered_until = match.end
    return chosen


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` in ``text``, as an editor shows them."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column
