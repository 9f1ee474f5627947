"""A volunteer on a phone finds a shift, claims it, and releases it again."""

import pytest

from events.models import Signup
from tests.browser.conftest import log_in
from tests.factories import make_shift, make_volunteer


@pytest.mark.django_db(transaction=True)
def test_find_claim_and_release_on_a_phone(page, live_server, site, screenshot_dir):
    site.languages_needed = ["ar"]
    site.save()
    shift = make_shift(site, capacity=2)
    person = make_volunteer("noor@example.org", first_name="Noor")
    person.languages = ["ar", "nl"]
    person.save()

    log_in(page, live_server, person.user)

    page.goto(f"{live_server.url}/shifts/?town=Utrecht")
    card = page.locator(".shift-card").first
    assert "2 plaatsen vrij" in card.inner_text()
    assert "jij spreekt Arabisch" in card.inner_text()
    page.screenshot(path=screenshot_dir / "shifts-nl.png", full_page=True)
    card.get_by_role("button", name="Deze dienst nemen").click()
    page.wait_for_load_state()
    assert "Je plaats is bevestigd" in page.locator(".messages").inner_text()
    assert "Je hebt een plaats in deze dienst." in page.locator(".shift-card").first.inner_text()
    assert Signup.objects.get(shift=shift, volunteer=person).status == "confirmed"

    page.get_by_role("link", name="Mijn diensten").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mijn diensten"
    page.screenshot(path=screenshot_dir / "my-shifts-nl.png", full_page=True)
    page.get_by_role("link", name="Dienst teruggeven").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Deze dienst teruggeven?"
    assert Signup.objects.get(shift=shift, volunteer=person).status == "confirmed"
    page.get_by_role("button", name="Ja, geef deze dienst terug").click()
    page.wait_for_load_state()
    assert "Je hebt de dienst teruggegeven" in page.locator(".messages").inner_text()
    assert Signup.objects.get(shift=shift, volunteer=person).status == "cancelled"
