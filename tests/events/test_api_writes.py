"""Sites and shifts through the API: reading shifts, and writes for coordinators and
organisers only, through the services."""

import pytest

from events.models import Shift, Signup, Site
from events.services import site_cancel
from locations.models import Location
from tests.conftest import EVENT_DAY, YEAR, make_user

from .map_factories import make_shift, make_site, sign_up

SITES = "/api/v1/sites/"
SHIFTS = "/api/v1/shifts/"


def on_the_day(clock_time: str) -> str:
    """An ISO time on the fixtures' `EVENT_DAY`, in summer time, as the API writes it."""
    return f"{EVENT_DAY.isoformat()}T{clock_time}+02:00"


@pytest.fixture
def new_location(db):
    return Location.objects.create(
        name="Buurthuis De Pijler", city="Utrecht", latitude=52.1, longitude=5.1
    )


def site_body(event, branch, location, **extra):
    return {"event": event.slug, "branch": branch.slug, "location": location.pk, **extra}


# --- Registering a site ------------------------------------------------------------------------


def test_a_coordinator_registers_a_draft_site_for_their_branch(
    coordinator_client, event, branch, new_location
):
    response = coordinator_client.post(
        SITES,
        site_body(event, branch, new_location, name="Open dag De Pijler"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    feature = response.json()
    site = Site.objects.get(pk=feature["id"])
    assert site.status == Site.Status.DRAFT
    assert site.created_by.email == "coordinator@example.org"
    assert feature["type"] == "Feature"
    assert feature["properties"]["status"] == "draft"
    assert feature["properties"]["name"] == "Open dag De Pijler"
    # Opening hours default to the edition's.
    assert feature["properties"]["opens_at"] == on_the_day("10:00:00")
    assert response["Location"] == f"http://testserver/api/v1/sites/{site.pk}/"
    assert coordinator_client.get(response["Location"]).status_code == 200


def test_an_organiser_registers_a_site_for_any_branch(
    organiser_client, event, other_branch, new_location
):
    response = organiser_client.post(
        SITES, site_body(event, other_branch, new_location), content_type="application/json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["anonymous", "volunteer", "other coordinator"])
def test_others_may_not_register_a_site(
    client, who, volunteer, event, branch, other_branch, new_location, django_user_model
):
    if who == "volunteer":
        client.force_login(volunteer)
    elif who == "other coordinator":
        user = make_user(django_user_model, "zwolle@example.org")
        other_branch.coordinators.add(user)
        client.force_login(user)
    response = client.post(
        SITES, site_body(event, branch, new_location), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("not_authenticated", "permission_denied")
    assert not Site.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"event": "bestaat-niet"}, "event"),
        ({"branch": "afdeling-nergens"}, "branch"),
        ({"location": 999999}, "location"),
        ({"location": "abc"}, "location"),
        ({"expected_visitors": -3}, "expected_visitors"),
        ({"opens_at": "morgen"}, "opens_at"),
        ({"status": "published"}, "status"),
        ({"colour": "red"}, "colour"),
        (
            {"opens_at": on_the_day("16:00:00"), "closes_at": on_the_day("11:00:00")},
            "closes_at",
        ),
    ],
)
def test_a_bad_site_names_the_field_and_changes_nothing(
    coordinator_client, event, branch, new_location, change, field
):
    body = {**site_body(event, branch, new_location), **change}
    response = coordinator_client.post(SITES, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Site.objects.exists()


def test_a_second_site_at_the_same_place_is_refused(coordinator_client, site, branch):
    body = site_body(site.event, branch, site.location)
    response = coordinator_client.post(SITES, body, content_type="application/json")
    assert response.status_code == 400
    assert "location" in response.json()["fields"]
    assert Site.objects.count() == 1


# --- Changing a site ---------------------------------------------------------------------------


def test_a_coordinator_changes_their_site(coordinator_client, site):
    response = coordinator_client.patch(
        f"{SITES}{site.pk}/",
        {"closes_at": on_the_day("17:00:00"), "show_approximate_location": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["properties"]["closes_at"] == on_the_day("17:00:00")
    site.refresh_from_db()
    assert site.show_approximate_location is True
    assert site.sequence == 1  # calendars see the new time


def test_others_may_not_change_a_site(client, site, volunteer, django_user_model, other_branch):
    url = f"{SITES}{site.pk}/"
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code in (
        401,
        403,
    )
    user = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(user)
    for person in (volunteer, user):
        client.force_login(person)
        response = client.patch(url, {"name": "x"}, content_type="application/json")
        assert response.status_code == 403
    site.refresh_from_db()
    assert site.name == ""


def test_the_edition_of_a_site_cannot_be_changed(coordinator_client, site):
    response = coordinator_client.patch(
        f"{SITES}{site.pk}/", {"event": "iets-anders"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "event" in response.json()["fields"]


def test_a_draft_of_another_branch_is_not_found(client, event, other_branch, coordinator):
    draft = make_site(event, "Zwolle", other_branch, status=Site.Status.DRAFT)
    client.force_login(coordinator)
    response = client.patch(f"{SITES}{draft.pk}/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 404


# --- Reading shifts ------------------------------------------------------------------------------


def test_shifts_of_a_site_with_open_spots(client, site, django_user_model):
    morning = make_shift(site, capacity=3)
    make_shift(site, capacity=1, is_cancelled=True)
    sign_up(morning, make_user(django_user_model, "a@example.org"))
    sign_up(morning, make_user(django_user_model, "b@example.org"), Signup.Status.WAITLISTED)
    response = client.get(f"{SHIFTS}?site={site.pk}")
    assert response.status_code == 200
    (shift,) = response.json()
    assert shift["capacity"] == 3
    assert shift["confirmed"] == 1
    assert shift["open_spots"] == 2
    assert shift["role"] == "reception"
    assert shift["starts_at"] == on_the_day("11:00:00")
    assert shift["site_url"] == f"http://testserver/sites/{site.pk}/"
    assert "notes" not in shift


def test_shift_list_queries_do_not_grow_with_shifts(
    client, site, django_user_model, django_assert_max_num_queries
):
    for n in range(20):
        shift = make_shift(site, capacity=2)
        sign_up(shift, make_user(django_user_model, f"v{n}@example.org"))
    with django_assert_max_num_queries(2):
        response = client.get(f"{SHIFTS}?site={site.pk}")
    assert len(response.json()) == 20
    assert all(shift["open_spots"] == 1 for shift in response.json())


@pytest.mark.parametrize("query", ["", "site=", "site=abc", "site=-1", "site=1.5", "site=99999"])
def test_bad_site_parameter(client, site, query):
    response = client.get(f"{SHIFTS}?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == "site"


def test_shifts_of_a_draft_are_not_public(client, event, branch):
    draft = make_site(event, "Zwolle", branch, status=Site.Status.DRAFT)
    make_shift(draft)
    assert client.get(f"{SHIFTS}?site={draft.pk}").status_code == 400


def test_managers_see_the_notes(coordinator_client, site):
    make_shift(site, notes="Meld je bij de portier")
    (shift,) = coordinator_client.get(f"{SHIFTS}?site={site.pk}").json()
    assert shift["notes"] == "Meld je bij de portier"


def test_one_shift(client, shift):
    response = client.get(f"{SHIFTS}{shift.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == shift.pk
    assert client.get(f"{SHIFTS}999999/").status_code == 404


# --- Planning shifts ------------------------------------------------------------------------------


def shift_body(site, **extra):
    return {
        "site": site.pk,
        "role": "tour_guide",
        "starts_at": on_the_day("11:00:00"),
        "ends_at": on_the_day("13:00:00"),
        "capacity": 4,
        **extra,
    }


def test_a_coordinator_plans_a_shift(coordinator_client, site):
    response = coordinator_client.post(SHIFTS, shift_body(site), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["open_spots"] == 4 and body["confirmed"] == 0
    assert Shift.objects.get(pk=body["id"]).site == site
    assert response["Location"].endswith(f"/api/v1/shifts/{body['id']}/")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_at": on_the_day("10:00:00")}, "ends_at"),
        ({"capacity": -1}, "capacity"),
        ({"role": "chef"}, "role"),
        ({"site": 999999}, "site"),
        ({"volunteers": []}, "volunteers"),
    ],
)
def test_a_bad_shift_names_the_field(coordinator_client, site, change, field):
    response = coordinator_client.post(
        SHIFTS, {**shift_body(site), **change}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Shift.objects.exists()


def test_others_may_not_plan_shifts(client, site, volunteer):
    assert client.post(SHIFTS, shift_body(site), content_type="application/json").status_code in (
        401,
        403,
    )
    client.force_login(volunteer)
    response = client.post(SHIFTS, shift_body(site), content_type="application/json")
    assert response.status_code == 403
    assert not Shift.objects.exists()


def test_a_coordinator_changes_a_shift(coordinator_client, shift):
    response = coordinator_client.patch(
        f"{SHIFTS}{shift.pk}/",
        {"capacity": 5, "ends_at": on_the_day("14:00:00")},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["open_spots"] == 5
    shift.refresh_from_db()
    assert (shift.capacity, shift.sequence) == (5, 1)


def test_a_volunteer_may_not_change_a_shift(volunteer_client, shift):
    response = volunteer_client.patch(
        f"{SHIFTS}{shift.pk}/", {"capacity": 50}, content_type="application/json"
    )
    assert response.status_code == 403
    shift.refresh_from_db()
    assert shift.capacity == 3


def test_deleting_a_shift_nobody_signed_up_for(coordinator_client, shift):
    assert coordinator_client.delete(f"{SHIFTS}{shift.pk}/").status_code == 204
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_deleting_a_shift_with_volunteers_cancels_it_and_tells_them(
    coordinator_client, shift, volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    signup = sign_up(shift, volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.delete(f"{SHIFTS}{shift.pk}/")
    assert response.status_code == 200
    assert response.json()["is_cancelled"] is True
    shift.refresh_from_db()
    assert shift.is_cancelled and shift.sequence == 1
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED
    assert [message.to for message in mailoutbox] == [[volunteer.email]]


def test_the_answer_for_a_cancelled_shift_has_its_counts(coordinator_client, shift, volunteer):
    """Found by the schema fuzzing: the 200 answer lacked `confirmed` and `open_spots`."""
    sign_up(shift, volunteer)
    body = coordinator_client.delete(f"{SHIFTS}{shift.pk}/").json()
    assert body["is_cancelled"] is True
    assert (body["confirmed"], body["open_spots"]) == (0, shift.capacity)


def test_a_shift_outside_the_years_2000_to_2100_is_refused(coordinator_client, shift):
    """Found by the schema fuzzing: year 208 was stored and then shown with an offset
    of +00:19:32 (Amsterdam's local mean time), which no client can parse."""
    response = coordinator_client.patch(
        f"{SHIFTS}{shift.pk}/",
        {"starts_at": "0208-05-20T00:00:22Z"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()["fields"]
    shift.refresh_from_db()
    assert shift.starts_at.year == YEAR


def test_a_nul_character_in_a_slug_is_a_400(coordinator_client, branch, location, event):
    """Found by the schema fuzzing on PostgreSQL, which cannot compare text with NUL:
    the lookup of the edition failed with a 500."""
    body = {"event": "open-azc\u0000", "branch": branch.slug, "location": location.pk}
    response = coordinator_client.post(SITES, body, content_type="application/json")
    assert response.status_code == 400
    assert not Site.objects.filter(location=location).exists()


def test_fewer_places_than_confirmed_volunteers_are_refused(coordinator_client, shift, volunteer):
    sign_up(shift, volunteer)
    response = coordinator_client.patch(
        f"{SHIFTS}{shift.pk}/", {"capacity": 0}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "capacity_below_confirmed"
    shift.refresh_from_db()
    assert shift.capacity == 3


def test_deleting_a_shift_with_only_cancelled_sign_ups_keeps_it_cancelled(
    coordinator_client, client, shift, volunteer
):
    sign_up(shift, volunteer, Signup.Status.CANCELLED)
    assert coordinator_client.delete(f"{SHIFTS}{shift.pk}/").status_code == 200
    shift.refresh_from_db()
    assert shift.is_cancelled and shift.sequence == 1
    client.logout()
    assert client.get(f"{SHIFTS}?site={shift.site_id}").json() == []
    assert client.get(f"{SHIFTS}{shift.pk}/").status_code == 404


def test_a_volunteer_may_not_delete_a_shift(volunteer_client, shift):
    assert volunteer_client.delete(f"{SHIFTS}{shift.pk}/").status_code == 403
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_routes_of_other_modules_are_not_shadowed():
    """Claiming, releasing and tallies are other modules' routes: none of ours matches."""
    from django.urls import Resolver404, resolve

    from events.api import events, shifts, sites

    ours = {
        events.EventListView,
        sites.SiteListView,
        sites.SiteDetailView,
        shifts.ShiftListView,
        shifts.ShiftDetailView,
    }
    others = ("/api/v1/shifts/1/claim/", "/api/v1/shifts/1/release/", "/api/v1/sites/1/tallies/")
    for path in others:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        assert getattr(match.func, "view_class", None) not in ours, path


def test_a_cancelled_site_gets_no_new_shift(coordinator_client, site, coordinator):
    site_cancel(site=site, by=coordinator)
    response = coordinator_client.post(SHIFTS, shift_body(site), content_type="application/json")
    # A rule refusing the change (409, as for the site itself), naming the field.
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "site_wrong_status"
    assert response.json()["fields"]["site"] == ["Deze locatie is geannuleerd; dat kan nu niet."]
    assert not site.shifts.exists()
