"""CSV in and out of the vendor-access pages.

In: the account list a target system exports (one row per account: login and permission level), read
for a reconciliation. Whatever is wrong with the file is a ``ValidationError`` whose message says what
to fix; nothing is kept from a rejected file.

Out: the CSV of active grants for the security officer. Cells that a spreadsheet would run as a
formula get a leading apostrophe (OWASP "CSV injection"); the file starts with a BOM so that Excel
opens Japanese and Korean text correctly.
"""

import codecs
import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo_portal.validators import validate_single_line

MAX_ROWS = 100_000
MAX_LOGIN_LENGTH = 150  # as Grant.login_name
MAX_LEVEL_LENGTH = 200

# Header names accepted for each column, compared after NFKC, case folding and dropping spaces, "_" and "-".
# The first name in the list that the file has wins (a file with both "Login ID" and "User" uses "Login ID").
LOGIN_HEADERS = (
    "login", "login_name", "login_id", "account", "account_name", "account_id", "username", "user_name",
    "user_id", "userid", "user", "ログインID", "ログイン名", "ユーザーID", "ユーザID", "アカウント", "アカウント名",
    "ユーザー名", "아이디", "로그인ID", "계정", "계정명", "사용자ID", "사용자",
)  # fmt: skip
LEVEL_HEADERS = (
    "level", "permission_level", "access_level", "permission", "permissions", "role", "roles", "access", "権限",
    "権限名", "ロール", "アクセス権", "권한", "권한명", "역할", "등급",
)  # fmt: skip

# What the upload form tells people (the names themselves are not translated: they are what the file says).
HEADERS_HELP = gettext_lazy(
    "A CSV file exported from the system (UTF-8 or Shift-JIS, comma, semicolon or tab separated, at most "
    "%(rows)s rows). The first row names the columns: the login in a column called %(logins)s; the level in "
    "a column called %(levels)s. Upper or lower case does not matter; other columns are ignored."
)

FORMULA_START = ("=", "+", "-", "@")
OUTPUT_DANGEROUS_START = (*FORMULA_START, "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")
_DELIMITERS = (",", ";", "\t")


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", name).casefold())


