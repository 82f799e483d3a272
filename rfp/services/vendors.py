"""Every state change between an issued RFP and its vendors: one function each (DESIGN.md §4).

The PMO invites vendor companies of the project; their people ask questions until the question deadline; the PMO
answers (one answer may cover several questions) and publishes the answer to every invited vendor, never saying
who asked. An answer that changes the RFP publishes the PMO's edits as an addendum (a new version whose change
log is the answer). Vendors upload one proposal PDF per company until the proposal deadline, replacing it as often
as they like; proposals stay sealed until the deadline has passed and the PMO opens them all at once.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organization
from pmo_portal import audit, notifications
from pmo_portal.inbox import AlreadyDecided
from pmo_portal.tabular import upload_display_name
from projects.models import FULL_VIEW_ROLES, Membership, Role

from ..models import Answer, Invitation, Proposal, Rfp, RfpStatus, VendorQuestion, VersionKind
from .document import lock_rfp, published_version, require_pmo, rfp_snapshot, version_create

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
PDF_ENCRYPTED = b"/Encrypt"
PDF_TAIL_BYTES = 2048  # "%%EOF" must be within the last bytes (a few trailing line ends or NULs are common)


def proposal_max_bytes() -> int:
    return settings.RFP_PROPOSAL_MAX_BYTES


def _when(moment) -> str:
    """A moment as the reader's locale writes it, in the active time zone."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _url(name: str, rfp: Rfp, anchor: str = "", **kwargs) -> str:
    return reverse(name, kwargs={"code": rfp.project.code, "pk": rfp.pk, **kwargs}) + (f"#{anchor}" if anchor else "")


def deadline_passed(deadline) -> bool:
    return deadline is None or timezone.now() >= deadline


