"""Goal Q1 (issue 8, DESIGN.md §4 Performance): every list page runs the same number of queries at 5 and at 500 rows.

Each page of tests/list_pages.py PAGES is filled with 5 rows and measured (one warm-up GET, then a measured GET,
as a user's second visit), then filled to 500 rows and measured again. The page must answer 200, show more rows
than before (the rows' ``Q1-00042`` tokens in its HTML), and run exactly as many queries. The numbers are
recorded as junit properties (``page``; ``queries`` and ``rows_shown``, each "at 5/at 500") for `make bench` to
read from --junitxml.

`test_every_list_page_is_in_the_registry` keeps PAGES complete: each URL of the portal is either a list page
there, or named below with why it is not one, or a POST-only action (per the URL access table).
"""

import re
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import client_for
from .list_pages import PAGES, World, tokens_in
from .test_url_access import EVERYONE_405, TABLE, all_url_names

SMALL, LARGE = 5, 500

# record_property warns under junit_family xunit2 (the default), yet writes the properties: `make bench` reads them.
pytestmark = pytest.mark.filterwarnings("ignore:record_property is incompatible with junit_family")


@pytest.fixture
def world(personas, project, hidden_project, orgs):
    return World(project=project, hidden_project=hidden_project, orgs=orgs, users=personas)


def _get(client, page, url):
    return client.get(url, page.query, **page.headers)


def _measure(client, page, url):
    """The response and the SQL of a GET, after one warm-up GET (the first request of a session does its own
    bookkeeping; caches fill)."""
    _get(client, page, url)
    cache.clear()  # measure the page as it is built, not as a cache serves parts of it
    with CaptureQueriesContext(connection) as ctx:
        response = _get(client, page, url)
    return response, [q["sql"] for q in ctx.captured_queries]


def _shape(sql: str) -> str:
    """A statement without its values, so that the same query for another row counts as the same."""
    return re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "?", sql))


def _extra(small: list[str], large: list[str]) -> str:
    """The statements the large page ran more often than the small one (the N+1, when there is one)."""
    more = Counter(map(_shape, large)) - Counter(map(_shape, small))
    fewer = Counter(map(_shape, small)) - Counter(map(_shape, large))
    lines = [f"  +{n} × {sql[:400]}" for sql, n in more.most_common(8)] + [f"  -{n} × {sql[:400]}" for sql, n in fewer.most_common(4)]  # fmt: skip
    return "\n".join(lines)


@pytest.mark.parametrize(
    "list_page", [pytest.param(page, id=page.name) for page in PAGES]
)  # not "page": pytest-playwright's fixture of that name
def test_a_list_page_runs_the_same_queries_at_5_and_500_rows(list_page, world, record_property):
    page = list_page
    if page.setup:
        page.setup(world)
    url = reverse(page.url_name, kwargs=page.kwargs(world))
    client = client_for(world.users[page.persona])
    shown = page.shown or tokens_in

    page.populate(world, 0, SMALL)
    response, small = _measure(client, page, url)
    assert response.status_code == 200, f"{url}: {response.status_code} with {SMALL} rows"
    small_rows = shown(response)
    page.populate(world, SMALL, LARGE - SMALL)
    response, large = _measure(client, page, url)
    assert response.status_code == 200, f"{url}: {response.status_code} with {LARGE} rows"
    large_rows = shown(response)
    record_property("page", page.name)
    record_property("queries", f"{len(small)}/{len(large)}")
    record_property("rows_shown", f"{len(small_rows)}/{len(large_rows)}")

    assert len(small_rows) == SMALL, f"{page.name}: the page shows {sorted(small_rows)} of the first {SMALL} rows"
    assert large_rows - small_rows, f"{page.name}: the page shows none of the rows added ({len(large_rows)} shown)"
    if page.cap is None or page.cap > SMALL:
        assert len(large_rows) > len(small_rows), f"{page.name}: {len(large_rows)} rows shown of {LARGE}"
    assert len(small) == len(large), f"{page.name}: {len(small)} queries with {SMALL} rows, {len(large)} with {LARGE}:\n{_extra(small, large)}"  # fmt: skip


