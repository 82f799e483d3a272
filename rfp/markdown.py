"""Markdown of RFP sections to HTML: one renderer for the editor's preview, the pages vendors read and the PDF.

* markdown-it-py in CommonMark mode with raw HTML switched off: ``<script>``, ``<iframe>`` or any other tag
  someone types is shown as text, never run. Tables are on (requirements often come as tables).
* nh3 then keeps only an allow-list of tags and attributes, and links only to http, https and mailto: a
  ``javascript:`` link becomes plain text. Belt and braces: neither step trusts the other.
* Headings inside a section start at level 3 (the section's own title is the level-2 heading).
* :func:`render_linked_markdown` also links dictionary terms in the text (not inside links or code) and marks
  words to avoid, for the editor and the pages people read.
* Each worker keeps what it rendered lately, keyed by everything the result depends on, so it is never stale:
  the HTML of a text by the text; its dictionary links (and the dictionary's findings in a text) also by the
  project's dictionary version, the viewer's role in the project and the language (see :class:`_Memo`).
"""

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, NamedTuple

import nh3
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h([1-6])>")
_TAG = re.compile(r"(<[^>]+>)")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _shift_headings(rendered: str) -> str:
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", rendered)


def render_markdown(text: str) -> SafeString:
    """Safe HTML of ``text`` (Markdown)."""
    return mark_safe(_rendered(text).html)  # noqa: S308  (sanitised by nh3 in _render)


def render_linked_markdown(text: str, project, user) -> SafeString:
    """:func:`render_markdown` with the dictionary's terms linked in its text (never inside a link or code)."""
    return render_linked_markdown_many([text], project, user)[0]


# Joins the pieces of text of many documents for one dictionary look-up: no text (validate_multi_line) and no
# dictionary word contains it, so no match spans two pieces.
_SEPARATOR = "\x00"


class _Rendered(NamedTuple):
    html: str  # sanitised
    pieces: tuple[str, ...]  # html split into tags and the text between them
    slots: tuple[int, ...]  # the pieces of text to link: not inside a link or code
    plain: tuple[str, ...]  # those pieces unescaped, for the dictionary look-up


def _render(text: str) -> _Rendered:
    rendered = _shift_headings(_markdown.render(text))
    cleaned = nh3.clean(
        rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
    )  # fmt: skip
    pieces = tuple(_TAG.split(cleaned))
    slots, skip = [], 0
    for i, piece in enumerate(pieces):
        if piece.startswith("<"):
            name = piece.strip("</>").split()[0].lower() if piece.strip("</>") else ""
            if name in ("a", "code", "pre"):
                skip += -1 if piece.startswith("</") else 1
        elif piece and skip <= 0:
            slots.append(i)
    plain = tuple(html.unescape(pieces[i]).replace(_SEPARATOR, "") for i in slots)
    return _Rendered(cleaned, pieces, tuple(slots), plain)


# What a text renders to depends on the text alone: each worker keeps the latest texts it rendered, keyed by the
# text itself, so a page of 50 steps does not parse them again on every request. Long texts are rendered each time
# (a page has few of them, and they would crowd the memory).
_CACHE_SIZE = 256  # at most some 20 MB per worker, usually far less
_CACHE_MAX_CHARS = 4000
_render_cached = lru_cache(maxsize=_CACHE_SIZE)(_render)


def _rendered(text: str) -> _Rendered:
    text = text or ""
    return _render_cached(text) if len(text) <= _CACHE_MAX_CHARS else _render(text)


class _Memo:
    """The latest results of a computation, by key, for the life of the worker, within a budget of characters (of
    the texts in the keys and the HTML kept): the least recently used go first."""

    def __init__(self, budget: int):
        self._budget, self._used, self._items, self._lock = budget, 0, OrderedDict(), threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any], size: int) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        value = compute()
        if size <= self._budget // 8:  # one huge document does not push out everything else
            with self._lock:
                self._items[key] = value, size
                self._used += size
                while self._used > self._budget:
                    self._used -= self._items.popitem(last=False)[1][1]
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._used = 0


# Dictionary links and findings, by the texts and projects.rules.dictionary_view_key: a page of 50 steps, or a section's editor, looks
# its texts up in the dictionary once per change of the dictionary, not on every request. Some 4 MB per worker.
_linked = _Memo(budget=1_000_000)
_findings = _Memo(budget=500_000)


def _link(texts: tuple[str, ...], project, user) -> tuple[SafeString, ...]:
    from projects.dictionary_lint import render_linked

    documents, slots, plain = [], [], []
    for d, text in enumerate(texts):
        rendered = _rendered(text)
        documents.append(list(rendered.pieces))
        slots.extend((d, i) for i in rendered.slots)
        plain.extend(rendered.plain)
    if slots:
        joined = _SEPARATOR.join(plain)
        linked = str(render_linked(project, joined, user)).replace("<br>", "\n").split(_SEPARATOR)
        for (d, i), piece in zip(slots, linked, strict=True):
            documents[d][i] = piece
    return tuple(mark_safe("".join(pieces)) for pieces in documents)  # noqa: S308  (tags from nh3's output; text escaped by render_linked)


def _linked_many(texts: list[str], project, user, key: tuple) -> list[SafeString]:
    texts = tuple(text or "" for text in texts)
    size = 3 * sum(len(text) for text in texts)  # the texts, and their HTML with its links (about twice as long)
    return list(_linked.get((*key, texts), lambda: _link(texts, project, user), size))


def render_linked_markdown_many(texts: list[str], project, user) -> list[SafeString]:
    """:func:`render_linked_markdown` of each text, with one dictionary look-up for all of them (a page of steps or
    sections costs the same queries as one)."""
    from projects.rules import dictionary_view_key

    return _linked_many(texts, project, user, dictionary_view_key(user, project))


def linked_preview(text: str, project, user) -> tuple[SafeString, list]:
    """What an editor shows beside a text: :func:`render_linked_markdown` of it, and the dictionary's problems in it
    (``projects.dictionary_lint.lint``: words to avoid, deprecated and unapproved terms, with their lines)."""
    from projects.dictionary_lint import lint
    from projects.rules import dictionary_view_key

    key = dictionary_view_key(user, project)
    findings = _findings.get((*key, text), lambda: tuple(lint(project, text, user)), 2 * len(text))
    return _linked_many([text], project, user, key)[0], list(findings)


def _dictionary_saved(**_signal) -> None:
    """A change of a dictionary in this worker: forget everything at once (the change's new version number keys it for
    every worker; this also covers what a version number cannot tell apart, e.g. a test's rolled-back data)."""
    _linked.clear()
    _findings.clear()


# The models whose saves and deletes count in a project's dictionary_version (projects/models/dictionary.py).
for _model in ("projects.Term", "projects.TermProposal", "projects.TermCategory"):
    post_save.connect(_dictionary_saved, sender=_model, dispatch_uid=f"rfp.markdown.saved.{_model}")
    post_delete.connect(_dictionary_saved, sender=_model, dispatch_uid=f"rfp.markdown.deleted.{_model}")
