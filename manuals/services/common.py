"""What every state change of a manual shares: the permission check, the lock, and "the working copy changed"."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from projects.models import Membership, Role
from projects.services import require_role

from ..models import (
    Manual,
    ManualStatus,
)

MANUAL_AUDIT_FIELDS = ("title", "audience", "language", "status", "edition", "reviewer_id", "share_with_all_readers")
STEP_AUDIT_FIELDS = ("position", "title", "instruction", "expected")
COMPARE_MAX_ATTEMPTS = 3


def require_pmo(actor, project) -> None:
    require_role(actor, project, Role.PMO, message=_("Only PMO staff of this project can change its manuals."))


def lock_manual(manual: Manual) -> Manual:
    return Manual.objects.select_for_update(of=("self",)).select_related("project").get(pk=manual.pk)


def working_copy_changed(manual: Manual) -> None:
    """A change to a published manual (or one in review) starts the next edition: it is a draft again. (The change
    itself counts in the manual's revision where it is saved: see ``manuals.models.manual_changed``.)"""
    if manual.status != ManualStatus.DRAFT:
        manual.reopen()
        manual.save(update_fields=["status", "updated_at"])


def edit_working_copy(actor, manual: Manual) -> Manual:
    """Lock the manual for a change of its working copy by PMO staff."""
    manual = lock_manual(manual)
    require_pmo(actor, manual.project)
    return manual


def pmo_people(project, *, exclude=None) -> list:
    members = Membership.objects.filter(project=project, role=Role.PMO).select_related("user")
    return [m.user for m in members if exclude is None or m.user_id != exclude.pk]


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()
