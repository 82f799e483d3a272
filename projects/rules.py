"""Who may do what with a project (django-rules). Row visibility itself is `visible_to(user)`."""

import rules
from django.utils.translation import get_language

from pmo_portal.http import per_request

from .models import APPROVER_ROLES, Membership, Project, Role, SignOffRequest


def role_in(user, project: Project) -> str | None:
    """The user's role in the project, remembered on the user object for the rest of the request."""
    if not user.is_authenticated or project is None:
        return None
    if getattr(project, "viewer_pk", None) == user.pk:  # fetched with it: ProjectQuerySet.with_viewer_role
        return project.role_of_viewer
    return per_request(user, f"_project_role_{project.pk}", lambda: Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first())  # fmt: skip


def remember_role(user, project: Project, role: str | None) -> None:
    """What ``role_in`` answers for the rest of the request, fetched with something else
    (``projects.models.with_project_role``)."""
    per_request(user, f"_project_role_{project.pk}", lambda: role)


def dictionary_view_key(user, project: Project) -> tuple:
    """What anything drawn from the project's dictionary for this user depends on besides its own input, for the
    caches of what is drawn: the project (with its creation time: SQLite may give a deleted project's id to a new
    one), the state of its dictionary (``dictionary_version``, counted in the transaction of every change), what
    the user may see of it (their role: unapproved terms, waiting changes) and the language."""
    return (project.pk, project.created_at.isoformat(), project.dictionary_version, role_in(user, project), get_language())


def approves_anywhere(user) -> bool:
    """A client PM or security officer in at least one project: has an approval inbox."""
    if not user.is_authenticated:
        return False
    return per_request(user, "_approves_anywhere", lambda: Membership.objects.filter(user=user, role__in=APPROVER_ROLES).exists())  # fmt: skip


def _project_of(obj) -> Project:
    return obj if isinstance(obj, Project) else obj.project


def has_role(*roles):
    @rules.predicate(name=f"has_role({', '.join(roles)})")
    def predicate(user, obj):
        return obj is not None and role_in(user, _project_of(obj)) in roles

    return predicate


is_member = rules.predicate(lambda user, obj: obj is not None and role_in(user, _project_of(obj)) is not None, name="is_member")
is_pmo = has_role(Role.PMO)
is_approver = has_role(Role.CLIENT_PM, Role.SECURITY)


@rules.predicate
def is_pmo_staff(user):
    return user.is_authenticated and user.is_pmo_staff


rules.add_perm("projects.add_project", is_pmo_staff)
rules.add_perm("projects.view_project", is_member)
rules.add_perm("projects.change_project", is_pmo)
rules.add_perm("projects.view_membership", is_member)
rules.add_perm("projects.add_membership", is_pmo)
rules.add_perm("projects.change_membership", is_pmo)
rules.add_perm("projects.delete_membership", is_pmo)
rules.add_perm("projects.view_audit", has_role(Role.PMO, Role.SECURITY, Role.CLIENT_PM))


@rules.predicate
def is_asked_to_sign_off(user, signoff):
    """Holds the role the request asks for, and did not ask themselves (separation of duties)."""
    return (
        isinstance(signoff, SignOffRequest)
        and signoff.requested_by_id != user.pk
        and role_in(user, signoff.project) == signoff.approver_role
    )


rules.add_perm("projects.view_signoff", has_role(Role.PMO, Role.CLIENT_PM, Role.SECURITY))
rules.add_perm("projects.add_signoff", is_pmo)
rules.add_perm("projects.decide_signoff", is_asked_to_sign_off)


# --- the project dictionary --------------------------------------------------------------------------------


@rules.predicate
def is_asked_to_decide_term(user, proposal):
    """The client PM of the term's project, who did not propose it (separation of duties)."""
    return (
        getattr(proposal, "term_id", None) is not None
        and proposal.proposed_by_id != user.pk
        and role_in(user, proposal.term.project) == Role.CLIENT_PM
    )


rules.add_perm("projects.view_dictionary", is_member)  # vendors and readers: approved terms only (visible_to)
rules.add_perm("projects.change_dictionary", is_pmo)  # propose, edit, categories, releases, import, copy
rules.add_perm("projects.view_term_proposals", has_role(Role.PMO, Role.CLIENT_PM, Role.SECURITY))
rules.add_perm("projects.approve_terms", has_role(Role.CLIENT_PM))
rules.add_perm("projects.decide_termproposal", is_asked_to_decide_term)
