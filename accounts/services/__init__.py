"""Every state change of the accounts app, one function each (DESIGN.md §4).

users.py: a person's own account. access_setup.py: systems, levels, vendor contracts and people,
delegations. access_requests.py: the request workflow and provisioning. access_grants.py: revocation,
expiry, offboarding, access reviews and reconciliation.
"""

from .access_grants import (  # noqa: F401
    active_grants_export,
    grant_confirm_removal,
    grant_confirm_revocation,
    grant_request_revocation,
    grants_expire_due,
    reconciliation_run,
    review_decide,
    review_start,
    vendor_contract_end,
    vendor_person_remove,
)
from .access_requests import (  # noqa: F401
    access_request_approve,
    access_request_create,
    access_request_forward,
    access_request_provision,
    access_request_reject,
    access_request_send_back,
    access_request_submit,
    access_request_update,
    access_request_withdraw,
    delegations_covering,
)
from .access_setup import (  # noqa: F401
    delegation_grant,
    delegation_revoke,
    permission_level_create,
    permission_level_update,
    target_system_create,
    target_system_update,
    vendor_contract_create,
    vendor_contract_update,
    vendor_person_add,
)
from .users import two_factor_disable, two_factor_enable, user_update_preferences  # noqa: F401
