"""A walk-in helper added twice by the same form (a double tap, a resent request) is one
helper: the roster's walk-in form and the API carry a one-time `form_key`."""

import re

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from events.models import Attendance
from events.services import attendance
from tests.conftest import make_user, on_event_day
from tests.events.test_signup_race import run_together
from tests.factories import make_volunteer

KEY = "k" * 32


def at(hour, minute=0):
    return time_machine.travel(on_event_day(hour, minute), tick=False)


@pytest.fixture
def other_coordinator(db, django_user_model, other_branch):
    user = make_user(django_user_model, "other-coordinator@example.org")
    other_branch.coordinators.add(user)
    return user


def walk_ins(shift) -> list[str]:
    return list(shift.attendances.filter(signup=None).values_list("walk_in_name", flat=True))


# --- The service ------------------------------------------------------------------------------


def test_the_same_form_sent_twice_adds_one_walk_in(shift, coordinator):
    with at(11):
        first = attendance.add_walk_in(shift=shift, name="Noor", by=coordinator, form_key=KEY)
        again = attendance.add_walk_in(shift=shift, name=" Noor ", by=coordinator, form_key=KEY)
    assert (first.repeated, again.repeated) == (False, True)
    assert again.pk == first.pk
    assert walk_ins(shift) == ["Noor"]
    assert attendance.shift_attendance([shift.pk])[shift.pk].walk_ins == 1


def test_two_forms_add_two_walk_ins_with_the_same_name(shift, coordinator):
    with at(11):
        attendance.add_walk_in(shift=shift, name="Noor", by=coordinator, form_key=KEY)
        attendance.add_walk_in(shift=shift, name="Noor", by=coordinator, form_key="x" * 32)
        attendance.add_walk_in(shift=shift, name="Noor", by=coordinator)  # no key: as before
    assert walk_ins(shift) == ["Noor", "Noor", "Noor"]


def test_a_key_used_for_another_name_or_shift_is_refused(site, shift, coordinator):
    other_shift = type(shift).objects.create(
        site=site, role=shift.role, starts_at=shift.starts_at, ends_at=shift.ends_at, capacity=2
    )
    with at(11):
        attendance.add_walk_in(shift=shift, name="Noor", by=coordinator, form_key=KEY)
        with pytest.raises(attendance.WalkInFormAlreadySent):
            attendance.add_walk_in(shift=shift, name="Sami", by=coordinator, form_key=KEY)
        with pytest.raises(attendance.WalkInFormAlreadySent):
            attendance.add_walk_in(shift=other_shift, name="Noor", by=coordinator, form_key=KEY)
    assert Attendance.objects.count() == 1


def test_a_key_does_not_let_another_branch_see_the_row(shift, coordinator, other_coordinator):
    with at(11):
        attendance.add_walk_in(shift=shift, name="Noor", by=coordinator, form_key=KEY)
        with pytest.raises(attendance.NotYourShift):
            attendance.add_walk_in(shift=shift, name="Noor", by=other_coordinator, form_key=KEY)


@pytest.mark.parametrize("key", ["a b", "ä" * 10, "x" * 65, "k\x00"])
def test_a_malformed_key_is_refused(shift, coordinator, key):
    with at(11), pytest.raises(attendance.InvalidInput):
        attendance.add_walk_in(shift=shift, name="Noor", by=coordinator, form_key=key)
    assert not Attendance.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_taps_with_one_key_add_one_walk_in(shift, coordinator):
    with at(11):
        results = run_together(
            lambda _i: attendance.add_walk_in(
                shift=shift, name="Noor", by=coordinator, form_key=KEY
            ),
            list(range(6)),
        )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len({r.pk for r in results}) == 1
    assert sorted(r.repeated for r in results) == [False] + [True] * 5
    assert walk_ins(shift) == ["Noor"]


# --- The roster page ---------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_keys(page) -> list[str]:
    return re.findall(r'name="form_key" value="([A-Za-z0-9_-]+)"', page.content.decode())


