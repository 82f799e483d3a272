"""The RFP the PMO drafts for the client (document.py), the vendors who answer it (vendors.py), and the
evaluation of their proposals (evaluation.py)."""

from .document import (  # noqa: F401
    BODY_MAX_LENGTH,
    PUBLISHED_STATUSES,
    REQUIREMENT_PREFIXES,
    Clause,
    EvaluationCriterion,
    PmQuestion,
    Priority,
    Requirement,
    RequirementCategory,
    Rfp,
    RfpSection,
    RfpStatus,
    RfpTemplate,
    RfpVersion,
    SectionUnderstanding,
    VersionKind,
)
from .evaluation import MAX_SCORE, Evaluator, Recommendation, RecommendationStatus, Score  # noqa: F401
from .vendors import Answer, Invitation, Proposal, VendorQuestion  # noqa: F401
