"""Real pages in headless Chromium (Debian's `chromium`), driven by Playwright.

The tests use pytest-django's `live_server`. When Chromium is missing they are skipped,
except under CI (`CI=true`), where a missing browser is a failure: CI must prove them.
Screenshots go to `var/screenshots/` (or `SCREENSHOT_DIR`); the run prints the folder.
"""

import datetime
import os
import shutil
from pathlib import Path

import pytest

# Playwright's synchronous API runs an event loop in this thread; Django's guard against
# database access from async code would otherwise trip on the test's own queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# How many pages the accessibility audit (test_accessibility.py) scanned in this run.
AXE_SCANS = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    scans = config.stash.get(AXE_SCANS, None)
    if scans is not None:
        terminalreporter.write_line(
            f"accessibility audit: {scans} scans (axe-core, WCAG 2.0-2.2 A and AA)"
        )


# The page-by-page scans: long (about 7 minutes together), and about markup and styles,
# which do not change with the database or the date. CI runs them once, on SQLite.
LAYOUT_SCANS = ("test_accessibility.py", "test_rtl_layout.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
            if path.endswith(LAYOUT_SCANS):
                item.add_marker(pytest.mark.layout)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOT_DIR}")
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, no storage) with a phone-sized screen."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(15_000)
    from django.conf import settings

    if settings.TEST_CLOCK:
        # The server's clock is moved (config/settings_test.py): the page's must agree,
        # or the counter would send taps from another year. Time runs on from there.
        context.clock.install(time=datetime.datetime.now(datetime.UTC))
    page = context.new_page()
    yield page
    context.close()


def log_in(page, live_server, user) -> None:
    """Give the browser a session for `user` without going through the log-in form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.fixture
def scene(coordinator, organiser, volunteer, site, shift, location, branch):
    """Every page type's content (tests/browser/scene.py)."""
    from tests.browser.scene import build_scene

    return build_scene(coordinator, organiser, volunteer, site, shift, location, branch)
