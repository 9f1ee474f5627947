"""The counter in a real browser: taps with the network cut, a reload, two phones at once."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from events.models import Site
from tallies.models import TallyEntry
from tallies.selectors import tally_totals
from tallies.services import REFUSAL_MESSAGES
from tests.browser.conftest import log_in
from tests.tallies.conftest import confirm_shift, make_site, make_today_event

API = re.compile(r".*/api/v1/sites/\d+/tallies/$")


@pytest.fixture
def today_site(db, location, branch):
    return make_site(make_today_event(), location, branch)


def tap(page, category: str, times: int = 1, delta: str = "1") -> None:
    button = page.locator(f'button[data-category="{category}"][data-delta="{delta}"]')
    for _ in range(times):
        button.click()


def shown(page, category: str) -> str:
    return page.locator(f'[data-total-for="{category}"]').inner_text()


@pytest.mark.django_db(transaction=True)
def test_taps_made_offline_survive_a_reload_and_reach_the_server(
    page, browser, live_server, today_site, volunteer, coordinator, screenshot_dir
):
    confirm_shift(volunteer, today_site)
    log_in(page, live_server, volunteer)
    counter_url = f"{live_server.url}/sites/{today_site.pk}/count/"
    page.goto(counter_url)
    pending = page.locator("[data-pending]")

    tap(page, "visitors", 1, delta="-1")  # nothing to undo yet: ignored
    assert shown(page, "visitors") == "0"
    tap(page, "visitors", 3)
    expect(pending).to_have_text("Alle tikken verstuurd", timeout=20_000)
    assert tally_totals(today_site)["visitors"] == 3

    # Inside the azc: no network. The taps count on screen and wait on the phone.
    page.context.set_offline(True)
    tap(page, "visitors", 5)
    tap(page, "children", 2)
    tap(page, "visitors", 1, delta="-1")
    expect(pending).to_have_text("8 tikken nog niet verstuurd")
    assert (shown(page, "visitors"), shown(page, "children")) == ("7", "2")
    expect(page.locator("[data-status]")).to_contain_text("Geen verbinding")
    page.screenshot(path=screenshot_dir / "counter-offline.png", full_page=True)
    assert tally_totals(today_site) == {"visitors": 3, "children": 0}

    # Meanwhile a second phone counts at the same site.
    other = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    other_page = other.new_page()
    log_in(other_page, live_server, coordinator)
    other_page.goto(counter_url)
    tap(other_page, "visitors", 4)
    expect(other_page.locator("[data-pending]")).to_have_text(
        "Alle tikken verstuurd", timeout=20_000
    )
    other.close()

    # The network comes back but the server cannot be reached yet, and the page is
    # reloaded: nothing is lost.
    page.route(API, lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    expect(pending).to_have_text("8 tikken nog niet verstuurd")
    stored = page.evaluate(
        "Object.keys(localStorage).filter(function (k) { return k.indexOf('.tap.') > 0; }).length"
    )
    assert stored == 8

    page.unroute(API)
    expect(pending).to_have_text("Alle tikken verstuurd", timeout=60_000)
    assert tally_totals(today_site) == {"visitors": 3 + 4 + 5 - 1, "children": 2}
    assert TallyEntry.objects.filter(site=today_site).count() == 3 + 4 + 8
    # The phone shows the site's total, the other phone's taps included.
    expect(page.locator('[data-total-for="visitors"]')).to_have_text("11")
    expect(page.locator('[data-total-for="children"]')).to_have_text("2")
    page.screenshot(path=screenshot_dir / "counter-synced.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_taps_refused_by_the_server_are_shown(page, live_server, location, branch, organiser):
    # The site's day was two days ago: a tap made now is too far from it.
    site = make_site(make_today_event(), location, branch, days_ago=2)
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/sites/{site.pk}/count/")
    expect(page.locator(".message.error")).to_contain_text("Vandaag is niet de dag")
    tap(page, "visitors", 2)
    # Sent, but not counted: the status says so instead of a green "all sent".
    pending = page.locator("[data-pending]")
    expect(pending).to_have_text(
        "Alle tikken verstuurd, maar 2 geweigerd: zie hieronder", timeout=20_000
    )
    expect(pending).to_have_class(re.compile(r"\bhas-pending\b"))
    refused = page.locator("[data-refused-list] li")
    expect(refused).to_have_count(2)
    # "+1" and the time are isolated left to right (U+2066 … U+2069), so that an Arabic
    # page does not show "1+"; the category and the reason follow their own script.
    expect(refused.first).to_contain_text(re.compile("\u2068Bezoekers\u2069 \u2066\\+1\u2069"))
    expect(refused.first).to_contain_text("te ver van de dag")
    assert not TallyEntry.objects.exists()
    page.locator("[data-refused-clear]").click()
    expect(page.locator("[data-refused]")).to_be_hidden()
    expect(pending).to_have_text("Alle tikken verstuurd")


@pytest.mark.django_db(transaction=True)
def test_taps_over_the_limit_are_shown_with_their_reason(
    page, live_server, today_site, volunteer, settings
):
    settings.TALLY_LIMIT_PER_MINUTE = 3
    confirm_shift(volunteer, today_site)
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/sites/{today_site.pk}/count/")
    tap(page, "visitors", 2)
    expect(page.locator("[data-pending]")).to_have_text("Alle tikken verstuurd", timeout=20_000)
    tap(page, "visitors", 1, delta="5")
    refused = page.locator("[data-refused-list] li")
    expect(refused).to_have_count(1, timeout=20_000)
    expect(refused.first).to_contain_text(re.compile("Bezoekers\u2069 \u2066\\+5\u2069"))
    with translation.override("nl"):
        reason = str(REFUSAL_MESSAGES["rate_limited"])
    expect(refused.first).to_contain_text(reason)
    # The screen shows what the server counted, not the refused group.
    expect(page.locator('[data-total-for="visitors"]')).to_have_text("2")
    assert tally_totals(today_site)["visitors"] == 2


@pytest.mark.django_db(transaction=True)
def test_taps_at_a_site_not_yet_approved_stay_on_the_phone(
    page, live_server, today_site, organiser
):
    today_site.status = Site.Status.SUBMITTED
    today_site.save()
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/sites/{today_site.pk}/count/")
    tap(page, "visitors", 2)
    # The status line says why, in Dutch (the script's text from the Dutch catalogue).
    expect(page.locator("[data-status]")).to_contain_text(
        "Deze locatie is nog niet goedgekeurd: de tikken blijven op deze telefoon bewaard",
        timeout=20_000,
    )
    expect(page.locator("[data-pending]")).to_have_text("2 tikken nog niet verstuurd")
    assert not TallyEntry.objects.exists()
    # Approved: the kept taps go out.
    today_site.status = Site.Status.PUBLISHED
    today_site.save()
    page.reload()
    expect(page.locator("[data-pending]")).to_have_text("Alle tikken verstuurd", timeout=20_000)
    assert tally_totals(today_site)["visitors"] == 2


STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def serve_with_strict_csp(page, policy: str = STRICT_CSP) -> list[str]:
    """Add a strict Content-Security-Policy to every page; return the violations seen."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def add_policy(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": policy}
        route.fulfill(response=response, headers=headers)

    page.route(lambda url: "/api/" not in url and "/static/" not in url, add_policy)
    return violations


