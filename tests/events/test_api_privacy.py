"""Site privacy (approximate positions) and no personal data in any public response."""

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Volunteer
from events.models import Signup
from events.search.results import APPROXIMATE_LAT_STEP, APPROXIMATE_LON_STEP
from events.services import address_share
from locations.selectors import distance_km
from tests.conftest import YEAR, make_user
from tests.factories import set_signup_status

from .map_factories import make_shift, make_site, sign_up

URL = "/api/v1/sites/"
# A building on the edge of Zwolle, away from any grid point.
EXACT = (52.53473, 6.07231)


@pytest.fixture
def hidden_site(event, branch):
    return make_site(
        event,
        "Zwolle",
        branch,
        name="azc Zwolle",
        position=EXACT,
        street="Hoogstraat",
        house_number=48,
        postcode="8011 AA",
        show_approximate_location=True,
    )


def feature_of(client, site) -> dict:
    response = client.get(f"{URL}{site.pk}/")
    assert response.status_code == 200
    listed = [f for f in client.get(URL).json()["features"] if f["id"] == site.pk]
    assert listed == [response.json()]  # list and detail agree
    return response.json()


def is_on_grid(lon: float, lat: float) -> bool:
    def on(value, step):
        return abs(value / step - round(value / step)) < 1e-6

    return on(lat, APPROXIMATE_LAT_STEP) and on(lon, APPROXIMATE_LON_STEP)


def assert_hidden(feature):
    lon, lat = feature["geometry"]["coordinates"]
    assert is_on_grid(lon, lat)
    assert (lat, lon) != EXACT
    # Within half a grid cell of the building, i.e. well under a kilometre.
    assert distance_km((lat, lon), EXACT) < 0.7
    assert feature["properties"]["address"] is None
    assert feature["properties"]["approximate"] is True
    assert feature["properties"]["town"] == "Zwolle"


def assert_exact(feature):
    assert feature["geometry"]["coordinates"] == [EXACT[1], EXACT[0]]
    assert feature["properties"]["address"] == "Hoogstraat 48, 8011 AA Zwolle"
    assert feature["properties"]["approximate"] is False


def test_the_public_sees_the_grid_cell_and_the_town_only(client, hidden_site):
    feature = feature_of(client, hidden_site)
    assert_hidden(feature)
    raw = client.get(URL).content.decode()
    assert "Hoogstraat" not in raw and "8011" not in raw
    assert "6.07231" not in raw and "52.53473" not in raw


def test_the_map_and_the_calendar_feed_use_the_same_grid(client, hidden_site):
    # Two different grids together would pin the site down more finely than either.
    lon, lat = feature_of(client, hidden_site)["geometry"]["coordinates"]
    feed = client.get(f"/calendar/sites/{hidden_site.pk}.ics").content.decode()
    (geo,) = re.findall(r"^GEO:([-\d.]+);([-\d.]+)\r?$", feed, re.M)
    assert (float(geo[0]), float(geo[1])) == (lat, lon)


def test_a_site_that_does_not_ask_shows_its_address(client, hidden_site):
    hidden_site.show_approximate_location = False
    hidden_site.save()
    assert_exact(feature_of(client, hidden_site))


def test_volunteers_with_a_confirmed_shift_there_see_the_address_once_it_is_shared(
    client, hidden_site, volunteer, coordinator
):
    shift = make_shift(hidden_site)
    client.force_login(volunteer)
    assert_hidden(feature_of(client, hidden_site))  # no shift yet
    signup = sign_up(shift, volunteer, Signup.Status.WAITLISTED)
    assert_hidden(feature_of(client, hidden_site))  # waiting is not enough
    set_signup_status(signup, Signup.Status.CONFIRMED)
    # A confirmed place alone is not enough either: anyone may claim an open shift
    # (issue 14, item 9); the coordinators share the address with whom they accept.
    assert_hidden(feature_of(client, hidden_site))
    address_share(signup=signup, by=coordinator)
    assert_exact(feature_of(client, hidden_site))


def test_coordinators_of_the_branch_and_organisers_see_the_address(
    client, hidden_site, coordinator, organiser, django_user_model, other_branch
):
    client.force_login(coordinator)
    assert_exact(feature_of(client, hidden_site))
    client.force_login(organiser)
    assert_exact(feature_of(client, hidden_site))
    elsewhere = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(elsewhere)
    client.force_login(elsewhere)
    assert_hidden(feature_of(client, hidden_site))


