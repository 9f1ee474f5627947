"""The map list writes a distance the way its script does once it redraws the list."""

import re

from tests.conftest import YEAR

from .map_factories import make_event, make_shift, make_site


def test_a_distance_reads_the_same_from_the_server_as_from_the_script(client, db, branch):
    edition = make_event(f"open-azc-dag-{YEAR}", name=f"Open azc dag {YEAR}")
    make_shift(make_site(edition, "Utrecht", branch), capacity=3)
    make_shift(make_site(edition, "Zwolle", branch), capacity=3)
    html = client.get("/map/?place=Utrecht&radius_km=100").content.decode()
    # The site in the town searched for: "0 km", as Intl writes it, not "0,0 km".
    assert re.search(r"op 0 km", html)
    assert "0,0 km" not in html
    # Further away, one decimal (map.js: maximumFractionDigits 1).
    assert re.search(r"op 8\d(,\d)? km", html)
