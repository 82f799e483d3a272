"""The RFP and its sections: the list, starting one, its overview, editing with a live preview, the client PM's
review (understood, or a question to the PMO)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pmo_portal import inbox
from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.inbox_views import ApproveForm, RejectForm
from pmo_portal.permissions import require_perm
from projects.rules import remember_role

from .. import services
from ..forms.document import PmAnswerForm, PmQuestionForm, PreviewForm, RfpCreateForm, RfpForm, SectionForm
from ..markdown import linked_preview, render_linked_markdown_many
from ..models import PmQuestion, Rfp, RfpSection, SectionUnderstanding
from .common import project_for, rfp_for

PAGE_SIZE = 25


@require_GET
@login_required
def rfp_list(request, code):
    project = project_for(request, code)
    rfps = Rfp.objects.visible_to(request.user).filter(project=project).select_related("created_by")
    context = {"project": project, "page": paginate(request, rfps, PAGE_SIZE), "can_add": request.user.has_perm("rfp.add_rfp", project)}  # fmt: skip
    return render(request, "rfp/rfp_list.html", context)


@login_required
def rfp_create(request, code):
    project = project_for(request, code, "rfp.add_rfp")
    form = RfpCreateForm(request.POST or None, user=request.user, initial={"language": project.default_language})
    if request.method == "POST" and form.is_valid():
        try:
            rfp = services.rfp_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = rfp.sections.count()
            messages.success(request, ngettext("The RFP is started with %(count)s section. Write it, with its explanation for the client PM.", "The RFP is started with %(count)s sections. Write each one, with its explanation for the client PM.", count) % {"count": count})  # fmt: skip
            return redirect(rfp.get_absolute_url())
    return render(request, "rfp/rfp_form.html", {"project": project, "form": form, "creating": True})


@require_GET
@login_required
def rfp_detail(request, code, pk):
    """Vendors read the issued version; the PMO and the client side the working document and where it stands."""
    rfp = rfp_for(request, code, pk)
    if not request.user.has_perm("rfp.view_draft", rfp):
        return redirect("rfp:version_detail", code=code, pk=pk, number=services.published_version(rfp).number)
    sections = rfp.sections.annotate(open_questions=Count("pm_questions", distinct=True))
    understood = set(SectionUnderstanding.objects.filter(section__rfp=rfp).values_list("section_id", "revision"))
    context = {
        "project": rfp.project, "rfp": rfp, "sections": [(s, (s.pk, s.revision) in understood) for s in sections],
        "problems": services.readiness_problems(rfp) if rfp.status == "draft" else [],
        "can_edit": request.user.has_perm("rfp.change_rfp", rfp),
    }  # fmt: skip
    if rfp.status == "in_review" and request.user.has_perm("rfp.review_rfp", rfp) and rfp.submitted_by_id != request.user.pk:  # fmt: skip
        context |= {"decision_item": inbox.InboxItem(inbox.get_kind("rfp"), rfp), "approve_form": ApproveForm(), "reject_form": RejectForm()}  # fmt: skip
    return render(request, "rfp/rfp_detail.html", context)


@login_required
def rfp_edit(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = RfpForm(request.POST or None, instance=rfp)
    if request.method == "POST" and form.is_valid():
        try:
            services.rfp_update(actor=request.user, rfp=rfp, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The RFP is saved."))
            return redirect(rfp.get_absolute_url())
    return render(request, "rfp/rfp_form.html", {"project": rfp.project, "rfp": rfp, "form": form})


# --- sections -------------------------------------------------------------------------------------------------


def _section(request, code, pk, section_pk, perm="rfp.change_rfp") -> RfpSection:
    """The section with its RFP, project and the person's role there, in one query. When there is none to see, the
    RFP gives the answer its own pages give (404; 403 to whom it is visible but not allowed: a vendor invited)."""
    sections = RfpSection.objects.visible_with_role(request.user).select_related("rfp__project__client")
    try:
        section = sections.get(rfp__project__code=code, rfp=pk, pk=section_pk)
    except RfpSection.DoesNotExist:
        rfp_for(request, code, pk, perm)
        raise Http404 from None
    remember_role(request.user, section.rfp.project, section.role_of_viewer)
    require_perm(request.user, perm, section.rfp)
    return section


def _editor(request, rfp, form, section=None):
    """The section editor: the form beside the preview of its text (rendered as in the PDF, terms linked)."""
    preview, findings = linked_preview(form["body"].value() or "", rfp.project, request.user)
    context = {
        "project": rfp.project, "rfp": rfp, "form": form, "section": section, "findings": findings, "preview": preview,
    }  # fmt: skip
    return render(request, "rfp/section_form.html", context)


@login_required
def section_add(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_add(actor=request.user, rfp=rfp, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The section “%(title)s” is added.") % {"title": section.title})
            return redirect(rfp.get_absolute_url() + f"#section-{section.pk}")
    return _editor(request, rfp, form)


@login_required
def section_edit(request, code, pk, section_pk):
    section = _section(request, code, pk, section_pk)
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(actor=request.user, section=section, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The section is saved. If the client PM had understood it, they will be asked to read it again."))  # fmt: skip
            return redirect(section.rfp.get_absolute_url() + f"#section-{section.pk}")
    return _editor(request, section.rfp, form, section)


def _move(request, code, pk, section_pk, by):
    section = _section(request, code, pk, section_pk)
    try:
        services.section_move(actor=request.user, section=section, by=by)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(section.rfp.get_absolute_url() + f"#section-{section.pk}")


@require_POST
@login_required
def section_up(request, code, pk, section_pk):
    return _move(request, code, pk, section_pk, -1)


@require_POST
@login_required
def section_down(request, code, pk, section_pk):
    return _move(request, code, pk, section_pk, +1)


@require_POST
@login_required
def section_delete(request, code, pk, section_pk):
    section = _section(request, code, pk, section_pk)
    try:
        services.section_delete(actor=request.user, section=section)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The section “%(title)s” is deleted.") % {"title": section.title})
    return redirect(section.rfp.get_absolute_url())


@require_POST
@login_required
def preview(request, code, pk):
    """The live preview (htmx): the Markdown as the PDF renders it, dictionary terms linked, problems listed."""
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = PreviewForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    preview, findings = linked_preview(body, rfp.project, request.user)
    context = {"preview": preview, "findings": findings, "errors": error_sentences(form)}
    return render(request, "rfp/_preview.html", context)


# --- the client PM's review ------------------------------------------------------------------------------------


@require_GET
@login_required
def review(request, code, pk):
    """Each section with the PMO's explanation: the client PM marks it understood or asks about it."""
    rfp = rfp_for(request, code, pk, "rfp.view_draft")
    questions = Prefetch("pm_questions", queryset=PmQuestion.objects.select_related("asked_by", "answered_by"))
    sections = list(rfp.sections.prefetch_related(questions))
    understood = {(u.section_id, u.revision): u for u in SectionUnderstanding.objects.filter(section__rfp=rfp).select_related("user")}  # fmt: skip
    bodies = render_linked_markdown_many([s.body for s in sections], rfp.project, request.user)
    rows = [(s, understood.get((s.pk, s.revision)), body) for s, body in zip(sections, bodies, strict=True)]
    context = {
        "project": rfp.project, "rfp": rfp, "rows": rows, "question_form": PmQuestionForm(), "answer_form": PmAnswerForm(),
        "reviews": request.user.has_perm("rfp.review_rfp", rfp) and rfp.status in ("draft", "in_review"),
        "answers": request.user.has_perm("rfp.change_rfp", rfp),
        "requirements": rfp.requirements.select_related("criterion"), "criteria": rfp.criteria.all(),
        "left": sum(1 for s, understanding, _body in rows if understanding is None or understanding.user_id != request.user.pk),
    }  # fmt: skip
    if rfp.status == "in_review" and request.user.has_perm("rfp.review_rfp", rfp) and rfp.submitted_by_id != request.user.pk:  # fmt: skip
        context |= {"decision_item": inbox.InboxItem(inbox.get_kind("rfp"), rfp), "approve_form": ApproveForm(), "reject_form": RejectForm()}  # fmt: skip
    return render(request, "rfp/review.html", context)


@require_POST
@login_required
def section_understood(request, code, pk, section_pk):
    section = _section(request, code, pk, section_pk, "rfp.review_rfp")
    try:
        services.section_understood(actor=request.user, section=section)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("rfp:review", kwargs={"code": code, "pk": pk}) + f"#section-{section.pk}")


@require_POST
@login_required
def section_ask(request, code, pk, section_pk):
    section = _section(request, code, pk, section_pk, "rfp.review_rfp")
    form = PmQuestionForm(request.POST)
    if form.is_valid():
        try:
            services.section_ask(actor=request.user, section=section, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your question is sent to the PMO team."))
    else:
        messages.error(request, error_sentences(form))
    return redirect(reverse("rfp:review", kwargs={"code": code, "pk": pk}) + f"#section-{section.pk}")


@require_POST
@login_required
def pm_question_answer(request, code, pk, question_pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    question = get_object_or_404(PmQuestion.objects.filter(section__rfp=rfp), pk=question_pk)
    form = PmAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.pm_question_answer(actor=request.user, question=question, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The answer is sent to the client PM."))
    else:
        messages.error(request, error_sentences(form))
    return redirect(reverse("rfp:review", kwargs={"code": code, "pk": pk}) + f"#section-{question.section_id}")
