"""What every page shares: error pages in the user's language, the security headers, local assets."""

import re

from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from ..conftest import client_for


def test_404_speaks_the_users_language(pmo):
    pmo.language = "ja"
    pmo.save()
    response = client_for(pmo).get("/projects/NO-SUCH/")
    assert response.status_code == 404
    assert '<html lang="ja">' in response.content.decode()
    assert "ページが見つかりません" in response.content.decode() or "見つかりません" in response.content.decode()


def test_403_explains_and_offers_a_way_back(vendor_a, project):
    vendor_a.language = "ko"
    vendor_a.save()
    response = client_for(vendor_a).get(reverse("projects:edit", kwargs={"code": project.code}))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ko">' in html and 'href="/"' in html


def test_500_page_renders_without_context_in_the_active_language():
    with translation.override("ja"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and '<html lang="ja">' in html
    assert "Something went wrong on our side" not in html


def test_pages_carry_a_nonce_csp_and_every_script_uses_it(pmo):
    response = client_for(pmo).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "style-src 'self'" in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert len(scripts) >= 2 and all(f'nonce="{nonce}"' in s for s in scripts)
    assert response["X-Frame-Options"] == "DENY"


def test_assets_are_served_locally_not_from_a_cdn(pmo):
    html = client_for(pmo).get(reverse("home")).content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert client_for(None).get("/static/vendor/bootstrap/bootstrap.min.css").status_code == 200


def test_healthz_answers_ok(db):
    response = client_for(None).get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"
