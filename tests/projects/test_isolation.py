"""Tenancy: a vendor reaches nothing of another vendor or of a project it is not in (always 404)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organization, User
from projects.models import Membership, Project, Role

from ..conftest import client_for
from ..test_url_access import all_url_names


def _project_urls(code, membership_pk):
    """Every URL of the projects app that names a project, filled in with `code` (and a membership)."""
    urls = []
    for namespace, name, route in all_url_names():
        if namespace != "projects" or "<str:code>" not in route:
            continue
        kwargs = {"code": code, **({"pk": membership_pk} if "<int:pk>" in route else {})}
        urls.append(reverse(f"projects:{name}", kwargs=kwargs))
    return urls


@pytest.fixture
def demo(db):
    call_command("seed_demo", password="Demo-pass-123", stdout=io.StringIO())


def test_seeding_twice_changes_nothing(demo):
    counts = (User.objects.count(), Organization.objects.count(), Project.objects.count(), Membership.objects.count())
    call_command("seed_demo", password="Demo-pass-123", stdout=io.StringIO())
    assert counts == (User.objects.count(), Organization.objects.count(), Project.objects.count(), Membership.objects.count())  # fmt: skip
    assert counts[2] == 2
    assert set(User.objects.values_list("username", flat=True)) >= {"pmo", "pm", "security", "vendor-a", "vendor-b", "reader"}
    assert User.objects.get(username="vendor-a").check_password("Demo-pass-123")


def test_only_pmo_of_the_personas_sees_the_hidden_project(demo):
    hidden = Project.objects.get(code="HKL-WMS")
    for username in ["pm", "security", "vendor-a", "vendor-b", "reader"]:
        user = User.objects.get(username=username)
        assert list(Project.objects.visible_to(user)) == [Project.objects.get(code="SMI-CLAIMS")]
    assert hidden in Project.objects.visible_to(User.objects.get(username="pmo"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_vendor_a_gets_404_for_everything_of_vendor_b_and_the_hidden_project(demo, method):
    vendor_a = User.objects.get(username="vendor-a")
    main, hidden = Project.objects.get(code="SMI-CLAIMS"), Project.objects.get(code="HKL-WMS")
    vendor_b_membership = Membership.objects.get(project=main, user__username="vendor-b")
    hidden_membership = Membership.objects.filter(project=hidden).first()
    urls = _project_urls(hidden.code, hidden_membership.pk)
    urls += [u for u in _project_urls(main.code, vendor_b_membership.pk) if str(vendor_b_membership.pk) in u]
    assert len(urls) >= 9
    client = client_for(vendor_a)
    wrong = {u: s for u in urls if (s := getattr(client, method)(u).status_code) not in (404, 405)}
    assert wrong == {}
    # The POSTs changed nothing.
    assert Membership.objects.filter(pk=vendor_b_membership.pk, role=Role.VENDOR).exists()


def test_vendor_a_sees_its_own_people_but_not_vendor_b(demo):
    client = client_for(User.objects.get(username="vendor-a"))
    page = client.get(reverse("projects:members", kwargs={"code": "SMI-CLAIMS"})).content.decode()
    assert "田中 翔" in page and "김민준" not in page
    assert "한빛소프트" not in client.get(reverse("projects:detail", kwargs={"code": "SMI-CLAIMS"})).content.decode()