def _invited_company(actor, rfp: Rfp) -> Organization:
    """The company ``actor`` works for in the RFP's project, if it is invited (fresh check, not the request cache)."""
    membership = (
        Membership.objects.filter(
            project=rfp.project, user=actor, role=Role.VENDOR, organization__rfp_invitations__rfp=rfp
        )
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise PermissionDenied(_("Only vendors whose company is invited to this RFP can do this."))
    return membership.organization


def _require_issued(rfp: Rfp, message: str) -> None:
    if rfp.status != RfpStatus.ISSUED:
        raise ValidationError(message)


def vendor_people(rfp: Rfp, vendor: Organization | None = None):
    """The active people of the invited companies (or of one company) in the RFP's project: whom to tell."""
    lookup = {"is_active": True, "memberships__project": rfp.project, "memberships__role": Role.VENDOR}
    if vendor is None:
        lookup["memberships__organization__rfp_invitations__rfp"] = rfp
    else:
        lookup["memberships__organization"] = vendor
    return get_user_model().objects.filter(**lookup).distinct().order_by("pk")


def _notify(people, *, kind: str, rfp: Rfp, url: str, obj=None, params=None) -> None:
    for person in people:
        notifications.notify(recipient=person, kind=kind, project=rfp.project, obj=obj or rfp, url=url, params={"rfp": rfp.title, **(params or {})})  # fmt: skip


# --- invitations ------------------------------------------------------------------------------------------------


def invitable_vendors(rfp: Rfp):
    """Vendor companies with people in the RFP's project that are not invited yet."""
    in_project = Membership.objects.filter(project=rfp.project, role=Role.VENDOR).values("organization")
    return Organization.objects.filter(pk__in=in_project).exclude(rfp_invitations__rfp=rfp).order_by("name")


def invitation_create(*, actor, rfp: Rfp, vendor: Organization) -> Invitation:
    """The PMO invites a vendor company of the project to an issued RFP; its people are told."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_issued(rfp, _("Only an issued RFP can have invitations. Issue it first."))
        if deadline_passed(rfp.proposal_deadline):
            raise ValidationError(_("The proposal deadline has passed: a company invited now could not submit a proposal."))  # fmt: skip
        if not Membership.objects.filter(project=rfp.project, role=Role.VENDOR, organization=vendor).exists():
            raise ValidationError({"vendor": _("Only a vendor company with people in this project can be invited. Add its people to the project first.")})  # fmt: skip
        if Invitation.objects.filter(rfp=rfp, vendor=vendor).exists():
            raise ValidationError({"vendor": _("%(vendor)s is already invited.") % {"vendor": vendor}})
        invitation = Invitation.objects.create(rfp=rfp, vendor=vendor, invited_by=actor)
        audit.record(actor=actor, verb="rfp.invite", obj=rfp, project=rfp.project, after={"vendor": str(vendor)})
        _notify(vendor_people(rfp, vendor), kind="rfp.invited", rfp=rfp, url=_url("rfp:detail", rfp))
    return invitation


# --- questions and answers -----------------------------------------------------------------------------------


def vendor_question_ask(*, actor, rfp: Rfp, text: str) -> VendorQuestion:
    """An invited vendor asks about the RFP before the question deadline. Only its company and the PMO side see
    who asked; the PMO is told."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        vendor = _invited_company(actor, rfp)
        _require_issued(rfp, _("This RFP is closed: questions can no longer be asked."))
        if deadline_passed(rfp.question_deadline):
            raise ValidationError({"text": _("Questions closed on %(deadline)s. Your question was not sent; you can keep its text for your records.") % {"deadline": _when(rfp.question_deadline)}})  # fmt: skip
        question = VendorQuestion(rfp=rfp, vendor=vendor, text=text.strip(), asked_by=actor)
        if not question.text:
            raise ValidationError({"text": _("Write your question.")})
        question.full_clean()
        question.save()
        audit.record(actor=actor, verb="rfp.question", obj=rfp, project=rfp.project, after={"vendor": str(vendor), "question": question.pk})  # fmt: skip
        _notify(rfp.project.people(Role.PMO), kind="rfp.vendor_question", rfp=rfp, url=_url("rfp:questions", rfp, f"question-{question.pk}"), params={"vendor": str(vendor)})  # fmt: skip
    return question


def _names_of_askers(questions) -> list[str]:
    names = set()
    for question in questions:
        names.add(question.vendor.name)
        names.add(str(question.asked_by))
    return sorted(name for name in names if len(name.strip()) >= 2)


def answer_create(*, actor, rfp: Rfp, question_summary: str, text: str, changes_rfp: bool, questions) -> Answer:
    """The PMO drafts an answer to one or more unanswered questions. ``question_summary`` is the question as every
    invited vendor will read it: it may not name the company or the person who asked."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        _require_issued(rfp, _("Only an issued RFP's questions can be answered."))
        wanted = {question.pk for question in questions}
        if not wanted:
            raise ValidationError({"questions": _("Choose the question or questions this answers.")})
        chosen = list(VendorQuestion.objects.select_for_update(of=("self",)).filter(rfp=rfp, pk__in=wanted).select_related("vendor", "asked_by"))  # fmt: skip
        if len(chosen) != len(wanted):
            raise ValidationError({"questions": _("Choose questions of this RFP only.")})
        if any(question.answer_id for question in chosen):
            raise ValidationError({"questions": _("A question you chose has been answered meanwhile. Choose again.")})
        answer = Answer(rfp=rfp, question_summary=question_summary.strip(), text=text.strip(), changes_rfp=bool(changes_rfp), answered_by=actor)  # fmt: skip
        if not answer.question_summary:
            raise ValidationError({"question_summary": _("Write the question as all vendors will read it.")})
        if not answer.text:
            raise ValidationError({"text": _("Write the answer.")})
        answer.full_clean()
        for name in _names_of_askers(chosen):
            for field in ("question_summary", "text"):
                if name.casefold() in getattr(answer, field).casefold():
                    raise ValidationError({field: _("This names “%(name)s”, which would tell every vendor who asked. Rewrite it without the name.") % {"name": name}})  # fmt: skip
        answer.save()
        VendorQuestion.objects.filter(pk__in=wanted).update(answer=answer)
        audit.record(actor=actor, verb="rfp.answer", obj=rfp, project=rfp.project, after={"answer": answer.pk, "questions": sorted(wanted), "changes_rfp": answer.changes_rfp})  # fmt: skip
    return answer


def answer_delete(*, actor, answer: Answer) -> None:
    """The PMO withdraws a draft answer; its questions are unanswered again. A published answer stays."""
    with transaction.atomic():
        rfp = lock_rfp(answer.rfp)
        require_pmo(actor, rfp.project)
        answer = Answer.objects.select_for_update().filter(pk=answer.pk).first()
        if answer is None:
            raise AlreadyDecided(_("This draft answer was already withdrawn."), code="already_decided")
        if answer.published_at:
            raise AlreadyDecided(_("This answer is published: every invited vendor has read it, so it stays."), code="already_decided")  # fmt: skip
        audit.record(actor=actor, verb="rfp.answer_delete", obj=rfp, project=rfp.project, before={"answer": answer.pk, "question_summary": answer.question_summary})  # fmt: skip
        VendorQuestion.objects.filter(answer=answer).update(answer=None)
        answer.delete()


def addendum_change_log(answer: Answer, language: str) -> str:
    """What an addendum says changed: the question as vendors read it, and the answer, in the RFP's language."""
    with translation.override(language):
        return _("Question: %(question)s\n\nAnswer: %(answer)s") % {"question": answer.question_summary, "answer": answer.text}  # fmt: skip


def answer_publish(*, actor, answer: Answer) -> Answer:
    """Every invited vendor reads the answer (never who asked). An answer that changes the RFP first publishes the
    PMO's edits of the issued RFP as an addendum, with the answer as its change log."""
    with transaction.atomic():
        rfp = lock_rfp(answer.rfp)
        require_pmo(actor, rfp.project)
        answer = Answer.objects.select_for_update().filter(pk=answer.pk, rfp=rfp).first()
        if answer is None:
            raise AlreadyDecided(_("This draft answer was withdrawn."), code="already_decided")
        if answer.published_at:
            raise AlreadyDecided(_("This answer was already published on %(date)s.") % {"date": _when(answer.published_at)}, code="already_decided")  # fmt: skip
        _require_issued(rfp, _("Only an issued RFP's answers can be published."))
        if answer.changes_rfp:
            latest = published_version(rfp)
            if latest is not None and latest.snapshot == rfp_snapshot(rfp):
                raise ValidationError(_("This answer changes the RFP, but the RFP is still the same as version %(number)s that vendors have. Edit the RFP first (its sections, requirements or criteria): publishing then sends your edits as an addendum.") % {"number": latest.number})  # fmt: skip
            answer.addendum = version_create(actor=actor, rfp=rfp, kind=VersionKind.ADDENDUM, change_log=addendum_change_log(answer, rfp.language))  # fmt: skip
        answer.published_at = timezone.now()
        answer.save(update_fields=["published_at", "addendum"])
        audit.record(actor=actor, verb="rfp.answer_publish", obj=rfp, project=rfp.project, after={"answer": answer.pk, "addendum": answer.addendum.number if answer.addendum else None})  # fmt: skip
        people = vendor_people(rfp)
        if answer.addendum:
            _notify(people, kind="rfp.addendum", rfp=rfp, url=_url("rfp:version_detail", rfp, number=answer.addendum.number), params={"version": answer.addendum.number})  # fmt: skip
        else:
            _notify(people, kind="rfp.answer_published", rfp=rfp, url=_url("rfp:questions", rfp, f"answer-{answer.pk}"), params={"summary": answer.question_summary[:140]})  # fmt: skip
    return answer


# --- proposals --------------------------------------------------------------------------------------------------


def check_proposal_file(upload) -> str:
    """Refuse what is not a complete, unencrypted PDF within the size limit; return its SHA-256.

    Only the bytes are trusted (never the name or the content type the browser sent): a PDF starts with
    ``%PDF-``, ends with ``%%EOF``, and an encrypted one carries ``/Encrypt`` in its trailer.
    """
    limit = proposal_max_bytes()
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty. Choose your proposal as a PDF file.")})
    if size > limit:
        raise ValidationError({"file": _("The file is too large (%(size)s): a proposal may be at most %(limit)s. Reduce the size of the images in it, or ask the PMO.") % {"size": filesizeformat(size), "limit": filesizeformat(limit)}})  # fmt: skip
    digest, head, tail, encrypted = hashlib.sha256(), b"", b"", False
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        if len(head) < len(PDF_MAGIC):
            head += chunk[: len(PDF_MAGIC)]
        window = tail[-len(PDF_ENCRYPTED) :] + chunk
        encrypted = encrypted or PDF_ENCRYPTED in window
        tail = (tail + chunk)[-PDF_TAIL_BYTES:]
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError({"file": _("This file is not a PDF. Save your proposal as a PDF and upload that file.")})
    if PDF_END not in tail:
        raise ValidationError({"file": _("This PDF is incomplete or damaged: its end is missing. Save it again as a PDF and upload it.")})  # fmt: skip
    if encrypted:
        raise ValidationError({"file": _("This PDF is protected by a password or encryption. Upload it without protection, so that the evaluators can open it.")})  # fmt: skip
    return digest.hexdigest()


def proposal_upload(*, actor, rfp: Rfp, upload) -> Proposal:
    """An invited vendor submits its proposal (one PDF per company) before the deadline; a new upload replaces it.
    The file is stored under a random name; the name the vendor gave it is kept for display only."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        vendor = _invited_company(actor, rfp)
        _require_issued(rfp, _("This RFP is closed: proposals can no longer be submitted."))
        if deadline_passed(rfp.proposal_deadline):
            raise ValidationError({"file": _("Proposals were due by %(deadline)s: this one arrived too late and was not accepted.") % {"deadline": _when(rfp.proposal_deadline)}})  # fmt: skip
        if upload is None:
            raise ValidationError({"file": _("Choose your proposal as a PDF file.")})
        sha256 = check_proposal_file(upload)
        proposal = Proposal.objects.select_for_update().filter(rfp=rfp, vendor=vendor).first()
        before = {"file": proposal.file_name, "sha256": proposal.sha256, "size": proposal.size} if proposal else {}
        old_file = proposal.file.name if proposal else ""
        proposal = proposal or Proposal(rfp=rfp, vendor=vendor)
        proposal.file_name = upload_display_name(upload.name, "proposal.pdf")
        proposal.size, proposal.sha256 = upload.size, sha256
        proposal.uploaded_by, proposal.uploaded_at = actor, timezone.now()
        proposal.file.save("proposal.pdf", upload, save=False)  # the name comes from proposal_upload_to
        proposal.save()
        if old_file:
            storage = proposal.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
        after = {"vendor": str(vendor), "file": proposal.file_name, "sha256": sha256, "size": proposal.size}
        audit.record(actor=actor, verb="rfp.proposal_upload", obj=rfp, project=rfp.project, before=before, after=after)
    return proposal


def proposals_open(*, actor, rfp: Rfp) -> int:
    """Once the deadline has passed, the PMO opens every proposal at once. Returns how many were opened."""
    with transaction.atomic():
        rfp = lock_rfp(rfp)
        require_pmo(actor, rfp.project)
        if not deadline_passed(rfp.proposal_deadline):
            raise ValidationError(_("Proposals stay sealed until the deadline, %(deadline)s. Open them after it has passed.") % {"deadline": _when(rfp.proposal_deadline)})  # fmt: skip
        sealed = list(Proposal.objects.select_for_update(of=("self",)).filter(rfp=rfp, opened_at__isnull=True).select_related("vendor"))  # fmt: skip
        if not sealed:
            opened = Proposal.objects.filter(rfp=rfp).select_related("opened_by").first()
            if opened is not None:
                raise AlreadyDecided(_("The proposals were already opened by %(person)s on %(date)s.") % {"person": opened.opened_by, "date": _when(opened.opened_at)}, code="already_decided")  # fmt: skip
            raise ValidationError(_("No proposal was received: there is nothing to open."))
        now = timezone.now()
        Proposal.objects.filter(pk__in=[p.pk for p in sealed]).update(opened_at=now, opened_by=actor)
        audit.record(actor=actor, verb="rfp.proposals_open", obj=rfp, project=rfp.project, after={"count": len(sealed), "vendors": [str(p.vendor) for p in sealed]})  # fmt: skip
    return len(sealed)


def proposal_download(*, actor, proposal: Proposal):
    """The stored PDF, opened for reading, for its own vendor at any time and for the PMO, the client PM and
    security once opened. Each download is recorded."""
    with transaction.atomic():
        proposal = Proposal.objects.select_related("rfp__project", "vendor").get(pk=proposal.pk)
        rfp = proposal.rfp
        role, company = Membership.objects.filter(project=rfp.project, user=actor).values_list("role", "organization_id").first() or (None, None)  # fmt: skip
        if role == Role.VENDOR:
            if company != proposal.vendor_id:
                raise PermissionDenied(_("This proposal belongs to another company."))
        elif role in FULL_VIEW_ROLES:
            if proposal.is_sealed:
                raise PermissionDenied(_("Proposals stay sealed until the deadline has passed and the PMO opens them."))
        else:
            raise PermissionDenied(_("Only the PMO, the client PM and security can read the proposals."))
        audit.record(actor=actor, verb="rfp.proposal_download", obj=rfp, project=rfp.project, after={"vendor": str(proposal.vendor), "file": proposal.file_name, "sha256": proposal.sha256})  # fmt: skip
        return proposal.file.open("rb")
