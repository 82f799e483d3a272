"""Vendor access pages of a project: /projects/<code>/access/..."""

from django.urls import path

from .views import access_requests as req
from .views import access_review as review
from .views import access_setup as setup

app_name = "access"

urlpatterns = [
    path("", req.overview, name="overview"),
    # requests: the vendor drafts and submits, the PMO reviews and provisions (approvals: the inbox URLs)
    path("requests/", req.request_list, name="requests"),
    path("requests/new/", req.request_create, name="request_create"),
    path("requests/<int:pk>/", req.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", req.request_edit, name="request_edit"),
    path("requests/<int:pk>/submit/", req.request_submit, name="request_submit"),
    path("requests/<int:pk>/withdraw/", req.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/send-back/", req.request_send_back, name="request_send_back"),
    path("requests/<int:pk>/forward/", req.request_forward, name="request_forward"),
    path("requests/<int:pk>/reject/", req.request_reject, name="request_reject"),
    path("requests/<int:pk>/provision/", req.request_provision, name="request_provision"),
    # grants: what was provisioned
    path("grants/", req.grant_list, name="grants"),
    path("grants/<int:pk>/", req.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/extend/", req.grant_extend, name="grant_extend"),
    path("grants/<int:pk>/change/", req.grant_change, name="grant_change"),
    path("grants/<int:pk>/revoke/", req.grant_revoke, name="grant_revoke"),
    path("grants/<int:pk>/confirm-revocation/", req.grant_confirm_revocation, name="grant_confirm_revocation"),
    path("grants/<int:pk>/confirm-removal/", req.grant_confirm_removal, name="grant_confirm_removal"),
    path("removals/", req.removal_list, name="removals"),
    # setup: systems and levels, vendor companies and people (offboarding), delegations
    path("systems/", setup.system_list, name="systems"),
    path("systems/new/", setup.system_create, name="system_create"),
    path("systems/<int:pk>/edit/", setup.system_edit, name="system_edit"),
    path("systems/<int:pk>/levels/new/", setup.level_create, name="level_create"),
    path("levels/<int:pk>/edit/", setup.level_edit, name="level_edit"),
    path("vendors/", setup.vendor_list, name="vendors"),
    path("vendors/new/", setup.contract_create, name="contract_create"),
    path("vendors/<int:pk>/edit/", setup.contract_edit, name="contract_edit"),
    path("vendors/<int:pk>/end/", setup.contract_end, name="contract_end"),
    path("vendors/<int:pk>/people/new/", setup.person_add, name="person_add"),
    path("people/<int:pk>/remove/", setup.person_remove, name="person_remove"),
    path("people/<int:pk>/request-removal/", setup.person_request_removal, name="person_request_removal"),
    path("delegations/", setup.delegation_list, name="delegations"),
    path("delegations/new/", setup.delegation_create, name="delegation_create"),
    path("delegations/<int:pk>/", setup.delegation_detail, name="delegation_detail"),
    path("delegations/<int:pk>/evidence/", setup.delegation_evidence, name="delegation_evidence"),
    path("delegations/<int:pk>/revoke/", setup.delegation_revoke, name="delegation_revoke"),
    # access reviews, reconciliation, the security officer's audit view and CSV of active grants
    path("reviews/", review.review_list, name="reviews"),
    path("reviews/new/", review.review_create, name="review_create"),
    path("reviews/<int:pk>/", review.review_detail, name="review_detail"),
    path("reviews/items/<int:pk>/keep/", review.review_keep, name="review_keep"),
    path("reviews/items/<int:pk>/revoke/", review.review_revoke, name="review_revoke"),
    path("reconciliations/", review.reconciliation_list, name="reconciliations"),
    path("reconciliations/new/", review.reconciliation_create, name="reconciliation_create"),
    path("reconciliations/<int:pk>/", review.reconciliation_detail, name="reconciliation_detail"),
    path("audit/", review.access_audit, name="audit"),
    path("grants.csv", review.grants_csv, name="grants_csv"),
]
