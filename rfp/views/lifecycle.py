"""Where the RFP stands: sent for review, taken back, issued (once the dictionary allows it), closed; its kept
versions and their comparison. Approval by the client PM goes through the approval inbox's URLs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors
from pmo_portal.http import paginate

from .. import services
from ..compare import compare_versions
from ..forms.document import IssueForm
from ..markdown import render_linked_markdown_many
from ..models import RfpVersion
from ..presentation import labelled_requirements
from ..services.vendors import deadline_passed
from .common import rfp_for


def _act(request, code, pk, service, done: str):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    try:
        service(actor=request.user, rfp=rfp)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(rfp.get_absolute_url())


@require_POST
@login_required
def submit(request, code, pk):
    return _act(request, code, pk, services.rfp_submit, _("The RFP is with the client PM for review. They will mark each section understood or ask you about it."))  # fmt: skip


@require_POST
@login_required
def recall(request, code, pk):
    return _act(request, code, pk, services.rfp_recall, _("The RFP is a draft again. Send it for review when it is ready."))  # fmt: skip


@require_POST
@login_required
def close(request, code, pk):
    return _act(request, code, pk, services.rfp_close, _("The RFP is closed."))


@login_required
def issue(request, code, pk):
    """Set the deadlines and issue. The page lists what the dictionary forbids or has not approved, with places."""
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = IssueForm(request.POST or None, initial={"question_deadline": rfp.question_deadline, "proposal_deadline": rfp.proposal_deadline})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.rfp_issue(actor=request.user, rfp=rfp, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The RFP is issued. Invite the vendors next."))
            return redirect("rfp:invitations", code=code, pk=pk)
    context = {"project": rfp.project, "rfp": rfp, "form": form, "problems": services.dictionary_problems(rfp, request.user)}  # fmt: skip
    return render(request, "rfp/issue.html", context)


@require_GET
@login_required
def versions(request, code, pk):
    rfp = rfp_for(request, code, pk)
    kept = RfpVersion.objects.visible_to(request.user).filter(rfp=rfp).select_related("created_by")
    return render(request, "rfp/versions.html", {"project": rfp.project, "rfp": rfp, "page": paginate(request, kept, 25)})


@require_GET
@login_required
def version_detail(request, code, pk, number):
    """A kept version as its readers see it (vendors: the issued RFP), with its PDF."""
    rfp = rfp_for(request, code, pk)
    version = get_object_or_404(RfpVersion.objects.visible_to(request.user).filter(rfp=rfp).select_related("created_by"), number=number)  # fmt: skip
    bodies = render_linked_markdown_many([s["body"] for s in version.snapshot["sections"]], rfp.project, request.user)
    sections = [(n, s, body) for n, (s, body) in enumerate(zip(version.snapshot["sections"], bodies, strict=True), start=1)]
    context = {
        "project": rfp.project, "rfp": rfp, "version": version, "sections": sections, "latest": services.published_version(rfp),
        "requirements": labelled_requirements(version.snapshot),
        "question_deadline_passed": deadline_passed(rfp.question_deadline), "proposal_deadline_passed": deadline_passed(rfp.proposal_deadline),
    }  # fmt: skip
    return render(request, "rfp/version_detail.html", context)


@require_GET
@login_required
def compare(request, code, pk):
    """Two versions side by side, section by section: the sentences each changed section lost and gained."""
    rfp = rfp_for(request, code, pk)
    kept = {v.number: v for v in RfpVersion.objects.visible_to(request.user).filter(rfp=rfp)}
    numbers = sorted(kept, reverse=True)
    try:
        old = int(request.GET.get("a") or (numbers[1] if len(numbers) > 1 else 0))
        new = int(request.GET.get("b") or (numbers[0] if numbers else 0))
    except ValueError as error:
        raise Http404 from error
    if request.GET and (old not in kept or new not in kept):
        raise Http404
    comparison = compare_versions(kept[old].snapshot, kept[new].snapshot) if old in kept and new in kept else None
    context = {"project": rfp.project, "rfp": rfp, "numbers": numbers, "old": old, "new": new, "comparison": comparison}
    return render(request, "rfp/compare.html", context)
