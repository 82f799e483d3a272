"""Requirements (stable IDs, priority, acceptance criteria, the criterion that scores them) and the weighted
evaluation criteria of an RFP."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors

from .. import services
from ..forms.document import CriterionFormSet, RequirementForm, criteria_initial
from ..models import Requirement
from .common import part_of, rfp_for


@require_GET
@login_required
def requirement_list(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.view_draft")
    requirements = rfp.requirements.select_related("criterion")
    context = {"project": rfp.project, "rfp": rfp, "requirements": requirements, "can_edit": request.user.has_perm("rfp.change_rfp", rfp) and rfp.is_editable}  # fmt: skip
    return render(request, "rfp/requirement_list.html", context)


@login_required
def requirement_create(request, code, pk):
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    form = RequirementForm(request.POST or None, rfp=rfp)
    if request.method == "POST" and form.is_valid():
        try:
            requirement = services.requirement_create(actor=request.user, rfp=rfp, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Requirement %(code)s is added.") % {"code": requirement.code})
            return redirect("rfp:requirements", code=code, pk=pk)
    return render(request, "rfp/requirement_form.html", {"project": rfp.project, "rfp": rfp, "form": form})


def _requirement(request, code, pk, req_pk) -> Requirement:
    rfp = rfp_for(request, code, pk, "rfp.change_rfp")
    return part_of(request, rfp, Requirement.objects.select_related("rfp__project"), pk=req_pk)


@login_required
def requirement_edit(request, code, pk, req_pk):
    requirement = _requirement(request, code, pk, req_pk)
    form = RequirementForm(request.POST or None, instance=requirement, rfp=requirement.rfp)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_update(actor=request.user, requirement=requirement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Requirement %(code)s is saved.") % {"code": requirement.code})
            return redirect("rfp:requirements", code=code, pk=pk)
    context = {"project": requirement.rfp.project, "rfp": requirement.rfp, "form": form, "requirement": requirement}
    return render(request, "rfp/requirement_form.html", context)


def _change(request, code, pk, req_pk, service, **kwargs):
    requirement = _requirement(request, code, pk, req_pk)
    try:
        service(actor=request.user, requirement=requirement, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("rfp:requirements", code=code, pk=pk)


@require_POST
@login_required
def requirement_up(request, code, pk, req_pk):
    return _change(request, code, pk, req_pk, services.requirement_move, by=-1)


@require_POST
@login_required
def requirement_down(request, code, pk, req_pk):
    return _change(request, code, pk, req_pk, services.requirement_move, by=+1)


@require_POST
@login_required
def requirement_delete(request, code, pk, req_pk):
    return _change(request, code, pk, req_pk, services.requirement_delete)


@login_required
def criteria(request, code, pk):
    """All criteria in one form: their weights must add up to 100 (what was typed stays when they do not)."""
    rfp = rfp_for(request, code, pk, "rfp.change_rfp" if request.method == "POST" else "rfp.view_draft")
    can_edit = request.user.has_perm("rfp.change_rfp", rfp) and rfp.is_editable
    formset = CriterionFormSet(request.POST or None, initial=criteria_initial(rfp))
    if request.method == "POST" and formset.is_valid():
        try:
            services.criteria_save(actor=request.user, rfp=rfp, rows=formset.rows())
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("The evaluation criteria are saved."))
            return redirect("rfp:criteria", code=code, pk=pk)
    context = {"project": rfp.project, "rfp": rfp, "formset": formset, "can_edit": can_edit, "criteria": rfp.criteria.all()}  # fmt: skip
    return render(request, "rfp/criteria.html", context, status=422 if request.method == "POST" else 200)
