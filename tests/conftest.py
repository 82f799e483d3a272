"""Personas and shared fixtures (DESIGN.md §5).

The main project is "Alpha" for the client Sakura Insurance, run by the PMO firm Meridian, with
two vendor companies. A second project, "Hidden", has its own people; the outsider is one of them.
"""

import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from accounts.models import OrganizationKind
from projects.models import Role

from .factories import MembershipFactory, OrganizationFactory, ProjectFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"  # stored files (exports, uploads) never land in the checkout


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a request signed in as a Japanese user leaves Japanese active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks run where they are sent, so a test sees their effect at once; `celery_worker` turns this off."""
    from pmo_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def orgs(db):
    return SimpleNamespace(
        client=OrganizationFactory(name="Sakura Insurance", kind=OrganizationKind.CLIENT),
        pmo=OrganizationFactory(name="Meridian PMO", kind=OrganizationKind.PMO),
        vendor_a=OrganizationFactory(name="Kaito Systems", kind=OrganizationKind.VENDOR),
        vendor_b=OrganizationFactory(name="Hanbit Soft", kind=OrganizationKind.VENDOR),
        other_client=OrganizationFactory(name="Hokusei Logistics", kind=OrganizationKind.CLIENT),
    )


@pytest.fixture
def project(orgs):
    return ProjectFactory(code="ALPHA", name="Alpha claims renewal", client=orgs.client, pmo_firm=orgs.pmo)


@pytest.fixture
def hidden_project(orgs):
    return ProjectFactory(code="HIDDEN", name="Hidden warehouse", client=orgs.other_client, pmo_firm=orgs.pmo)


def _member(username, project, role, organization, **user_fields):
    user = UserFactory(username=username, organization=organization, **user_fields)
    MembershipFactory(project=project, user=user, role=role, organization=organization)
    return user


@pytest.fixture
def pmo(project, orgs):
    """PMO consultant: runs the project, edits it, invites and manages members, reads the audit trail."""
    return _member("pmo", project, Role.PMO, orgs.pmo)


@pytest.fixture
def client_pm(project, orgs):
    """Client PM: sees everything in the project and approves; cannot edit the project or its members."""
    return _member("pm", project, Role.CLIENT_PM, orgs.client)


@pytest.fixture
def security(project, orgs):
    """Security officer: sees the project and its audit trail; approves what exceeds delegated authority."""
    return _member("security", project, Role.SECURITY, orgs.client)


@pytest.fixture
def vendor_a(project, orgs):
    """Vendor A (Kaito Systems): sees the project and its own company's people, never vendor B's."""
    return _member("vendor-a", project, Role.VENDOR, orgs.vendor_a)


@pytest.fixture
def vendor_b(project, orgs):
    """Vendor B (Hanbit Soft): the mirror of vendor A."""
    return _member("vendor-b", project, Role.VENDOR, orgs.vendor_b, language="ko")


@pytest.fixture
def reader(project, orgs):
    """Reader: client staff who read manuals; sees the project, not vendors' people."""
    return _member("reader", project, Role.READER, orgs.client)


@pytest.fixture
def outsider(hidden_project, orgs):
    """Outsider: PMO member of the hidden project only; sees nothing of Alpha."""
    return _member("outsider", hidden_project, Role.CLIENT_PM, orgs.other_client)


@pytest.fixture
def personas(pmo, client_pm, security, vendor_a, vendor_b, reader, outsider):
    """Everyone at once, by name; `anonymous` is None."""
    return {
        "anonymous": None,
        "pmo": pmo,
        "client_pm": client_pm,
        "security": security,
        "vendor_a": vendor_a,
        "vendor_b": vendor_b,
        "reader": reader,
        "outsider": outsider,
    }


def client_for(user, **kwargs):
    """A test client signed in as ``user`` (force_login: django-axes refuses client.login)."""
    from django.test import Client

    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


# --- real services -----------------------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) consuming from the real Redis broker of CELERY_BROKER_URL.

    In CI a missing broker fails the test; on a laptop without Redis it is skipped with the reason.
    """
    from celery.contrib.testing.worker import start_worker

    from pmo_portal.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        message = "needs CELERY_BROKER_URL pointing at a running Redis"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run reaches this worker
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10) as worker:
        yield worker
