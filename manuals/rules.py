"""Who may do what with a manual (django-rules). Which rows a person sees at all is each model's ``visible_to``.

Objects: a ``Manual`` or any part of it (a step, a screenshot version, an edition, a report); ``_manual_of``
finds the manual.
"""

import rules

from projects.models import Role
from projects.rules import role_in


def _manual_of(obj):
    from .models import Manual, Screenshot, ScreenshotVersion, Step

    if isinstance(obj, Manual):
        return obj
    if isinstance(obj, ScreenshotVersion):
        return obj.screenshot.step.manual
    if isinstance(obj, Screenshot):
        return obj.step.manual
    if isinstance(obj, Step):
        return obj.manual
    return obj.manual  # variant, edition, report


def has_manual_role(*roles):
    @rules.predicate(name=f"has_manual_role({', '.join(roles)})")
    def predicate(user, obj):
        return obj is not None and role_in(user, _manual_of(obj).project) in roles

    return predicate


@rules.predicate
def may_confirm(user, version):
    """The manual's named reviewer; without one, PMO staff or the client PM. Never the uploader."""
    if version is None or version.uploaded_by_id == user.pk:
        return False
    manual = _manual_of(version)
    if manual.reviewer_id:
        return manual.reviewer_id == user.pk and role_in(user, manual.project) in (Role.PMO, Role.CLIENT_PM)
    return role_in(user, manual.project) in (Role.PMO, Role.CLIENT_PM)


@rules.predicate
def writes_manuals(user, project):
    return project is not None and role_in(user, project) == Role.PMO


insider = has_manual_role(Role.PMO, Role.CLIENT_PM, Role.SECURITY)

rules.add_perm("manuals.add_manual", writes_manuals)  # on a project
rules.add_perm("manuals.view_manual", has_manual_role(Role.PMO, Role.CLIENT_PM, Role.SECURITY, Role.READER))
rules.add_perm("manuals.view_working_copy", insider)  # steps being written, every screenshot version
rules.add_perm("manuals.change_manual", has_manual_role(Role.PMO))
rules.add_perm("manuals.confirm_screenshot", may_confirm)
rules.add_perm("manuals.view_edition", has_manual_role(Role.PMO, Role.CLIENT_PM, Role.SECURITY, Role.READER))
rules.add_perm("manuals.report_screen", has_manual_role(Role.READER, Role.CLIENT_PM, Role.PMO, Role.SECURITY))
rules.add_perm("manuals.resolve_report", has_manual_role(Role.PMO))


@rules.predicate
def reads_manuals(user, project):
    """Everyone in the project but vendors: readers see the published manuals shared with them."""
    return project is not None and role_in(user, project) in (Role.PMO, Role.CLIENT_PM, Role.SECURITY, Role.READER)


rules.add_perm("manuals.view_manuals", reads_manuals)  # on a project: the "Manuals" tab