# --- the registry is complete ------------------------------------------------------------------------------

# Pages that are not lists, by why. A list page is one whose list of rows grows with the data; these show one
# object, a form (whose choice lists are one query each), a frozen document, or send a file or a redirect.
NOT_LISTS = {
    "signing in, one's account and settings": [
        "healthz", "accounts:login", "accounts:password_change", "accounts:password_change_done", "accounts:password_reset",
        "accounts:password_reset_complete", "accounts:password_reset_confirm", "accounts:password_reset_done",
        "accounts:invitation", "accounts:preferences", "accounts:two_factor_setup", "accounts:two_factor_verify",
        "notifications:settings",
    ],
    "a form to create, change or decide one object": [
        "projects:create", "projects:edit", "projects:member_edit", "projects:member_invite", "projects:signoff_create",
        "access:request_create", "access:request_edit", "access:request_provision", "access:grant_change",
        "access:system_create", "access:system_edit", "access:level_create", "access:level_edit", "access:contract_create",
        "access:contract_edit", "access:person_add", "access:person_request_removal", "access:delegation_create",
        "access:review_create", "access:reconciliation_create",
        "dictionary:term_create", "dictionary:term_edit", "dictionary:term_deprecate", "dictionary:baseline_create",
        "dictionary:import", "dictionary:check", "dictionary:copy", "dictionary:glossary_create",
        "rfp:create", "rfp:edit", "rfp:section_add", "rfp:section_edit", "rfp:requirement_create", "rfp:requirement_edit",
        "rfp:issue", "rfp:recommendation", "rfp:clause_create", "rfp:clause_edit", "rfp:template_save",
        "manuals:create", "manuals:edit", "manuals:settings", "manuals:step_add", "manuals:step_edit", "manuals:report",
    ],
    "one object's page (its timeline or usages belong to that one object)": [
        "projects:signoff_detail", "access:request_detail", "access:grant_detail", "dictionary:term_detail",
        "exports:detail", "manuals:version",
    ],
    "a document read from its frozen snapshot (no row read per section or step)": [
        "rfp:version_detail", "rfp:compare", "manuals:edition",
    ],
    "a file or a redirect": [
        "access:delegation_evidence", "exports:download", "rfp:proposal_download", "manuals:read", "manuals:edition_pdf",
        "manuals:edition_image", "manuals:report_image", "manuals:version_image", "manuals:version_overlay",
    ],
}  # fmt: skip


def _url_names() -> set[str]:
    return {f"{ns}:{name}" if ns else name for ns, name, _route in all_url_names() if ns != "admin"}


def _post_only() -> set[str]:
    """Actions: URLs for which the URL access table lists no GET that answers anything but 405 to everyone."""
    return {name for name, cases in TABLE.items() if not any(c.method == "get" and c.expected != EVERYONE_405 for c in cases)}  # fmt: skip


def test_every_list_page_is_in_the_registry():
    registered = {page.url_name for page in PAGES}
    not_lists = [name for names in NOT_LISTS.values() for name in names]
    assert len(not_lists) == len(set(not_lists)), "a page named twice in NOT_LISTS"
    assert registered & set(not_lists) == set(), "a page both registered and said not to be a list"
    assert registered & _post_only() == set(), "a POST-only action registered as a list page"
    unknown = sorted((registered | set(not_lists)) - _url_names())
    assert unknown == [], f"stale names (no such URL): {unknown}"
    undecided = sorted(_url_names() - registered - set(not_lists) - _post_only())
    assert undecided == [], f"pages neither in tests/list_pages.py PAGES nor in NOT_LISTS: {undecided}"


def test_page_names_are_unique():
    names = [page.name for page in PAGES]
    assert [n for n, count in Counter(names).items() if count > 1] == []
