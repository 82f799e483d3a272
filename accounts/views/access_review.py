"""Access reviews, reconciliation with the systems' own account lists, the access history and the CSV of grants.

Who: the PMO starts reviews and reconciles; the client PM decides in a review; PMO, client PM and the
security officer read reviews and the history; PMO and security download the CSV. Vendors and readers
reach none of it.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors
from pmo_portal.http import paginate, safe_next
from pmo_portal.permissions import get_for_perm_or_403, require_perm
from projects.models import Project

from .. import csv_io, services
from ..forms.access_review import AuditFilterForm, KeepForm, ReconciliationForm, ReviewStartForm, RevokeForm
from ..models import AccessEvent, Reconciliation, ReviewCampaign, ReviewDecision, ReviewItem

PAGE_SIZE = 50
RESULT_PAGE_SIZE = 100
RESULT_TABLES = ("orphans", "missing", "mismatches")


# --- access reviews ----------------------------------------------------------------------------------------


def _with_progress(campaigns):
    return campaigns.annotate(total=Count("items"), decided=Count("items", filter=~Q(items__decision=ReviewDecision.PENDING)))  # fmt: skip


@require_GET
@login_required
def review_list(request, code):
    project = get_for_perm_or_403(Project, request.user, "accounts.view_review", code=code)
    campaigns = _with_progress(ReviewCampaign.objects.visible_to(request.user).filter(project=project).select_related("started_by")).order_by("-started_at", "-pk")  # fmt: skip
    context = {"project": project, "page": paginate(request, campaigns, PAGE_SIZE), "today": timezone.localdate(), "can_start": request.user.has_perm("accounts.start_review", project)}  # fmt: skip
    return render(request, "access/review/review_list.html", context)


@login_required
def review_create(request, code):
    project = get_for_perm_or_403(Project, request.user, "accounts.start_review", code=code)
    form = ReviewStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.review_start(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The access review is started. We asked the client PM to keep or revoke each access."))  # fmt: skip
            return redirect(campaign.get_absolute_url())
    return render(request, "access/review/review_form.html", {"form": form, "project": project})


def _items():
    return ReviewItem.objects.select_related("campaign__project", "grant__person", "grant__vendor", "grant__level__system", "decided_by")  # fmt: skip


@require_GET
@login_required
def review_detail(request, code, pk):
    campaign = get_for_perm_or_403(ReviewCampaign, request.user, "accounts.view_review", project__code=code, pk=pk)  # fmt: skip
    items = _items().filter(campaign=campaign).order_by("grant__vendor__name", "grant__person__name", "grant__level__system__name", "pk")  # fmt: skip
    progress = campaign.items.aggregate(total=Count("pk"), decided=Count("pk", filter=~Q(decision=ReviewDecision.PENDING)))  # fmt: skip
    can_decide = campaign.closed_at is None and request.user.has_perm("accounts.decide_review", campaign)
    context = {"project": campaign.project, "campaign": campaign, "page": paginate(request, items, PAGE_SIZE), "progress": progress, "can_decide": can_decide, "keep_form": KeepForm(), "revoke_form": RevokeForm(), "next": request.get_full_path()}  # fmt: skip
    return render(request, "access/review/review_detail.html", context)


def _decide(request, code, pk, form_class, decision):
    item = get_object_or_404(_items().filter(campaign__in=ReviewCampaign.objects.visible_to(request.user)), campaign__project__code=code, pk=pk)  # fmt: skip
    require_perm(request.user, "accounts.decide_review", item.campaign)
    form = form_class(request.POST)
    status, notice = 422, ""
    if form.is_valid():
        try:
            services.review_decide(actor=request.user, item=item, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            elif request.htmx:  # already decided, or the review is complete: nothing to fix in the form
                status, notice = 409, " ".join(error.messages)
            else:
                messages.warning(request, " ".join(error.messages))
                return redirect(safe_next(request, None) or item.campaign.get_absolute_url())
        else:
            item = _items().get(pk=item.pk)
            done = _("Kept.") if decision == ReviewDecision.KEEP else _("To be revoked: the PMO team removes the account.")  # fmt: skip
            if request.htmx:
                return render(request, "access/review/_item_row.html", {"item": item, "project": item.campaign.project, "done": done, "can_decide": True})  # fmt: skip
            messages.success(request, f"{done} {item.grant.person} · {item.grant.level}")
            return redirect(safe_next(request, None) or item.campaign.get_absolute_url())
    forms_ = {"keep_form": form if decision == ReviewDecision.KEEP else KeepForm(), "revoke_form": form if decision == ReviewDecision.REVOKE else RevokeForm()}  # fmt: skip
    context = {"item": _items().get(pk=item.pk), "project": item.campaign.project, "can_decide": True, "notice": notice, **forms_}  # fmt: skip
    template = "access/review/_item_row.html" if request.htmx else "access/review/decide.html"
    return render(request, template, context | {"next": safe_next(request, None)}, status=status if request.htmx else 200)  # fmt: skip


@require_POST
@login_required
def review_keep(request, code, pk):
    return _decide(request, code, pk, KeepForm, ReviewDecision.KEEP)


@require_POST
@login_required
def review_revoke(request, code, pk):
    return _decide(request, code, pk, RevokeForm, ReviewDecision.REVOKE)


# --- reconciliation ----------------------------------------------------------------------------------------


@require_GET
@login_required
def reconciliation_list(request, code):
    project = get_for_perm_or_403(Project, request.user, "accounts.reconcile", code=code)
    reconciliations = Reconciliation.objects.visible_to(request.user).filter(project=project).select_related("system", "uploaded_by").defer("result")  # fmt: skip
    return render(request, "access/review/reconciliation_list.html", {"project": project, "page": paginate(request, reconciliations, PAGE_SIZE)})  # fmt: skip


@login_required
def reconciliation_create(request, code):
    project = get_for_perm_or_403(Project, request.user, "accounts.reconcile", code=code)
    form = ReconciliationForm(request.POST if request.method == "POST" else None, request.FILES or None, project=project)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reconciliation = services.reconciliation_run(actor=request.user, system=data["system"], accounts=data["accounts"], file_name=data["file_name"])  # fmt: skip
        messages.success(request, _("The account list of %(system)s is compared with the granted access.") % {"system": data["system"]})  # fmt: skip
        return redirect(reconciliation.get_absolute_url())
    return render(request, "access/review/reconciliation_form.html", {"form": form, "project": project})


@require_GET
@login_required
def reconciliation_detail(request, code, pk):
    reconciliation = get_for_perm_or_403(Reconciliation, request.user, "accounts.reconcile", project__code=code, pk=pk)
    tables = {key: Paginator(reconciliation.result.get(key, []), RESULT_PAGE_SIZE).get_page(request.GET.get(key)) for key in RESULT_TABLES}  # fmt: skip
    context = {"project": reconciliation.project, "reconciliation": reconciliation, **tables}
    return render(request, "access/review/reconciliation_detail.html", context)


# --- the access history and the CSV of active grants -------------------------------------------------------


@require_GET
@login_required
def access_audit(request, code):
    project = get_for_perm_or_403(Project, request.user, "accounts.view_access_audit", code=code)
    form = AuditFilterForm(request.GET or None, project=project)
    events = AccessEvent.objects.visible_to(request.user).filter(project=project, **form.filters()).for_list()
    events = events.order_by("-at", "-pk")
    return render(request, "access/review/access_audit.html", {"project": project, "form": form, "page": paginate(request, events, PAGE_SIZE)})  # fmt: skip


@require_GET
@login_required
def grants_csv(request, code):
    project = get_for_perm_or_403(Project, request.user, "accounts.export_grants", code=code)
    grants = services.active_grants_export(actor=request.user, project=project)
    out = io.StringIO()
    csv_io.write_csv(csv_io.grants_csv_rows(grants), out)
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    file_name = f"{project.code}-active-access-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    return response
