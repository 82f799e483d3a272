"""PDF rendering shared by every export: Django template -> HTML -> WeasyPrint, all in this process.

Why it looks the way it does (DESIGN.md §4 and §7):

* The HTML comes only from server templates with auto-escaping on, so text typed by users (term
  definitions, vendor names, request reasons) is printed, never interpreted as markup.
* WeasyPrint runs in-process (no subprocess, no headless browser). It resolves every ``<img>``,
  stylesheet and ``@font-face`` URL through :data:`portal_url_fetcher`, which serves only files of
  the portal's own storage (``portal-file:<storage name>``) and inline ``data:image/...`` URLs.
  Nothing reads the local disk (``file:``) or the network, so a template cannot be turned into a
  file reader or an SSRF probe.
* No file attachments are ever embedded, even if some HTML asks for them (``<link rel=attachment>``
  or ``<a rel=attachment>``): a PDF leaves the portal, and an attachment would carry a stored file
  past the permission-checked download view.
* ``<html lang>`` is the document's language so that Japanese and Korean text gets the right font
  (``static/pdf/document.css`` names the Noto CJK families explicitly).
"""

from __future__ import annotations

import base64
import functools
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib import request as urllib_request
from urllib.parse import unquote, unquote_to_bytes

import weasyprint
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: The URL scheme of stored files inside PDF templates: ``portal-file:<storage name>``.
STORAGE_SCHEME = "portal-file:"
#: Relative URLs in templates resolve against this, i.e. they are refused (see the fetcher).
BASE_URL = STORAGE_SCHEME + "/"
#: The stylesheet every document gets, found through the staticfiles finders.
STYLESHEET = "pdf/document.css"

#: ``progress(percent)`` receives these; layout dominates, writing the PDF (images, fonts) follows.
PROGRESS_HTML = 10
PROGRESS_LAYOUT = 70
PROGRESS_DONE = 100

ProgressCallback = Callable[[int], None]


# --- what a document is ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One entry of the table of contents; the body has an element with ``id=anchor``."""

    anchor: str
    title: str
    level: int = 1


@dataclass
class Document:
    """Everything :func:`render_pdf` needs. ``template_name`` extends ``pdf/base.html``."""

    template_name: str
    context: dict[str, Any]
    language: str  # "en", "ja" or "ko": UI strings, <html lang> and therefore the CJK font
    title: str
    project_name: str = ""
    version: str = ""
    approved_by: str = ""
    approved_at: datetime | None = None
    sections: list[Section] = field(default_factory=list)
    change_log: list[dict[str, Any]] = field(default_factory=list)  # {"version", "date", "author", "summary"}


# --- the URL fetcher --------------------------------------------------------------------------------


def storage_url(name: str) -> str:
    """The URL a PDF template uses for a stored file (a screenshot, a logo)."""
    return STORAGE_SCHEME + name


def _refuse(url: str, why: str) -> ValueError:
    shown = url if len(url) <= 80 else url[:77] + "..."
    return ValueError(f"{shown!r} is not allowed in PDFs: {why}")


def _stored_name(url: str) -> str:
    """The storage name inside a ``portal-file:`` URL, or an error if it could leave the storage."""
    # WeasyPrint percent-encodes URLs before fetching them: decode first, then check, so that
    # "%2e%2e" cannot smuggle a "..".
    name = unquote(url[len(STORAGE_SCHEME) :])
    if not name or name.startswith(("/", "\\")) or ".." in name or "\\" in name or "\x00" in name:
        raise _refuse(url, "a stored file's name has no '..' and does not start with '/'")
    return name


def _read_stored_file(url: str) -> dict[str, Any]:
    name = _stored_name(url)
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {"string": data, "mime_type": mime_type}


def _read_data_image(url: str) -> dict[str, Any]:
    """Inline ``data:image/...`` URLs: they carry their bytes, so they reach neither disk nor network."""
    header, comma, payload = url[len("data:") :].partition(",")
    params = header.split(";")
    mime_type = params[0].strip().lower()
    if not comma or not mime_type.startswith("image/"):
        raise _refuse(url, "the only data: URLs served are images")
    raw = unquote_to_bytes(payload)
    data = base64.b64decode(raw) if "base64" in params[1:] else raw
    return {"string": data, "mime_type": mime_type}


