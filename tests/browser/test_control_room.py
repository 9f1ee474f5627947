"""The control room in a real browser: a volunteer checks in by the site's QR link and
counts on their phone; the control room, open on an organiser's screen, shows the check-in
and the new count at its next refresh, without a reload, and rides out a failed refresh."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Volunteer
from common import clock
from events.models import Event, Shift, Site
from events.services.attendance import check_in_code_for
from tests.browser.conftest import log_in
from tests.browser.test_counter import serve_with_strict_csp
from tests.factories import make_signup

JSON = "**/today/?format=json*"


@pytest.fixture
def today_site(db, location, branch):
    """A published site open around now, today, with a reception shift that began a
    quarter of an hour ago (check-in is open) and has two places."""
    now = timezone.now().replace(microsecond=0)
    event = Event.objects.create(
        name="Open azc dag vandaag",
        slug="open-azc-dag-vandaag",
        kind_id="open_day",
        date=clock.today(),
        is_published=True,
    )
    site = Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=3),
        status=Site.Status.PUBLISHED,
    )
    shift = Shift.objects.create(
        site=site,
        role=Shift.Role.RECEPTION,
        starts_at=now - datetime.timedelta(minutes=15),
        ends_at=now + datetime.timedelta(hours=2),
        capacity=2,
    )
    return site, shift


@pytest.mark.django_db(transaction=True)
def test_a_check_in_and_a_count_reach_the_open_control_room(
    page,
    browser,
    live_server,
    today_site,
    volunteer,
    coordinator,
    organiser,
    settings,
    screenshot_dir,
):
    settings.CONTROL_ROOM_REFRESH_SECONDS = 1
    site, shift = today_site
    make_signup(shift, Volunteer.objects.get(user=volunteer))
    code = check_in_code_for(site, day=clock.today(), by=coordinator)

    # The organiser's screen: the control room, open before anything happens.
    room = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    room.set_default_timeout(15_000)
    room_page = room.new_page()
    violations = serve_with_strict_csp(room_page)
    log_in(room_page, live_server, organiser)
    room_page.goto(f"{live_server.url}/manage/editions/{site.event.slug}/today/")
    card = room_page.locator(f'[data-site="{site.pk}"]')
    checked_in = card.locator(f'[data-shift="{shift.pk}"] [data-checked-in]')
    visitors = card.locator('[data-total="visitors"]')
    expect(checked_in).to_contain_text("0/2")
    expect(visitors).to_have_text("0")
    expect(card.locator('[data-alert="short_of_people"]')).to_have_count(1)
    # Marks this page: after a reload the mark would be gone.
    room_page.evaluate("window.stillTheSamePage = true")

    # The volunteer's phone: the QR link, one button.
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/c/{code.token}/")
    page.locator(".check-in-form button[type=submit]").click()
    expect(page.locator(".check-in-done")).to_be_visible()

    expect(checked_in).to_contain_text("1/2")

    # Then they count three visitors at the door.
    page.goto(f"{live_server.url}/sites/{site.pk}/count/")
    plus = page.locator('button[data-category="visitors"][data-delta="1"]')
    expect(plus).to_be_enabled()
    for _ in range(3):
        plus.click()
    expect(visitors).to_have_text("3")
    expect(card.locator("[data-last-tap] time")).to_be_visible()
    assert room_page.evaluate("window.stillTheSamePage") is True
    room_page.screenshot(path=screenshot_dir / "control-room.png", full_page=True)

    # A refresh that fails says so and leaves the page as it was; the next one recovers.
    stale = room_page.locator("[data-stale]")
    room_page.route(JSON, lambda route: route.abort())
    expect(stale).to_be_visible()
    expect(visitors).to_have_text("3")
    room_page.unroute(JSON)
    expect(stale).to_be_hidden()
    assert room_page.evaluate("window.stillTheSamePage") is True
    assert violations == []
    room.close()


@pytest.mark.django_db(transaction=True)
def test_the_control_room_on_a_phone_and_on_a_projector(
    page, live_server, today_site, organiser, screenshot_dir
):
    site, _shift = today_site
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/manage/editions/{site.event.slug}/today/")
    card = page.locator(f'[data-site="{site.pk}"]')
    expect(card).to_be_visible()
    # One column of cards on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "control-room-phone.png", full_page=True)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/manage/editions/{site.event.slug}/today/?display=wall")
    expect(page.locator(".site-header")).to_be_hidden()
    title = float(card.locator("h2").evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert title >= 30
    page.screenshot(path=screenshot_dir / "control-room-wall.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_control_room_and_the_state_page_meet_wcag_a_and_aa(
    page, live_server, today_site, coordinator, screenshot_dir
):
    """axe-core's WCAG A and AA rules (as tests/browser/test_accessibility.py), on the
    pages of the day, with an alert showing."""
    from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG_A_AA

    site, _shift = today_site
    page.context.add_init_script(AXE)
    log_in(page, live_server, coordinator)
    problems = {}
    for path in (
        f"/manage/editions/{site.event.slug}/today/",
        f"/manage/editions/{site.event.slug}/today/?display=wall",
        f"/sites/{site.pk}/state/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200
        problems[path] = page.evaluate(RUN_AXE, WCAG_A_AA)
    page.screenshot(path=screenshot_dir / "site-state.png", full_page=True)
    assert problems == {path: [] for path in problems}