def test_filters_cannot_narrow_a_hidden_site_down(client, hidden_site, coordinator):
    lat, lon = EXACT
    tiny_box = f"{lon - 0.0005},{lat - 0.0005},{lon + 0.0005},{lat + 0.0005}"
    assert client.get(f"{URL}?bbox={tiny_box}").json()["features"] == []
    public = client.get(f"{URL}?near={lat},{lon}&radius_km=0.05").json()
    assert public["features"] == []
    body = client.get(f"{URL}?near={lat},{lon}&radius_km=5").json()
    (feature,) = body["features"]
    grid_lon, grid_lat = feature["geometry"]["coordinates"]
    expected = round(distance_km(EXACT, (grid_lat, grid_lon)), 1)
    assert feature["properties"]["distance_km"] == expected
    assert feature["properties"]["distance_km"] > 0
    # Whoever may see the site finds it at its real place.
    client.force_login(coordinator)
    assert len(client.get(f"{URL}?bbox={tiny_box}").json()["features"]) == 1


def test_the_map_page_shows_no_address_of_a_hidden_site(client, hidden_site):
    html = client.get(f"/map/?event=open-azc-dag-{YEAR}").content.decode()
    assert "azc Zwolle" in html
    assert "Hoogstraat" not in html and "6.07231" not in html
    assert "Locatie bij benadering" in html


# --- No personal data in public responses --------------------------------------------------


@pytest.fixture
def people(django_user_model, hidden_site, site, branch, coordinator):
    """Volunteers with names, e-mail addresses and phone numbers, signed up everywhere."""
    made = []
    for n, (first, last, phone) in enumerate(
        [
            ("Fatima", "Yilmaz", "0612345678"),
            ("Johannes", "de Vries", "+31 6 87654321"),
            ("Aster", "Tesfay", "06-11223344"),
        ]
    ):
        user = make_user(
            django_user_model,
            f"{first.lower()}.{n}@voorbeeld.nl",
            first_name=first,
            last_name=last,
        )
        Volunteer.objects.update_or_create(user=user, defaults={"phone": phone})
        made.append(user)
    for target in (hidden_site, site):
        shift = make_shift(target, capacity=2, notes="Bel Karim op 0698765432 bij vragen")
        sign_up(shift, made[0])
        sign_up(shift, made[1], Signup.Status.WAITLISTED)
        sign_up(shift, made[2], Signup.Status.CANCELLED)
    hidden_site.created_by = coordinator
    hidden_site.save()
    return [*made, coordinator]


def personal_data(users) -> list[str]:
    values = []
    for user in users:
        values += [user.email, user.first_name, user.last_name]
        volunteer = Volunteer.objects.filter(user=user).first()
        if volunteer and volunteer.phone:
            digits = re.sub(r"\D", "", volunteer.phone)
            values += [volunteer.phone, digits[-8:], volunteer.calendar_token]
    values.append("0698765432")  # a phone number in the shift notes
    return [value for value in values if value]


def public_responses(client, sites) -> dict[str, str]:
    urls = [
        "/",
        "/map/",
        f"/map/?event=open-azc-dag-{YEAR}&open_spots=true",
        f"/map/embed/?event=open-azc-dag-{YEAR}",
        "/api/v1/events/",
        URL,
        f"{URL}?near=52.5,6.1&radius_km=100",
        f"{URL}?page=1&page_size=1",
        "/api/schema/",
        f"/calendar/events/open-azc-dag-{YEAR}.ics",
    ]
    for site in sites:
        urls += [f"{URL}{site.pk}/", f"/api/v1/shifts/?site={site.pk}", f"/sites/{site.pk}/"]
        urls.append(f"/calendar/sites/{site.pk}.ics")
        urls += [f"/api/v1/shifts/{shift.pk}/" for shift in site.shifts.all()]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_no_personal_data_in_any_public_response(client, people, hidden_site, site):
    secrets = personal_data(people)
    pages = public_responses(client, [hidden_site, site])
    for url, text in pages.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} appears in {url}"
    shifts = json.loads(pages[f"/api/v1/shifts/?site={site.pk}"])
    assert shifts[0]["confirmed"] == 1  # the counts are there, the people are not
    assert set(shifts[0]) == {
        "id",
        "site",
        "role",
        "role_label",
        "starts_at",
        "ends_at",
        "capacity",
        "confirmed",
        "open_spots",
        "site_url",
    }


def test_no_personal_data_of_others_for_a_signed_in_volunteer(
    client, people, hidden_site, site, volunteer
):
    client.force_login(volunteer)
    secrets = personal_data(people)
    for url, text in public_responses(client, [hidden_site, site]).items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} appears in {url}"


def test_the_public_selector_sees_no_exact_location(db):
    from events.selectors import sees_exact_location

    assert sees_exact_location(AnonymousUser()) is False
