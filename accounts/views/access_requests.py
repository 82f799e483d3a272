"""Access requests and grants: the vendor asks, the PMO reviews and provisions, everyone follows the timeline.

Approvals by the client PM and the security officer go through the approval inbox's URLs (one view per
transition); the request page shows the same decision forms.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal import inbox
from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.inbox_views import ApproveForm, RejectForm
from pmo_portal.permissions import get_for_perm_or_403, require_perm
from projects.models import Project
from projects.rules import role_in

from .. import services
from ..access_registry import request_summary
from ..forms.access_requests import (
    AccessRequestForm,
    CommentForm,
    DelegationChoiceForm,
    GrantChangeForm,
    ProvisionForm,
    ReasonForm,
    RevokeForm,
)
from ..models import AccessRequest, Grant, GrantStatus, RequestKind, RequestStatus, VendorContract
from ..services.access_requests import ItemSpec

PAGE_SIZE = 25
REQUEST_FILTERS = {
    "open": [s for s in RequestStatus.values if s not in (RequestStatus.PROVISIONED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN)],  # fmt: skip
    "review": [RequestStatus.SUBMITTED],
    "approval": [RequestStatus.PM_APPROVAL, RequestStatus.SECURITY_APPROVAL],
    "provision": [RequestStatus.APPROVED],
    "closed": [RequestStatus.PROVISIONED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN],
}


def _project(request, code, perm="accounts.view_access") -> Project:
    return get_for_perm_or_403(Project, request.user, perm, code=code)


def _access_request(request, code, pk, perm="accounts.view_access") -> AccessRequest:
    rows = AccessRequest.objects.visible_to(request.user).for_list().prefetch_related("items__grant")
    access_request = get_object_or_404(rows, project__code=code, pk=pk)
    require_perm(request.user, perm, access_request)
    return access_request


def _grant(request, code, pk, perm="accounts.view_access") -> Grant:
    grant = get_object_or_404(Grant.objects.visible_to(request.user).for_list(), project__code=code, pk=pk)
    require_perm(request.user, perm, grant)
    return grant


def _my_contract(user, project) -> VendorContract | None:
    return VendorContract.objects.filter(project=project, vendor_id=user.organization_id, ended_at__isnull=True).select_related("project", "vendor").first()  # fmt: skip


def _done(request, message: str, target):
    messages.success(request, message)
    return redirect(target)


def _refused(request, error: ValidationError, target):
    messages.error(request, " ".join(error.messages))
    return redirect(target)


# --- overview ----------------------------------------------------------------------------------------------


@require_GET
@login_required
def overview(request, code):
    """What needs doing, for whoever is looking: vendors their company's requests, PMO its queues."""
    project = _project(request, code)
    user, today = request.user, timezone.localdate()
    requests_ = AccessRequest.objects.visible_to(user).filter(project=project)
    grants = Grant.objects.visible_to(user).filter(project=project)
    counts = {
        "review": requests_.filter(status=RequestStatus.SUBMITTED).count(),
        "approval": requests_.filter(status__in=REQUEST_FILTERS["approval"]).count(),
        "provision": requests_.filter(status=RequestStatus.APPROVED).count(),
        "returned": requests_.filter(status=RequestStatus.RETURNED).count(),
        "active": grants.filter(status=GrantStatus.ACTIVE).count(),
        "expiring": grants.filter(status=GrantStatus.ACTIVE, end_date__lte=today + timedelta(days=14)).count(),
        "to_remove": grants.to_remove().count(),
        "waiting_for_me": AccessRequest.objects.waiting_for(user).filter(project=project).count(),
    }
    context = {
        "project": project, "role": role_in(user, project), "counts": counts,
        "recent": requests_.for_list()[:5], "expiring": grants.filter(status=GrantStatus.ACTIVE, end_date__lte=today + timedelta(days=14)).for_list()[:5],  # fmt: skip
        "contract": _my_contract(user, project) if user.has_perm("accounts.add_accessrequest", project) else None,
    }  # fmt: skip
    return render(request, "access/requests/overview.html", context)


