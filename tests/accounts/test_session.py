"""Sign-in protection, idle sign-out, and the language and time zone each person chooses."""

import time

from django.urls import reverse

from accounts.models import User
from pmo_portal.models import AuditEvent

from ..conftest import client_for


def test_five_wrong_passwords_lock_the_account_for_a_while(pmo):
    client = client_for(None)
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "pmo", "password": "nope"})
    response = client.post(reverse("accounts:login"), {"username": "pmo", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="auth.locked_out").exists()


def test_people_sign_in_with_their_email_too(pmo):
    client = client_for(None)
    response = client.post(reverse("accounts:login"), {"username": "PMO@example.test", "password": "correct horse battery"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(pmo.pk)


def test_an_idle_session_is_signed_out(pmo, settings):
    client = client_for(pmo)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(verb="auth.logout").after == {"reason": "idle"}


def test_an_active_session_stays(pmo, settings):
    client = client_for(pmo)
    client.get(reverse("home"))
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get(reverse("projects:list")).status_code == 200


def test_the_language_menu_persists_the_choice_on_the_account(pmo):
    client = client_for(pmo)
    response = client.post(reverse("accounts:language"), {"language": "ko", "next": "/projects/"})
    assert response["Location"] == "/projects/"
    assert User.objects.get(pk=pmo.pk).language == "ko"
    assert response.cookies["pmo_language"].value == "ko"
    assert AuditEvent.objects.get(verb="user.preferences").after == {"language": "ko"}
    # A fresh session elsewhere (no cookie) still gets Korean.
    assert '<html lang="ko">' in client_for(User.objects.get(pk=pmo.pk)).get(reverse("home")).content.decode()


def test_the_language_menu_refuses_unknown_languages_and_foreign_redirects(pmo):
    client = client_for(pmo)
    response = client.post(reverse("accounts:language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert User.objects.get(pk=pmo.pk).language == "en"
    response = client.post(reverse("accounts:language"), {"language": "ja", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_times_show_in_the_persons_time_zone(pmo, project):
    User.objects.filter(pk=pmo.pk).update(time_zone="Asia/Seoul")
    page = client_for(User.objects.get(pk=pmo.pk)).get(reverse("home")).content.decode()
    assert "Asia/Seoul" in page
