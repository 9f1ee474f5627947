"""Radius search from a place name or postcode, and exact edges everywhere in the country."""

import pytest
from geopy.distance import geodesic

from locations.geocoding import AddressNotFound
from locations.models import Location
from locations.selectors import locations_search, within_radius, within_radius_of_place

AMSTERDAM = (52.37403, 4.88969)
UTRECHT = (52.09083, 5.12222)
GRONINGEN = (53.21917, 6.56667)
MAASTRICHT = (50.84833, 5.68889)


def test_known_distances_from_the_issue():
    from locations.selectors import distance_km

    # Amsterdam–Utrecht "about 35 km", Groningen–Maastricht "about 250 km" (in a straight
    # line between the GeoNames town centres it is 270.6 km, by geodesic on WGS 84).
    assert distance_km(AMSTERDAM, UTRECHT) == pytest.approx(35, abs=2)
    assert distance_km(GRONINGEN, MAASTRICHT) == pytest.approx(270.6, abs=0.5)


def _add(name, point):
    return Location.objects.create(name=name, city=name, latitude=point[0], longitude=point[1])


@pytest.mark.parametrize("place", ["Utrecht", "3511", "3511 AB", "utrecht"])
def test_radius_of_a_place_name_or_postcode(db, place):
    _add("Utrecht", UTRECHT)
    _add("Amsterdam", AMSTERDAM)
    _add("Groningen", GRONINGEN)
    centre, found = within_radius_of_place(Location.objects.all(), place=place, radius_km=40)
    assert centre.precision == "town"
    assert [(loc.name, round(km)) for loc, km in found] == [("Utrecht", 0), ("Amsterdam", 35)]


def test_radius_of_an_unknown_place_is_an_error(db):
    with pytest.raises(AddressNotFound):
        within_radius_of_place(Location.objects.all(), place="Nergenshuizen", radius_km=10)


# Centres at the corners of the country, where a degree of longitude is shortest (north)
# or longest (south), and right at the border.
CENTRES = {
    "Eemshaven": (53.446, 6.831),
    "Schiermonnikoog": (53.478, 6.162),
    "Den Helder": (52.959, 4.760),
    "Cadzand": (51.371, 3.381),
    "Vaals": (50.771, 6.018),
    "Eijsden": (50.778, 5.710),
    "Ter Apel": (52.877, 7.060),
}


@pytest.mark.parametrize("centre_name", CENTRES)
@pytest.mark.parametrize("radius_km", [1.0, 10.0, 40.0])
def test_radius_edges_in_every_direction_everywhere(db, centre_name, radius_km):
    """Points 30 m inside and 30 m outside the circle, in 16 directions, are kept and
    dropped exactly (the bounding-box prefilter loses nothing at any latitude)."""
    centre = CENTRES[centre_name]
    inside, outside = set(), set()
    for step in range(16):
        bearing = step * 22.5
        near = geodesic(kilometers=radius_km - 0.03).destination(centre, bearing)
        far = geodesic(kilometers=radius_km + 0.03).destination(centre, bearing)
        inside.add(_add(f"in {bearing}", (near.latitude, near.longitude)).pk)
        outside.add(_add(f"out {bearing}", (far.latitude, far.longitude)).pk)
    found = within_radius(
        Location.objects.all(), latitude=centre[0], longitude=centre[1], radius_km=radius_km
    )
    assert {loc.pk for loc, _ in found} == inside
    distances = [km for _, km in found]
    assert distances == sorted(distances)
    assert max(distances) <= radius_km


def test_radius_near_the_border_finds_dutch_neighbours(db):
    vaals = _add("Vaals", (50.7708, 6.0181))
    kerkrade = _add("Kerkrade", (50.8658, 6.0625))
    _add("Maastricht", MAASTRICHT)
    found = within_radius(Location.objects.all(), latitude=50.7708, longitude=6.0181, radius_km=15)
    assert [loc for loc, _ in found] == [vaals, kerkrade]


def test_search_by_text_and_province(db):
    _add("azc Ter Apel", (52.877, 7.06)).__class__.objects.filter(name="azc Ter Apel").update(
        province="GR"
    )
    _add("Bakkie Doen Neude", UTRECHT).__class__.objects.filter(name="Bakkie Doen Neude").update(
        province="UT", postcode="3512 AE"
    )
    assert [loc.name for loc in locations_search(text="ter apel")] == ["azc Ter Apel"]
    assert [loc.name for loc in locations_search(text="3512")] == ["Bakkie Doen Neude"]
    assert [loc.name for loc in locations_search(province="GR")] == ["azc Ter Apel"]
    assert locations_search(text="bakkie", province="GR").count() == 0
