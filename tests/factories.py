"""factory-boy factories for the models every test needs."""

from datetime import date

import factory

from accounts.models import Organization, OrganizationKind, User
from pmo_portal.models import Notification
from projects.models import Membership, Project, Role, SignOffRequest


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = OrganizationKind.CLIENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.CLIENT)
    pmo_firm = factory.SubFactory(OrganizationFactory, name="Meridian PMO", kind=OrganizationKind.PMO)
    code = factory.Sequence(lambda n: f"PRJ-{n:03d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    start_date = date(2026, 4, 1)
    end_date = date(2027, 3, 31)
    default_language = "ja"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PMO
    organization = factory.LazyAttribute(lambda m: m.project.pmo_firm if m.role == Role.PMO else m.project.client)


class SignOffFactory(factory.django.DjangoModelFactory):
    """A pending sign-off request; pass `project` and `requested_by` (a PMO member) for a realistic one."""

    class Meta:
        model = SignOffRequest

    project = factory.SubFactory(ProjectFactory)
    requested_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Meeting minutes {n}")
    summary = "The minutes of the weekly meeting, for your sign-off."
    approver_role = Role.CLIENT_PM


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "signoff.requested"
    params = factory.LazyFunction(lambda: {"requester": "Ken", "title": "Kick-off minutes", "summary": "Please sign off."})
    url = "/"


def pending_signoff(project, title="Kick-off meeting minutes") -> SignOffRequest:
    """The project's pending sign-off request of this title, asked of its client PM by a PMO member (made once)."""
    existing = SignOffRequest.objects.filter(project=project, title=title).first()
    if existing is not None:
        return existing
    requester = User.objects.filter(memberships__project=project, memberships__role=Role.PMO).order_by("pk").first()
    if requester is None:
        requester = MembershipFactory(project=project, role=Role.PMO).user
    return SignOffFactory(project=project, requested_by=requester, title=title, summary="The minutes of the kick-off meeting, for your sign-off.")  # fmt: skip


def notification_for(user, **fields) -> Notification:
    """The user's first notification (made once), linking to the home page unless told otherwise."""
    existing = Notification.objects.filter(recipient=user).order_by("pk").first()
    return existing or NotificationFactory(recipient=user, **fields)