def _header_list(names: Iterable[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


def upload_help_text() -> str:
    return HEADERS_HELP % {"rows": f"{MAX_ROWS:,}", "logins": _header_list(LOGIN_HEADERS), "levels": _header_list(LEVEL_HEADERS)}  # fmt: skip


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    if value >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 0.1 else f"{max(value, 0.01):.2f}"


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _not_csv(extra: str = "") -> ValidationError:
    message = _("This is not a CSV file. Export the account list from the system as CSV (comma, semicolon or tab separated text) and upload that.")  # fmt: skip
    return ValidationError(f"{message} {extra}".strip(), code="not_csv")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_csv() from error
    if data.startswith(b"PK\x03\x04"):
        raise _not_csv(_("This looks like an Excel workbook: in Excel, choose File › Save As › CSV UTF-8."))
    if b"\x00" in data:
        raise _not_csv()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _not_csv(_("Its text is neither UTF-8 nor Shift-JIS (cp932)."))


def _read_bytes(uploaded_file, max_bytes: int) -> bytes:
    too_large = ValidationError(
        _("The file is larger than %(limit)s MB. Upload the accounts of one system at a time, or remove columns you do not need.") % {"limit": _megabytes(max_bytes)},  # fmt: skip
        code="too_large",
    )
    if (getattr(uploaded_file, "size", None) or 0) > max_bytes:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:  # the size it claimed was wrong
        raise too_large
    return data


def _delimiter(header_line: str) -> str:
    return max(_DELIMITERS, key=header_line.count)


def _find_column(header: list[str], accepted: tuple[str, ...]) -> int | None:
    positions = {}
    for index, name in enumerate(header):
        positions.setdefault(_normalise_header(name), index)
    for name in accepted:
        if _normalise_header(name) in positions:
            return positions[_normalise_header(name)]
    return None


def _is_formula(value: str) -> bool:
    """A cell a spreadsheet would run: it starts with = + - @ (a plain number such as -5, or a lone "-", is fine)."""
    text = value.strip()
    return text.startswith(FORMULA_START) and text != "-" and not _PLAIN_NUMBER.fullmatch(text)


def _first_hidden(value: str) -> str | None:
    """The first control, format or invisible character of ``value`` (see pmo_portal.validators), if any."""
    try:
        validate_single_line(value)
    except ValidationError:
        return next(ch for ch in value if _is_hidden(ch))
    return None


def _is_hidden(ch: str) -> bool:
    try:
        validate_single_line(ch)
    except ValidationError:
        return True
    return False


def read_accounts_csv(uploaded_file, max_bytes: int | None = None) -> list[tuple[str, str]]:
    """The (login, level) pairs of a system's exported account list, or a ValidationError saying what is wrong."""
    max_bytes = settings.ACCESS_CSV_MAX_BYTES if max_bytes is None else max_bytes
    data = _read_bytes(uploaded_file, max_bytes)
    if not data.strip() or data.strip() in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ValidationError(_("The file is empty."), code="empty")
    text = _decode(data).lstrip("\ufeff").rstrip("\x1a")  # old DOS files end with Ctrl-Z
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    first_line = next(line for line in text.splitlines() if line.strip())
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    if (controls > 3 and controls * 100 > len(text)) or any(ch < " " and ch != "\t" for ch in first_line):
        raise _not_csv()  # binary content; a stray control character in a login is reported with its row below
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
        return _accounts(rows)
    except csv.Error as error:
        raise _not_csv() from error


def _accounts(rows) -> list[tuple[str, str]]:
    header = None
    accounts = []
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        for column, cell in enumerate(row):
            if _is_formula(cell):
                raise ValidationError(
                    _("Row %(row)s, column %(column)s starts with “%(char)s”: a spreadsheet would run it as a formula. Remove the formula from the file and upload it again.") % {"row": number, "column": _column_letter(column), "char": cell.strip()[0]},  # fmt: skip
                    code="formula",
                )
        if header is None:
            header = row
            login_col, level_col = _columns(header)
            continue
        if len(accounts) >= MAX_ROWS:
            raise ValidationError(_("The file has more than %(max)s accounts. Upload one system's accounts at a time.") % {"max": f"{MAX_ROWS:,}"}, code="too_many_rows")  # fmt: skip
        login = row[login_col].strip() if login_col < len(row) else ""
        level = row[level_col].strip() if level_col < len(row) else ""
        if not login:
            raise ValidationError(_("Row %(row)s has no login (column %(column)s).") % {"row": number, "column": _column_letter(login_col)}, code="no_login")  # fmt: skip
        for value, column in ((login, login_col), (level, level_col)):
            if (char := _first_hidden(value)) is not None:
                raise ValidationError(
                    _("Row %(row)s, column %(column)s contains an invisible or control character (U+%(code)04X). Remove it from the file and upload it again.") % {"row": number, "column": _column_letter(column), "code": ord(char)},  # fmt: skip
                    code="invisible_character",
                )
        if len(login) > MAX_LOGIN_LENGTH or len(level) > MAX_LEVEL_LENGTH:
            raise ValidationError(_("Row %(row)s: the login or the level is too long to be a real one (at most %(login)s and %(level)s characters).") % {"row": number, "login": MAX_LOGIN_LENGTH, "level": MAX_LEVEL_LENGTH}, code="too_long")  # fmt: skip
        accounts.append((login, level))
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    return accounts


def _columns(header: list[str]) -> tuple[int, int]:
    login_col, level_col = _find_column(header, LOGIN_HEADERS), _find_column(header, LEVEL_HEADERS)
    if login_col is None and level_col is None:
        raise ValidationError(
            _("The first row must name the columns, but we recognised none of its names. Name the login column %(logins)s and the level column %(levels)s.") % {"logins": _header_list(LOGIN_HEADERS[:4]), "levels": _header_list(LEVEL_HEADERS[:4])},  # fmt: skip
            code="no_header",
        )
    if login_col is None:
        raise ValidationError(_("The file has no login column. Accepted column names: %(names)s.") % {"names": _header_list(LOGIN_HEADERS)}, code="no_login_column")  # fmt: skip
    if level_col is None:
        raise ValidationError(_("The file has no level column. Accepted column names: %(names)s.") % {"names": _header_list(LEVEL_HEADERS)}, code="no_level_column")  # fmt: skip
    return login_col, level_col


def upload_display_name(name: str) -> str:
    """The uploaded file's name as shown later: no folders, no hidden characters, at most 200 characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if not _is_hidden(ch)).strip()
    return name[:200] or "accounts.csv"


# --- out ---------------------------------------------------------------------------------------------------


def neutralise(value) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe; anything else is unchanged."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(OUTPUT_DANGEROUS_START) else text


def grants_csv_rows(grants) -> Iterator[list[str]]:
    """The header and one row per grant (use ``Grant.objects.for_list()``), every cell neutralised."""
    yield [
        _("Vendor company"), _("Person"), _("E-mail"), _("System"), _("Level"), _("Risk"), _("Login name"),
        _("From"), _("Expires"), _("Provisioned by"), _("Delegation #"),
    ]  # fmt: skip
    for grant in grants:
        yield [
            neutralise(cell)
            for cell in (
                grant.vendor, grant.person.name, grant.person.email, grant.level.system.name, grant.level.name,
                grant.level.get_risk_display(), grant.login_name, grant.start_date.isoformat(),
                grant.end_date.isoformat(), grant.provisioned_by, grant.delegation_id,
            )  # fmt: skip
        ]


def write_csv(rows: Iterable[Iterable], out) -> None:
    """Write ``rows`` to the text stream ``out`` for Excel: a UTF-8 BOM first, CRLF line ends, cells neutralised."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