def test_the_roster_form_sent_twice_adds_one_walk_in(site, shift, coordinator):
    with at(11):
        client = signed_in(coordinator)
        page = client.get(f"/coordinate/sites/{site.pk}/roster/")
        [key] = form_keys(page)
        assert form_keys(client.get(f"/coordinate/sites/{site.pk}/roster/")) != [key]
        form = {"action": "walk_in", "shift": shift.pk, "name": "Noor", "form_key": key}
        url = f"/coordinate/sites/{site.pk}/roster/attendance/"
        first = client.post(url, form)
        second = client.post(url, form)
        page = client.get(f"/coordinate/sites/{site.pk}/roster/")
    assert first.status_code == second.status_code == 302
    assert walk_ins(shift) == ["Noor"]
    assert page.content.decode().count("<bdi>Noor</bdi>") == 1


def test_the_roster_form_with_its_key_used_for_another_name_says_so(site, shift, coordinator):
    url = f"/coordinate/sites/{site.pk}/roster/attendance/"
    with at(11):
        client = signed_in(coordinator)
        client.post(url, {"action": "walk_in", "shift": shift.pk, "name": "Noor", "form_key": KEY})
        response = client.post(
            url,
            {"action": "walk_in", "shift": shift.pk, "name": "Sami", "form_key": KEY},
            follow=True,
        )
    assert response.status_code == 200
    assert "This form was already sent" in response.content.decode()
    assert walk_ins(shift) == ["Noor"]


@pytest.mark.parametrize("who", ["other coordinator", "volunteer", "stranger"])
def test_the_roster_form_is_refused_to_others(site, shift, other_coordinator, who):
    user = make_volunteer("plain@example.org").user if who == "volunteer" else other_coordinator
    with at(11):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if who != "stranger":
            client.force_login(user)
        response = client.post(
            f"/coordinate/sites/{site.pk}/roster/attendance/",
            {"action": "walk_in", "shift": shift.pk, "name": "Noor", "form_key": KEY},
        )
    assert response.status_code in (302, 403, 404)
    if who == "stranger":
        assert "/login" in response["Location"]
    else:
        assert response.status_code in (403, 404)
    assert not Attendance.objects.exists()


# --- The API ------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_api_sent_twice_with_one_key_adds_one_walk_in(shift, coordinator):
    client = api(coordinator)
    url = f"/api/v1/shifts/{shift.pk}/walk-ins/"
    with at(11):
        first = client.post(url, {"name": "Noor", "form_key": KEY}, format="json")
        second = client.post(url, {"name": "Noor", "form_key": KEY}, format="json")
        other_name = client.post(url, {"name": "Sami", "form_key": KEY}, format="json")
        bad_key = client.post(url, {"name": "Sami", "form_key": "no spaces"}, format="json")
        without = client.post(url, {"name": "Sami"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert (other_name.status_code, other_name.json()["code"]) == (409, "form_already_sent")
    assert bad_key.status_code == 400 and "form_key" in bad_key.json()["fields"]
    assert without.status_code == 201
    assert walk_ins(shift) == ["Noor", "Sami"]


@pytest.mark.parametrize("who", ["other coordinator", "volunteer", "stranger"])
def test_the_api_refuses_others_even_with_a_used_key(shift, coordinator, other_coordinator, who):
    users = {
        "other coordinator": other_coordinator,
        "volunteer": make_volunteer("plain@example.org").user,
        "stranger": None,
    }
    url = f"/api/v1/shifts/{shift.pk}/walk-ins/"
    with at(11):
        api(coordinator).post(url, {"name": "Noor", "form_key": KEY}, format="json")
        response = api(users[who]).post(url, {"name": "Noor", "form_key": KEY}, format="json")
    assert response.status_code == (401 if who == "stranger" else 403) or (
        who != "stranger" and response.status_code == 404
    )
    assert "walk_in_name" not in response.json()
    assert walk_ins(shift) == ["Noor"]
