"""Pages fit a phone screen: nothing widens the page sideways, inputs are big enough to tap.

The locations list used to be 19 px wider than a 390 px phone (its table), and its
search field was 21 px high.
"""

import pytest

from locations.models import Location
from tests.browser.conftest import log_in
from tests.factories import make_shift

MEASURE = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  small: [...document.querySelectorAll('main input, main select')]
    .filter(e => !['hidden', 'checkbox', 'radio'].includes(e.type) && e.offsetParent)
    .filter(e => e.getBoundingClientRect().height < 36)
    .map(e => e.name),
})"""


def _only_local(page, live_server):
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_coordinator_pages_fit_a_phone(page, live_server, coordinator, site, screenshot_dir):
    shift = make_shift(site)
    Location.objects.create(
        name="Gemeenschapshuis De Nieuwe Wereld",
        city="Alphen aan den Rijn",
        street="Burgemeester Visserpark",
        house_number=100,
        postcode="2405 AB",
        latitude=52.13,
        longitude=4.66,
    )
    _only_local(page, live_server)
    log_in(page, live_server, coordinator)
    for path in [
        "/locations/",
        "/coordinate/",
        f"/coordinate/sites/{site.pk}/shifts/",
        f"/coordinate/sites/{site.pk}/roster/",
        f"/coordinate/shifts/{shift.pk}/edit/",
        f"/sites/{site.pk}/",
        "/shifts/",
    ]:
        page.goto(live_server.url + path)
        measured = page.evaluate(MEASURE)
        assert measured["overflow"] <= 0, (path, measured)
        assert measured["small"] == [], (path, measured)
    page.goto(live_server.url + "/locations/")
    page.screenshot(path=screenshot_dir / "locations-phone.png", full_page=True)