@pytest.mark.django_db(transaction=True)
def test_the_counter_works_under_a_strict_content_security_policy(
    page, live_server, today_site, organiser
):
    violations = serve_with_strict_csp(page)
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/sites/{today_site.pk}/count/")
    tap(page, "children", 2)
    expect(page.locator("[data-pending]")).to_have_text("Alle tikken verstuurd", timeout=20_000)
    assert tally_totals(today_site)["children"] == 2
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_counter_in_persian_writes_its_times_in_western_digits(
    page, live_server, today_site, organiser
):
    from django.conf import settings

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fa", "url": live_server.url}]
    )
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/sites/{today_site.pk}/count/")
    assert page.locator("html").get_attribute("lang") == "fa"
    tap(page, "visitors", 1)
    status = page.locator("[data-status]")
    # "Last contact with the server: 14:02:10", with the phone's time as the server
    # writes times: 0-9, the 24-hour clock.
    expect(status).to_contain_text(re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}"), timeout=20_000)
    assert not re.search("[\u06f0-\u06f9\u0660-\u0669]", status.inner_text())
    # The control: Intl's own Persian writes the time in Persian digits.
    plain = page.evaluate("() => new Date().toLocaleTimeString('fa')")
    assert re.search("[\u06f0-\u06f9]", plain)
