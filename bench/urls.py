"""The portal's URLs plus what its pages are measured against (issue 8):

* ``/bench/floor/``  - a bare view through the whole production middleware: the least any page costs;
* ``/bench/r50/``    - the reference page R50: 50 rows from one query in a minimal template;
* ``/bench/admin/``  - Django admin on the same access requests, as many teams would use instead.

The floor *without* middleware is answered before Django by bench/wsgi.py.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

from accounts.models import AccessRequest
from projects.models import Term


@login_required
def floor(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def r50(request):
    rows = Term.objects.order_by("pk").values_list("pk", "name", "reading", "language")[:50]
    return render(request, "bench/r50.html", {"rows": rows})


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
    path("bench/admin/", site.urls),
    path("", include("pmo_portal.urls")),
]
