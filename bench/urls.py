"""The portal's URLs plus what its pages are measured against (issue 8):

* ``/bench/floor/``  - a bare view through the whole production middleware: the least any page costs;
* ``/bench/r50/``    - the reference page R50: 50 rows from one query in a minimal template;
* ``/bench/admin/``  - Django admin on the same access requests, as many teams would use instead;
* ``/bench/write/<pk>/`` - W5's literal reading, printed beside it (not a goal): a POST that locks one access
  request, updates it, writes one audit row and redirects, and nothing else an approval does.

The floor *without* middleware is answered before Django by bench/wsgi.py.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import AccessRequest
from pmo_portal import audit
from projects.models import Term


@login_required
def floor(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def r50(request):
    rows = Term.objects.order_by("pk").values_list("pk", "name", "reading", "language")[:50]
    return render(request, "bench/r50.html", {"rows": rows})


@require_POST
@login_required
def write(request, pk):
    """The least a write can be in the portal: a row locked and updated and an audit row in one transaction, then
    a redirect. An approval also checks who may see and decide the request, writes its timeline step and the
    notifications, and hands the e-mails to the worker."""
    with transaction.atomic():
        row = AccessRequest.objects.select_for_update(of=("self",)).select_related("project").get(pk=pk)
        row.step_since = timezone.now()
        row.save(update_fields=["step_since"])
        audit.record(actor=request.user, verb="bench.write", obj=row, project=row.project, after={"step_since": row.step_since.isoformat()})  # fmt: skip
    return redirect("/bench/r50/")


class AccessRequestAdmin(admin.ModelAdmin):
    """The request list as a team would set it up in the admin: the same columns, 50 a page, joins selected."""

    list_display = ("id", "vendor", "person", "kind", "status", "requested_by", "submitted_at", "created_at")
    list_select_related = ("vendor", "person", "requested_by")
    list_filter = ("status", "kind")
    list_per_page = 50
    search_fields = ("justification",)


site = admin.AdminSite(name="bench_admin")
site.register(AccessRequest, AccessRequestAdmin)

urlpatterns = [
    path("bench/floor/", floor),
    path("bench/r50/", r50),
    path("bench/write/<int:pk>/", write),
    path("bench/admin/", site.urls),
    path("", include("pmo_portal.urls")),
]
