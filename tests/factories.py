"""factory-boy factories for the models every test needs."""

from datetime import date

import factory

from accounts.models import Organization, OrganizationKind, User
from projects.models import Membership, Project, Role


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
