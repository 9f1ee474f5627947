"""Radius and box search: known distances, sorting, and rows near the edge of the box."""

import pytest

from locations.models import Location
from locations.selectors import bounding_box, distance_km, within_bbox, within_radius

AMSTERDAM = (52.37403, 4.88969)
UTRECHT = (52.09083, 5.12222)
GRONINGEN = (53.21917, 6.56667)
MAASTRICHT = (50.84833, 5.68889)


def test_known_distances():
    assert distance_km(AMSTERDAM, UTRECHT) == pytest.approx(35.5, abs=1.5)
    assert distance_km(GRONINGEN, MAASTRICHT) == pytest.approx(265, abs=20)


def test_bounding_box_holds_the_circle():
    box = bounding_box(latitude=52.0, longitude=5.0, radius_km=10)
    # 10 km north, south, east and west of the centre all lie inside the box.
    assert box.max_lat - 52.0 > 10 / 111.2
    assert 5.0 - box.min_lon > 10 / (111.3 * 0.6157)


def test_radius_search_sorts_by_distance_and_drops_far_rows(db):
    for name, (lat, lon) in {
        "Amsterdam": AMSTERDAM,
        "Utrecht": UTRECHT,
        "Groningen": GRONINGEN,
    }.items():
        Location.objects.create(name=name, city=name, latitude=lat, longitude=lon)
    Location.objects.create(name="zonder positie", city="X")
    found = within_radius(
        Location.objects.all(), latitude=UTRECHT[0], longitude=UTRECHT[1], radius_km=50
    )
    assert [(loc.name, round(d)) for loc, d in found] == [("Utrecht", 0), ("Amsterdam", 35)]


def test_a_row_just_inside_the_radius_at_the_box_corner_direction_is_kept(db):
    # 9.9 km due east of the centre at 53.2° N: near the box edge, inside the circle.
    Location.objects.create(name="oost", city="X", latitude=53.2, longitude=7.0 + 0.1483)
    Location.objects.create(name="te ver", city="X", latitude=53.2, longitude=7.0 + 0.1513)
    found = within_radius(Location.objects.all(), latitude=53.2, longitude=7.0, radius_km=10)
    assert [loc.name for loc, _ in found] == ["oost"]
    assert found[0][1] == pytest.approx(9.9, abs=0.05)


def test_bbox_filter(db):
    Location.objects.create(name="in", city="X", latitude=52.1, longitude=5.1)
    Location.objects.create(name="uit", city="X", latitude=51.0, longitude=5.1)
    box = bounding_box(latitude=52.1, longitude=5.1, radius_km=5)
    assert [loc.name for loc in within_bbox(Location.objects.all(), box)] == ["in"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"latitude": 91, "longitude": 5, "radius_km": 1},
        {"latitude": 52, "longitude": 181, "radius_km": 1},
        {"latitude": 52, "longitude": 5, "radius_km": 0},
        {"latitude": 52, "longitude": 5, "radius_km": float("nan")},
    ],
)
def test_bad_points_and_radii_are_refused(kwargs):
    with pytest.raises(ValueError):
        bounding_box(**kwargs)
