"""Checking in from the volunteer's side: "My shifts" on the day (check in, the count
button, the site lead's link, history), a helper's personal page, the site's QR code
(`/c/<token>/`) and the coordinator's page of that code."""

import pytest
import time_machine
from django.test import Client

from events.models import Attendance, Event, Shift
from events.services import attendance
from tests.conftest import on_event_day
from tests.factories import make_signup, make_volunteer
from tests.volunteers.conftest import add_helper


def at(hour, minute=0, **kw):
    return time_machine.travel(on_event_day(hour, minute, **kw), tick=False)


def signed_in(user) -> Client:
    """A client signed in now, in English (sign in with the clock moved: a session made
    before it moved a year ahead would have expired)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def person(shift):
    volunteer = make_volunteer("vera@example.org", first_name="Vera")
    return make_signup(shift, volunteer)


# --- My shifts ---------------------------------------------------------------------------------


def test_my_shifts_offers_check_in_and_counting_on_the_day(person, shift, site):
    user = person.volunteer.user
    with at(10, 30):
        page = signed_in(user).get("/my/shifts/").content.decode()
    assert f'action="/my/shifts/{shift.pk}/check-in/"' in page
    assert f'href="/sites/{site.pk}/count/"' in page
    assert "Count: visitors, children" in page


def test_my_shifts_offers_neither_the_day_before(person, shift, site):
    with at(10, 30, days=-1):
        page = signed_in(person.volunteer.user).get("/my/shifts/").content.decode()
    assert f"/my/shifts/{shift.pk}/check-in/" not in page
    assert f"/sites/{site.pk}/count/" not in page


def test_the_count_button_is_worded_for_a_coffee_day(person, site):
    Event.objects.filter(pk=site.event_id).update(kind_id="coffee")
    with at(12):
        page = signed_in(person.volunteer.user).get("/my/shifts/").content.decode()
    assert "Count: cups of coffee, conversations, passers-by reached" in page
    assert "visitors, children" not in page


def test_a_waitlisted_volunteer_gets_no_check_in_and_no_counter(shift, site):
    waiting = make_signup(shift, make_volunteer(), status="waitlisted")
    with at(11):
        page = signed_in(waiting.volunteer.user).get("/my/shifts/").content.decode()
    assert f"/my/shifts/{shift.pk}/check-in/" not in page
    assert f"/sites/{site.pk}/count/" not in page


def test_checking_in_from_my_shifts(person, shift):
    with at(10, 40):
        client = signed_in(person.volunteer.user)
        response = client.post(f"/my/shifts/{shift.pk}/check-in/", follow=True)
    row = Attendance.objects.get(signup=person)
    assert row.method == Attendance.Method.SELF
    page = response.content.decode()
    assert "Checked in at 10:40" in page
    assert f"/my/shifts/{shift.pk}/check-in/" not in page  # no second button


def test_checking_in_too_early_or_on_someone_elses_shift_says_why(person, shift):
    with at(9):
        response = signed_in(person.volunteer.user).post(
            f"/my/shifts/{shift.pk}/check-in/", follow=True
        )
        assert any("10:00" in str(m.message) for m in response.context["messages"])
        stranger = signed_in(make_volunteer().user)
        response = stranger.post(f"/my/shifts/{shift.pk}/check-in/", follow=True)
        assert [str(m.message) for m in response.context["messages"]] == [
            "You have no place on this shift."
        ]
        assert stranger.get("/my/shifts/999999/check-in/").status_code == 405
        assert stranger.post("/my/shifts/999999/check-in/").status_code == 404
    assert not Attendance.objects.exists()


def test_a_site_lead_gets_the_site_state_link_on_the_day(site):
    lead = Shift.objects.create(
        site=site,
        role=Shift.Role.LEAD,
        starts_at=on_event_day(10),
        ends_at=on_event_day(16),
        capacity=1,
    )
    signup = make_signup(lead, make_volunteer())
    with at(9):
        page = signed_in(signup.volunteer.user).get("/my/shifts/").content.decode()
    assert f'href="/sites/{site.pk}/state/"' in page
    with at(9, days=-1):
        page = signed_in(signup.volunteer.user).get("/my/shifts/").content.decode()
    assert f"/sites/{site.pk}/state/" not in page


def test_history_shows_what_the_person_did(person, shift, coordinator):
    other = Shift.objects.create(
        site=shift.site,
        role=Shift.Role.COFFEE,
        starts_at=on_event_day(14),
        ends_at=on_event_day(15),
        capacity=2,
    )
    missed = make_signup(other, person.volunteer)
    with at(10, 50):
        row = attendance.check_in(
            signup=person, by=person.volunteer.user, method=Attendance.Method.SELF
        )
    with at(13, 35):
        attendance.check_out(attendance=row, by=coordinator)
    with at(14, 30):
        attendance.mark_no_show(signup=missed, by=coordinator)
    with at(10, days=1):
        page = signed_in(person.volunteer.user).get("/my/shifts/").content.decode()
    history = page.split("Earlier shifts", 1)[1]
    assert "checked in at 10:50, out at 13:35" in history
    assert "did not come" in history


# --- A helper without a log-in --------------------------------------------------------------


def test_a_helper_checks_in_on_their_personal_page(shift, coordinator, fresh_limits):
    helper = add_helper(shift, coordinator, language="en")
    token = helper.volunteer.link_token
    client = Client()
    with at(12):
        page = client.get(f"/me/{token}/").content.decode()
        assert f'action="/me/{token}/shifts/{shift.pk}/check-in/"' in page
        response = client.post(f"/me/{token}/shifts/{shift.pk}/check-in/", follow=True)
    row = Attendance.objects.get(signup=helper.signup)
    assert row.checked_in_by == helper.volunteer.user
    assert "Checked in at 12:00" in response.content.decode()


def test_a_helpers_check_in_the_day_before_is_refused(shift, coordinator, fresh_limits):
    helper = add_helper(shift, coordinator, language="en")
    token = helper.volunteer.link_token
    with at(12, days=-1):
        client = Client()
        assert f"/shifts/{shift.pk}/check-in/" not in client.get(f"/me/{token}/").content.decode()
        client.post(f"/me/{token}/shifts/{shift.pk}/check-in/")
    assert not Attendance.objects.exists()


# --- The QR code ------------------------------------------------------------------------------


@pytest.fixture
def code(site, coordinator):
    with at(7):
        return attendance.check_in_code_for(site, day=on_event_day(0).date(), by=coordinator)


def test_the_qr_link_asks_to_log_in_and_comes_back(person, code):
    with at(10, 30):
        response = Client().get(f"/c/{code.token}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/c/{code.token}/"


def test_checking_in_with_the_qr_link(person, code, site):
    with at(10, 30):
        client = signed_in(person.volunteer.user)
        page = client.get(f"/c/{code.token}/")
        assert page.status_code == 200
        assert page["Cache-Control"] == "private, no-store"
        assert "big-button" in page.content.decode()
        response = client.post(f"/c/{code.token}/", follow=True)
    assert Attendance.objects.get(signup=person).method == Attendance.Method.CODE
    text = response.content.decode()
    assert "Checked in at 10:30" in text
    assert "big-button" not in text


def test_the_qr_link_for_someone_without_a_shift_there(code):
    with at(10, 30):
        response = signed_in(make_volunteer().user).get(f"/c/{code.token}/")
    assert response.status_code == 409
    assert 'href="/my/shifts/"' in response.content.decode()
    assert "You have no shift at this site" in response.content.decode()


def test_an_expired_withdrawn_or_unknown_code(person, code, site, coordinator):
    with at(10, 30, days=1):
        response = signed_in(person.volunteer.user).get(f"/c/{code.token}/")
    assert response.status_code == 410
    with at(10, 30):
        attendance.check_in_code_revoke(site=site, day=code.day, by=coordinator)
        client = signed_in(person.volunteer.user)
        assert client.get(f"/c/{code.token}/").status_code == 410
        assert client.post(f"/c/{code.token}/").status_code == 410
        assert client.get("/c/no-such-code/").status_code == 404
        assert client.get("/c/" + "x" * 300 + "/").status_code == 404
        assert client.get("/c/a%00b/").status_code == 404
    assert not Attendance.objects.exists()


# --- The coordinator's page of the code -------------------------------------------------------


def test_the_coordinator_shows_renews_and_withdraws_the_code(site, coordinator):
    url = f"/coordinate/sites/{site.pk}/check-in-code/"
    with at(8):
        client = signed_in(coordinator)
        page = client.get(url)
        assert page.status_code == 200
        first = attendance.live_code(site, on_event_day(0).date())
        text = page.content.decode()
        assert "<svg" in text
        assert f"/c/{first.token}/" in text
        client.post(url, {"action": "renew", "day": first.day.isoformat()})
        second = attendance.live_code(site, first.day)
        assert second.token != first.token
        client.post(url, {"action": "withdraw", "day": first.day.isoformat()})
        assert attendance.live_code(site, first.day) is None
        # Withdrawn stays withdrawn until someone makes a new one.
        page = client.get(url + f"?day={first.day.isoformat()}&withdrawn=1")
        assert attendance.live_code(site, first.day) is None
        assert "<svg" not in page.content.decode()


def test_the_code_page_is_for_the_branchs_coordinators_only(site, other_coordinator, person):
    url = f"/coordinate/sites/{site.pk}/check-in-code/"
    with at(8):
        for user in (other_coordinator, person.volunteer.user):
            assert signed_in(user).get(url).status_code in (403, 404)
        assert Client().get(url).status_code == 302
    assert attendance.live_code(site, on_event_day(0).date()) is None


def test_the_roster_and_the_site_page_link_to_the_code(site, coordinator):
    with at(8):
        client = signed_in(coordinator)
        for page in (f"/coordinate/sites/{site.pk}/roster/", f"/manage/sites/{site.pk}/"):
            assert (
                f"/coordinate/sites/{site.pk}/check-in-code/" in client.get(page).content.decode()
            )


def test_my_data_holds_my_check_ins(person):
    with at(10, 50):
        attendance.check_in(signup=person, by=person.volunteer.user, method=Attendance.Method.SELF)
        data = signed_in(person.volunteer.user).get("/my/data.json").json()
    [signup] = data["signups"]
    assert signup["attendance"]["status"] == "checked_in"
    assert signup["attendance"]["checked_in_at"].startswith(on_event_day(10, 50).date().isoformat())
