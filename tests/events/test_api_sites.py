"""GET /api/v1/sites/: GeoJSON of published sites, every filter, and every bad parameter."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from common import published
from events.models import Signup, Site
from locations.models import Location
from tests.conftest import EVENT_DAY, YEAR, make_user, on_event_day

from .map_factories import TOWNS, make_event, make_shift, make_site, sign_up

URL = "/api/v1/sites/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [feature["id"] for feature in response.json()["features"]]


@pytest.fixture
def open_day(db):
    return make_event(f"open-azc-dag-{YEAR}", "open_day", EVENT_DAY)


@pytest.fixture
def coffee(db):
    return make_event(f"bakkie-doen-{YEAR}", "coffee", datetime.date(YEAR, 6, 20))


@pytest.fixture
def sites(open_day, coffee, branch):
    return {
        "utrecht": make_site(open_day, "Utrecht", branch),
        "amersfoort": make_site(open_day, "Amersfoort", branch),
        "zwolle": make_site(open_day, "Zwolle", branch),
        "groningen": make_site(coffee, "Groningen", branch),
        "maastricht": make_site(coffee, "Maastricht", branch),
    }


def assert_bad(client, query: str, parameter: str):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400, (query, response.content)
    body = response.json()
    assert body["code"] == "invalid"
    assert body["parameter"] == parameter
    assert parameter in body["fields"]
    assert body["detail"]
    return body


# --- The format ------------------------------------------------------------------------


def test_sites_are_a_geojson_feature_collection(client, sites):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 5
    utrecht = next(f for f in body["features"] if f["id"] == sites["utrecht"].pk)
    assert utrecht["type"] == "Feature"
    # RFC 7946: longitude first.
    assert utrecht["geometry"] == {"type": "Point", "coordinates": [5.12222, 52.09083]}
    site = sites["utrecht"]
    assert utrecht["properties"] == {
        "id": site.pk,
        "name": "Open azc dag Utrecht",
        "status": "published",
        "event": f"open-azc-dag-{YEAR}",
        "event_name": f"Open Azc Dag {YEAR}",
        "kind": "open_day",
        "location_name": "Open azc dag Utrecht",
        "town": "Utrecht",
        "address": "Stationsplein 1, 3511 AB Utrecht",
        "approximate": False,
        "town_position": False,
        "opens_at": f"{EVENT_DAY.isoformat()}T11:00:00+02:00",
        "closes_at": f"{EVENT_DAY.isoformat()}T16:00:00+02:00",
        "open_spots": 0,
        "url": f"http://testserver/sites/{site.pk}/",
        "calendar_url": f"http://testserver/calendar/sites/{site.pk}.ics",
    }
    assert site.location.address_line == utrecht["properties"]["address"]


def test_json_is_served_to_clients_that_ask_for_it(client, sites):
    response = client.get(URL, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == "FeatureCollection"


def test_a_site_name_wins_over_the_location_name(client, open_day, branch):
    site = make_site(open_day, "Utrecht", branch)
    Site.objects.filter(pk=site.pk).update(name="Open dag in de Jaarbeurs")
    (feature,) = client.get(URL).json()["features"]
    assert feature["properties"]["name"] == "Open dag in de Jaarbeurs"
    assert feature["properties"]["location_name"] == "Open azc dag Utrecht"


def test_only_published_sites_of_published_editions(client, sites, open_day, branch):
    hidden_edition = make_event("geheim", is_published=False)
    make_site(hidden_edition, "Utrecht", branch)
    make_site(open_day, "Amsterdam", branch, status=Site.Status.DRAFT)
    make_site(open_day, "Maastricht", branch, status=Site.Status.SUBMITTED)
    make_site(open_day, "Groningen", branch, status=Site.Status.CANCELLED)
    assert sorted(ids(client.get(URL))) == sorted(s.pk for s in sites.values())


def test_a_site_without_position_has_a_null_geometry(client, open_day, branch):
    site = make_site(open_day, "Utrecht", branch)
    Location.objects.filter(pk=site.location_id).update(latitude=None, longitude=None)
    (feature,) = client.get(URL).json()["features"]
    assert feature["geometry"] is None
    assert ids(client.get(f"{URL}?bbox=3,50,8,54")) == []


def test_times_carry_the_dutch_offset_in_winter_and_summer(client, branch):
    winter = make_event("winter", day=datetime.date(YEAR, 1, 16))
    site = make_site(winter, "Utrecht", branch)
    (feature,) = client.get(URL).json()["features"]
    assert feature["properties"]["opens_at"] == f"{YEAR}-01-16T11:00:00+01:00"
    assert site.opens_at == datetime.datetime.fromisoformat(feature["properties"]["opens_at"])


# --- Open spots --------------------------------------------------------------------------


def test_open_spots_count_confirmed_sign_ups_only(client, django_user_model, open_day, branch):
    site = make_site(open_day, "Utrecht", branch)
    morning = make_shift(site, capacity=3)
    afternoon = make_shift(site, capacity=2, role="tour_guide")
    cancelled_shift = make_shift(site, capacity=10, is_cancelled=True)
    users = [make_user(django_user_model, f"v{n}@example.org") for n in range(5)]
    sign_up(morning, users[0])
    sign_up(morning, users[1], Signup.Status.WAITLISTED)
    sign_up(morning, users[2], Signup.Status.CANCELLED)
    sign_up(afternoon, users[3])
    sign_up(cancelled_shift, users[4])
    (feature,) = client.get(URL).json()["features"]
    # Morning 3 - 1, afternoon 2 - 1; the cancelled shift offers nothing.
    assert feature["properties"]["open_spots"] == 3


def test_an_overbooked_shift_does_not_eat_the_spots_of_another(
    client, django_user_model, open_day, branch
):
    site = make_site(open_day, "Utrecht", branch)
    lowered = make_shift(site, capacity=2)
    make_shift(site, capacity=4, role="coffee")
    for n in range(2):
        sign_up(lowered, make_user(django_user_model, f"v{n}@example.org"))
    lowered.capacity = 1  # lowered below the confirmed count afterwards
    lowered.save()
    (feature,) = client.get(URL).json()["features"]
    assert feature["properties"]["open_spots"] == 4


def test_filter_open_spots(client, django_user_model, open_day, branch):
    full = make_site(open_day, "Utrecht", branch)
    sign_up(make_shift(full, capacity=1), make_user(django_user_model, "a@example.org"))
    free = make_site(open_day, "Zwolle", branch)
    make_shift(free, capacity=1)
    no_shifts = make_site(open_day, "Groningen", branch)
    assert sorted(ids(client.get(f"{URL}?open_spots=true"))) == [free.pk]
    everything = sorted([full.pk, free.pk, no_shifts.pk])
    assert sorted(ids(client.get(f"{URL}?open_spots=false"))) == everything
    assert sorted(ids(client.get(f"{URL}?open_spots=1"))) == [free.pk]


def test_shifts_that_have_started_offer_no_open_spots(client, db, branch):
    """On the day itself, "where can I still help?" counts only shifts one can still
    claim: a shift that has begun is closed to claims, so its free places are not open."""
    now = timezone.now()
    today = make_event("bakkie-doen-vandaag", "coffee", timezone.localdate())
    started_only = make_site(today, "Utrecht", branch, opens_at=now - datetime.timedelta(hours=2))
    make_shift(started_only, capacity=3, starts_at=now - datetime.timedelta(hours=1))
    later_too = make_site(today, "Zwolle", branch, opens_at=now - datetime.timedelta(hours=2))
    make_shift(later_too, capacity=3, starts_at=now - datetime.timedelta(minutes=1))
    make_shift(later_too, capacity=2, role="coffee", starts_at=now + datetime.timedelta(hours=1))

    spots = {f["id"]: f["properties"]["open_spots"] for f in client.get(URL).json()["features"]}
    assert spots == {started_only.pk: 0, later_too.pk: 2}
    assert ids(client.get(f"{URL}?open_spots=true")) == [later_too.pk]


@pytest.mark.parametrize("value", ["maybe", "2", "ja", "tru"])
def test_bad_open_spots(client, db, value):
    assert_bad(client, f"open_spots={value}", "open_spots")


# --- Edition, kind, dates ----------------------------------------------------------------


def test_filter_event(client, sites, open_day, coffee):
    assert sorted(ids(client.get(f"{URL}?event={coffee.slug}"))) == sorted(
        [sites["groningen"].pk, sites["maastricht"].pk]
    )
    assert len(ids(client.get(f"{URL}?event={open_day.slug}"))) == 3


def test_unknown_or_unpublished_event_is_a_400(client, sites, branch):
    body = assert_bad(client, "event=open-azc-dag-2099", "event")
    assert "open-azc-dag-2099" in body["fields"]["event"][0]
    make_event("geheim", is_published=False)
    assert_bad(client, "event=geheim", "event")


def test_filter_kind(client, sites):
    assert sorted(ids(client.get(f"{URL}?kind=coffee"))) == sorted(
        [sites["groningen"].pk, sites["maastricht"].pk]
    )
    assert len(ids(client.get(f"{URL}?kind=open_day"))) == 3


@pytest.mark.parametrize("value", ["koffie", "Coffee", "open_day,coffee"])
def test_bad_kind(client, db, value):
    assert_bad(client, f"kind={value}", "kind")


def test_filter_dates_by_the_dutch_day(client, branch):
    event = make_event("nachtelijk", day=EVENT_DAY)
    day_before = EVENT_DAY - datetime.timedelta(days=1)
    day_after = EVENT_DAY + datetime.timedelta(days=1)
    # Half past midnight in Amsterdam is still the evening before in UTC.
    early = make_site(event, "Utrecht", branch, opens_at=on_event_day(0, 30))
    late = make_site(event, "Zwolle", branch, opens_at=on_event_day(23, 30, days=-1))
    assert ids(client.get(f"{URL}?date_from={EVENT_DAY.isoformat()}")) == [early.pk]
    assert ids(client.get(f"{URL}?date_to={day_before.isoformat()}")) == [late.pk]
    both = f"{URL}?date_from={day_before.isoformat()}&date_to={EVENT_DAY.isoformat()}"
    assert sorted(ids(client.get(both))) == sorted([early.pk, late.pk])
    assert ids(client.get(f"{URL}?date_from={day_after.isoformat()}")) == []


def test_date_filters_across_editions(client, sites):
    # Between the coffee edition (20 June) and the open day (September).
    assert len(ids(client.get(f"{URL}?date_from={YEAR}-07-01"))) == 3
    assert len(ids(client.get(f"{URL}?date_to={YEAR}-07-01"))) == 2


@pytest.mark.parametrize(
    "query, parameter",
    [
        (f"date_from={YEAR}-13-01", "date_from"),
        (f"date_from=25-09-{YEAR}", "date_from"),
        (f"date_from={YEAR}-9-25", "date_from"),
        ("date_to=tomorrow", "date_to"),
        (f"date_to={YEAR}-02-30", "date_to"),
        (f"date_from={YEAR}-09-26&date_to={YEAR}-09-25", "date_to"),
        # The first and last days of the calendar overflow once turned into Dutch time.
        ("date_from=0001-01-01", "date_from"),
        ("date_to=9999-12-31", "date_to"),
    ],
)
def test_bad_dates(client, db, query, parameter):
    assert_bad(client, query, parameter)
    assert client.get(f"/api/v1/events/?{query}").status_code == 400


# --- Bounding box --------------------------------------------------------------------------


def test_filter_bbox(client, sites):
    # Around Utrecht and Amersfoort; Zwolle lies north of it.
    assert sorted(ids(client.get(f"{URL}?bbox=5.0,52.0,5.5,52.3"))) == sorted(
        [sites["utrecht"].pk, sites["amersfoort"].pk]
    )
    assert ids(client.get(f"{URL}?bbox=5.0,52.0,5.2,52.1")) == [sites["utrecht"].pk]
    assert ids(client.get(f"{URL}?bbox=-10,-10,-5,-5")) == []
    # Edges are included.
    lat, lon = TOWNS["Zwolle"]
    assert ids(client.get(f"{URL}?bbox={lon},{lat},{lon},{lat}")) == [sites["zwolle"].pk]


def test_bbox_across_the_antimeridian(client, open_day, branch):
    fiji = make_site(open_day, "Utrecht", branch, position=(-17.7, 178.0))
    samoa = make_site(open_day, "Zwolle", branch, position=(-13.8, -171.8))
    make_site(open_day, "Groningen", branch)
    assert sorted(ids(client.get(f"{URL}?bbox=170,-20,-170,-10"))) == sorted([fiji.pk, samoa.pk])


@pytest.mark.parametrize(
    "value",
    [
        "5,52,6",
        "5,52,6,53,7",
        "a,52,6,53",
        "5;52;6;53",
        "5,52,,53",
        "nan,52,6,53",
        "inf,52,6,53",
        "5,-91,6,53",
        "5,52,6,91",
        "-181,52,6,53",
        "5,53,6,52",
        "1e3,52,6,53",
    ],
)
def test_bad_bbox(client, db, value):
    assert_bad(client, f"bbox={value}", "bbox")


# --- Near a point or a place -----------------------------------------------------------------


def test_near_sorts_by_distance_and_adds_it(client, sites):
    lat, lon = TOWNS["Utrecht"]
    body = client.get(f"{URL}?near={lat},{lon}&radius_km=100").json()
    found = [f["id"] for f in body["features"]]
    assert found == [sites["utrecht"].pk, sites["amersfoort"].pk, sites["zwolle"].pk]
    distances = [f["properties"]["distance_km"] for f in body["features"]]
    assert distances[0] == 0.0
    assert 19 < distances[1] < 21  # Utrecht – Amersfoort, about 20 km
    assert 80 < distances[2] < 85  # Utrecht – Zwolle, about 82 km
    assert body["near"] == {"name": "", "coordinates": [lon, lat], "radius_km": 100.0}


def test_near_without_radius_uses_25_km(client, sites):
    lat, lon = TOWNS["Utrecht"]
    expected = [sites["utrecht"].pk, sites["amersfoort"].pk]
    assert ids(client.get(f"{URL}?near={lat},{lon}")) == expected


def test_radius_is_exact_not_the_box(client, open_day, branch):
    # Diagonally 30 km away lies inside a 25 km box but outside the circle.
    lat, lon = TOWNS["Utrecht"]
    corner = make_site(open_day, "Amersfoort", branch, position=(lat + 0.19, lon + 0.31))
    body = client.get(f"{URL}?near={lat},{lon}&radius_km=25").json()
    assert body["features"] == []
    assert ids(client.get(f"{URL}?near={lat},{lon}&radius_km=35")) == [corner.pk]


def test_place_finds_a_town_and_searches_around_it(client, sites):
    body = client.get(f"{URL}?place=zwolle&radius_km=70").json()
    assert [f["id"] for f in body["features"]] == [sites["zwolle"].pk, sites["amersfoort"].pk]
    assert body["near"]["name"] == "Zwolle"


def test_near_combines_with_other_filters(client, sites):
    lat, lon = TOWNS["Utrecht"]
    query = f"near={lat},{lon}&radius_km=300&kind=coffee"
    assert ids(client.get(f"{URL}?{query}")) == [sites["maastricht"].pk, sites["groningen"].pk]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("near=52.1", "near"),
        ("near=52.1,5.1,3", "near"),
        ("near=abc,5.1", "near"),
        ("near=91,5.1", "near"),
        ("near=52.1,181", "near"),
        ("near=52.1,nan", "near"),
        ("near=52.1;5.1", "near"),
        ("near=52.1,5.1&radius_km=0", "radius_km"),
        ("near=52.1,5.1&radius_km=-5", "radius_km"),
        ("near=52.1,5.1&radius_km=ten", "radius_km"),
        ("near=52.1,5.1&radius_km=501", "radius_km"),
        ("near=52.1,5.1&radius_km=inf", "radius_km"),
        ("radius_km=10", "radius_km"),
        ("near=52.1,5.1&place=Utrecht", "place"),
        ("place=Atlantis", "place"),
        ("place=" + "x" * 101, "place"),
    ],
)
def test_bad_near_place_and_radius(client, db, query, parameter):
    assert_bad(client, query, parameter)


# --- Pages -------------------------------------------------------------------------------


def test_pages(client, sites):
    first = client.get(f"{URL}?page_size=2").json()
    assert first["numberMatched"] == 5
    assert first["numberReturned"] == 2
    assert (first["page"], first["pages"]) == (1, 3)
    assert [link["rel"] for link in first["links"]] == ["next"]
    second = client.get(first["links"][0]["href"]).json()
    assert second["page"] == 2
    assert [link["rel"] for link in second["links"]] == ["prev", "next"]
    last = client.get(f"{URL}?page_size=2&page=3").json()
    assert last["numberReturned"] == 1
    paged = [f["id"] for body in (first, second, last) for f in body["features"]]
    assert paged == ids(client.get(URL))


def test_pages_with_near_follow_the_distance(client, sites):
    lat, lon = TOWNS["Utrecht"]
    everything = ids(client.get(f"{URL}?near={lat},{lon}&radius_km=300"))
    page_two = ids(client.get(f"{URL}?near={lat},{lon}&radius_km=300&page=2&page_size=2"))
    assert page_two == everything[2:4]


def test_first_page_of_nothing_is_fine(client, db):
    body = client.get(f"{URL}?page=1").json()
    assert body["features"] == [] and body["pages"] == 1


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=4&page_size=2", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("page=1.5", "page"),
        ("page=99999999999999999999", "page"),
        ("page_size=0", "page_size"),
        ("page_size=1001", "page_size"),
        ("page_size=x", "page_size"),
    ],
)
def test_bad_pages(client, sites, query, parameter):
    body = assert_bad(client, query, parameter)
    if query.startswith("page=4"):
        assert "3" in body["fields"]["page"][0]  # says how many pages there are


# --- Never a 500 -------------------------------------------------------------------------

GARBAGE = ["", " ", "%00", "\u202e", "'; drop table events_site; --", "𝟓𝟐", "1" * 400, "-", ","]
PARAMETERS = [
    "event",
    "kind",
    "date_from",
    "date_to",
    "bbox",
    "near",
    "place",
    "radius_km",
    "open_spots",
    "page",
    "page_size",
]


@pytest.mark.parametrize("parameter, value", list(itertools.product(PARAMETERS, GARBAGE)))
def test_garbage_is_a_400_or_ignored_never_a_500(client, sites, parameter, value):
    response = client.get(URL, {parameter: value})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["parameter"] in (parameter, "radius_km")


# --- One site --------------------------------------------------------------------------------


def test_one_site_is_a_feature(client, sites):
    site = sites["zwolle"]
    response = client.get(f"{URL}{site.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    listed = next(f for f in client.get(URL).json()["features"] if f["id"] == site.pk)
    assert response.json() == listed


def test_a_draft_is_seen_by_its_coordinator_only(client, coordinator, open_day, branch):
    draft = make_site(open_day, "Utrecht", branch, status=Site.Status.DRAFT)
    response = client.get(f"{URL}{draft.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    client.force_login(coordinator)
    response = client.get(f"{URL}{draft.pk}/")
    assert response.status_code == 200
    assert response.json()["properties"]["status"] == "draft"
    assert draft.pk not in ids(client.get(URL))  # lists hold published sites only


def test_unknown_site_is_a_404(client, db):
    assert client.get(f"{URL}999999/").status_code == 404


# --- Queries -------------------------------------------------------------------------------


@pytest.fixture
def five_thousand_sites(open_day, branch, django_user_model):
    locations = Location.objects.bulk_create(
        Location(
            name=f"Plek {n}",
            city="Utrecht",
            latitude=50.8 + (n % 100) * 0.02,
            longitude=3.5 + (n // 100) * 0.07,
        )
        for n in range(5000)
    )
    start = on_event_day(11)
    made = Site.objects.bulk_create(
        Site(
            event=open_day,
            location=location,
            branch=branch,
            opens_at=start,
            closes_at=start + datetime.timedelta(hours=5),
            status=Site.Status.PUBLISHED,
            show_approximate_location=n % 10 == 0,
        )
        for n, location in enumerate(locations)
    )
    shift = make_shift(made[0], capacity=2)
    sign_up(shift, make_user(django_user_model, "v@example.org"))
    return made


def test_five_thousand_sites_take_at_most_three_queries(
    client, five_thousand_sites, open_day, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(3):
        body = client.get(URL).json()
    assert body["numberReturned"] == 5000
    assert sum(f["properties"]["approximate"] for f in body["features"]) == 500
    assert sum(f["properties"]["open_spots"] for f in body["features"]) == 1
    # The exact counts: none for the same question again (its answer is stored, see
    # `common.published`); the edition, a count and a page; the edition and sites.
    with django_assert_num_queries(0):
        assert client.get(URL).json() == body
    with django_assert_num_queries(3):
        body = client.get(f"{URL}?event={open_day.slug}&page=2&page_size=1000").json()
    assert body["numberReturned"] == 1000
    with django_assert_num_queries(2):
        body = client.get(f"{URL}?event={open_day.slug}&near=52,5&radius_km=50").json()
    assert body["numberReturned"] > 0


def test_a_signed_in_volunteer_costs_no_query_per_site(
    client, five_thousand_sites, volunteer, django_assert_max_num_queries
):
    client.force_login(volunteer)
    # The session and the user, then the sites with who-may-see-what inside the query.
    with django_assert_max_num_queries(3):
        body = client.get(URL).json()
    assert body["numberReturned"] == 5000


def test_a_site_whose_town_alone_is_known_says_so_on_the_map(client, open_day, branch):
    """Every site of a town without an address stands on the town's centre: the map and
    its list say that the pin is not where the site is."""
    site = make_site(open_day, "Utrecht", branch)
    Location.objects.filter(pk=site.location_id).update(position_precision=Location.Precision.TOWN)
    (feature,) = client.get(URL).json()["features"]
    assert feature["properties"]["town_position"] is True
    page = client.get(reverse("events:map")).content.decode()
    assert "In het midden van de plaats op de kaart" in page
    Location.objects.filter(pk=site.location_id).update(
        position_precision=Location.Precision.ADDRESS
    )
    published.changed(published.SITES)
    (feature,) = client.get(URL).json()["features"]
    assert feature["properties"]["town_position"] is False
