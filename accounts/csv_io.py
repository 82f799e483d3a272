"""CSV in and out of the vendor-access pages.

In: the account list a target system exports (one row per account: login and permission level), read
for a reconciliation. Whatever is wrong with the file is a ``ValidationError`` whose message says what
to fix; nothing is kept from a rejected file.

Out: the CSV of active grants for the security officer. Cells that a spreadsheet would run as a
formula get a leading apostrophe (OWASP "CSV injection"); the file starts with a BOM so that Excel
opens Japanese and Korean text correctly.
"""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo_portal.tabular import (  # noqa: F401  (neutralise and write_csv: the grants CSV view writes with them)
    NotText,
    column_letter,
    csv_rows,
    decode_text,
    is_empty,
    is_formula,
    is_hidden,
    megabytes,
    neutralise,
    normalise_header,
    read_upload,
    write_csv,
)
from pmo_portal.tabular import upload_display_name as upload_display_name_of

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


def _header_list(names: Iterable[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


def upload_help_text() -> str:
    return HEADERS_HELP % {"rows": f"{MAX_ROWS:,}", "logins": _header_list(LOGIN_HEADERS), "levels": _header_list(LEVEL_HEADERS)}  # fmt: skip


def _not_csv(extra: str = "") -> ValidationError:
    message = _("This is not a CSV file. Export the account list from the system as CSV (comma, semicolon or tab separated text) and upload that.")  # fmt: skip
    return ValidationError(f"{message} {extra}".strip(), code="not_csv")


def _find_column(header: list[str], accepted: tuple[str, ...]) -> int | None:
    positions = {}
    for index, name in enumerate(header):
        positions.setdefault(normalise_header(name), index)
    for name in accepted:
        if normalise_header(name) in positions:
            return positions[normalise_header(name)]
    return None


def _first_hidden(value: str) -> str | None:
    """The first control, format or invisible character of ``value``, if any."""
    return next((ch for ch in value if is_hidden(ch)), None)


def read_accounts_csv(uploaded_file, max_bytes: int | None = None) -> list[tuple[str, str]]:
    """The (login, level) pairs of a system's exported account list, or a ValidationError saying what is wrong."""
    max_bytes = settings.ACCESS_CSV_MAX_BYTES if max_bytes is None else max_bytes
    too_large = _("The file is larger than %(limit)s MB. Upload the accounts of one system at a time, or remove columns you do not need.") % {"limit": megabytes(max_bytes)}  # fmt: skip
    data = read_upload(uploaded_file, max_bytes, too_large)
    if is_empty(data):
        raise ValidationError(_("The file is empty."), code="empty")
    try:
        text = decode_text(data)
        if not text.strip():
            raise ValidationError(_("The file is empty."), code="empty")
        return _accounts(csv_rows(text))
    except NotText as error:
        raise _not_csv(error.hint) from error


def _accounts(rows) -> list[tuple[str, str]]:
    header = None
    accounts = []
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        for column, cell in enumerate(row):
            if is_formula(cell):
                raise ValidationError(
                    _("Row %(row)s, column %(column)s starts with “%(char)s”: a spreadsheet would run it as a formula. Remove the formula from the file and upload it again.") % {"row": number, "column": column_letter(column), "char": cell.strip()[0]},  # fmt: skip
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
            raise ValidationError(_("Row %(row)s has no login (column %(column)s).") % {"row": number, "column": column_letter(login_col)}, code="no_login")  # fmt: skip
        for value, column in ((login, login_col), (level, level_col)):
            if (char := _first_hidden(value)) is not None:
                raise ValidationError(
                    _("Row %(row)s, column %(column)s contains an invisible or control character (U+%(code)04X). Remove it from the file and upload it again.") % {"row": number, "column": column_letter(column), "code": ord(char)},  # fmt: skip
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
    return upload_display_name_of(name, default="accounts.csv")


# --- out ---------------------------------------------------------------------------------------------------


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

