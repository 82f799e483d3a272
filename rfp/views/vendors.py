"""Vendors and an issued RFP: the invited companies, questions and the published answers, sealed proposals.

Vendors see only their own company's questions and proposal, and the answers published to everyone (never who
asked). The PMO, the client PM and security see every company's; the PMO invites, answers, publishes and opens.
A vendor whose company is not invited cannot know the RFP exists (404 everywhere).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors
from pmo_portal.http import paginate

from .. import services
from ..forms.vendors import AnswerForm, InviteForm, ProposalForm, QuestionForm
from ..models import Answer, Invitation, Proposal, RfpStatus, VendorQuestion
from ..services.vendors import deadline_passed
from .common import part_of, rfp_for

PAGE_SIZE = 50


def _messages_of(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- invitations --------------------------------------------------------------------------------------------------


def _invitations_page(request, rfp, form=None, status=200):
    can_invite = request.user.has_perm("rfp.change_rfp", rfp) and rfp.status == RfpStatus.ISSUED and not deadline_passed(rfp.proposal_deadline)  # fmt: skip
    rows = Invitation.objects.visible_to(request.user).filter(rfp=rfp).select_related("vendor", "invited_by")
    context = {"project": rfp.project, "rfp": rfp, "page": paginate(request, rows, PAGE_SIZE), "form": form or (InviteForm(rfp=rfp) if can_invite else None)}  # fmt: skip
    return render(request, "rfp/vendors/invitations.html", context, status=status)


@require_GET
@login_required
def invitations(request, code, pk):
    return _invitations_page(request, rfp_for(request, code, pk, "rfp.view_draft"))


@require_POST
@login_required
def invite(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = InviteForm(request.POST, rfp=rfp)
    if form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, rfp=rfp, vendor=form.cleaned_data["vendor"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(vendor)s is invited. Its people are told, and can now read the RFP and ask questions.") % {"vendor": invitation.vendor})  # fmt: skip
            return redirect("rfp:invitations", code=code, pk=pk)
    return _invitations_page(request, rfp, form, status=422)


# --- questions and answers ----------------------------------------------------------------------------------------


def _questions_page(request, rfp, *, question_form=None, answer_form=None, status=200):
    """Vendors: their company's questions and every published answer. PMO side: every question with its company,
    every answer with its drafts; the PMO also the answer form."""
    user = request.user
    insider = user.has_perm("rfp.view_draft", rfp)
    questions = VendorQuestion.objects.visible_to(user).filter(rfp=rfp).select_related("vendor", "asked_by", "answer").order_by("-asked_at", "-pk")  # fmt: skip
    answers = Answer.objects.visible_to(user).filter(rfp=rfp).select_related("addendum")
    if insider:
        answers = answers.select_related("answered_by").prefetch_related(Prefetch("questions", VendorQuestion.objects.select_related("vendor")))  # fmt: skip
        answers = answers.order_by(F("published_at").desc(nulls_first=True), "-created_at", "-pk")  # drafts first
    else:
        answers = answers.filter(published_at__isnull=False).order_by("-published_at", "-pk")
    questions_open = rfp.status == RfpStatus.ISSUED and not deadline_passed(rfp.question_deadline)
    can_ask = user.has_perm("rfp.ask_question", rfp)
    can_answer = user.has_perm("rfp.change_rfp", rfp) and rfp.status == RfpStatus.ISSUED
    context = {
        "project": rfp.project, "rfp": rfp, "insider": insider, "question_deadline_passed": deadline_passed(rfp.question_deadline),
        "page": paginate(request, questions, PAGE_SIZE),
        "answers": Paginator(answers, PAGE_SIZE).get_page(request.GET.get("answers")),
        "question_form": question_form or (QuestionForm() if can_ask and questions_open else None),
        "answer_form": answer_form or (AnswerForm(rfp=rfp) if can_answer else None),
        "can_publish": can_answer,
    }  # fmt: skip
    return render(request, "rfp/vendors/questions.html", context, status=status)


@require_GET
@login_required
def questions(request, code, pk):
    return _questions_page(request, rfp_for(request, code, pk))


@require_POST
@login_required
def question_ask(request, code, pk):
    """Refused after the deadline with the typed question kept on the page."""
    rfp = rfp_for(request, code, pk, "rfp.ask_question")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.vendor_question_ask(actor=request.user, rfp=rfp, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your question is sent. The PMO publishes its answer to every invited vendor, without saying who asked."))  # fmt: skip
            return redirect("rfp:questions", code=code, pk=pk)
    return _questions_page(request, rfp, question_form=form, status=422)


@require_POST
@login_required
def answer_create(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = AnswerForm(request.POST, rfp=rfp)
    if form.is_valid():
        try:
            services.answer_create(actor=request.user, rfp=rfp, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The answer is saved as a draft. Vendors read it once you publish it."))
            return redirect("rfp:questions", code=code, pk=pk)
    return _questions_page(request, rfp, answer_form=form, status=422)


@require_POST
@login_required
def answer_publish(request, code, pk, answer_pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    answer = part_of(request, rfp, Answer.objects, pk=answer_pk)
    try:
        answer = services.answer_publish(actor=request.user, answer=answer)
    except ValidationError as error:
        _messages_of(request, error)
    else:
        if answer.addendum:
            messages.success(request, _("The answer is published to every invited vendor, with addendum version %(number)s of the RFP.") % {"number": answer.addendum.number})  # fmt: skip
        else:
            messages.success(request, _("The answer is published to every invited vendor."))
    return redirect("rfp:questions", code=code, pk=pk)


@require_POST
@login_required
def answer_delete(request, code, pk, answer_pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    answer = part_of(request, rfp, Answer.objects, pk=answer_pk)
    try:
        services.answer_delete(actor=request.user, answer=answer)
    except ValidationError as error:
        _messages_of(request, error)
    else:
        messages.success(request, _("The draft answer is withdrawn. Its questions are waiting for an answer again."))
    return redirect("rfp:questions", code=code, pk=pk)


# --- proposals ----------------------------------------------------------------------------------------------------


def _proposals_page(request, rfp, form=None, status=200):
    """Vendors: their own proposal and the upload form until the deadline. PMO side: which companies submitted and
    when; the files once the PMO has opened them after the deadline."""
    user = request.user
    insider = user.has_perm("rfp.view_draft", rfp)
    closed = rfp.status != RfpStatus.ISSUED or deadline_passed(rfp.proposal_deadline)
    context = {"project": rfp.project, "rfp": rfp, "insider": insider, "deadline_passed": deadline_passed(rfp.proposal_deadline)}  # fmt: skip
    if insider:
        page = paginate(request, Invitation.objects.filter(rfp=rfp).select_related("vendor"), PAGE_SIZE)
        received = {p.vendor_id: p for p in Proposal.objects.visible_to(user).filter(rfp=rfp, vendor_id__in=[i.vendor_id for i in page]).select_related("opened_by")}  # fmt: skip
        counts = Proposal.objects.filter(rfp=rfp).aggregate(received=Count("pk"), sealed=Count("pk", filter=Q(opened_at__isnull=True)))  # fmt: skip
        context |= {
            "page": page, "rows": [(invitation, received.get(invitation.vendor_id)) for invitation in page],
            "received_count": counts["received"], "sealed_count": counts["sealed"],
            "can_open": user.has_perm("rfp.change_rfp", rfp) and context["deadline_passed"] and counts["sealed"] > 0,
        }  # fmt: skip
    else:
        can_upload = user.has_perm("rfp.submit_proposal", rfp) and not closed
        context |= {
            "own": Proposal.objects.visible_to(user).filter(rfp=rfp).select_related("uploaded_by").first(),
            "form": form or (ProposalForm() if can_upload else None),
        }  # fmt: skip
    return render(request, "rfp/vendors/proposals.html", context, status=status)


@require_GET
@login_required
def proposals(request, code, pk):
    return _proposals_page(request, rfp_for(request, code, pk))


@require_POST
@login_required
def proposal_upload(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.submit_proposal")
    form = ProposalForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            proposal = services.proposal_upload(actor=request.user, rfp=rfp, upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your proposal “%(file)s” is received. It stays sealed until the deadline has passed and the PMO opens the proposals.") % {"file": proposal.file_name})  # fmt: skip
            return redirect("rfp:proposals", code=code, pk=pk)
    return _proposals_page(request, rfp, form, status=422)


@require_POST
@login_required
def proposals_open(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    try:
        count = services.proposals_open(actor=request.user, rfp=rfp)
    except ValidationError as error:
        _messages_of(request, error)
    else:
        messages.success(request, ngettext("%(count)s proposal is opened.", "%(count)s proposals are opened.", count) % {"count": count})  # fmt: skip
    return redirect("rfp:proposals", code=code, pk=pk)


@require_GET
@login_required
def proposal_download(request, code, pk, proposal_pk):
    """Its own vendor at any time; the PMO side once opened (403 while sealed); another vendor: 404."""
    rfp = rfp_for(request, code, pk)
    proposal = part_of(request, rfp, Proposal.objects, pk=proposal_pk)
    try:
        stored = services.proposal_download(actor=request.user, proposal=proposal)
    except (FileNotFoundError, ValueError) as missing:
        raise Http404(_("The proposal file is missing.")) from missing
    return FileResponse(stored, as_attachment=True, filename=proposal.file_name, content_type="application/pdf")
