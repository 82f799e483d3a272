"""The dictionary as a spreadsheet: reading a CSV or Excel (.xlsx) file of terms, writing one.

One row per term. The first row names the columns, in English, Japanese or Korean (the names the portal
writes in each language are all understood); unknown columns are ignored, only the term column is required.
Lists (synonyms, words to avoid, related terms) are separated by new lines or semicolons; examples by new
lines. An equivalent in another language that is only approximate starts with "≈".

Whatever is wrong with a file is a ``ValidationError`` naming the row and the column. The checks of the
content itself (lengths, hidden characters, the adopted definition...) are the services' (one set of rules
for the form and the file); this module checks the file: its size, its format, its columns, its values'
shapes. An .xlsx is a zip file: its members are checked for size and compression ratio before it is opened
(a zip bomb is refused, never unpacked), and its XML is parsed with defusedxml (no entity expansion).
"""

import io
import zipfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo_portal import tabular

from .dictionary_text import normalize, split_list
from .models import Adopted, RelationKind

MAX_ROWS = 10_000
MAX_CELL_LENGTH = 20_000  # longer than any field; the services give the exact limit of each
# An .xlsx is refused before it is opened when its members would unpack to more than this,
# or when a member is compressed more than this ratio (ordinary workbooks stay far below both).
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_MAX_MEMBERS = 2_000
APPROXIMATE_MARK = "≈"
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

# Columns: (key, title). The title is written in the reader's language; any language's title is read.
COLUMNS = [
    ("name", gettext_lazy("Term")),
    ("reading", gettext_lazy("Reading")),
    ("abbreviation", gettext_lazy("Abbreviation")),
    ("language", gettext_lazy("Language of the term")),
    ("category", gettext_lazy("Category")),
    *[(f"equivalent_{code}", name) for code, name in settings.LANGUAGES],
    ("standard_definition", gettext_lazy("Standard definition")),
    ("standard_source", gettext_lazy("Source")),
    ("standard_reference", gettext_lazy("Reference")),
    ("client_definition", gettext_lazy("Client's definition")),
    ("adopted", gettext_lazy("Adopted")),
    ("rationale", gettext_lazy("Rationale")),
    ("synonyms", gettext_lazy("Synonyms")),
    ("avoid", gettext_lazy("Words to avoid")),
    *[(kind.value, kind.label) for kind in RelationKind],
    ("examples", gettext_lazy("Examples")),
    ("counter_examples", gettext_lazy("Counter-examples")),
    ("status", gettext_lazy("Status")),  # written for the reader; ignored when read
]
COLUMN_KEYS = [key for key, _title in COLUMNS]
# Extra names people use for a column, beyond the titles the portal writes.
ALIASES = {
    "name": ("term", "用語", "용어", "word", "語"),
    "reading": ("読み", "よみ", "ふりがな", "읽기"),
    "abbreviation": ("略語", "略称", "약어"),
    "category": ("分類", "カテゴリ", "カテゴリー", "분류", "카테고리"),
    "standard_definition": ("definition", "定義", "標準定義", "標準の定義", "정의", "표준 정의"),
    "standard_source": ("出典", "출처"),
    "standard_reference": ("参照箇所", "참조"),
    "client_definition": ("顧客定義", "顧客の定義", "고객 정의"),
    "adopted": ("採用", "채택"),
    "rationale": ("理由", "採用理由", "근거", "이유"),
    "synonyms": ("同義語", "동의어"),
    "avoid": ("avoid", "使用禁止語", "避ける語", "사용 금지어"),
}
# Values of the "adopted" column, compared normalized.
ADOPTED_VALUES = {
    Adopted.STANDARD: ("standard", "標準", "標準定義", "표준", "표준 정의"),
    Adopted.CLIENT: ("client", "顧客", "顧客定義", "クライアント", "고객", "고객 정의"),
}


def column_title(key: str) -> str:
    """The title of a column (or of a content field) in the active language, as error messages name it."""
    titles = dict(COLUMNS) | {"equivalents": gettext_lazy("Equivalents"), "relations": gettext_lazy("Related terms")}
    return str(titles.get(key, key))


def _accepted_headers() -> dict[str, str]:
    """Normalized column name -> column key, for the titles in every language and the aliases."""
    accepted = {}
    for code in LANGUAGE_CODES:
        with translation.override(code):
            for key, title in COLUMNS:
                accepted.setdefault(tabular.normalise_header(str(title)), key)
            for code_, name in settings.LANGUAGES:
                accepted.setdefault(tabular.normalise_header(str(name)), f"equivalent_{code_}")
    for key, names in ALIASES.items():
        for name in names:
            accepted.setdefault(tabular.normalise_header(name), key)
    for key in COLUMN_KEYS:
        accepted.setdefault(tabular.normalise_header(key), key)
    return accepted