def fetch_portal_url(url: str) -> dict[str, Any]:
    """The fetcher's policy, as a plain function: ``{"string": bytes, "mime_type": str}`` or ValueError.

    Served: ``portal-file:<storage name>`` (read through ``default_storage``, so S3 works too) and
    ``data:image/...``. Everything else (``file:``, ``http(s):``, relative URLs...) is refused.
    """
    scheme = url.split(":", 1)[0].lower() + ":"
    if scheme == STORAGE_SCHEME:
        return _read_stored_file(url)
    if scheme == "data:":
        return _read_data_image(url)
    raise _refuse(url, f"only {STORAGE_SCHEME}<stored file> and data:image/... URLs are served")


class PortalURLFetcher(URLFetcher):
    """WeasyPrint 70's fetcher protocol around :func:`fetch_portal_url`.

    WeasyPrint 70 changed the fetcher API: ``url_fetcher`` must be a :class:`weasyprint.urls.URLFetcher`
    instance (WeasyPrint reads its ``_fail_on_errors`` attribute when a fetch fails) whose ``fetch()``
    returns a :class:`~weasyprint.urls.URLFetcherResponse`; the old "function returning a dict" is no
    longer accepted, and ``data:`` URLs now go through the fetcher too. We subclass it but install
    none of urllib's handlers (file, http, ftp...), so even the inherited ``open()`` cannot reach them.
    Errors are not fatal: WeasyPrint logs them and leaves the image out, the PDF is still produced.
    """

    def __init__(self) -> None:
        urllib_request.OpenerDirector.__init__(self)  # deliberately no handlers
        self._fail_on_errors = False  # read by weasyprint.urls.fetch()
        self._request = None  # used by the inherited open()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        resource = fetch_portal_url(url)
        return URLFetcherResponse(url, resource["string"], {"Content-Type": resource["mime_type"]})


#: Pass as ``url_fetcher=`` to ``weasyprint.HTML``/``CSS``; calling it, ``portal_url_fetcher(url)``,
#: returns a ``URLFetcherResponse`` (``.read()``, ``.content_type``) or raises ``ValueError``.
portal_url_fetcher = PortalURLFetcher()


# --- rendering --------------------------------------------------------------------------------------


@functools.cache
def document_stylesheet() -> weasyprint.CSS:
    """``static/pdf/document.css``, parsed once per process (parsing it for every export is waste)."""
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(f"static/{STYLESHEET} was not found by the staticfiles finders")
    # base_url: any url() in the stylesheet goes through the same fetcher, never file:.
    return weasyprint.CSS(filename=path, base_url=BASE_URL, url_fetcher=portal_url_fetcher)


def render_html(document: Document) -> str:
    """The document's HTML, in its own language (not the requester's), with auto-escaping on."""
    context = {**document.context, "document": document}
    with translation.override(document.language):
        return render_to_string(document.template_name, context)


def html_to_pdf(html: str, *, progress: ProgressCallback | None = None) -> bytes:
    """Lay out and write a PDF, reporting progress after layout (the two slow steps are separate)."""
    source = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=portal_url_fetcher)
    rendered = source.render(stylesheets=[document_stylesheet()])
    _drop_attachments(rendered)
    _report(progress, PROGRESS_LAYOUT)
    return rendered.write_pdf(attachments=None)


def render_pdf(document: Document, *, progress: ProgressCallback | None = None) -> bytes:
    """The PDF bytes of ``document``; ``progress(percent)`` is told after HTML, layout, and at the end."""
    html = render_html(document)
    _report(progress, PROGRESS_HTML)
    pdf = html_to_pdf(html, progress=progress)
    _report(progress, PROGRESS_DONE)
    return pdf


def _drop_attachments(rendered: weasyprint.Document) -> None:
    """Embed no files, whatever the HTML says: WeasyPrint has no option to ignore rel=attachment.

    ``<link rel=attachment>`` ends up in ``metadata.attachments`` (fetched only when writing), and
    ``<a rel=attachment>`` as links of type "attachment" on the pages; both are removed here.
    """
    rendered.metadata.attachments = []
    for page in rendered.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def _report(progress: ProgressCallback | None, percent: int) -> None:
    if progress is not None:
        progress(percent)
