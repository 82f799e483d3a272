"""A page's project comes with the viewer's role in it: the permission checks ask no second question, and the role
read from the row is the viewer's own."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from pmo_portal.permissions import get_for_perm_or_403
from projects.models import Project, Role, with_project_role
from projects.rules import remember_role, role_in
from rfp.models import Rfp

from ..rfp_factories import draft_rfp

pytestmark = pytest.mark.django_db


def fresh(user):
    """The same person as a new request sees them (no memo from an earlier check)."""
    return type(user).objects.get(pk=user.pk)


def test_the_project_brings_the_viewers_role_and_no_query_follows(pmo, client_pm, vendor_a, reader):
    for user, role in ((pmo, Role.PMO), (client_pm, Role.CLIENT_PM), (vendor_a, Role.VENDOR), (reader, Role.READER)):
        user = fresh(user)
        with CaptureQueriesContext(connection) as queries:
            project = get_for_perm_or_403(Project, user, "projects.view_project", code="ALPHA")
            assert role_in(user, project) == role
            assert user.has_perm("projects.view_audit", project) == (role != Role.VENDOR and role != Role.READER)
        assert len(queries) == 1, [q["sql"] for q in queries]


def test_a_project_fetched_for_one_person_never_answers_for_another(pmo, vendor_a):
    project = Project.objects.with_viewer_role(fresh(pmo)).get(code="ALPHA")
    vendor = fresh(vendor_a)
    assert role_in(vendor, project) == Role.VENDOR  # asked the database: the row carries the PMO's role
    assert not vendor.has_perm("projects.view_audit", project)


def test_outsiders_still_get_404_and_members_without_the_permission_403(outsider, vendor_a, project):
    with pytest.raises(Http404):
        get_for_perm_or_403(Project, fresh(outsider), "projects.view_project", code="ALPHA")
    with pytest.raises(PermissionDenied):
        get_for_perm_or_403(Project, fresh(vendor_a), "projects.view_audit", code="ALPHA")


def test_an_rfp_brings_the_role_in_its_project(pmo, client_pm, project):
    rfp = draft_rfp(project)
    for user, role in ((pmo, Role.PMO), (client_pm, Role.CLIENT_PM)):
        user = fresh(user)
        fetched = with_project_role(Rfp.objects.visible_to(user).select_related("project"), user).get(pk=rfp.pk)
        assert fetched.role_of_viewer == role
        remember_role(user, fetched.project, fetched.role_of_viewer)
        with CaptureQueriesContext(connection) as queries:
            assert role_in(user, fetched.project) == role
        assert not queries



def test_manuals_and_rfp_sections_read_visibility_from_the_role_join_as_visible_to_does(personas, project, hidden_project):
    """``visible_one`` (manuals) and ``visible_with_role`` (sections) state each rule a second time (from the joined
    role instead of subqueries): for every kind of person and of manual or section, they give exactly the rows
    ``visible_to`` gives, with their role."""
    from manuals.models import Manual
    from rfp.models import RfpSection

    pmo, reader = personas["pmo"], personas["reader"]
    draft = Manual.objects.create(project=project, title="下書き", created_by=pmo)
    for_all = Manual.objects.create(project=project, title="全員に", created_by=pmo, edition=1)
    for_others = Manual.objects.create(project=project, title="指名のみ", created_by=pmo, edition=1, share_with_all_readers=False)  # fmt: skip
    named = Manual.objects.create(project=project, title="指名", created_by=pmo, edition=1, share_with_all_readers=False)  # fmt: skip
    named.shared_with.add(reader)
    Manual.objects.create(project=hidden_project, title="他の案件", created_by=pmo, edition=1)
    draft_rfp(project), draft_rfp(hidden_project)
    seen = {}
    for name, user in personas.items():
        if user is None:
            continue
        found = [Manual.objects.select_related("project").visible_one(user, pk=m.pk) for m in Manual.objects.all()]
        manuals = [m for m in found if m is not None]
        assert set(manuals) == set(Manual.objects.visible_to(user)), name
        assert all(m.role_of_viewer == role_in(fresh(user), m.project) for m in manuals), name
        sections = RfpSection.objects.visible_with_role(user)
        assert set(sections) == set(RfpSection.objects.visible_to(user)), name
        seen[name] = {m.title for m in manuals}, sections.count()
    assert seen["reader"] == ({for_all.title, named.title}, 0)
    assert seen["pmo"][0] == {draft.title, for_all.title, for_others.title, named.title} and seen["pmo"][1] > 0
    assert seen["vendor_a"] == (set(), 0) and seen["outsider"][1] > 0  # the hidden project's own
