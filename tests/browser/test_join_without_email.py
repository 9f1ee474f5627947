"""A person without an e-mail address joins a shift through a site's invitation link,
with the browser in Tigrinya, lands on their personal link page and sees the shift there;
the site's coordinator, logged in in another browser, sees them on the roster.

Tigrinya translations arrive later: the test asserts structure, URLs and names, and that
the pages say they are in Tigrinya (`<html lang="ti">`)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Volunteer
from events.models import Signup
from tests.browser.conftest import log_in
from tests.factories import make_shift
from volunteers.invitations import invitation_create


@pytest.fixture
def tigrinya_page(browser, live_server):
    """A phone whose browser asks for Tigrinya, and has chosen it on the site before."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ti", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "ti", "url": live_server.url}])
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_person_without_email_joins_in_tigrinya_and_the_coordinator_sees_them(
    tigrinya_page, page, live_server, site, coordinator, screenshot_dir
):
    from django.core.cache import cache

    cache.clear()  # the join limits count per address; every test comes from 127.0.0.1
    shift = make_shift(site, capacity=2)
    invitation = invitation_create(site=site, by=coordinator)
    # The app's own Content-Security-Policy (no inline script): the QR codes are inline
    # SVG, drawn on the server; nothing may break it.
    violations: list[str] = []
    tigrinya_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    helper_page = tigrinya_page
    # The header's language buttons work on the invitation page (Django's set_language
    # and its CSRF check).
    helper_page.goto(f"{live_server.url}/j/{invitation.token}/")
    helper_page.locator(".language-switch button[value=en]").click()
    expect(helper_page.locator("html")).to_have_attribute("lang", "en")
    assert helper_page.url == f"{live_server.url}/j/{invitation.token}/"
    helper_page.locator(".language-switch button[value=ti]").click()
    expect(helper_page.locator("html")).to_have_attribute("lang", "ti")
    expect(helper_page.locator("h1")).to_contain_text(site.display_name)
    form = helper_page.locator("form.join-form")
    # The language asked for defaults to the page's: Tigrinya.
    expect(form.locator("select[name=language]")).to_have_value("ti")
    form.locator(f"input[name=shift][value='{shift.pk}']").check()
    form.locator("input[name=name]").fill("Selam Tesfay")
    form.locator("input[name=phone]").fill("06 12345678")
    form.locator("input[name=consent]").check()
    helper_page.screenshot(path=screenshot_dir / "join-ti.png", full_page=True)
    form.locator("button[type=submit]").click()

    helper_page.wait_for_url(re.compile(r"/me/[A-Za-z0-9_-]{43}/$"))
    helper = Volunteer.objects.select_related("user").get(link_token__isnull=False)
    assert helper_page.url == f"{live_server.url}/me/{helper.link_token}/"
    assert helper.user.email is None and helper.user.language == "ti"
    assert Signup.objects.get(volunteer=helper).shift == shift
    expect(helper_page.locator("html")).to_have_attribute("lang", "ti")
    expect(helper_page.locator("h1")).to_contain_text("Selam Tesfay")
    card = helper_page.locator(f".shift-card[data-shift='{shift.pk}']")
    expect(card).to_contain_text(site.display_name)
    expect(card.locator(".status-confirmed")).to_have_count(1)
    expect(helper_page.locator(".personal-link .qr-code")).to_be_visible()
    expect(helper_page.locator(".calendar-links a").first).to_have_attribute(
        # No language in the link: the feed follows the helper's own (Tigrinya).
        "href",
        re.compile(r"/calendar/volunteer/[A-Za-z0-9_-]+\.ics$"),
    )
    helper_page.screenshot(path=screenshot_dir / "helper-page-ti.png", full_page=True)
    assert violations == []

    # The coordinator, in another browser, finds the helper on the roster.
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/coordinate/sites/{site.pk}/roster/")
    row = page.locator("tr", has_text="Selam Tesfay")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_count(1)
    expect(row).to_contain_text("06 12345678")
    page.screenshot(path=screenshot_dir / "roster-with-helper-nl.png", full_page=True)

    # A new link works (the form passes Django's CSRF check in a real browser), and the
    # old one is gone.
    old_link = helper_page.url
    helper_page.locator(".personal-link button[type=submit]").click()
    helper_page.wait_for_url(lambda url: url != old_link and "/me/" in url)
    helper.refresh_from_db()
    assert helper_page.url == f"{live_server.url}/me/{helper.link_token}/"
    expect(helper_page.locator(".message.success")).to_have_count(1)
    expect(helper_page.locator("html")).to_have_attribute("lang", "ti")
    gone = helper_page.goto(old_link)
    assert gone.status == 404
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_adds_a_helper_and_shows_the_link(page, live_server, site, coordinator):
    shift = make_shift(site, capacity=2)
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/coordinate/sites/{site.pk}/roster/")
    page.locator(f"a[href='/coordinate/sites/{site.pk}/helpers/']").click()
    form = page.locator("form.helper-form")
    form.locator("select[name=shift]").select_option(str(shift.pk))
    form.locator("input[name=name]").fill("Yonas")
    form.locator("select[name=language]").select_option("ti")
    form.locator("input[name=consent]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/coordinate/sites/\d+/helpers/\d+/$"))
    helper = Volunteer.objects.get(link_token__isnull=False)
    expect(page.locator(".helper-card .qr-code")).to_be_visible()
    expect(page.locator(".helper-card .link-text")).to_have_text(
        f"{live_server.url}/me/{helper.link_token}/"
    )
    assert Signup.objects.get(volunteer=helper).shift == shift
