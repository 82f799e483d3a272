"""Every state change of the projects app, one function each (DESIGN.md §4).

projects.py: projects, memberships and sign-off requests. dictionary.py: the dictionary's terms, their proposals
and categories. dictionary_io.py: the dictionary as a whole (releases, imports, copies, shared glossaries).
"""

from .dictionary import (  # noqa: F401
    BulkDecision,
    term_category_create,
    term_delete,
    term_deprecate,
    term_proposal_approve,
    term_proposal_reject,
    term_proposal_withdraw,
    term_proposals_decide,
    term_propose,
    term_update,
)
from .dictionary_io import (  # noqa: F401
    ImportPlan,
    dictionary_baseline_create,
    dictionary_copy_from,
    dictionary_import_apply,
    dictionary_import_plan,
    dictionary_import_prepare,
    shared_glossary_create,
)
from .projects import (  # noqa: F401
    MEMBERSHIP_AUDIT_FIELDS,
    PROJECT_AUDIT_FIELDS,
    SIGNOFF_AUDIT_FIELDS,
    membership_change_role,
    membership_invite,
    membership_remove,
    organization_for_role,
    organization_get_or_create,
    project_create,
    project_update,
    require_role,
    signoff_approve,
    signoff_reject,
    signoff_request,
)
