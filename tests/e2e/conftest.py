"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Playwright's own browser download is not used (and cannot work offline): every test launches
/usr/bin/chromium. A missing chromium is a failure, never a skip.
"""

import io
import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a thread otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "e2e-Secret-pass-1"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here + os.sep):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run make test (it installs it) or apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture
def demo(live_server, transactional_db, settings):
    """The demo data (seed_demo) in the live server's database; returns the server's base URL."""
    from django.core.management import call_command

    # Embedded mode: plain storage, WhiteNoise serving from the finders, so CSS and JS load under live_server.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    return live_server.url
