"""Markdown of RFP sections to HTML: one renderer for the editor's preview, the pages vendors read and the PDF.

* markdown-it-py in CommonMark mode with raw HTML switched off: ``<script>``, ``<iframe>`` or any other tag
  someone types is shown as text, never run. Tables are on (requirements often come as tables).
* nh3 then keeps only an allow-list of tags and attributes, and links only to http, https and mailto: a
  ``javascript:`` link becomes plain text. Belt and braces: neither step trusts the other.
* Headings inside a section start at level 3 (the section's own title is the level-2 heading).
* :func:`render_linked_markdown` also links dictionary terms in the text (not inside links or code) and marks
  words to avoid, for the editor and the pages people read.
"""

import html
import re

import nh3
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
    rendered = _shift_headings(_markdown.render(text or ""))
    cleaned = nh3.clean(
        rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
    )  # fmt: skip
    return mark_safe(cleaned)  # noqa: S308  (sanitised by nh3 just above)


def render_linked_markdown(text: str, project, user) -> SafeString:
    """:func:`render_markdown` with the dictionary's terms linked in its text (never inside a link or code)."""
    return render_linked_markdown_many([text], project, user)[0]


# Joins the pieces of text of many documents for one dictionary look-up: no text (validate_multi_line) and no
# dictionary word contains it, so no match spans two pieces.
_SEPARATOR = "\x00"


def render_linked_markdown_many(texts: list[str], project, user) -> list[SafeString]:
    """:func:`render_linked_markdown` of each text, with one dictionary look-up for all of them (a page of steps or
    sections costs the same queries as one)."""
    from projects.dictionary_lint import render_linked

    documents = [_TAG.split(str(render_markdown(text))) for text in texts]
    slots = []
    for d, pieces in enumerate(documents):
        skip = 0
        for i, piece in enumerate(pieces):
            if piece.startswith("<"):
                name = piece.strip("</>").split()[0].lower() if piece.strip("</>") else ""
                if name in ("a", "code", "pre"):
                    skip += -1 if piece.startswith("</") else 1
            elif piece and skip <= 0:
                slots.append((d, i))
    if slots:
        joined = _SEPARATOR.join(html.unescape(documents[d][i]).replace(_SEPARATOR, "") for d, i in slots)
        linked = str(render_linked(project, joined, user)).replace("<br>", "\n").split(_SEPARATOR)
        for (d, i), piece in zip(slots, linked, strict=True):
            documents[d][i] = piece
    return [mark_safe("".join(pieces)) for pieces in documents]  # noqa: S308  (tags from nh3's output; text escaped by render_linked)
