"""The counter opens with no connection (the service worker, /sw.js), and only the counter.

A volunteer at the door of an azc on a phone: the counter was opened once with a
connection; inside there is none, the page is reloaded, the tab closed and opened again,
and it still counts. When the connection returns every tap arrives once. Other pages are
never answered from the worker's copies: offline they fail as without a worker.
"""

import time

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from rest_framework.response import Response

from events.models import Site
from locations.models import Location
from tallies.api import SiteTalliesView
from tallies.models import TallyEntry
from tallies.selectors import tally_totals
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG_A_AA
from tests.tallies.conftest import confirm_shift, make_site, make_today_event, store_entry

# The worker's cache of counter pages (tallies/templates/tallies/sw.js).
PAGES = "counter-pages"


@pytest.fixture
def today_site(db, location, branch):
    return make_site(make_today_event(), location, branch)


def in_english(page, live_server) -> None:
    # The new texts are not translated yet: the page in English, where text is asserted.
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


def tap(page, category: str, times: int = 1) -> None:
    button = page.locator(f'button[data-category="{category}"][data-delta="1"]')
    for _ in range(times):
        button.click()


def _unreachable(self, request, *args, **kwargs):
    return Response({"code": "unreachable", "detail": "No connection."}, status=503)


def go_offline(context, monkeypatch) -> None:
    """No connection. Chromium's offline emulation now and then lets through a request the
    page makes while it is being reloaded (a lost connection does not): the API refuses taps
    meanwhile as well, so that what the server stores is what was sent after the connection
    returned."""
    monkeypatch.setattr(SiteTalliesView, "post", _unreachable)
    context.set_offline(True)


def come_back_online(context, monkeypatch) -> None:
    monkeypatch.undo()
    context.set_offline(False)


def waiting(page):
    """The line under the buttons: how many taps wait on this phone."""
    return page.locator("[data-pending]")


def kept_pages(page) -> list[str]:
    return page.evaluate(
        """async (name) => {
            const cache = await caches.open(name);
            return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }""",
        PAGES,
    )


