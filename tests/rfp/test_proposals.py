"""Proposals: one PDF per invited company, replaceable until the deadline, refused when it is not a real PDF, too
large or late; sealed until the deadline has passed and the PMO opens them all at once; never another vendor's."""

import hashlib
import html
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganizationKind
from pmo_portal.models import AuditEvent
from rfp import services
from rfp.models import Invitation, Proposal, Rfp

from ..conftest import client_for
from ..factories import OrganizationFactory
from ..rfp_factories import rfp_in

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \ntrailer << /Size 3 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)


def url(rfp, name, **kwargs):
    return reverse(f"rfp:{name}", kwargs={"code": rfp.project.code, "pk": rfp.pk, **kwargs})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def pdf(name="提案書_Kaito.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def upload(rfp, vendor, file=None):
    return client_for(vendor).post(url(rfp, "proposal_upload"), {"file": file or pdf()})


def past_deadline(rfp):
    """Both deadlines moved just into the past (as if the time had come)."""
    past = timezone.now() - timedelta(minutes=1)
    Rfp.objects.filter(pk=rfp.pk).update(question_deadline=past - timedelta(days=1), proposal_deadline=past)


@pytest.fixture
def everyone(pmo, client_pm, security, vendor_a, vendor_b, reader, outsider):
    """Every persona exists before the RFP is made (the factories take the first PMO and client PM)."""


@pytest.fixture
def rfp(project, orgs, everyone):
    """Issued, both vendor companies invited: proposals until 14 days from now."""
    return rfp_in(project, "issued", invite=[orgs.vendor_a, orgs.vendor_b])


# --- submitting --------------------------------------------------------------------------------------------------


def test_a_vendor_submits_its_proposal_and_sees_what_was_received(rfp, vendor_a):
    response = client_for(vendor_a).post(url(rfp, "proposal_upload"), {"file": pdf("提案書\u202egpj.exe.pdf")}, follow=True)  # fmt: skip
    text = page_text(response)
    assert "is received. It stays sealed until the deadline has passed" in text
    proposal = Proposal.objects.get(rfp=rfp)
    assert proposal.vendor.name == "Kaito Systems" and proposal.uploaded_by == vendor_a
    assert proposal.file_name == "提案書gpj.exe.pdf", "hidden characters are removed from the name shown"
    assert proposal.size == len(PDF) and proposal.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "提案書" not in proposal.file.name and proposal.file.name.startswith("proposals/") and proposal.file.name.endswith(".pdf")  # fmt: skip
    assert proposal.file_name in text and proposal.sha256 in text and "Sealed: nobody at the client" in text
    assert AuditEvent.objects.filter(verb="rfp.proposal_upload", after__sha256=proposal.sha256).count() == 1


def test_a_new_upload_replaces_the_proposal_until_the_deadline(rfp, vendor_a, django_capture_on_commit_callbacks):
    upload(rfp, vendor_a)
    first = Proposal.objects.get().file.name
    second_pdf = PDF.replace(b"/Count 0", b"/Count 0 /Note (v2)")
    with django_capture_on_commit_callbacks(execute=True):  # the old file is deleted once the new one is committed
        assert upload(rfp, vendor_a, pdf("提案書_v2.pdf", second_pdf)).status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.file_name == "提案書_v2.pdf" and proposal.sha256 == hashlib.sha256(second_pdf).hexdigest()
    assert proposal.file.read() == second_pdf
    assert not default_storage.exists(first), "the replaced file is not kept"


PE_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML_AS_PDF = b"<!doctype html><script>alert(1)</script>%PDF-1.4 %%EOF"
ENCRYPTED = PDF.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 5 0 R")
HOSTILE_UPLOADS = {
    "a renamed .exe": ("proposal.pdf", PE_EXE, "This file is not a PDF."),
    "an HTML file named .pdf": ("proposal.pdf", HTML_AS_PDF, "This file is not a PDF."),
    "an empty file": ("proposal.pdf", b"", "The file is empty."),
    "a truncated PDF": ("proposal.pdf", PDF[:60], "This PDF is incomplete or damaged"),
    "an encrypted PDF": ("proposal.pdf", ENCRYPTED, "This PDF is protected by a password"),
}


@pytest.mark.parametrize("kind", list(HOSTILE_UPLOADS))
def test_what_is_not_a_complete_pdf_is_refused_with_a_clear_message(rfp, vendor_a, kind):
    name, content, message = HOSTILE_UPLOADS[kind]
    response = upload(rfp, vendor_a, pdf(name, content))
    assert response.status_code == 422
    text = page_text(response)
    assert message in text and 'data-testid="choose-file-again"' in text and 'data-testid="upload-form"' in text
    assert not Proposal.objects.exists()
    assert not AuditEvent.objects.filter(verb="rfp.proposal_upload").exists()


def test_a_file_over_the_limit_is_refused_and_the_limit_is_shown(rfp, vendor_a, settings):
    settings.RFP_PROPOSAL_MAX_BYTES = 1024
    big = PDF.replace(b"%%EOF", b"%" + b"x" * 2000 + b"\n%%EOF")
    response = upload(rfp, vendor_a, pdf("big.pdf", big))
    assert response.status_code == 422
    assert "The file is too large (2.1\xa0KB): a proposal may be at most 1.0\xa0KB." in page_text(response)
    assert "One PDF of at most 1.0\xa0KB." in page_text(client_for(vendor_a).get(url(rfp, "proposals")))
    assert not Proposal.objects.exists()
    assert upload(rfp, vendor_a).status_code == 302, "a PDF within the limit is accepted"


def test_a_proposal_after_the_deadline_is_refused_and_the_one_received_stays(rfp, vendor_a):
    upload(rfp, vendor_a)
    kept = Proposal.objects.get()
    past_deadline(rfp)
    response = upload(rfp, vendor_a, pdf("late.pdf", PDF.replace(b"/Count 0", b"/Count 0 /Late true")))
    assert response.status_code == 422
    assert "this one arrived too late and was not accepted" in page_text(response)
    assert Proposal.objects.get().sha256 == kept.sha256 and Proposal.objects.get().file_name == kept.file_name
    page = client_for(vendor_a).get(url(rfp, "proposals"))
    assert 'data-testid="upload-form"' not in page.content.decode() and 'data-passed="true"' in page.content.decode()


def test_only_invited_vendors_submit(rfp, pmo, client_pm):
    for person in (pmo, client_pm):
        assert upload(rfp, person).status_code == 403
    assert not Proposal.objects.exists()


# --- sealed, opened ------------------------------------------------------------------------------------------------


def test_proposals_stay_sealed_until_the_deadline_has_passed_and_the_pmo_opens_them(rfp, pmo, client_pm, security, vendor_a, vendor_b):  # fmt: skip
    upload(rfp, vendor_a)
    proposal = Proposal.objects.get()
    download = url(rfp, "proposal_download", proposal_pk=proposal.pk)
    for person in (pmo, client_pm, security):
        page = client_for(person).get(url(rfp, "proposals"))
        text = page.content.decode()
        assert 'data-vendor="Kaito Systems" data-state="sealed"' in text and 'data-vendor="Hanbit Soft" data-state="missing"' in text  # fmt: skip
        assert proposal.file_name not in page_text(page) and download not in text
        assert client_for(person).get(download).status_code == 403
    own = client_for(vendor_a).get(download)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert own["Content-Type"] == "application/pdf" and "attachment" in own["Content-Disposition"]

    # Before the deadline the PMO cannot open them.
    response = client_for(pmo).post(url(rfp, "proposals_open"), follow=True)
    assert "Proposals stay sealed until the deadline" in page_text(response)
    assert Proposal.objects.get().is_sealed

    past_deadline(rfp)
    assert client_for(client_pm).post(url(rfp, "proposals_open")).status_code == 403
    assert Proposal.objects.get().is_sealed
    response = client_for(pmo).post(url(rfp, "proposals_open"), follow=True)
    assert "1 proposal is opened." in page_text(response)
    proposal.refresh_from_db()
    assert proposal.opened_by == pmo and proposal.opened_at is not None
    for person in (pmo, client_pm, security):
        page = client_for(person).get(url(rfp, "proposals"))
        assert 'data-state="opened"' in page.content.decode() and download in page.content.decode()
        got = client_for(person).get(download)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    again = client_for(pmo).post(url(rfp, "proposals_open"), follow=True)
    assert "The proposals were already opened by" in page_text(again)
    verbs = list(AuditEvent.objects.filter(verb__in=["rfp.proposals_open", "rfp.proposal_download"]).values_list("verb", flat=True))  # fmt: skip
    assert verbs.count("rfp.proposals_open") == 1 and verbs.count("rfp.proposal_download") == 4


def test_nothing_to_open_when_no_proposal_arrived(rfp, pmo):
    past_deadline(rfp)
    response = client_for(pmo).post(url(rfp, "proposals_open"), follow=True)
    assert "No proposal was received: there is nothing to open." in page_text(response)


def test_another_vendor_never_reaches_a_proposal_even_when_both_are_invited(rfp, pmo, vendor_a, vendor_b):
    upload(rfp, vendor_a)
    proposal = Proposal.objects.get()
    download = url(rfp, "proposal_download", proposal_pk=proposal.pk)
    page = client_for(vendor_b).get(url(rfp, "proposals"))
    assert page.status_code == 200 and proposal.file_name not in page_text(page) and 'data-testid="no-proposal"' in page.content.decode()  # fmt: skip
    assert client_for(vendor_b).get(download).status_code == 404
    past_deadline(rfp)
    services.proposals_open(actor=pmo, rfp=rfp)
    assert client_for(vendor_b).get(download).status_code == 404, "opened or not, it is another company's"
    assert client_for(vendor_a).get(download).status_code == 200


def test_a_vendor_that_is_not_invited_cannot_reach_a_proposal(project, orgs, everyone, vendor_a, vendor_b):
    only_a = rfp_in(project, "issued", invite=[orgs.vendor_a])
    upload(only_a, vendor_a)
    proposal = Proposal.objects.get()
    assert client_for(vendor_b).get(url(only_a, "proposals")).status_code == 404
    assert client_for(vendor_b).get(url(only_a, "proposal_download", proposal_pk=proposal.pk)).status_code == 404
    assert upload(only_a, vendor_b).status_code == 404
    assert Proposal.objects.count() == 1


# --- query counts -------------------------------------------------------------------------------------------------


def _invited_with_proposals(rfp, pmo, vendor_a, size: int) -> None:
    """``size`` invited companies (vendor A's among them), every other one with a proposal, half of those opened."""
    Proposal.objects.filter(rfp=rfp).delete()
    Invitation.objects.filter(rfp=rfp).exclude(vendor=vendor_a.organization).delete()
    now = timezone.now()
    for n in range(size - 1):
        company = OrganizationFactory(name=f"Vendor {size:03d}-{n:03d}", kind=OrganizationKind.VENDOR)
        Invitation.objects.create(rfp=rfp, vendor=company, invited_by=pmo)
        if n % 2 == 0:
            opened = n % 4 == 0
            Proposal.objects.create(rfp=rfp, vendor=company, file=f"proposals/x{n}.pdf", file_name=f"提案書{n}.pdf", size=1000 + n, sha256="0" * 64, uploaded_by=vendor_a, uploaded_at=now, opened_by=pmo if opened else None, opened_at=now if opened else None)  # fmt: skip


def test_the_proposals_page_runs_the_same_queries_at_5_and_65_rows(rfp, pmo, client_pm, vendor_a):
    """Queries: session, user, the RFP and the role checks, the page of invitations and its count, their proposals,
    the counts of received and sealed ones, the navigation's checks. The same whatever the number of companies."""
    upload(rfp, vendor_a)
    counts = {}
    for size in (5, 65):
        _invited_with_proposals(rfp, pmo, vendor_a, size)
        for person in (pmo, client_pm, vendor_a):
            client = client_for(person)
            client.get(url(rfp, "proposals"))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(rfp, "proposals"))
            assert response.status_code == 200
            counts[person.username, size] = len(queries)
            if person == pmo:
                assert response.content.decode().count('data-testid="proposal-row"') == min(size, 50)
    for person in (pmo, client_pm, vendor_a):
        assert counts[person.username, 5] == counts[person.username, 65], counts
