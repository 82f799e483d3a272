"""The RFP's PDF (done-when 2): a cover with the approval stamp, contents, numbered sections, the requirements
table, the evaluation criteria and the glossary appendix, in Japanese, read back from the PDF with poppler."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from pmo_portal.models import ExportJob, ExportStatus
from projects.models import Adopted
from rfp import services

from ..conftest import client_for
from ..dictionary_factories import approved
from ..rfp_factories import draft_rfp, rfp_in


def _poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"`{tool}` was not found: `make test` installs poppler-utils", pytrace=False)
    return subprocess.run([path, *args], capture_output=True, text=True, check=True, timeout=60).stdout


def _export(person, kind, object_id, run_on_commit) -> Path:
    with run_on_commit(execute=True):
        response = client_for(person).post(reverse("exports:start", kwargs={"kind": kind, "object_id": object_id}), {"language": "en"})  # fmt: skip
    assert response.status_code == 302
    job = ExportJob.objects.filter(requested_by=person).latest("created_at")
    assert job.status == ExportStatus.DONE, job.error
    return Path(job.file.path)


def _pages(pdf: Path) -> list[str]:
    count = int(re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", str(pdf)), re.M).group(1))
    return [re.sub(r"\s+", "", _poppler("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-")) for n in range(1, count + 1)]  # fmt: skip


@pytest.fixture
def issued(project, orgs, pmo, client_pm):
    approved(project, "保険金", standard_definition="保険契約に基づき支払われる金銭。", client_definition="給付金を含む。", adopted=Adopted.CLIENT, rationale="社内規程")  # fmt: skip
    rfp = draft_rfp(project, title="保険金請求システム刷新に関する提案依頼書")
    background = rfp.sections.get(key="background")
    services.section_update(actor=pmo, section=background, title="背景と目的", body="当社は**保険金**の請求業務をオンライン化する。\n\n| 項目 | 現状 |\n|---|---|\n| 月間請求件数 | 12,000件 |", explanation="説明")  # fmt: skip
    return rfp_in(project, "issued", invite=[orgs.vendor_a], title="保険金請求システム刷新に関する提案依頼書")


def test_the_issued_rfp_pdf_has_every_part_in_japanese(issued, vendor_a, django_capture_on_commit_callbacks):
    version = issued.versions.get(kind="issued")
    pages = _pages(_export(vendor_a, "rfp_version", version.pk, django_capture_on_commit_callbacks))
    cover, contents, body = pages[0], pages[1], "".join(pages[2:])
    # In the RFP's own language (Japanese), whoever asks for it.
    assert "保険金請求システム刷新に関する提案依頼書" in cover and "承認：Pm" in cover  # the approval stamp
    assert "1.背景と目的" in contents and "15.要件" in contents and "16.評価基準" in contents
    assert "付録：使用している用語" in contents
    assert "当社は保険金の請求業務をオンライン化する。" in body and "月間請求件数12,000件" in body
    # The requirements table (pdftotext reads its columns interleaved where a cell wraps).
    requirements = body[body.index("15.要件") :]
    for cell in ("FR-001", "代理店がオンラインで保険金を請求でき", "必須", "NFR-001", "画面は2秒以内に応答すること。", "推奨"):
        assert cell in requirements, cell
    assert "承認" in pages[-1] and "発行" in pages[-1]  # the change log: approved, then issued, in Japanese
    assert "業務理解/Understandingofthebusiness40" in body  # the criteria with their weights
    assert "保険金" in pages[-2] + pages[-1] and "給付金を含む。" in "".join(pages[-3:])  # the glossary: the adopted definition
    fonts = _poppler("pdffonts", str(_export(vendor_a, "rfp_version", version.pk, django_capture_on_commit_callbacks)))
    assert re.search(r"Noto-?Sans-?CJK-?JP\S*\s+CID.*Identity-H\s+yes", fonts), fonts


def test_the_working_draft_pdf_says_it_is_not_approved(project, pmo, django_capture_on_commit_callbacks):
    rfp = draft_rfp(project)
    cover = _pages(_export(pmo, "rfp", rfp.pk, django_capture_on_commit_callbacks))[0]
    assert "未承認" in cover and "作業中の草案" in cover


def test_an_uninvited_vendor_cannot_export_the_rfp(issued, vendor_b):
    version = issued.versions.get(kind="issued")
    for kind, object_id in (("rfp_version", version.pk), ("rfp", issued.pk)):
        response = client_for(vendor_b).post(reverse("exports:start", kwargs={"kind": kind, "object_id": object_id}))
        assert response.status_code == 404, kind
