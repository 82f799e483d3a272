"""The access review report: a PDF made through the real export job, with every person and decision in it."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import ReviewDecision, VendorPerson
from pmo_portal import exports
from pmo_portal.models import ExportJob, ExportStatus

from ..conftest import client_for
from .test_access_review_views import make_grants, open_review


def _pdf_text(job: ExportJob, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    with job.file.open("rb") as stored:
        path.write_bytes(stored.read())
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def decided_review(pmo, client_pm, security, vendor_a, project):
    """Three accesses: one kept, one revoked with a reason, one not decided yet."""
    grants = make_grants(project, 3)
    for grant, name in zip(grants, ["田中 太郎", "김민준", "Sarah Connor"], strict=True):
        VendorPerson.objects.filter(pk=grant.person_id).update(name=name)
    campaign = open_review(project)
    items = {item.grant_id: item for item in campaign.items.all()}
    services.review_decide(actor=client_pm, item=items[grants[0].pk], decision=ReviewDecision.KEEP, comment="Still on the test team")  # fmt: skip
    services.review_decide(actor=client_pm, item=items[grants[1].pk], decision=ReviewDecision.REVOKE, comment="Left the project in March")  # fmt: skip
    return campaign


def _export(actor, campaign, language, django_capture_on_commit_callbacks) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_request(actor=actor, kind="access_review", obj=campaign, language=language)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    return job


def test_the_report_lists_every_person_and_decision(decided_review, client_pm, tmp_path, django_capture_on_commit_callbacks):  # fmt: skip
    job = _export(client_pm, decided_review, "en", django_capture_on_commit_callbacks)
    text = _pdf_text(job, tmp_path)
    assert "Access review report" in text and "Q2 access review" in text
    for name in ("田中 太郎", "김민준", "Sarah Connor"):
        assert name in text
    assert "Keep" in text and "Revoke" in text and "Not decided yet" in text
    assert "Still on the test team" in text and "Left the project in March" in text
    assert "Access now: To be revoked" in text
    summary = " ".join(text.split())
    assert "Kept 1" in summary and "To be revoked 1" in summary and "Not decided yet 1" in summary
    assert "Accesses reviewed 3" in summary and "Under way" in summary


@pytest.mark.parametrize("language", ["ja", "ko"])
def test_the_report_renders_in_the_projects_languages(decided_review, pmo, tmp_path, language, django_capture_on_commit_callbacks):  # fmt: skip
    job = _export(pmo, decided_review, language, django_capture_on_commit_callbacks)
    text = _pdf_text(job, tmp_path)
    assert job.language == language
    assert "田中 太郎" in text and "김민준" in text and "Left the project in March" in text


def test_the_report_can_be_asked_for_from_the_review_page(decided_review, security, tmp_path, django_capture_on_commit_callbacks):  # fmt: skip
    start = reverse("exports:start", kwargs={"kind": "access_review", "object_id": decided_review.pk})
    assert start in client_for(security).get(decided_review.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(security).post(start, {"language": "en"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:detail", kwargs={"pk": job.pk})
    assert "Sarah Connor" in _pdf_text(job, tmp_path)


def test_vendors_cannot_export_the_report(decided_review, vendor_a):
    with pytest.raises(PermissionDenied):
        exports.export_request(actor=vendor_a, kind="access_review", obj=decided_review, language="en")
    assert not ExportJob.objects.exists()
