"""Setting up vendor access: target systems and levels, vendor companies and their people, delegations.

Thin views (DESIGN.md §4): each fetches its object through ``visible_to`` (404 when invisible) and a
permission (403 when read-only), validates a form, calls one service and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pmo_portal.forms import add_service_errors, error_sentences
from pmo_portal.http import paginate
from pmo_portal.permissions import get_for_perm_or_403, get_visible_or_404, require_perm
from projects.models import Project, Role
from projects.rules import role_in

from .. import services
from ..forms.access_setup import (
    ContractEndForm,
    DelegationForm,
    DelegationRevokeForm,
    PermissionLevelForm,
    PersonRemoveForm,
    RemovalRequestForm,
    TargetSystemForm,
    VendorContractEditForm,
    VendorContractForm,
    VendorPersonForm,
)
from ..models import Delegation, Grant, PermissionLevel, RequestKind, TargetSystem, VendorContract, VendorPerson

PAGE_SIZE = 25


def _project(request, code, perm):
    return get_for_perm_or_403(Project, request.user, perm, code=code)


def _changes(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data}


def _form_page(request, project, form, *, title, submit_label, cancel_url, intro="", **extra):
    context = {"project": project, "form": form, "title": title, "submit_label": submit_label, "cancel_url": cancel_url, "intro": intro}  # fmt: skip
    return render(request, "access/setup/form.html", context | extra)


def _error_message(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _removals_note(project, tasks: int) -> str:
    """How many revocation tasks were opened, with a link to the list where the PMO confirms them."""
    if not tasks:
        return _("No active access needed revoking.")
    text = ngettext("%(count)d access is now a revocation task.", "%(count)d accesses are now revocation tasks.", tasks) % {"count": tasks}  # fmt: skip
    return format_html('{} <a href="{}">{}</a>', text, reverse("access:removals", kwargs={"code": project.code}), _("See what to remove"))  # fmt: skip


# --- systems and levels ----------------------------------------------------------------------------------


@require_GET
@login_required
def system_list(request, code):
    project = _project(request, code, "accounts.view_access")
    levels = Prefetch("levels", queryset=PermissionLevel.objects.order_by("risk", "name"))
    systems = TargetSystem.objects.visible_to(request.user).filter(project=project).prefetch_related(levels)
    context = {"project": project, "page": paginate(request, systems, PAGE_SIZE), "can_manage": request.user.has_perm("accounts.manage_systems", project)}  # fmt: skip
    return render(request, "access/setup/system_list.html", context)


@login_required
def system_create(request, code):
    project = _project(request, code, "accounts.manage_systems")
    form = TargetSystemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            system = services.target_system_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(system)s is added. Describe its permission levels next.") % {"system": system})  # fmt: skip
            return redirect("access:level_create", code=project.code, pk=system.pk)
    cancel = reverse("access:systems", kwargs={"code": project.code})
    return _form_page(request, project, form, title=_("Add a system"), submit_label=_("Add the system"), cancel_url=cancel)  # fmt: skip


@login_required
def system_edit(request, code, pk):
    system = get_for_perm_or_403(TargetSystem, request.user, "accounts.manage_systems", project__code=code, pk=pk)
    form = TargetSystemForm(request.POST or None, instance=system)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_system_update(actor=request.user, system=system, **_changes(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(system)s is saved.") % {"system": form.cleaned_data["name"]})
            return redirect("access:systems", code=code)
    cancel = reverse("access:systems", kwargs={"code": code})
    return _form_page(request, system.project, form, title=_("Edit a system"), submit_label=_("Save"), cancel_url=cancel)  # fmt: skip


@login_required
def level_create(request, code, pk):
    system = get_for_perm_or_403(TargetSystem, request.user, "accounts.manage_systems", project__code=code, pk=pk)
    form = PermissionLevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            level = services.permission_level_create(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The level “%(level)s” is added to %(system)s.") % {"level": level.name, "system": system})  # fmt: skip
            return redirect("access:systems", code=code)
    intro = _("Explain what the level allows in words a non-engineer understands: the client PM approves requests from this text.")  # fmt: skip
    cancel = reverse("access:systems", kwargs={"code": code})
    title = _("Add a permission level to %(system)s") % {"system": system}
    return _form_page(request, system.project, form, title=title, submit_label=_("Add the level"), cancel_url=cancel, intro=intro)  # fmt: skip


@login_required
def level_edit(request, code, pk):
    level = get_for_perm_or_403(PermissionLevel, request.user, "accounts.manage_systems", system__project__code=code, pk=pk)  # fmt: skip
    form = PermissionLevelForm(request.POST or None, instance=level)
    if request.method == "POST" and form.is_valid():
        try:
            services.permission_level_update(actor=request.user, level=level, **_changes(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The level “%(level)s” is saved.") % {"level": form.cleaned_data["name"]})
            return redirect("access:systems", code=code)
    cancel = reverse("access:systems", kwargs={"code": code})
    title = _("Edit a permission level of %(system)s") % {"system": level.system}
    return _form_page(request, level.project, form, title=title, submit_label=_("Save"), cancel_url=cancel)


# --- vendor companies and their people -------------------------------------------------------------------


@require_GET
@login_required
def vendor_list(request, code):
    project = _project(request, code, "accounts.view_access")
    people = Prefetch("people", queryset=VendorPerson.objects.order_by(F("removed_at").asc(nulls_first=True), "name"))
    contracts = VendorContract.objects.visible_to(request.user).filter(project=project).select_related("vendor", "ended_by").prefetch_related(people)  # fmt: skip
    role = role_in(request.user, project)
    context = {
        "project": project, "page": paginate(request, contracts, PAGE_SIZE), "can_manage": role == Role.PMO,
        "is_vendor": role == Role.VENDOR, "end_form": ContractEndForm(), "remove_form": PersonRemoveForm(),
    }  # fmt: skip
    return render(request, "access/setup/vendor_list.html", context)


@login_required
def contract_create(request, code):
    project = _project(request, code, "accounts.manage_vendors")
    form = VendorContractForm(request.POST or None, project=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.vendor_contract_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contract with %(vendor)s is recorded. Its people can now be listed.") % {"vendor": contract.vendor})  # fmt: skip
            return redirect("access:vendors", code=project.code)
    cancel = reverse("access:vendors", kwargs={"code": project.code})
    return _form_page(request, project, form, title=_("Add a vendor contract"), submit_label=_("Add the contract"), cancel_url=cancel)  # fmt: skip


@login_required
def contract_edit(request, code, pk):
    contract = get_for_perm_or_403(VendorContract, request.user, "accounts.manage_vendors", project__code=code, pk=pk)
    form = VendorContractEditForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_contract_update(actor=request.user, contract=contract, **_changes(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contract with %(vendor)s is saved.") % {"vendor": contract.vendor})
            return redirect("access:vendors", code=code)
    cancel = reverse("access:vendors", kwargs={"code": code})
    title = _("Edit the contract with %(vendor)s") % {"vendor": contract.vendor}
    return _form_page(request, contract.project, form, title=title, submit_label=_("Save"), cancel_url=cancel)


@require_POST
@login_required
def contract_end(request, code, pk):
    contract = get_for_perm_or_403(VendorContract, request.user, "accounts.manage_vendors", project__code=code, pk=pk)
    form = ContractEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect("access:vendors", code=code)
    try:
        tasks = services.vendor_contract_end(actor=request.user, contract=contract, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _error_message(request, error)
    else:
        ended = _("The contract with %(vendor)s has ended and its people are removed.") % {"vendor": contract.vendor}
        messages.success(request, format_html("{} {}", ended, _removals_note(contract.project, tasks)))
    return redirect("access:vendors", code=code)


@login_required
def person_add(request, code, pk):
    contract = get_for_perm_or_403(VendorContract, request.user, "accounts.add_vendorperson", project__code=code, pk=pk)
    form = VendorPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.vendor_person_add(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(person)s is listed for %(vendor)s.") % {"person": person, "vendor": contract.vendor})  # fmt: skip
            return redirect("access:vendors", code=code)
    cancel = reverse("access:vendors", kwargs={"code": code})
    title = _("Add a person of %(vendor)s") % {"vendor": contract.vendor}
    intro = _("List someone who needs accounts on the client's systems. They do not need to use this portal.")
    return _form_page(request, contract.project, form, title=title, submit_label=_("Add the person"), cancel_url=cancel, intro=intro)  # fmt: skip


@require_POST
@login_required
def person_remove(request, code, pk):
    person = get_visible_or_404(VendorPerson, request.user, contract__project__code=code, pk=pk)
    require_perm(request.user, "accounts.manage_vendors", person)
    form = PersonRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect("access:vendors", code=code)
    try:
        tasks = services.vendor_person_remove(actor=request.user, person=person, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _error_message(request, error)
    else:
        removed = _("%(person)s is removed from the project.") % {"person": person}
        messages.success(request, format_html("{} {}", removed, _removals_note(person.project, tasks)))
    return redirect("access:vendors", code=code)


@login_required
def person_request_removal(request, code, pk):
    person = get_for_perm_or_403(VendorPerson, request.user, "accounts.request_removal", contract__project__code=code, pk=pk)  # fmt: skip
    form = RemovalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removal = services.access_request_create(actor=request.user, project=person.project, person=person, items=[], justification=form.cleaned_data["justification"], kind=RequestKind.REMOVE)  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The removal request for %(person)s is drafted. Submit it to send it to the PMO.") % {"person": person})  # fmt: skip
            return redirect(removal.get_absolute_url())
    cancel = reverse("access:vendors", kwargs={"code": code})
    title = _("Ask to remove %(person)s") % {"person": person}
    intro = _("The PMO removes every account this person has on the client's systems, then confirms it here.")
    return _form_page(request, person.project, form, title=title, submit_label=_("Draft the removal request"), cancel_url=cancel, intro=intro)  # fmt: skip


# --- delegations of authority ----------------------------------------------------------------------------


def _delegations(user, project):
    return Delegation.objects.visible_to(user).filter(project=project).select_related("delegate", "granted_by", "revoked_by").prefetch_related("systems")  # fmt: skip


@require_GET
@login_required
def delegation_list(request, code):
    project = _project(request, code, "accounts.view_delegation")
    delegations = _delegations(request.user, project)
    held = delegations.filter(delegate=request.user) if role_in(request.user, project) == Role.PMO else None
    context = {
        "project": project, "page": paginate(request, delegations, PAGE_SIZE), "held": held,
        "can_delegate": request.user.has_perm("accounts.manage_delegations", project), "today": timezone.localdate(),
    }  # fmt: skip
    return render(request, "access/setup/delegation_list.html", context)


@login_required
def delegation_create(request, code):
    project = _project(request, code, "accounts.manage_delegations")
    form = DelegationForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            delegation = services.delegation_grant(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(person)s now holds this delegation.") % {"person": delegation.delegate})
            return redirect(delegation.get_absolute_url())
    return render(request, "access/setup/delegation_form.html", {"project": project, "form": form})


@require_GET
@login_required
def delegation_detail(request, code, pk):
    delegation = get_for_perm_or_403(Delegation, request.user, "accounts.view_delegation", project__code=code, pk=pk)
    grants = Grant.objects.visible_to(request.user).filter(delegation=delegation).for_list().order_by("-provisioned_at", "-pk")  # fmt: skip
    context = {
        "project": delegation.project, "delegation": delegation, "page": paginate(request, grants, PAGE_SIZE),
        "today": timezone.localdate(), "revoke_form": DelegationRevokeForm(),
        "can_revoke": delegation.revoked_at is None and request.user.has_perm("accounts.manage_delegations", delegation),  # fmt: skip
    }  # fmt: skip
    return render(request, "access/setup/delegation_detail.html", context)


@require_GET
@login_required
def delegation_evidence(request, code, pk):
    delegation = get_for_perm_or_403(Delegation, request.user, "accounts.view_delegation", project__code=code, pk=pk)
    try:
        memo = delegation.evidence.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404(_("The memo file is missing.")) from missing
    return FileResponse(memo, as_attachment=True, filename=delegation.evidence_name or "memo.pdf", content_type="application/pdf")  # fmt: skip


@require_POST
@login_required
def delegation_revoke(request, code, pk):
    delegation = get_for_perm_or_403(Delegation, request.user, "accounts.manage_delegations", project__code=code, pk=pk)
    form = DelegationRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_sentences(form))
        return redirect(delegation.get_absolute_url())
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The delegation to %(person)s is revoked. Access already granted under it stays, and keeps citing it.") % {"person": delegation.delegate})  # fmt: skip
    return redirect(delegation.get_absolute_url())
