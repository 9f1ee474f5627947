"""Checking in on a phone, in a real browser: "My shifts" on the day in Arabic (right to
left) with its big buttons, and the coordinator's check-in code shown on a phone; under a
strict Content-Security-Policy, nothing wider than the screen."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Attendance, Event, Shift, Site
from tests.browser.conftest import log_in
from tests.browser.test_counter import serve_with_strict_csp
from tests.factories import make_signup, make_volunteer

PHONE_WIDTH = 390


@pytest.fixture
def shift_now(db, location, branch):
    """A published site open around now with a reception shift that began ten minutes
    ago (check-in is open)."""
    now = timezone.now().replace(microsecond=0)
    event = Event.objects.create(
        name="Open azc dag vandaag",
        slug="open-azc-dag-vandaag",
        kind_id="open_day",
        date=timezone.localdate(now),
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
    return Shift.objects.create(
        site=site,
        role=Shift.Role.RECEPTION,
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
        capacity=2,
    )


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


@pytest.mark.django_db(transaction=True)
def test_checking_in_from_my_shifts_on_a_phone_right_to_left(
    page, live_server, shift_now, screenshot_dir
):
    person = make_volunteer("amal@example.org", first_name="أمل")
    signup = make_signup(shift_now, person)
    violations = serve_with_strict_csp(page)
    log_in(page, live_server, person.user)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/my/shifts/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    button = page.locator(".check-in-form button[type=submit]")
    expect(button).to_be_visible()
    count = page.locator("a.day-tool")
    expect(count).to_have_attribute("href", f"/sites/{shift_now.site_id}/count/")
    assert fits_the_phone(page)
    button.click()
    expect(page.locator(".check-in-done")).to_be_visible()
    expect(button).to_have_count(0)
    assert Attendance.objects.get(signup=signup).method == Attendance.Method.SELF
    assert fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "my-shifts-checked-in-rtl.png", full_page=True)
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_check_in_code_on_a_coordinators_phone(
    page, live_server, shift_now, coordinator, screenshot_dir
):
    violations = serve_with_strict_csp(page)
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/coordinate/sites/{shift_now.site_id}/check-in-code/")
    code = page.locator(".check-in-code svg.qr-code")
    expect(code).to_be_visible()
    box = code.bounding_box()
    assert box["width"] >= 200  # large enough to scan from a step away
    assert fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "check-in-code-phone.png", full_page=True)
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_roster_on_a_coordinators_phone(
    page, live_server, shift_now, coordinator, screenshot_dir
):
    came = make_signup(shift_now, make_volunteer("vera@example.org", first_name="Vera"))
    make_signup(shift_now, make_volunteer("noor@example.org", first_name="Noor"))
    violations = serve_with_strict_csp(page)
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/coordinate/sites/{shift_now.site_id}/roster/")
    row = page.locator("tr", has_text="Vera")
    row.locator("button", has_text="Inchecken").or_(
        row.locator("button", has_text="Check in")
    ).click()
    expect(page.locator("tr", has_text="Vera").locator(".attendance-checked_in")).to_be_visible()
    page.locator(".walk-in-form input[name=name]").fill("Amal")
    page.locator(".walk-in-form button").click()
    expect(page.locator(".walk-ins")).to_contain_text("Amal")
    assert Attendance.objects.get(signup=came).method == Attendance.Method.COORDINATOR
    assert fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "roster-attendance-phone.png", full_page=True)
    assert violations == []
