"""Spreadsheets in and out, for every app: reading uploaded CSV text safely, writing CSV Excel opens well.

In: the bytes of an upload (never more than a limit), decoded as UTF-8 (with or without BOM), UTF-16 (Excel's
"Unicode text") or Shift-JIS (cp932, what Japanese Excel writes), split into rows with the delimiter the
header line uses. Each app says what its columns mean (``accounts/csv_io.py``, ``projects/dictionary_io.py``).

Out: cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP "CSV injection"); a CSV
starts with a BOM so that Excel opens Japanese and Korean text correctly.
"""

import codecs
import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .validators import validate_single_line

FORMULA_START = ("=", "+", "-", "@")
OUTPUT_DANGEROUS_START = (*FORMULA_START, "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")
DELIMITERS = (",", ";", "\t")
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Python's csv module refuses cells over 128 KB by default. Allow any cell an upload can hold, so that an
# app can say "row 5: the definition is too long" instead of "this is not a CSV file".
csv.field_size_limit(64 * 1024 * 1024)
ZIP_MAGIC = b"PK\x03\x04"


class NotText(ValueError):
    """The bytes are not CSV text; ``hint`` says what they look like, when we can tell."""

    def __init__(self, hint: str = ""):
        super().__init__(hint)
        self.hint = hint


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    if value >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 0.1 else f"{max(value, 0.01):.2f}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def normalise_header(name: str) -> str:
    """A column name compared without case, width, spaces, "_" and "-"."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", name or "").casefold())


def read_upload(uploaded_file, max_bytes: int, too_large_message: str) -> bytes:
    """The file's bytes, or a ValidationError when it is (or turns out to be) larger than ``max_bytes``."""
    too_large = ValidationError(too_large_message, code="too_large")
    if (getattr(uploaded_file, "size", None) or 0) > max_bytes:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:  # the size it claimed was wrong
        raise too_large
    return data


def is_empty(data: bytes) -> bool:
    return not data.strip() or data.strip() in BOMS


def decode_text(data: bytes) -> str:
    """CSV bytes as text (BOM removed), or :class:`NotText` with a hint for the person who uploaded it."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError as error:
            raise NotText() from error
    if data.startswith(ZIP_MAGIC):
        raise NotText(_("This looks like an Excel workbook: in Excel, choose File › Save As › CSV UTF-8."))
    if b"\x00" in data:
        raise NotText()
    # A UTF-8 BOM is dropped whatever follows: some tools put one in front of Shift-JIS text.
    data = data.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise NotText(_("Its text is neither UTF-8 nor Shift-JIS (cp932)."))


def csv_rows(text: str) -> Iterable[list[str]]:
    """The rows of CSV text, with the delimiter its first line uses; :class:`NotText` if it is binary."""
    text = text.rstrip("\x1a")  # old DOS files end with Ctrl-Z
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    if (controls > 3 and controls * 100 > len(text)) or any(ch < " " and ch != "\t" for ch in first_line):
        raise NotText()  # binary content; a stray control character in a cell is reported with its row later
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise NotText() from error


def is_formula(value: str) -> bool:
    """A cell a spreadsheet would run: it starts with = + - @ (a plain number such as -5, or a lone "-", is fine)."""
    text = value.strip()
    return text.startswith(FORMULA_START) and text != "-" and not _PLAIN_NUMBER.fullmatch(text)


def is_hidden(ch: str) -> bool:
    """A control, format or invisible character (see pmo_portal.validators)."""
    try:
        validate_single_line(ch)
    except ValidationError:
        return True
    return False


def upload_display_name(name: str, default: str) -> str:
    """An uploaded file's name as shown later: no folders, no hidden characters, at most 200 characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if not is_hidden(ch)).strip()
    return name[:200] or default


# --- out ---------------------------------------------------------------------------------------------------


def neutralise(value) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe; anything else is unchanged."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(OUTPUT_DANGEROUS_START) else text


def unneutralise(value: str) -> str:
    """The cell as it was before :func:`neutralise`, so that a file the portal wrote reads back the same."""
    return value[1:] if value.startswith("'") and value[1:].startswith(OUTPUT_DANGEROUS_START) else value


def write_csv(rows: Iterable[Iterable], out) -> None:
    """Write ``rows`` to the text stream ``out`` for Excel: a UTF-8 BOM first, CRLF line ends, cells neutralised."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
