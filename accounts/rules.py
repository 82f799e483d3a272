"""Who may do what with vendor access (django-rules). Row visibility itself is each model's `visible_to(user)`."""

import rules

from projects.rules import has_role, role_in

from .models import AccessRequest, Grant, VendorContract, VendorPerson
from .models.access import APPROVAL_STEPS

is_pmo = has_role("pmo")
is_security = has_role("security")
is_client_pm = has_role("client_pm")
is_vendor = has_role("vendor")
sees_all_access = has_role("pmo", "client_pm", "security")


def _vendor_id(obj) -> int | None:
    if isinstance(obj, AccessRequest | Grant | VendorContract):
        return obj.vendor_id
    if isinstance(obj, VendorPerson):
        return obj.contract.vendor_id
    return None


@rules.predicate
def is_own_vendor(user, obj):
    """A vendor of the company the request, grant, contract or person belongs to."""
    vendor_id = _vendor_id(obj)
    return vendor_id is not None and role_in(user, obj.project) == "vendor" and user.organization_id == vendor_id


@rules.predicate
def may_decide_request(user, request):
    """A client PM or security officer of the project who did not ask themselves; the service checks the step."""
    return (
        isinstance(request, AccessRequest)
        and request.requested_by_id != user.pk
        and role_in(user, request.project) in APPROVAL_STEPS.values()
    )


# The access pages of a project: everyone but readers (vendors see their own company's part).
rules.add_perm("accounts.view_access", sees_all_access | is_vendor)
rules.add_perm("accounts.add_accessrequest", is_vendor)
rules.add_perm("accounts.change_accessrequest", is_own_vendor)
rules.add_perm("accounts.review_accessrequest", is_pmo)
rules.add_perm("accounts.decide_accessrequest", may_decide_request)
rules.add_perm("accounts.provision_access", is_pmo)
rules.add_perm("accounts.request_extension", is_own_vendor)
rules.add_perm("accounts.manage_systems", is_pmo | is_security)
rules.add_perm("accounts.manage_vendors", is_pmo)
rules.add_perm("accounts.add_vendorperson", is_pmo | is_own_vendor)  # on a contract
rules.add_perm("accounts.request_removal", is_own_vendor)  # on a person: the PMO removes people directly
rules.add_perm("accounts.view_delegation", sees_all_access)
rules.add_perm("accounts.manage_delegations", is_security)
rules.add_perm("accounts.view_access_audit", sees_all_access)
rules.add_perm("accounts.export_grants", is_pmo | is_security)
rules.add_perm("accounts.view_review", sees_all_access)
rules.add_perm("accounts.start_review", is_pmo)
rules.add_perm("accounts.decide_review", is_client_pm)
rules.add_perm("accounts.reconcile", is_pmo)
