"""The attendance API, operation by operation and role by role: organiser, coordinator
of the site's branch, coordinator of another branch, volunteer, stranger (anonymous)."""

import pytest
import time_machine
from rest_framework.test import APIClient

from events.models import Attendance
from events.services import attendance
from tests.conftest import make_user, on_event_day
from tests.factories import make_signup, make_volunteer


def at(hour, minute=0, **kw):
    return time_machine.travel(on_event_day(hour, minute, **kw), tick=False)


@pytest.fixture
def person(shift):
    return make_signup(shift, make_volunteer("vera@example.org", first_name="Vera"))


@pytest.fixture
def users(organiser, coordinator, other_branch, django_user_model, person):
    other = make_user(django_user_model, "other-coordinator@example.org")
    other_branch.coordinators.add(other)
    return {
        "organiser": organiser,
        "coordinator": coordinator,
        "other coordinator": other,
        "volunteer": make_volunteer("plain@example.org").user,
        "stranger": None,
    }


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


ALLOWED = {"organiser", "coordinator"}
ROLES = ["organiser", "coordinator", "other coordinator", "volunteer", "stranger"]


def refused(response, role) -> bool:
    """Refused as the role should be: 401 for a stranger, 403/404 for the others."""
    if role == "stranger":
        return response.status_code == 401
    return response.status_code in (403, 404) and "code" in response.json()


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_shifts_attendance(users, role, shift, person):
    with at(11):
        response = api(users[role]).get(f"/api/v1/shifts/{shift.pk}/attendance/")
    if role in ALLOWED:
        assert response.status_code == 200
        body = response.json()
        assert body["check_in_open"] is True
        assert body["people"][0]["first_name"] == "Vera"
        assert body["people"][0]["attendance"] is None
        assert body["counts"] == {"signed_up": 1, "turned_up": 0, "no_shows": 0, "walk_ins": 0}
    else:
        assert refused(response, role)
        assert "Vera" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_checking_in_out_undo_by_hand(users, role, shift, person):
    base = f"/api/v1/shifts/{shift.pk}/attendance/{person.pk}"
    client = api(users[role])
    with at(11):
        response = client.post(f"{base}/check-in/")
        if role not in ALLOWED:
            assert refused(response, role)
            assert not Attendance.objects.exists()
            return
        assert response.status_code == 200
        assert response.json()["status"] == "checked_in"
        assert response.json()["method"] == "coordinator"
        assert client.post(f"{base}/check-in/").status_code == 200  # twice: harmless
    with at(13, 30):
        response = client.post(f"{base}/check-out/")
        assert response.json()["status"] == "checked_out"
        assert client.post(f"{base}/undo/").status_code == 204
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_marking_a_no_show(users, role, shift, person):
    url = f"/api/v1/shifts/{shift.pk}/attendance/{person.pk}/no-show/"
    client = api(users[role])
    if role in ALLOWED:
        with at(10, 30):
            response = client.post(url)
        assert response.status_code == 409
        assert response.json()["code"] == "shift_not_begun"
    with at(11, 30):
        response = client.post(url)
    if role in ALLOWED:
        assert response.status_code == 200
        assert response.json()["status"] == "no_show"
    else:
        assert refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_adding_and_removing_a_walk_in(users, role, shift):
    client = api(users[role])
    with at(11):
        response = client.post(
            f"/api/v1/shifts/{shift.pk}/walk-ins/", {"name": "Amal"}, format="json"
        )
        if role not in ALLOWED:
            assert refused(response, role)
            assert not Attendance.objects.exists()
            return
        assert response.status_code == 201
        walk_in = response.json()["id"]
        assert response.json()["walk_in_name"] == "Amal"
        bad = client.post(f"/api/v1/shifts/{shift.pk}/walk-ins/", {"name": ""}, format="json")
        assert bad.status_code == 400
        out = client.post(f"/api/v1/shifts/{shift.pk}/walk-ins/{walk_in}/check-out/")
        assert out.json()["status"] == "checked_out"
        assert client.delete(f"/api/v1/shifts/{shift.pk}/walk-ins/{walk_in}/").status_code == 204
    assert not Attendance.objects.exists()


def test_a_volunteer_checks_themselves_in(shift, person):
    client = api(person.volunteer.user)
    url = f"/api/v1/shifts/{shift.pk}/check-in/"
    with at(9):
        response = client.post(url)
    assert response.status_code == 409
    assert response.json()["code"] == "check_in_too_early"
    with at(10, 30):
        response = client.post(url)
    assert response.status_code == 200
    assert response.json()["method"] == "self"
    # Someone without a place on it.
    with at(10, 30):
        response = api(make_volunteer().user).post(url)
    assert response.status_code == 409
    assert response.json()["code"] == "not_signed_up"
    assert APIClient().post(url).status_code == 401


def test_checking_in_with_the_code(site, shift, person, coordinator):
    with at(7):
        code = attendance.check_in_code_for(site, day=on_event_day(0).date(), by=coordinator)
    url = f"/api/v1/check-in/{code.token}/"
    with at(10, 30):
        response = api(person.volunteer.user).post(url)
        assert response.status_code == 200
        assert [row["signup"] for row in response.json()] == [person.pk]
        nobody = api(make_volunteer().user).post(url)
        assert nobody.status_code == 409
        assert nobody.json()["code"] == "no_shift_here"
        assert api(person.volunteer.user).post("/api/v1/check-in/nope/").status_code == 404
        assert APIClient().post(url).status_code == 401
    with at(10, 30, days=1):
        expired = api(person.volunteer.user).post(url)
    assert expired.status_code == 410
    assert expired.json()["code"] == "check_in_code_expired"


@pytest.mark.parametrize("role", ROLES)
def test_an_editions_counts(users, role, site, person, coordinator):
    with at(11):
        attendance.check_in(signup=person, by=coordinator, method=Attendance.Method.COORDINATOR)
        response = api(users[role]).get(f"/api/v1/events/{site.event.slug}/attendance/")
    if role in ALLOWED:
        assert response.status_code == 200
        body = response.json()
        assert (body["signed_up"], body["turned_up"]) == (1, 1)
        assert [b["id"] for b in body["branches"]] == [site.branch_id]
    elif role == "other coordinator":
        # Their own branch only: nothing of this one.
        assert response.status_code == 200
        assert response.json()["signed_up"] == 0
        assert response.json()["branches"] == []
        chosen = api(users[role]).get(
            f"/api/v1/events/{site.event.slug}/attendance/?branch={site.branch_id}"
        )
        assert chosen.status_code == 403
    else:
        assert refused(response, role)


def test_an_editions_counts_refuse_a_malformed_branch(organiser, site):
    response = api(organiser).get(f"/api/v1/events/{site.event.slug}/attendance/?branch=x")
    assert response.status_code == 400
    assert response.json()["parameter"] == "branch"


@pytest.mark.django_db  # the kinds and categories in the schema are data
def test_the_operations_are_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/shifts/{id}/attendance/",
        "/api/v1/shifts/{id}/attendance/{signup}/check-in/",
        "/api/v1/shifts/{id}/attendance/{signup}/no-show/",
        "/api/v1/shifts/{id}/walk-ins/",
        "/api/v1/shifts/{id}/check-in/",
        "/api/v1/check-in/{token}/",
        "/api/v1/events/{slug}/attendance/",
    ):
        assert path in paths, path
