from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import OrganizationKind
from pmo_portal import inbox
from pmo_portal.forms import add_service_errors
from pmo_portal.http import paginate
from pmo_portal.inbox_views import ApproveForm, RejectForm
from pmo_portal.models import AuditEvent
from pmo_portal.permissions import get_for_perm_or_403, require_perm

from .. import services
from ..forms import InviteForm, MemberForm, ProjectCreateForm, ProjectForm, SignOffRequestForm
from ..models import Membership, Project, Role, SignOffRequest
from ..rules import role_in

PAGE_SIZE = 25


@require_GET
@login_required
def project_list(request):
    projects = Project.objects.visible_to(request.user).select_related("client", "pmo_firm")
    return render(request, "projects/project_list.html", {"page": paginate(request, projects, PAGE_SIZE)})


@login_required
def project_create(request):
    require_perm(request.user, "projects.add_project")
    form = ProjectCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_client_name = data.pop("new_client_name")
        try:
            with transaction.atomic():
                if new_client_name:
                    data["client"] = services.organization_get_or_create(name=new_client_name, kind=OrganizationKind.CLIENT)  # fmt: skip
                project = services.project_create(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Project %(code)s is created. Invite its members next.") % {"code": project.code})
            return redirect("projects:member_invite", code=project.code)
    return render(request, "projects/project_form.html", {"form": form, "creating": True})


@require_GET
@login_required
def project_detail(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.view_project", code=code)
    members = Membership.objects.visible_to(request.user).of_project(project)
    context = {"project": project, "my_role_label": Role(role_in(request.user, project)).label, "members": members[:12], "member_count": members.count()}  # fmt: skip
    return render(request, "projects/project_detail.html", context)


@login_required
def project_edit(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.change_project", code=code)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **{f: form.cleaned_data[f] for f in form.changed_data})  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("projects:detail", code=form.cleaned_data["code"])
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@require_GET
@login_required
def member_list(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.view_membership", code=code)
    members = Membership.objects.visible_to(request.user).of_project(project)
    context = {"project": project, "page": paginate(request, members, PAGE_SIZE), "can_manage": request.user.has_perm("projects.change_membership", project)}  # fmt: skip
    return render(request, "projects/member_list.html", context)


def _vendor_from(form):
    name = form.cleaned_data.get("new_vendor_name")
    if name:
        return services.organization_get_or_create(name=name, kind=OrganizationKind.VENDOR)
    return form.cleaned_data.get("vendor")


@login_required
def member_invite(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.add_membership", code=code)
    form = InviteForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                membership = services.membership_invite(actor=request.user, project=project, email=data["email"], display_name=data["display_name"], role=data["role"], vendor=_vendor_from(form))  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(person)s is now a member. We sent them an e-mail.") % {"person": membership.user})  # fmt: skip
            return redirect("projects:members", code=project.code)
    return render(request, "projects/member_form.html", {"form": form, "project": project, "inviting": True})


@login_required
def member_edit(request, code, pk):
    membership = get_for_perm_or_403(Membership, request.user, "projects.change_membership", project__code=code, pk=pk)
    initial = {"role": membership.role, "vendor": membership.organization if membership.role == Role.VENDOR else None}
    form = MemberForm(request.POST or None, project=membership.project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"], vendor=_vendor_from(form))  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The membership of %(person)s is saved.") % {"person": membership.user})
            return redirect("projects:members", code=code)
    return render(request, "projects/member_form.html", {"form": form, "project": membership.project, "membership": membership})  # fmt: skip


@require_POST
@login_required
def member_remove(request, code, pk):
    membership = get_for_perm_or_403(Membership, request.user, "projects.delete_membership", project__code=code, pk=pk)
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s is no longer a member of this project.") % {"person": membership.user})
    return redirect("projects:members", code=code)


@require_GET
@login_required
def audit_log(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.view_audit", code=code)
    events = AuditEvent.objects.visible_to(request.user).filter(project=project).select_related("actor")
    return render(request, "projects/audit_log.html", {"project": project, "page": paginate(request, events, 50)})


# --- sign-off requests -----------------------------------------------------------------------------------


@require_GET
@login_required
def signoff_list(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.view_signoff", code=code)
    signoffs = SignOffRequest.objects.visible_to(request.user).filter(project=project).select_related("requested_by", "decided_by")  # fmt: skip
    context = {"project": project, "page": paginate(request, signoffs, PAGE_SIZE), "can_request": request.user.has_perm("projects.add_signoff", project)}  # fmt: skip
    return render(request, "projects/signoff_list.html", context)


@login_required
def signoff_create(request, code):
    project = get_for_perm_or_403(Project, request.user, "projects.add_signoff", code=code)
    form = SignOffRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signoff = services.signoff_request(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The sign-off request is sent. We will tell you when it is decided."))
            return redirect(signoff.get_absolute_url())
    return render(request, "projects/signoff_form.html", {"form": form, "project": project})


@require_GET
@login_required
def signoff_detail(request, code, pk):
    signoff = get_for_perm_or_403(SignOffRequest, request.user, "projects.view_signoff", project__code=code, pk=pk)
    context = {"project": signoff.project, "signoff": signoff}
    if signoff.is_pending and request.user.has_perm("projects.decide_signoff", signoff):
        # Decided through the inbox's own URLs, so the transition lives in one view only.
        context |= {"can_decide": True, "decision_item": inbox.InboxItem(inbox.get_kind("signoff"), signoff), "approve_form": ApproveForm(), "reject_form": RejectForm()}  # fmt: skip
    return render(request, "projects/signoff_detail.html", context)
