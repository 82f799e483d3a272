"""Project and member screens: the flows people use, and constant query counts on every list."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo_portal import audit
from projects.models import Membership, Project, Role

from ..conftest import client_for
from ..factories import MembershipFactory, ProjectFactory


def test_pmo_creates_a_project_for_a_new_client(pmo):
    response = client_for(pmo).post(
        reverse("projects:create"),
        {"new_client_name": "北星物流", "code": "hk-wms", "name": "倉庫管理", "phase": "planning", "start_date": "2026-07-01", "end_date": "2027-03-31", "default_language": "ja", "approval_reminder_days": 3},  # fmt: skip
    )
    project = Project.objects.get(code="HK-WMS")
    assert response["Location"] == reverse("projects:member_invite", kwargs={"code": "HK-WMS"})
    assert project.client.name == "北星物流" and project.client.kind == "client"
    assert Membership.objects.get(project=project).user == pmo


def test_a_project_needs_a_client(pmo):
    response = client_for(pmo).post(reverse("projects:create"), {"code": "X1", "name": "X", "phase": "planning", "start_date": "2026-07-01", "end_date": "2027-03-31", "default_language": "ja", "approval_reminder_days": 3})  # fmt: skip
    assert response.status_code == 200
    assert "Choose an organization or type the name of a new one." in response.content.decode()
    assert not Project.objects.filter(code="X1").exists()


def test_invitation_flow_from_form_to_first_sign_in(pmo, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pmo).post(
            reverse("projects:member_invite", kwargs={"code": project.code}),
            {"email": "newvendor@example.test", "display_name": "Lee", "role": "vendor", "new_vendor_name": "New Vendor Co"},
        )
    assert response.status_code == 302
    link = re.search(r"http://[^/]+(/account/invitation/\S+/)", mail.outbox[0].body).group(1)
    anonymous = client_for(None)
    form_page = anonymous.get(link, follow=True)
    # The project works in Japanese, so the new account does, and the invitation page greets them so.
    assert '<html lang="ja">' in form_page.content.decode() and "PMOポータルへようこそ" in form_page.content.decode()
    response = anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": "Lantern-Harbor-42", "new_password2": "Lantern-Harbor-42"})  # fmt: skip
    assert response.status_code == 302
    home = anonymous.get(reverse("home"))
    assert home.status_code == 200 and project.name in home.content.decode()
    # The link works once only (and says so in the invitee's language).
    assert "この招待リンクは使用できません" in client_for(None).get(link, follow=True).content.decode()


def test_vendors_see_their_own_company_not_the_other_vendor(vendor_a, vendor_b, client_pm, reader, project):
    page = client_for(vendor_a).get(reverse("projects:members", kwargs={"code": project.code})).content.decode()
    assert "Vendor-A" in page and "Pm" in page and "Vendor-B" not in page
    page = client_for(reader).get(reverse("projects:members", kwargs={"code": project.code})).content.decode()
    assert "Vendor-A" not in page and "Vendor-B" not in page and "Pm" in page
    page = client_for(client_pm).get(reverse("projects:members", kwargs={"code": project.code})).content.decode()
    assert "Vendor-A" in page and "Vendor-B" in page


def test_a_forged_vendor_company_of_another_project_is_refused(pmo, project, vendor_a, orgs):
    stranger = MembershipFactory(project=ProjectFactory(code="OTHER"), role=Role.VENDOR, organization=orgs.vendor_b).organization  # fmt: skip
    Membership.objects.filter(organization=orgs.vendor_b, project=project).delete()
    membership = Membership.objects.get(user=vendor_a)
    response = client_for(pmo).post(
        reverse("projects:member_edit", kwargs={"code": project.code, "pk": membership.pk}),
        {"role": "vendor", "vendor": stranger.pk},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).organization == orgs.vendor_a


def test_removing_the_last_pmo_shows_why(pmo, project):
    membership = Membership.objects.get(user=pmo)
    response = client_for(pmo).post(reverse("projects:member_remove", kwargs={"code": project.code, "pk": membership.pk}), follow=True)  # fmt: skip
    assert "A project needs at least one PMO member." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- query counts: a list page costs the same whatever its length (DESIGN.md §4) ---------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _add_projects(user, n):
    for _ in range(n):
        MembershipFactory(user=user, project=ProjectFactory(), role=Role.PMO)


def _add_members(project, n):
    for _ in range(n):
        MembershipFactory(project=project, role=Role.READER)


@pytest.mark.parametrize(
    ("url_name", "grow"),
    [
        # session, user, list count, list page, role check for the "new" button = constant
        ("projects:list", lambda w, n: _add_projects(w["pmo"], n)),
        ("home", lambda w, n: _add_projects(w["pmo"], n)),
        # session, user, project, role, member count, member page, permission check = constant
        ("projects:members", lambda w, n: _add_members(w["project"], n)),
        ("projects:detail", lambda w, n: _add_members(w["project"], n)),
        # session, user, project, role, event count, event page = constant
        ("projects:audit", lambda w, n: [audit.record(actor=w["pmo"], verb="x", project=w["project"]) for _ in range(n)]),
    ],
)
def test_list_pages_run_a_constant_number_of_queries(url_name, grow, pmo, project):
    world = {"pmo": pmo, "project": project}
    url = reverse(url_name, kwargs={"code": project.code} if url_name.startswith("projects:") and url_name != "projects:list" else None)  # fmt: skip
    client = client_for(pmo)
    client.get(url)  # the first request of a session also writes the session; measure the ones after
    grow(world, 5)
    small = _queries(client, url)
    grow(world, 60)
    large = _queries(client, url)
    assert len(small) == len(large), f"{url_name}: {len(small)} queries with 5 rows, {len(large)} with 65:\n" + "\n".join(large)


def test_the_project_tabs_mark_only_the_current_section(pmo, project):
    for url_name, label in [("projects:detail", "Overview"), ("projects:members", "Members"), ("projects:signoffs", "Sign-offs")]:
        html = client_for(pmo).get(reverse(url_name, kwargs={"code": project.code})).content.decode()
        tabs = html[html.index('aria-label="Project sections"') :]
        active = re.findall(r'class="nav-link active"[^>]*>([^<]+)<', tabs[: tabs.index("</nav>")])
        assert active == [label], f"{url_name}: {active}"