def _language_names() -> dict[str, str]:
    """Normalized language name -> code: "ja", "Japanese", "日本語", "일본어"... all mean "ja"."""
    names = {}
    for code in LANGUAGE_CODES:
        names[code] = code
        names[normalize(translation.get_language_info(code)["name_local"])] = code
        for display in LANGUAGE_CODES:
            with translation.override(display):
                names[normalize(str(dict(settings.LANGUAGES)[code]))] = code
    return names


# --- reading -------------------------------------------------------------------------------------------------


def upload_help_text() -> str:
    return _(
        "A CSV file (UTF-8 or Shift-JIS) or an Excel workbook (.xlsx), at most %(size)s MB and %(rows)s terms. "
        "The first row names the columns, e.g. as the portal's own export does; only the term column is required. "
        "Separate synonyms and words to avoid with new lines or semicolons."
    ) % {"size": tabular.megabytes(settings.DICTIONARY_IMPORT_MAX_BYTES), "rows": f"{MAX_ROWS:,}"}


def _not_a_table(hint: str = "") -> ValidationError:
    message = _("This is neither a CSV file nor an Excel workbook (.xlsx). Save the sheet as CSV UTF-8 or as an Excel workbook and upload that.")  # fmt: skip
    return ValidationError(f"{message} {hint}".strip(), code="not_a_table")


