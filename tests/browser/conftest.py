"""Browser tests: Chromium (Debian's /usr/bin/chromium) driven by Playwright against
pytest-django's live server.

Every test in this folder is marked ``browser`` and runs on a transactional database
with serialized rollback, so the starting lists created by the data migration (types of
mentoring, interactions) are back for each test after the live server's flush.

Without Chromium the tests skip, unless PORTAL_REQUIRE_BROWSER=1 (CI), where they fail.
PORTAL_BROWSER_SHOTS=/tmp/browser-shots saves full-page screenshots there to look at.
"""

import os
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.helpers import PHONE

# Playwright's sync API runs an event loop in this thread; Django refuses database access
# from a thread with a running loop unless told otherwise. Test environment only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent


def browser_required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_BROWSER", "").strip() == "1"


def pytest_collection_modifyitems(config, items):
    missing = not CHROMIUM.exists()
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if missing and not browser_required():
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{CHROMIUM} is not installed (apt-get install chromium); "
                    "set PORTAL_REQUIRE_BROWSER=1 to make this a failure"
                )
            )


# Emptied before each browser test, so serialized rollback can restore the starting data.
from tests.serialized import django_db_setup  # noqa: E402, F401


@pytest.fixture(scope="session")
def _django_connections_before_playwright():
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


@pytest.fixture(scope="session")
def playwright(_django_connections_before_playwright, playwright):
    """Playwright, with the tests' database connections unchanged.

    Once Playwright's event loop runs in this thread, Django (through asgiref's Local)
    looks connections up in a context variable instead of the thread: tests would get new
    connection objects, without the serialized starting data that serialized_rollback
    restores (it then silently restores nothing). Put the thread's connections there.
    """
    from django.db import connections

    for alias, connection in _django_connections_before_playwright.items():
        connections[alias] = connection
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"PORTAL_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "en-US"}


# Generous for a loaded CI machine, still far from Playwright's 30 s per action.
expect.set_options(timeout=10_000)


@pytest.fixture
def page(page):
    """Playwright's page, failing fast: a missing element fails in 10 s, not 30."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    return page


@pytest.fixture
def mentor_page(page, live_server, mentor_a):
    """A page already signed in as mentor A (session cookie, no form: fast)."""
    client = Client()
    client.force_login(mentor_a)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page
