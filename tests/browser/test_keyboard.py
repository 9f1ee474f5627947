"""The two journeys that matter most, with the keyboard alone (Tab, Enter, Space): a
volunteer claims a shift from the shift list, and a counter counts, undoes and hides the
list of refused taps, after which the focus is somewhere that makes sense rather than at
the top of the page."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Signup
from tallies.selectors import tally_totals
from tests.browser.conftest import log_in
from tests.factories import make_shift, make_volunteer
from tests.tallies.conftest import confirm_shift, make_site, make_today_event

FOCUSED = "(selector) => document.activeElement && document.activeElement.matches(selector)"


def tab_to(page, selector: str, most: int = 80) -> None:
    """Press Tab until the focus is on `selector` (going forward from where it is)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, selector):
            return
    active = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"Tab never reached {selector}; the focus is on {active}")


@pytest.mark.django_db(transaction=True)
def test_a_volunteer_claims_a_shift_with_the_keyboard_alone(page, live_server, site):
    shift = make_shift(site, capacity=2)
    person = make_volunteer("noor@example.org", first_name="Noor")
    log_in(page, live_server, person.user)
    page.goto(f"{live_server.url}/shifts/")

    # The first Tab reaches the skip link, which jumps past the menu.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, ".skip-link")
    page.keyboard.press("Enter")
    tab_to(page, ".shift-card button[type=submit]")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Deze dienst nemen"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Je plaats is bevestigd")
    assert Signup.objects.get(shift=shift, volunteer=person).status == "confirmed"

    # On to "My shifts", where the shift is listed.
    page.keyboard.press("Tab")
    tab_to(page, "a[href$='/my/shifts/']", most=40)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Mijn diensten")
    expect(page.locator("main")).to_contain_text(site.display_name)


@pytest.mark.django_db(transaction=True)
def test_counting_with_the_keyboard_alone(page, live_server, location, branch, volunteer, settings):
    # Three taps a minute at most: the group of five is refused, to show the list.
    settings.TALLY_LIMIT_PER_MINUTE = 3
    site = make_site(make_today_event(), location, branch)
    confirm_shift(volunteer, site)
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/sites/{site.pk}/count/")
    plus = 'button[data-category="visitors"][data-delta="1"]'
    expect(page.locator(plus)).to_be_enabled()
    shown = page.locator('[data-total-for="visitors"]')
    pending = page.locator("[data-pending]")

    tab_to(page, plus)
    page.keyboard.press("Enter")
    expect(shown).to_have_text("1")
    page.keyboard.press("Space")
    expect(shown).to_have_text("2")
    tab_to(page, 'button[data-category="visitors"][data-delta="-1"]', most=1)
    page.keyboard.press("Enter")
    expect(shown).to_have_text("1")
    expect(pending).to_have_text("Alle tikken verstuurd", timeout=20_000)
    tab_to(page, 'button[data-category="visitors"][data-delta="5"]', most=1)
    page.keyboard.press("Space")
    expect(page.locator("[data-refused-list] li")).to_have_count(1, timeout=20_000)

    tab_to(page, "[data-refused-clear]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-refused]")).to_be_hidden()
    # The focus lands on the line that says how the sending stands, just above where the
    # list was, and a screen reader reads it; not on the page's top.
    assert page.evaluate(FOCUSED, "[data-pending]")
    expect(pending).to_have_text(re.compile("^Alle tikken verstuurd$"))
    assert tally_totals(site)["visitors"] == 1
