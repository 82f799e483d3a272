from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.models import Membership
from projects.rules import approves_anywhere

from . import inbox

HOME_PROJECTS = 10


@require_GET
@login_required
def home(request):
    """Everyone starts here: my projects with my role in each, and what waits for me."""
    mine = Membership.objects.filter(user=request.user)
    context = {
        "memberships": mine.select_related("project", "project__client").order_by("-project__start_date")[:HOME_PROJECTS],  # fmt: skip
        "more_projects": mine.count() > HOME_PROJECTS,
        "is_approver": approves_anywhere(request.user),
        "pending_count": inbox.pending_count_cached(request.user),
    }
    return render(request, "home.html", context)


@require_GET
@never_cache
def healthz(request):
    """For load balancers and container health checks: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
