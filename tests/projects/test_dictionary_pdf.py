"""The dictionary's PDF (done-when 5): Japanese and Korean text comes out right, checked by reading the PDF back
with poppler, through the real export job; a release exports as it was frozen; vendors' PDF has no drafts."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from pmo_portal.models import ExportJob, ExportStatus
from projects import services
from projects.models import Adopted
from projects.services.dictionary import term_content

from ..conftest import client_for
from ..dictionary_factories import approved, proposed


def _poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"`{tool}` was not found: `make test` installs poppler-utils", pytrace=False)
    return subprocess.run([path, *args], capture_output=True, text=True, check=True, timeout=60).stdout


def _export(person, kind: str, object_id, language: str, run_on_commit) -> Path:
    """Ask for the PDF as a person does (the task runs in-process once the request commits); the stored file."""
    with run_on_commit(execute=True):
        response = client_for(person).post(reverse("exports:start", kwargs={"kind": kind, "object_id": object_id}), {"language": language})  # fmt: skip
    assert response.status_code == 302
    job = ExportJob.objects.filter(requested_by=person).latest("created_at")
    assert job.status == ExportStatus.DONE, job.error
    return Path(job.file.path)


def _text(pdf: Path) -> str:
    """The PDF's text, white space collapsed (poppler splits CJK lines where the layout wraps them)."""
    return re.sub(r"\s+", "", _poppler("pdftotext", str(pdf), "-"))


@pytest.fixture
def dictionary(project, pmo, client_pm):
    claims = services.term_category_create(actor=pmo, project=project, name="保険金請求")
    approved(project, "保険金", reading="ほけんきん", category=claims, standard_definition="保険契約に基づいて保険会社が支払う金銭。", client_definition="当社では給付金を含めて保険金と呼ぶ。", adopted=Adopted.CLIENT, rationale="社内規程の用語に合わせるため。", equivalents=[{"language": "en", "text": "Insurance benefit", "exact": True}, {"language": "ko", "text": "보험금", "exact": True}], synonyms=["支払保険金"], avoid=["保険料"])  # fmt: skip
    approved(project, "보험금 청구", language="ko", standard_definition="피보험자가 보험회사에 보험금 지급을 요청하는 것.")
    approved(project, "Claim assessment", language="en", standard_definition="Deciding whether and how much to pay.")
    proposed(project, "未承認の用語")


def test_the_dictionary_pdf_shows_japanese_and_korean_text_with_cjk_fonts(dictionary, project, pmo, django_capture_on_commit_callbacks):
    pdf = _export(pmo, "dictionary", project.pk, "ja", django_capture_on_commit_callbacks)
    text = _text(pdf)
    for expected in ("用語集", "保険金請求", "ほけんきん", "保険契約に基づいて保険会社が支払う金銭。", "当社では給付金を含めて保険金と呼ぶ。", "社内規程の用語に合わせるため。", "보험금청구", "피보험자가보험회사에보험금지급을요청하는것.", "Claimassessment", "Insurancebenefit"):  # fmt: skip
        assert expected in text, expected
    assert "未承認の用語" not in text  # the PDF is the dictionary in force
    fonts = _poppler("pdffonts", str(pdf))
    # The Japanese and the Korean Noto CJK faces, embedded (glyphs, not boxes), as CID fonts.
    for face in ("JP", "KR"):
        assert re.search(rf"Noto-?Sans-?CJK-?{face}\S*\s+CID.*Identity-H\s+yes", fonts), fonts


def test_a_release_exports_as_it_was_frozen(dictionary, project, pmo, client_pm, vendor_b, django_capture_on_commit_callbacks):
    baseline = services.dictionary_baseline_create(actor=pmo, project=project, title="キックオフ時点")
    term = project.terms.get(name="보험금 청구")
    proposal = services.term_update(actor=pmo, term=term, content=term_content(term) | {"standard_definition": "새로운 정의."})
    services.term_proposal_approve(actor=client_pm, proposal=proposal)
    text = _text(_export(vendor_b, "dictionary_baseline", baseline.pk, "ko", django_capture_on_commit_callbacks))
    assert "#1キックオフ時点" in text  # the release's number and title, on the cover
    assert "피보험자가보험회사에보험금지급을요청하는것." in text and "새로운정의." not in text