# --- requests ----------------------------------------------------------------------------------------------


@require_GET
@login_required
def request_list(request, code):
    project = _project(request, code)
    shown = request.GET.get("show", "open")
    statuses = REQUEST_FILTERS.get(shown, REQUEST_FILTERS["open"])
    rows = AccessRequest.objects.visible_to(request.user).filter(status__in=statuses).for_project_list(project)
    page = paginate(request, rows, PAGE_SIZE)
    for row in page:
        row.project = project  # its link names the project: the page's own, not fetched 50 times
    context = {"project": project, "page": page, "show": shown if shown in REQUEST_FILTERS else "open", "filters": REQUEST_FILTERS}  # fmt: skip
    return render(request, "access/requests/request_list.html", context)


@login_required
def request_create(request, code):
    project = _project(request, code, "accounts.add_accessrequest")
    contract = _my_contract(request.user, project)
    if contract is None:
        return render(request, "access/requests/no_contract.html", {"project": project})
    form = AccessRequestForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = data["person"] or services.vendor_person_add(actor=request.user, contract=contract, name=data["new_name"], email=data["new_email"], job_role=data["new_job_role"])  # fmt: skip
                access_request = services.access_request_create(actor=request.user, project=project, person=person, items=form.items(), justification=data["justification"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, _("Your request is saved as a draft. Check it, then submit it to the PMO."), access_request.get_absolute_url())  # fmt: skip
    return render(request, "access/requests/request_form.html", {"project": project, "form": form, "contract": contract})


@login_required
def request_edit(request, code, pk):
    access_request = _access_request(request, code, pk, "accounts.change_accessrequest")
    if not access_request.is_editable:
        return _refused(request, ValidationError(_("This request is %(status)s: only a draft or a request sent back can be changed.") % {"status": access_request.get_status_display().lower()}), access_request.get_absolute_url())  # fmt: skip
    first = access_request.items.all()[0] if access_request.items.all() else None
    initial = {"levels": [item.level for item in access_request.items.all()], "justification": access_request.justification}
    if first:
        initial |= {"start_date": first.start_date, "end_date": first.end_date}
    form = AccessRequestForm(request.POST or None, contract=access_request.person.contract, request_obj=access_request, initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        grants = {item.level.system_id: item.grant for item in access_request.items.all()}
        items = [ItemSpec(i.level, i.start_date, i.end_date, grants.get(i.level.system_id)) for i in form.items()]
        try:
            services.access_request_update(actor=request.user, request=access_request, items=items, justification=form.cleaned_data["justification"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, _("The request is saved."), access_request.get_absolute_url())
    return render(request, "access/requests/request_form.html", {"project": access_request.project, "form": form, "access_request": access_request, "contract": access_request.person.contract})  # fmt: skip


@require_GET
@login_required
def request_detail(request, code, pk):
    access_request = _access_request(request, code, pk)
    user = request.user
    context = {"project": access_request.project, "access_request": access_request, "summary": request_summary(access_request), "events": access_request.events.for_list()}  # fmt: skip
    if access_request.status == RequestStatus.SUBMITTED and user.has_perm("accounts.review_accessrequest", access_request.project):  # fmt: skip
        covering = services.delegations_covering(holder=user, request=access_request)
        context |= {"can_review": True, "covering": covering, "forward_form": CommentForm(), "reason_form": ReasonForm()}
    if access_request.approver_role and access_request.approver_role == role_in(user, access_request.project) and user.has_perm("accounts.decide_accessrequest", access_request):  # fmt: skip
        context |= {"decision_item": inbox.InboxItem(inbox.get_kind("access"), access_request), "approve_form": ApproveForm(), "reject_form": RejectForm()}  # fmt: skip
    return render(request, "access/requests/request_detail.html", context)


def _transition(request, code, pk, *, perm, form_class, action, message):
    """A POST-only step on a request: check the right, validate the comment, call the one service, go back."""
    access_request = _access_request(request, code, pk, perm)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect(access_request.get_absolute_url())
    try:
        action(access_request, form.cleaned_data.get("comment", "") if form else "")
    except inbox.AlreadyDecided as error:
        messages.warning(request, " ".join(error.messages))
        return redirect(access_request.get_absolute_url())
    except ValidationError as error:
        return _refused(request, error, access_request.get_absolute_url())
    return _done(request, message, access_request.get_absolute_url())


@require_POST
@login_required
def request_submit(request, code, pk):
    return _transition(request, code, pk, perm="accounts.change_accessrequest", form_class=None, message=_("Submitted. The PMO reviews it next; we will tell you how it goes."),  # fmt: skip
                       action=lambda r, c: services.access_request_submit(actor=request.user, request=r))  # fmt: skip


@require_POST
@login_required
def request_withdraw(request, code, pk):
    return _transition(request, code, pk, perm="accounts.change_accessrequest", form_class=CommentForm, message=_("The request is withdrawn."),  # fmt: skip
                       action=lambda r, c: services.access_request_withdraw(actor=request.user, request=r, comment=c))  # fmt: skip


@require_POST
@login_required
def request_send_back(request, code, pk):
    return _transition(request, code, pk, perm="accounts.review_accessrequest", form_class=ReasonForm, message=_("Sent back to the vendor with your comment."),  # fmt: skip
                       action=lambda r, c: services.access_request_send_back(actor=request.user, request=r, comment=c))  # fmt: skip


@require_POST
@login_required
def request_forward(request, code, pk):
    return _transition(request, code, pk, perm="accounts.review_accessrequest", form_class=CommentForm, message=_("Reviewed. The client PM decides next."),  # fmt: skip
                       action=lambda r, c: services.access_request_forward(actor=request.user, request=r, comment=c))  # fmt: skip


@require_POST
@login_required
def request_reject(request, code, pk):
    return _transition(request, code, pk, perm="accounts.review_accessrequest", form_class=ReasonForm, message=_("Rejected. We told the vendor why."),  # fmt: skip
                       action=lambda r, c: services.access_request_reject(actor=request.user, request=r, comment=c))  # fmt: skip


@login_required
def request_provision(request, code, pk):
    """The provisioning checklist: create each account on its system, then record the logins here."""
    access_request = _access_request(request, code, pk, "accounts.provision_access")
    form = ProvisionForm(request.POST or None, access_request=access_request, user=request.user, project=access_request.project)  # fmt: skip
    if access_request.status != RequestStatus.APPROVED:
        return _refused(request, ValidationError(_("Only an approved request can be provisioned.")), access_request.get_absolute_url())  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_provision(actor=request.user, request=access_request, delegation=form.cleaned_data["delegation"], login_names=form.login_names(), comment=form.cleaned_data["comment"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, _("Provisioned. The vendor is told that the access is ready."), access_request.get_absolute_url())  # fmt: skip
    return render(request, "access/requests/provision.html", {"project": access_request.project, "access_request": access_request, "form": form})  # fmt: skip


# --- grants ------------------------------------------------------------------------------------------------

GRANT_FILTERS = {
    "live": [GrantStatus.ACTIVE, GrantStatus.REVOKING],
    "expired": [GrantStatus.EXPIRED],
    "ended": [GrantStatus.REVOKED, GrantStatus.REPLACED],
}


@require_GET
@login_required
def grant_list(request, code):
    project = _project(request, code)
    shown = request.GET.get("show") if request.GET.get("show") in GRANT_FILTERS else "live"
    rows = Grant.objects.visible_to(request.user).filter(project=project, status__in=GRANT_FILTERS[shown]).for_list()
    context = {"project": project, "page": paginate(request, rows, PAGE_SIZE), "show": shown, "filters": GRANT_FILTERS, "soon": timezone.localdate() + timedelta(days=14)}  # fmt: skip
    return render(request, "access/requests/grant_list.html", context)


@require_GET
@login_required
def grant_detail(request, code, pk):
    grant = _grant(request, code, pk)
    user = request.user
    context = {"project": grant.project, "grant": grant, "events": grant.events.for_list(), "can_ask": user.has_perm("accounts.request_extension", grant) and grant.status == GrantStatus.ACTIVE}  # fmt: skip
    if user.has_perm("accounts.provision_access", grant.project):
        context |= {"can_manage": True, "revoke_form": RevokeForm(), "delegation_form": DelegationChoiceForm(user=user, project=grant.project)}  # fmt: skip
    return render(request, "access/requests/grant_detail.html", context)


@require_POST
@login_required
def grant_extend(request, code, pk):
    """One click from the expiry reminder: a draft extension up to the longest period the level and contract allow."""
    grant = _grant(request, code, pk, "accounts.request_extension")
    contract = grant.person.contract
    end = min(grant.end_date + timedelta(days=grant.level.max_duration_days), contract.end_date)
    items = [ItemSpec(grant.level, grant.end_date + timedelta(days=1), end, grant)]
    try:
        access_request = services.access_request_create(actor=request.user, project=grant.project, person=grant.person, items=items, kind=RequestKind.EXTEND, justification=_("Still needed: please extend the access %(login)s.") % {"login": grant.login_name})  # fmt: skip
    except ValidationError as error:
        return _refused(request, error, grant.get_absolute_url())
    return _done(request, _("An extension request is drafted. Check the dates and the reason, then submit it."), access_request.get_absolute_url())  # fmt: skip


@login_required
def grant_change(request, code, pk):
    grant = _grant(request, code, pk, "accounts.request_extension")
    form = GrantChangeForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        try:
            access_request = services.access_request_create(actor=request.user, project=grant.project, person=grant.person, items=form.items(), kind=RequestKind.CHANGE, justification=form.cleaned_data["justification"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, _("The change request is drafted. Check it, then submit it."), access_request.get_absolute_url())  # fmt: skip
    return render(request, "access/requests/grant_change.html", {"project": grant.project, "grant": grant, "form": form})


@require_POST
@login_required
def grant_revoke(request, code, pk):
    grant = _grant(request, code, pk, "accounts.provision_access")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect(grant.get_absolute_url())
    try:
        services.grant_request_revocation(actor=request.user, grant=grant, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _refused(request, error, grant.get_absolute_url())
    return _done(request, _("Marked “to be revoked”. Remove the account on the system, then confirm it here."), grant.get_absolute_url())  # fmt: skip


def _confirm(request, code, pk, service, message):
    """Confirm an account is gone from its system, under one of my delegations; back to where I clicked."""
    grant = _grant(request, code, pk, "accounts.provision_access")
    back = reverse("access:removals", kwargs={"code": code}) if request.POST.get("next") == "removals" else grant.get_absolute_url()  # fmt: skip
    form = DelegationChoiceForm(request.POST, user=request.user, project=grant.project)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect(back)
    try:
        service(actor=request.user, grant=grant, delegation=form.cleaned_data["delegation"], comment=form.cleaned_data["comment"])  # fmt: skip
    except ValidationError as error:
        return _refused(request, error, back)
    return _done(request, message, back)


@require_POST
@login_required
def grant_confirm_revocation(request, code, pk):
    return _confirm(request, code, pk, services.grant_confirm_revocation, _("Revocation confirmed. The trail cites your delegation."))  # fmt: skip


@require_POST
@login_required
def grant_confirm_removal(request, code, pk):
    return _confirm(request, code, pk, services.grant_confirm_removal, _("Removal confirmed. The trail cites your delegation."))  # fmt: skip


@require_GET
@login_required
def removal_list(request, code):
    """Accounts still to be removed on their systems: revocations asked for, and expired access."""
    project = _project(request, code, "accounts.provision_access")
    rows = Grant.objects.visible_to(request.user).filter(project=project).to_remove().for_list().order_by("status", "end_date", "pk")  # fmt: skip
    context = {"project": project, "page": paginate(request, rows, PAGE_SIZE), "delegation_form": DelegationChoiceForm(user=request.user, project=project)}  # fmt: skip
    return render(request, "access/requests/removal_list.html", context)
