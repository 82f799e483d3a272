"""Who may do what with an RFP (django-rules). Which rows a person sees at all is each model's ``visible_to``.

Objects: permissions on an RFP take the ``Rfp``; ``_rfp_of`` also accepts its parts (a section, a proposal...).
"""

import rules

from projects.models import Role
from projects.rules import role_in


def _rfp_of(obj):
    """The RFP itself, or the RFP a part of it belongs to (a section, an invitation, a proposal...)."""
    from .models import Rfp

    return obj if isinstance(obj, Rfp) else obj.rfp


def _role(user, obj) -> str | None:
    return role_in(user, _rfp_of(obj).project) if obj is not None else None


def has_rfp_role(*roles):
    @rules.predicate(name=f"has_rfp_role({', '.join(roles)})")
    def predicate(user, obj):
        return obj is not None and _role(user, obj) in roles

    return predicate


@rules.predicate
def is_project_insider(user, project):
    """PMO, client PM or security officer of the project: sees RFPs in every state."""
    return project is not None and role_in(user, project) in (Role.PMO, Role.CLIENT_PM, Role.SECURITY)


@rules.predicate
def works_with_rfps(user, project):
    """Everyone in the project but readers: vendors see the RFPs they are invited to."""
    return project is not None and role_in(user, project) in (Role.PMO, Role.CLIENT_PM, Role.SECURITY, Role.VENDOR)


@rules.predicate
def is_invited_vendor(user, obj):
    """A vendor whose company is invited to the RFP (the RFP itself is only visible once issued)."""
    if obj is None or _role(user, obj) != Role.VENDOR:
        return False
    return _rfp_of(obj).invitations.filter(vendor_id=user.organization_id).exists()


@rules.predicate
def is_declared_evaluator(user, obj):
    """Declared no conflict of interest for this RFP."""
    return obj is not None and _rfp_of(obj).evaluators.filter(user=user).exists()


@rules.predicate
def is_pmo_staff(user):
    return user.is_authenticated and user.is_pmo_staff


is_insider = has_rfp_role(Role.PMO, Role.CLIENT_PM, Role.SECURITY)
is_pmo = has_rfp_role(Role.PMO)
is_client_pm = has_rfp_role(Role.CLIENT_PM)

# On a project: the RFP list, and starting one.
rules.add_perm("rfp.view_rfps", works_with_rfps)
rules.add_perm("rfp.add_rfp", lambda user, project: project is not None and role_in(user, project) == Role.PMO)
# On an RFP.
rules.add_perm("rfp.view_rfp", is_insider | is_invited_vendor)  # vendors: the issued version
rules.add_perm("rfp.view_draft", is_insider)  # the working document, its review, its versions
rules.add_perm("rfp.change_rfp", is_pmo)  # sections, requirements, criteria, review, issue, invitations, answers
rules.add_perm("rfp.review_rfp", is_client_pm)  # mark sections understood, ask the PMO, approve
rules.add_perm("rfp.ask_question", is_invited_vendor)
rules.add_perm("rfp.submit_proposal", is_invited_vendor)
rules.add_perm("rfp.view_evaluation", is_insider)
rules.add_perm("rfp.declare_evaluator", is_insider)
rules.add_perm("rfp.score", is_insider & is_declared_evaluator)
rules.add_perm("rfp.recommend", is_pmo)
# The firm's library (templates and clauses): its PMO staff.
rules.add_perm("rfp.use_library", is_pmo_staff)
