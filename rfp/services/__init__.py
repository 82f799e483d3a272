"""Every state change of the RFP app, one function each (DESIGN.md §4).

document.py: the RFP itself (sections, requirements, criteria, review, approval, issue, versions).
vendors.py: invitations, questions and answers, addenda, proposals. evaluation.py: evaluators, scores and the
recommendation. library.py: the firm's templates and clauses.
"""

from .document import (  # noqa: F401
    criteria_save,
    dictionary_problems,
    pm_question_answer,
    published_version,
    readiness_problems,
    requirement_create,
    requirement_delete,
    requirement_move,
    requirement_update,
    rfp_approve,
    rfp_close,
    rfp_create,
    rfp_issue,
    rfp_recall,
    rfp_send_back,
    rfp_snapshot,
    rfp_submit,
    rfp_update,
    section_add,
    section_ask,
    section_delete,
    section_move,
    section_understood,
    section_update,
    sections_not_understood,
    version_create,
)
from .evaluation import (  # noqa: F401
    evaluation_results,
    evaluator_declare,
    proposal_score,
    recommendable_vendors,
    recommendation_approve,
    recommendation_create,
    recommendation_reject,
    standing_recommendation,
)
from .library import (  # noqa: F401
    clause_choices,
    clause_create,
    clause_insert,
    clause_owners,
    clause_update,
    clauses_overdue,
    is_overdue,
    library_clauses,
    require_pmo_staff,
    template_delete,
    template_save,
)
from .vendors import (  # noqa: F401
    answer_create,
    answer_delete,
    answer_publish,
    check_proposal_file,
    invitable_vendors,
    invitation_create,
    proposal_download,
    proposal_max_bytes,
    proposal_upload,
    proposals_open,
    vendor_question_ask,
)
