"""{% fragment %}: parts of the layout drawn once for everything they show, with a CSRF token per response."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from pmo_portal.models import Notification
from pmo_portal.notifications import notifications_mark_all_read
from pmo_portal.templatetags import fragments

pytestmark = pytest.mark.django_db

TEMPLATE = Template(
    '{% load fragments %}{% fragment "test" name %}<p>{{ name }} {{ counter.next }}</p>'
    "<form>{% csrf_token %}</form>{% endfragment %}"
)


class Counter:
    """How many times the body was drawn."""

    def __init__(self):
        self.drawn = 0

    def next(self):
        self.drawn += 1
        return self.drawn


def render(name, counter, *, csrf_token="tok"):
    context = {"name": name, "counter": counter}
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return TEMPLATE.render(Context(context))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_body_is_drawn_once_per_value_language_and_time_zone():
    counter = Counter()
    assert render("Aoki", counter).startswith("<p>Aoki 1</p>")
    assert render("Aoki", counter).startswith("<p>Aoki 1</p>")  # served from the cache: not drawn again
    assert render("Baek", counter).startswith("<p>Baek 2</p>")  # another value: another fragment
    with translation.override("ja"):
        assert render("Aoki", counter).startswith("<p>Aoki 3</p>")  # another language: drawn again
    with timezone.override("Asia/Seoul"):
        assert render("Aoki", counter).startswith("<p>Aoki 4</p>")  # another time zone (dates inside): drawn again
    assert counter.drawn == 4


def test_each_response_carries_its_own_csrf_token():
    counter = Counter()
    first, second = render("Aoki", counter, csrf_token="first-token"), render("Aoki", counter, csrf_token="second-token")
    assert 'value="first-token"' in first and 'value="second-token"' in second
    assert fragments.CSRF_TOKEN_PLACEHOLDER not in first + second
    assert counter.drawn == 1


def test_without_a_request_there_is_no_csrf_field():
    """E-mails and PDFs render without a request: no token, no hidden field, as {% csrf_token %} does."""
    html = render("Aoki", Counter(), csrf_token=None)
    assert "csrfmiddlewaretoken" not in html and fragments.CSRF_TOKEN_PLACEHOLDER not in html


def test_values_are_not_readable_from_the_key():
    counter = Counter()
    render("secret-value", counter)
    keys = list(cache._cache.keys())  # LocMemCache, as in the tests
    assert keys and not any("secret-value" in key for key in keys)


def test_the_navigation_follows_the_unread_count_at_once(pmo, project):
    """The bar is cached, but keyed by what it shows: a new notification shows on the very next page."""
    client = Client()
    client.force_login(pmo)
    page = client.get("/projects/").content.decode()
    assert 'data-testid="unread-count"' not in page
    Notification.objects.create(recipient=pmo, kind="approval.waiting", params={})
    page = client.get("/projects/").content.decode()
    assert re.search(r'data-testid="unread-count">1<', page)
    notifications_mark_all_read(actor=pmo)
    assert 'data-testid="unread-count"' not in client.get("/projects/").content.decode()


def test_the_bell_counts_to_99_and_then_says_99_plus(pmo, project):
    """However many notifications wait unread, a page counts at most 100 of them."""
    client = Client()
    client.force_login(pmo)
    Notification.objects.bulk_create([Notification(recipient=pmo, kind="approval.waiting", params={}) for _ in range(99)])
    page = client.get("/projects/").content.decode()
    assert re.search(r'data-testid="unread-count">99<', page) and "Notifications, 99 unread" in page
    Notification.objects.bulk_create([Notification(recipient=pmo, kind="approval.waiting", params={}) for _ in range(51)])
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/projects/").content.decode()
    assert re.search(r'data-testid="unread-count">99\+<', page) and "Notifications, more than 99 unread" in page
    assert any("LIMIT 100" in q["sql"] for q in queries.captured_queries)


def test_the_cached_bar_signs_out_with_the_sessions_own_token(pmo, project):
    """The sign-out form inside the cached bar carries a token for this browser's CSRF secret, fresh each time."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(pmo)
    tokens = []
    for _ in range(2):
        page = client.get("/projects/").content.decode()
        tokens.append(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[-1])
    secret = client.cookies["csrftoken"].value
    assert tokens[0] != tokens[1] and all(_unmask_cipher_token(token) == secret for token in tokens)
    response = client.post("/account/logout/", {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302

