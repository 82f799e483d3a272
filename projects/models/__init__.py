"""Projects, memberships and sign-offs (projects.py), and the project dictionary (dictionary.py)."""

from .dictionary import (  # noqa: F401
    CONTENT_FIELDS,
    PUBLISHED_STATUSES,
    Adopted,
    BaselineTerm,
    DictionaryBaseline,
    DictionaryImport,
    ImportStatus,
    ProposalKind,
    ProposalStatus,
    RelationKind,
    SharedGlossary,
    SharedGlossaryTerm,
    Term,
    TermCategory,
    TermProposal,
    TermStatus,
)
from .projects import (  # noqa: F401
    APPROVER_ROLES,
    FULL_VIEW_ROLES,
    SIGNOFF_APPROVER_ROLES,
    Membership,
    MembershipQuerySet,
    Phase,
    Project,
    ProjectQuerySet,
    Role,
    SignOffQuerySet,
    SignOffRequest,
    SignOffStatus,
)
