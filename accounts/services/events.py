"""The access timeline, written by the services next to their audit event."""

from ..models import AccessEvent


def event(*, actor, verb: str, project, request=None, grant=None, delegation=None, system=None, vendor=None, person=None, comment: str = ""):  # fmt: skip
    """One step of the timeline. The vendor, person and system come from the grant or the request if given."""
    if grant is not None:
        vendor, person, system = grant.vendor, grant.person, system or grant.level.system
    elif request is not None:
        vendor, person = request.vendor, request.person
        levels = [item.level for item in request.items.all()]
        if system is None and len(levels) == 1:
            system = levels[0].system
    return AccessEvent.objects.create(
        project=project, actor=actor, verb=verb, comment=comment, request=request, grant=grant, delegation=delegation,
        system=system, vendor=vendor, person=person,
    )  # fmt: skip
