"""The account lists PMO staff upload for a reconciliation, and the CSV of active grants: what is read, what is refused."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import csv_io


def upload(content: bytes | str, name="accounts.csv", encoding="utf-8") -> SimpleUploadedFile:
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def refused(content, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        csv_io.read_accounts_csv(upload(content) if not isinstance(content, SimpleUploadedFile) else content, **kwargs)
    return " ".join(caught.value.messages)


# --- good files ---------------------------------------------------------------------------------------------


def test_a_utf8_file_with_bom_and_japanese_headers_is_read():
    content = "\ufeffユーザーID,氏名,権限\r\ntanaka,田中 太郎,参照のみ\r\nsato,佐藤 花子,Administrator\r\n"
    assert csv_io.read_accounts_csv(upload(content)) == [("tanaka", "参照のみ"), ("sato", "Administrator")]


def test_a_shift_jis_export_from_japanese_excel_is_read():
    content = "ログインID,権限\r\nyamada,読み取り専用\r\n"
    assert csv_io.read_accounts_csv(upload(content, encoding="cp932")) == [("yamada", "読み取り専用")]


def test_a_semicolon_delimited_file_is_read():
    content = "Username;Role;Last login\nkim;Read only;2026-03-01\n\npark;Read and write;\n"
    assert csv_io.read_accounts_csv(upload(content)) == [("kim", "Read only"), ("park", "Read and write")]


def test_a_tab_delimited_korean_file_with_utf16_bom_is_read():
    content = "아이디\t권한\nlee\t읽기 전용\n"
    assert csv_io.read_accounts_csv(upload(content, encoding="utf-16")) == [("lee", "읽기 전용")]


def test_header_names_compare_without_case_spaces_or_underscores():
    content = '"Login Name","PERMISSION"\n"o\'brien","Read only"\n'
    assert csv_io.read_accounts_csv(upload(content)) == [("o'brien", "Read only")]


def test_negative_numbers_and_lone_dashes_in_other_columns_are_not_formulas():
    content = "login,level,balance,last login\nito,Read only,-5,-\n"
    assert csv_io.read_accounts_csv(upload(content)) == [("ito", "Read only")]


# --- refused files ------------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    class Huge(SimpleUploadedFile):
        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("a file over the limit must not be read")

    big = Huge("accounts.csv", b"login,level\n", content_type="text/csv")
    big.size = 50 * 1024 * 1024
    assert refused(big) == "The file is larger than 5 MB. Upload the accounts of one system at a time, or remove columns you do not need."  # fmt: skip


def test_the_limit_follows_the_setting(settings):
    settings.ACCESS_CSV_MAX_BYTES = 20
    message = refused("login,level\ntanaka,Read only\n")
    assert message.startswith("The file is larger than 0.01 MB.")
    assert csv_io.read_accounts_csv(upload("login,level\n"), max_bytes=100) == []


def test_a_file_that_lies_about_its_size_is_still_refused():
    lying = upload("login,level\n" + "tanaka,Read only\n" * 100)
    lying.size = 10
    assert "larger than" in refused(lying, max_bytes=200)


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(content):
    assert refused(content) == "The file is empty."


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
        b"login,level\ntanaka\x00,Read only\n",  # NUL bytes
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x1f\x8b",  # binary content
        bytes(range(1, 32)) * 20,  # control characters, no NUL
        b"login,level\n\xff\xfe\xfa\x80\x81,x\n",  # neither UTF-8 nor Shift-JIS
    ],
)
def test_binary_or_undecodable_content_is_refused(content):
    assert refused(content).startswith("This is not a CSV file.")


def test_an_excel_workbook_gets_advice():
    message = refused(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert "This is not a CSV file." in message and "Save As › CSV UTF-8" in message


def test_a_text_without_a_recognisable_header_is_refused():
    message = refused("Dear team,\nplease find the accounts attached.\n")
    assert "The first row must name the columns" in message and "“login”" in message and "“level”" in message


def test_a_missing_level_column_names_the_accepted_headers():
    message = refused("login,department\ntanaka,QA\n")
    assert message.startswith("The file has no level column. Accepted column names: “level”")
    assert "“権限”" in message and "“권한”" in message


def test_a_missing_login_column_names_the_accepted_headers():
    message = refused("name,role\nTanaka,Read only\n")
    assert message.startswith("The file has no login column. Accepted column names: “login”")
    assert "“ユーザーID”" in message and "“아이디”" in message


@pytest.mark.parametrize(("cell", "char"), [("=HYPERLINK(\"http://x\")", "="), ("+1+cmd|' /C calc'!A0", "+"), ("-2+3", "-"), ("@SUM(A1)", "@")])  # fmt: skip
def test_a_formula_cell_is_refused_with_its_row_and_column(cell, char):
    content = f'login,level,note\ntanaka,Read only,\nsato,Read only,"{cell.replace(chr(34), chr(34) * 2)}"\n'
    assert refused(content).startswith(f"Row 3, column C starts with “{char}”")


def test_a_formula_in_the_login_column_is_refused():
    assert refused("login,level\n=cmd|' /C calc'!A0,Read only\n").startswith("Row 2, column A starts with “=”")


@pytest.mark.parametrize("login", ["tana\u200bka", "sato\u202e", "kim\x07"])
def test_a_login_with_hidden_characters_is_refused(login):
    message = refused(f"level,login\nRead only,{login}\n")
    assert message.startswith("Row 2, column B contains an invisible or control character")


def test_a_row_without_login_is_refused():
    assert refused("login,level\ntanaka,Read only\n,Administrator\n") == "Row 3 has no login (column A)."


def test_more_than_100000_rows_is_refused():
    content = "login,level\n" + "".join(f"u{n},r\n" for n in range(csv_io.MAX_ROWS + 1))
    assert refused(content, max_bytes=10 * 1024 * 1024) == "The file has more than 100,000 accounts. Upload one system's accounts at a time."  # fmt: skip


def test_exactly_100000_rows_is_fine():
    content = "login,level\n" + "".join(f"u{n},r\n" for n in range(csv_io.MAX_ROWS))
    assert len(csv_io.read_accounts_csv(upload(content), max_bytes=10 * 1024 * 1024)) == csv_io.MAX_ROWS


def test_the_help_text_lists_what_is_accepted():
    text = csv_io.upload_help_text()
    assert "“login”" in text and "“ログインID”" in text and "“아이디”" in text and "“権限”" in text and "100,000" in text


def test_uploaded_names_are_shown_without_folders_or_hidden_characters():
    assert csv_io.upload_display_name("..\\..\\etc/in\u202evoice.csv") == "invoice.csv"
    assert csv_io.upload_display_name("\u200b") == "accounts.csv"


# --- out: the CSV of grants ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil\",\"x\")", "+1", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_neutralise_prefixes_formula_starts(value):
    assert csv_io.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Tanaka", "田中 太郎", "a=b", "", "2026-04-01", "o'brien"])
def test_neutralise_leaves_normal_text(value):
    assert csv_io.neutralise(value) == value


def test_neutralise_accepts_non_text():
    assert (csv_io.neutralise(None), csv_io.neutralise(12)) == ("", "12")


def test_written_csv_has_a_bom_and_neutralised_cells():
    out = io.StringIO()
    csv_io.write_csv([["Name", "Login"], ["=cmd", "田中"]], out)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [["Name", "Login"], ["'=cmd", "田中"]]
