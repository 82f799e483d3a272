"""Each guard of the project and membership services, with the message a person sees."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Organization, OrganizationKind, User
from projects import services
from projects.models import Membership, Role


def test_only_pmo_firm_staff_create_projects(client_pm, orgs):
    with pytest.raises(PermissionDenied, match="Only PMO staff can create projects"):
        services.project_create(actor=client_pm, client=orgs.client, code="X", name="X", start_date=date(2026, 1, 1), end_date=date(2026, 2, 1))  # fmt: skip


def test_creating_a_project_makes_the_creator_its_first_pmo_member(pmo, orgs):
    project = services.project_create(actor=pmo, client=orgs.client, code="BETA", name="Beta", start_date=date(2026, 1, 1), end_date=date(2026, 2, 1))  # fmt: skip
    assert project.pmo_firm == orgs.pmo
    assert Membership.objects.get(project=project).role == Role.PMO


def test_a_project_cannot_end_before_it_starts(pmo, orgs):
    with pytest.raises(ValidationError) as error:
        services.project_create(actor=pmo, client=orgs.client, code="BETA", name="Beta", start_date=date(2026, 5, 1), end_date=date(2026, 4, 1))  # fmt: skip
    assert "project_dates_ordered" in str(error.value) or "end" in str(error.value).lower()


def test_only_pmo_members_edit_a_project(client_pm, project):
    with pytest.raises(PermissionDenied, match="Only PMO staff of this project"):
        services.project_update(actor=client_pm, project=project, name="Hijacked")
    project.refresh_from_db()
    assert project.name == "Alpha claims renewal"


def test_inviting_someone_new_creates_an_account_and_mails_a_password_link(pmo, project, django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_invite(actor=pmo, project=project, email=" Hana@Example.TEST ", display_name="花子", role=Role.CLIENT_PM)  # fmt: skip
    user = membership.user
    assert (user.username, user.email, user.display_name, user.language) == ("hana@example.test", "hana@example.test", "花子", "ja")  # fmt: skip
    assert not user.has_usable_password() and membership.organization == project.client
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hana@example.test"]
    assert "/account/invitation/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_inviting_an_existing_person_adds_them_and_tells_them(pmo, project, outsider, django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(actor=pmo, project=project, email=outsider.email.upper(), display_name="", role=Role.READER)
    assert Membership.objects.get(project=project, user=outsider).role == Role.READER
    assert "/account/invitation/" not in mail.outbox[0].body
    assert project.get_absolute_url() in mail.outbox[0].body


def test_a_member_cannot_be_invited_twice(pmo, client_pm, project):
    with pytest.raises(ValidationError, match="already a member of this project"):
        services.membership_invite(actor=pmo, project=project, email=client_pm.email, display_name="", role=Role.READER)


def test_vendors_need_a_vendor_company(pmo, project, orgs):
    with pytest.raises(ValidationError, match="Choose the vendor company"):
        services.membership_invite(actor=pmo, project=project, email="v@example.test", display_name="V", role=Role.VENDOR, vendor=None)  # fmt: skip
    with pytest.raises(ValidationError, match="Choose the vendor company"):
        services.membership_invite(actor=pmo, project=project, email="v@example.test", display_name="V", role=Role.VENDOR, vendor=orgs.client)  # fmt: skip
    assert not User.objects.filter(email="v@example.test").exists()


def test_roles_decide_the_organization(pmo, project, orgs):
    m = services.membership_invite(actor=pmo, project=project, email="a@example.test", display_name="A", role=Role.PMO)
    assert m.organization == orgs.pmo
    m = services.membership_change_role(actor=pmo, membership=m, role=Role.VENDOR, vendor=orgs.vendor_b)
    assert m.organization == orgs.vendor_b
    m = services.membership_change_role(actor=pmo, membership=m, role=Role.SECURITY)
    assert m.organization == orgs.client


def test_the_last_pmo_member_cannot_leave_or_be_demoted(pmo, project):
    membership = Membership.objects.get(user=pmo, project=project)
    with pytest.raises(ValidationError, match="at least one PMO member"):
        services.membership_remove(actor=pmo, membership=membership)
    with pytest.raises(ValidationError, match="at least one PMO member"):
        services.membership_change_role(actor=pmo, membership=membership, role=Role.READER)
    assert Membership.objects.get(pk=membership.pk).role == Role.PMO


def test_non_pmo_members_cannot_manage_members(client_pm, vendor_a, project):
    membership = Membership.objects.get(user=vendor_a, project=project)
    for action in (
        lambda: services.membership_remove(actor=client_pm, membership=membership),
        lambda: services.membership_change_role(actor=client_pm, membership=membership, role=Role.READER),
        lambda: services.membership_invite(actor=client_pm, project=project, email="x@example.test", display_name="", role=Role.READER),  # fmt: skip
    ):
        with pytest.raises(PermissionDenied, match="Only PMO staff of this project"):
            action()
    assert Membership.objects.filter(pk=membership.pk, role=Role.VENDOR).exists()


def test_a_pmo_of_another_project_cannot_touch_this_one(outsider, hidden_project, project, vendor_a):
    Membership.objects.filter(user=outsider).update(role=Role.PMO)
    membership = Membership.objects.get(user=vendor_a, project=project)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=outsider, membership=membership)


def test_an_organization_name_belongs_to_one_kind(orgs):
    assert services.organization_get_or_create(name=" Kaito Systems ", kind=OrganizationKind.VENDOR) == orgs.vendor_a
    with pytest.raises(ValidationError, match="already registered"):
        services.organization_get_or_create(name="Sakura Insurance", kind=OrganizationKind.VENDOR)
    assert Organization.objects.filter(name="Sakura Insurance").count() == 1
