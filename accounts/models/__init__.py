"""Portal people and organizations (people.py), and vendor access to the client's systems (access.py)."""

from .access import (  # noqa: F401
    AccessEvent,
    AccessRequest,
    AccessRequestItem,
    Delegation,
    EventVerb,
    Grant,
    GrantStatus,
    PermissionLevel,
    Reconciliation,
    RequestKind,
    RequestStatus,
    ReviewCampaign,
    ReviewDecision,
    ReviewItem,
    Risk,
    TargetSystem,
    VendorContract,
    VendorPerson,
)
from .people import TIME_ZONE_CHOICES, Organization, OrganizationKind, PortalUserManager, User  # noqa: F401