def open_counter_online(page, url: str) -> None:
    """Open the counter and wait until the worker controls it and keeps its copy."""
    response = page.goto(url)
    assert response.ok
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    # wait_for_function does not wait for a promise: ask until the copy is there.
    deadline = time.monotonic() + 15
    while path not in kept_pages(page):
        assert time.monotonic() < deadline, "the worker kept no copy of the counter"
        page.wait_for_timeout(100)
    expect(page.locator("[data-offline-ready]")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_counter_opens_and_counts_offline_and_every_tap_arrives_once(
    page, live_server, today_site, volunteer, screenshot_dir, monkeypatch
):
    confirm_shift(volunteer, today_site)
    in_english(page, live_server)
    page.context.add_init_script(AXE)
    log_in(page, live_server, volunteer)
    counter = f"{live_server.url}/sites/{today_site.pk}/count/"
    open_counter_online(page, counter)
    connection = page.locator("[data-connection]")
    expect(connection).to_be_hidden()

    tap(page, "visitors", 3)
    expect(waiting(page)).to_have_text("All taps sent", timeout=20_000)
    assert tally_totals(today_site)["visitors"] == 3

    # Inside the azc: no connection.
    context = page.context
    go_offline(context, monkeypatch)
    tap(page, "visitors", 5)
    expect(waiting(page)).to_have_text("5 taps not yet sent")
    expect(connection).to_be_visible()
    expect(connection).to_have_text("Offline")

    # Meanwhile another phone's 40 reach the server: a page from the server would show them.
    store_entry(today_site, "visitors", 40)

    # Reloaded with no connection: the worker's copy (with the totals this phone saw last,
    # and its taps waiting), and it still counts.
    reloaded = page.reload()
    assert reloaded.from_service_worker
    expect(waiting(page)).to_have_text("5 taps not yet sent")
    expect(connection).to_be_visible()
    expect(page.locator('[data-total-for="visitors"]')).to_have_text("8")
    # "Offline" and the taps waiting, as plain to all as the rest of the page.
    assert page.evaluate(RUN_AXE, WCAG_A_AA) == []
    tap(page, "visitors", 2)
    tap(page, "children", 1)
    expect(waiting(page)).to_have_text("8 taps not yet sent")
    page.screenshot(path=screenshot_dir / "counter-opened-offline.png", full_page=True)

    # The phone closes the tab; later the counter is opened again, still offline.
    page.close()
    page = context.new_page()
    opened = page.goto(counter)
    assert opened.from_service_worker
    expect(waiting(page)).to_have_text("8 taps not yet sent")
    expect(page.locator('[data-total-for="children"]')).to_have_text("1")
    tap(page, "children", 1)
    expect(waiting(page)).to_have_text("9 taps not yet sent")
    expect(page.locator('[data-total-for="visitors"]')).to_have_text("10")
    assert tally_totals(today_site) == {"visitors": 3 + 40, "children": 0}

    # The page's token is from when it was loaded; meanwhile the CSRF cookie is gone too.
    # The counter fetches a fresh one when the server refuses the first batch.
    context.clear_cookies(name="csrftoken")
    answers = []
    page.on(
        "response",
        lambda response: answers.append(response.status) if "/api/" in response.url else None,
    )

    # The connection returns: every tap arrives, once.
    come_back_online(context, monkeypatch)
    expect(waiting(page)).to_have_text("All taps sent", timeout=60_000)
    expect(page.locator("[data-connection]")).to_be_hidden()
    assert tally_totals(today_site) == {"visitors": 3 + 40 + 5 + 2, "children": 2}
    expect(page.locator('[data-total-for="visitors"]')).to_have_text("50")
    # Refused once for the lost token, then taken with a fresh one.
    assert answers[:2] == [403, 200], answers
    assert TallyEntry.objects.filter(site=today_site).count() == 3 + 1 + 9
    stored = page.evaluate(
        "Object.keys(localStorage).filter(function (k) { return k.indexOf('.tap.') > 0; }).length"
    )
    assert stored == 0
    page.screenshot(path=screenshot_dir / "counter-back-online.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_other_pages_are_never_answered_from_the_workers_copies(
    page, live_server, today_site, volunteer, other_branch
):
    confirm_shift(volunteer, today_site)
    # A site where this volunteer has no shift: its counter is refused them.
    elsewhere = Site.objects.create(
        event=today_site.event,
        location=Location.objects.create(
            name="azc Zwolle", kind=Location.Kind.AZC, city="Zwolle", latitude=52.51, longitude=6.09
        ),
        branch=other_branch,
        opens_at=today_site.opens_at,
        closes_at=today_site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    in_english(page, live_server)
    log_in(page, live_server, volunteer)
    counter = f"{live_server.url}/sites/{today_site.pk}/count/"
    open_counter_online(page, counter)
    # Other pages, visited while the worker controls the site: straight from the server.
    for path in ("/my/shifts/", "/", f"/sites/{today_site.pk}/"):
        response = page.goto(live_server.url + path)
        assert response.ok, path
        assert not response.from_service_worker, path
    # A refusal is never kept as a counter page.
    refused = page.goto(f"{live_server.url}/sites/{elsewhere.pk}/count/")
    assert refused.status == 403
    assert kept_pages(page) == [f"/sites/{today_site.pk}/count/"]
    kept_files = page.evaluate(
        """async () => {
            const names = (await caches.keys()).filter((n) => n.startsWith("counter-static-"));
            const cache = await caches.open(names[0]);
            return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }"""
    )
    assert all(path.startswith(("/static/", "/jsi18n/")) for path in kept_files), kept_files

    # Online, the counter is not stale either: the network answers first.
    store_entry(today_site, "visitors", 7)
    fresh = page.goto(counter)
    expect(page.locator('[data-total-for="visitors"]')).to_have_text("7")
    assert fresh.ok

    # Offline, another page fails as it would without a worker: the browser's own error.
    page.context.set_offline(True)
    for path in ("/my/shifts/", "/"):
        with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
            page.goto(live_server.url + path)
    with pytest.raises(PlaywrightError, match=r"net::ERR_(FAILED|INTERNET_DISCONNECTED)"):
        page.goto(f"{live_server.url}/sites/{elsewhere.pk}/count/")
    page.context.set_offline(False)


@pytest.mark.django_db(transaction=True)
def test_logging_out_drops_the_kept_counter_pages(page, live_server, today_site, volunteer):
    confirm_shift(volunteer, today_site)
    in_english(page, live_server)
    log_in(page, live_server, volunteer)
    counter = f"{live_server.url}/sites/{today_site.pk}/count/"
    open_counter_online(page, counter)
    assert kept_pages(page) == [f"/sites/{today_site.pk}/count/"]

    page.locator('form[action="/accounts/logout/"] button').click()
    page.wait_for_load_state()
    expect(page.locator('a[href="/accounts/login/"]').first).to_be_visible()
    assert kept_pages(page) == []
    # Whoever uses the phone next gets no copy of the counter offline (the worker finds
    # none and fails the request: the browser's error page).
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError, match=r"net::ERR_(FAILED|INTERNET_DISCONNECTED)"):
        page.goto(counter)
    page.context.set_offline(False)
