"""Two-factor sign-in: required by a project for its PMO staff, client PMs and security officers."""

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmo_portal.models import AuditEvent

from ..conftest import client_for


def _code(key_hex, at=None):
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = at or time.time()
    return f"{totp.token():06d}"


def _require(project):
    project.require_two_factor = True
    project.save()


def test_a_required_person_without_a_device_is_sent_to_setup(client_pm, project):
    _require(project)
    response = client_for(client_pm).get(reverse("projects:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup") + "?next=")


def test_readers_and_vendors_are_not_obliged(reader, vendor_a, project):
    _require(project)
    assert client_for(reader).get(reverse("projects:list")).status_code == 200
    assert client_for(vendor_a).get(reverse("projects:list")).status_code == 200


def test_setup_with_the_right_code_turns_it_on_and_lets_the_person_in(client_pm, project):
    _require(project)
    client = client_for(client_pm)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert b"<svg" in page.content and "A project you belong to requires" in page.content.decode()
    secret = client.session["2fa_pending_secret"]
    # Full-width digits, as a Japanese input method types them, are accepted.
    code = _code(secret).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(reverse("accounts:two_factor_setup") + "?next=/projects/", {"token": code, "next": "/projects/"})
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert TOTPDevice.objects.get(user=client_pm).confirmed
    assert client.get(reverse("projects:list")).status_code == 200
    assert AuditEvent.objects.filter(verb="auth.two_factor_enabled", actor=client_pm).exists()


def test_a_wrong_code_is_refused_with_a_message(client_pm):
    client = client_for(client_pm)
    client.get(reverse("accounts:two_factor_setup"))
    secret = client.session["2fa_pending_secret"]
    wrong = _code(secret, at=time.time() - 3600)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": wrong})
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=client_pm).exists()


def test_with_a_device_each_sign_in_asks_for_the_code(pmo):
    device = TOTPDevice.objects.create(user=pmo, name="app", confirmed=True)
    client = client_for(pmo)
    response = client.get(reverse("projects:list"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    bad = client.post(reverse("accounts:two_factor_verify"), {"token": "000000" if _code(device.key) != "000000" else "111111"})  # fmt: skip
    assert "That code is not right" in bad.content.decode()
    assert AuditEvent.objects.filter(verb="auth.two_factor_failed").count() == 1
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(reverse("accounts:two_factor_verify"), {"token": _code(device.key), "next": "/projects/"})
    assert ok["Location"] == "/projects/"
    assert client.get(reverse("projects:list")).status_code == 200


def test_it_cannot_be_turned_off_while_a_project_requires_it(client_pm, project):
    TOTPDevice.objects.create(user=client_pm, name="app", confirmed=True)
    _require(project)
    client = client_for(client_pm)
    session = client.session
    device = TOTPDevice.objects.get(user=client_pm)
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post(reverse("accounts:two_factor_disable"), follow=True)
    assert "requires two-factor sign-in, so it cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=client_pm).exists()