def read_rows(uploaded_file, *, default_language: str, max_bytes: int | None = None) -> list[dict]:
    """The terms of an uploaded CSV or .xlsx file: one dict per row (see :func:`_row`), ``row`` its number."""
    max_bytes = settings.DICTIONARY_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    too_large = _("The file is larger than %(limit)s MB. Split it into several files.") % {"limit": tabular.megabytes(max_bytes)}  # fmt: skip
    data = tabular.read_upload(uploaded_file, max_bytes, too_large)
    if tabular.is_empty(data):
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(tabular.ZIP_MAGIC):
        cells = _xlsx_cells(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _not_a_table(_("It looks like an Excel 97–2003 workbook (.xls): save it as an Excel workbook (.xlsx)."))
    else:
        try:
            cells = tabular.csv_rows(tabular.decode_text(data))
        except tabular.NotText as error:
            raise _not_a_table(error.hint) from error
    return _rows(cells, default_language)


def _xlsx_cells(data: bytes) -> Iterator[list[str]]:
    """The cells of the first sheet, as text, after checking that the zip is a sane workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _not_a_table() from error
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _not_a_table(_("The zip file is not an Excel workbook."))
    unpacked = sum(member.file_size for member in members)
    too_compressed = any(member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1) and member.file_size > 1024 * 1024 for member in members)  # fmt: skip
    if len(members) > XLSX_MAX_MEMBERS or unpacked > XLSX_MAX_UNPACKED_BYTES or too_compressed:
        raise ValidationError(_("This workbook would unpack to far more data than a dictionary holds (a “zip bomb”). It was not opened."), code="zip_bomb")  # fmt: skip
    import openpyxl  # imported here: only imports need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception as error:  # noqa: BLE001  (openpyxl raises many kinds of errors for a broken workbook)
        raise _not_a_table(_("The workbook could not be read.")) from error
    return iter(rows)


def _rows(cells: Iterable[list[str]], default_language: str) -> list[dict]:
    accepted, languages = _accepted_headers(), _language_names()
    header: dict[int, str] | None = None
    rows = []
    for number, cells_of_row in enumerate(cells, start=1):
        if not any(str(cell).strip() for cell in cells_of_row):
            continue
        if header is None:
            header = {}
            for index, title in enumerate(cells_of_row):
                key = accepted.get(tabular.normalise_header(str(title)))
                if key is not None and key not in header.values():
                    header[index] = key
            if "name" not in header.values():
                raise ValidationError(_("The first row must name the columns, and one of them must be the term (“Term”, “用語” or “용어”)."), code="no_term_column")  # fmt: skip
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(_("The file has more than %(max)s terms. Split it into several files.") % {"max": f"{MAX_ROWS:,}"}, code="too_many_rows")  # fmt: skip
        values = {}
        for index, key in header.items():
            cell = tabular.unneutralise(str(cells_of_row[index]).strip()) if index < len(cells_of_row) else ""
            if len(cell) > MAX_CELL_LENGTH:
                raise ValidationError(_("Row %(row)s, %(column)s: the text is too long (%(length)s characters).") % {"row": number, "column": column_title(key), "length": f"{len(cell):,}"}, code="too_long")  # fmt: skip
            values[key] = cell
        rows.append(_row(number, values, default_language, languages))
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    return rows


TEXT_COLUMNS = ("reading", "abbreviation", "category", "standard_definition", "standard_source", "standard_reference", "client_definition", "rationale")  # fmt: skip


def _row(number: int, values: dict[str, str], default_language: str, languages: dict[str, str]) -> dict:
    """One row as term content: lists split, equivalents and related terms gathered, adopted and language read.

    Only the columns the file has are in the row: a column left out of a file leaves a term's value alone
    (a file of terms and definitions does not erase their synonyms). ``equivalent_languages`` and
    ``related_kinds`` say which equivalent and relation columns the file has.
    """

    def error(key, message):
        return ValidationError(_("Row %(row)s, %(column)s: %(message)s") % {"row": number, "column": column_title(key), "message": message}, code="bad_value")  # fmt: skip

    name = values.get("name", "")
    if not name:
        raise error("name", _("the term is empty."))
    row = {"row": number, "name": name} | {key: values[key] for key in TEXT_COLUMNS if key in values}
    language = default_language
    if values.get("language"):
        language = languages.get(normalize(values["language"]))
        if language is None:
            raise error("language", _("write en, ja or ko (or English, Japanese, Korean)."))
        row["language"] = language
    for key in ("synonyms", "avoid"):
        if key in values:
            row[key] = split_list(values[key])
    for key in ("examples", "counter_examples"):
        if key in values:
            row[key] = [line.strip() for line in values[key].splitlines() if line.strip()]
    present = [code for code in LANGUAGE_CODES if f"equivalent_{code}" in values]
    if present:
        row["equivalent_languages"] = present
        row["equivalents"] = []
        for code in present:
            text = values[f"equivalent_{code}"]
            if text and code != language:
                exact = not text.startswith((APPROXIMATE_MARK, "~", "〜"))
                row["equivalents"].append({"language": code, "text": text.lstrip(APPROXIMATE_MARK + "~〜 ").strip(), "exact": exact})  # fmt: skip
    if values.get("adopted"):
        wanted = normalize(values["adopted"])
        found = [value for value, names in ADOPTED_VALUES.items() if wanted in {normalize(n) for n in names} | {normalize(str(Adopted(value).label))}]  # fmt: skip
        if not found:
            raise error("adopted", _("write “standard” or “client”."))
        row["adopted"] = str(found[0])
    kinds = [kind.value for kind in RelationKind if kind.value in values]
    if kinds:
        row["related_kinds"] = kinds
        row["related"] = [{"kind": kind, "term": term} for kind in kinds for term in split_list(values[kind])]
    return row


# --- writing -------------------------------------------------------------------------------------------------


def term_rows(terms, names: dict[int, str]) -> Iterator[list[str]]:
    """The header (in the active language) and one row per term; ``names`` maps related term ids to names."""
    yield [column_title(key) for key in COLUMN_KEYS]
    for term in terms:
        equivalents = {e["language"]: ("" if e.get("exact", True) else APPROXIMATE_MARK + " ") + e["text"] for e in term.equivalents}  # fmt: skip
        related = {kind.value: "; ".join(names[r["term"]] for r in term.relations if r["kind"] == kind and r["term"] in names) for kind in RelationKind}  # fmt: skip
        values = {
            "name": term.name, "reading": term.reading, "abbreviation": term.abbreviation, "language": term.language,
            "category": term.category.name if term.category_id else "",
            **{f"equivalent_{code}": equivalents.get(code, "") for code in LANGUAGE_CODES},
            "standard_definition": term.standard_definition, "standard_source": term.standard_source,
            "standard_reference": term.standard_reference, "client_definition": term.client_definition,
            "adopted": term.adopted, "rationale": term.rationale, "synonyms": "; ".join(term.synonyms),
            "avoid": "; ".join(term.avoid), **related, "examples": "\n".join(term.examples),
            "counter_examples": "\n".join(term.counter_examples), "status": term.get_status_display(),
        }  # fmt: skip
        yield [values[key] for key in COLUMN_KEYS]


def write_xlsx(rows: Iterable[list], out) -> None:
    """An Excel workbook of ``rows`` (the first is the header), every cell text, formulas neutralised."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Dictionary"))[:31])
    sheet.freeze_panes = "B2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=tabular.neutralise(value))
            cell.alignment = wrap
            if index == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    workbook.save(out)
