"""The location form in a real browser: look up, drag the pin, save; the pin is kept."""

import pytest

from locations.models import Location


def _only_local(page, live_server):
    # No map tiles and nothing from outside: the page must work without them.
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_drag_the_pin_and_it_is_kept_as_placed_by_hand(
    page, live_server, coordinator, settings, screenshot_dir
):
    from tests.browser.conftest import log_in

    settings.MAP_TILE_URL = ""
    _only_local(page, live_server)
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/locations/new/")
    page.get_by_label("Naam").fill("azc Ter Apel")
    page.get_by_label("Straat").fill("Havenstraat")
    page.get_by_label("Huisnummer").fill("10")
    page.get_by_label("Postcode").fill("9561 AA")
    page.get_by_label("Plaats *").fill("Ter Apel")
    page.get_by_role("button", name="Adres opzoeken").click()
    page.wait_for_load_state()

    assert "precisie: plaats" in page.locator(".messages").inner_text()
    latitude = page.get_by_label("Breedtegraad")
    assert latitude.input_value().replace(",", ".").startswith("52.876")
    marker = page.locator(".leaflet-marker-icon")
    assert marker.is_visible()
    # The script's own texts, from the Dutch catalogue: the pin and the zoom buttons.
    assert marker.get_attribute("title") == "Sleep de speld naar de precieze plek"
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Inzoomen"
    page.screenshot(path=screenshot_dir / "location-lookup.png", full_page=True)

    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 3
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y - 30, steps=8)
    page.mouse.up()
    dragged = float(latitude.input_value().replace(",", "."))
    assert dragged > 52.877
    assert page.get_by_label("handmatig", exact=False).is_checked()

    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    location = Location.objects.get()
    assert location.position_is_manual
    assert location.position_precision == "manual"
    assert location.latitude == pytest.approx(dragged, abs=1e-6)

    # A later look-up of a changed address leaves the pin where it was put.
    page.get_by_label("Straat").fill("Sportlaan")
    page.get_by_role("button", name="Adres opzoeken").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    location.refresh_from_db()
    assert location.latitude == pytest.approx(dragged, abs=1e-6)
    assert location.street == "Sportlaan"
    page.screenshot(path=screenshot_dir / "location-saved.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_typed_coordinates_work(browser, live_server, coordinator, settings):
    from tests.browser.conftest import log_in

    settings.MAP_TILE_URL = ""
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    _only_local(page, live_server)
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/locations/new/")
    assert not page.locator("#location-map").is_visible()
    page.get_by_label("Naam").fill("Bakkie Doen Neude")
    page.get_by_label("Plaats *").fill("Utrecht")
    page.get_by_label("Breedtegraad").fill("52,0927")
    page.get_by_label("Lengtegraad").fill("5,1189")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    location = Location.objects.get()
    assert (location.latitude, location.longitude, location.position_is_manual) == (
        52.0927,
        5.1189,
        True,
    )
    context.close()
