"""A coordinator registers and submits their branch's site through the real pages, on a phone."""

import pytest
from playwright.sync_api import expect

from common import clock
from events.models import Site
from tests.browser.conftest import log_in
from tests.browser.test_counter import STRICT_CSP, serve_with_strict_csp
from tests.events.editions_helpers import place, upcoming_edition


@pytest.mark.django_db(transaction=True)
def test_coordinator_registers_and_submits_a_site(
    page, live_server, coordinator, branch, screenshot_dir
):
    edition = upcoming_edition(name="Open azc dag proef")
    place("azc Utrecht", "Utrecht")
    place("azc Zeist", "Zeist")
    # The policy a deployment would send: our own scripts and styles, the map tiles.
    violations = serve_with_strict_csp(
        page, STRICT_CSP.replace("img-src 'self'", "img-src 'self' https://tile.openstreetmap.org")
    )
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    log_in(page, live_server, coordinator)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Coördinatie").click()
    page.get_by_role("link", name="Edities en aanmeldingen").click()
    expect(page.locator("h1")).to_have_text("Actiedagen organiseren")
    page.get_by_role("link", name="Een locatie aanmelden").first.click()
    expect(page.locator("h1")).to_have_text("Een locatie aanmelden voor Open azc dag proef")

    # The branch's town is suggested; another town is found by searching.
    location = page.get_by_role("combobox", name="Plek:")
    expect(location.locator("option", has_text="azc Utrecht, Utrecht")).to_have_count(1)
    expect(location.locator("option", has_text="azc Zeist")).to_have_count(0)
    page.get_by_label("Zoek een plek op naam, plaats, straat of postcode").fill("zeist")
    page.get_by_role("button", name="Zoeken").click()
    location = page.get_by_role("combobox", name="Plek:")
    location.select_option(label="azc Zeist, Zeist")

    page.get_by_label("Openbare beschrijving").fill(
        "Bewoners geven rondleidingen; er is koffie en thee."
    )
    page.get_by_label("Arabisch").check()
    page.get_by_label("Tigrinya").check()
    page.get_by_label("Verwachte bezoekers").fill("250")
    # A viewport shot: after a full-page one, headless Chromium misplaces the next click.
    page.screenshot(path=screenshot_dir / "registration-form-nl.png")
    page.get_by_role("button", name="Aanmelden als concept").click()

    expect(page.locator("h1")).to_have_text("azc Zeist")
    expect(page.locator(".message")).to_contain_text("azc Zeist is aangemeld als concept.")
    expect(page.locator(".status")).to_have_text("concept")
    expect(page.locator("table tbody tr")).to_have_count(7)  # the edition's shifts
    # The small map is drawn by our script file (no inline scripts on the page).
    expect(page.locator(".mini-map.leaflet-container")).to_have_attribute("data-ready", "1")
    assert page.locator("script:not([src])").count() == 0

    # An azc: its host's consent comes first (issue 19); submitting before is refused.
    page.get_by_role("button", name="Indienen ter beoordeling").click()
    expect(page.locator(".message.error")).to_contain_text("Beheerder en toestemming")
    expect(page.locator(".status")).to_have_text("concept")
    page.get_by_role("link", name="Beheerder en toestemming vastleggen").click()
    page.get_by_label("Beherende organisatie").fill("COA")
    page.get_by_label("Toestemming gegeven door").fill("Anne de Vries")
    page.get_by_label("Functie").fill("locatiemanager")
    page.get_by_label("Toestemming gegeven op").fill(clock.today().isoformat())
    page.get_by_label("Geen foto's binnen").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("h1")).to_have_text("azc Zeist")

    page.get_by_role("button", name="Indienen ter beoordeling").click()
    expect(page.locator(".message")).to_have_text("azc Zeist is ingediend ter beoordeling.")
    expect(page.locator(".status")).to_have_text("ingediend")
    expect(page.locator(".history li")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "registration-submitted-nl.png", full_page=True)

    site = Site.objects.get(event=edition)
    assert (site.status, site.branch, site.location.name) == ("submitted", branch, "azc Zeist")
    assert site.languages_needed == ["ar", "ti"]
    assert site.expected_visitors == 250
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_registration_refused_outside_the_window_in_english(page, live_server, coordinator):
    edition = upcoming_edition(name="Too late", window="closed")
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/manage/editions/{edition.slug}/register/")
    page.get_by_role("button", name="English").click()
    expect(page.locator(".notice.error")).to_contain_text("Registration for Too late closed on")
    expect(page.get_by_role("button", name="Register as draft")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_coordinator_adds_a_new_location_while_registering(
    page, live_server, coordinator, branch, screenshot_dir
):
    edition = upcoming_edition(name="Open azc dag proef")
    violations = serve_with_strict_csp(
        page, STRICT_CSP.replace("img-src 'self'", "img-src 'self' https://tile.openstreetmap.org")
    )
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/manage/editions/{edition.slug}/register/")
    page.get_by_role(
        "link", name="De plek staat niet in de lijst: een nieuwe plek toevoegen"
    ).click()

    # The locations page looks the address up through the geocoding chain (offline here).
    page.get_by_label("Naam *").fill("azc Ter Apel")
    page.get_by_label("Straat").fill("Havenstraat")
    page.get_by_label("Huisnummer").fill("10")
    page.get_by_label("Postcode").fill("9561 AA")
    page.get_by_label("Plaats *").fill("Ter Apel")
    page.get_by_role("button", name="Opslaan").click()

    expect(page.locator("h1")).to_have_text("Een locatie aanmelden voor Open azc dag proef")
    location = page.get_by_role("combobox", name="Plek:")
    expect(location.locator("option:checked")).to_have_text("azc Ter Apel, Ter Apel")
    page.get_by_label("Openbare beschrijving").fill("Open dag in Ter Apel.")
    page.get_by_role("button", name="Aanmelden als concept").click()
    expect(page.locator("h1")).to_have_text("azc Ter Apel")
    page.screenshot(path=screenshot_dir / "registration-new-location-nl.png", full_page=True)
    site = Site.objects.get(event=edition)
    assert site.location.has_position
    assert site.location.position_precision == "town"
    assert violations == []
