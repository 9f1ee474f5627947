"""Attendance on the day (events.services.attendance): checking in and its refusals,
checking out, no-shows, undo, walk-ins, counts, and the roster and its CSV."""

import csv
import io

import pytest
import time_machine
from django.test import Client

from events.models import Attendance, Event, Shift, Site
from events.services import attendance, site_cancel
from tests.conftest import make_user, on_event_day
from tests.factories import make_signup, make_volunteer

SELF = Attendance.Method.SELF
BY_HAND = Attendance.Method.COORDINATOR


@pytest.fixture
def person(shift):
    """A volunteer with a confirmed place on `shift` (11:00–13:30 on the event day)."""
    volunteer = make_volunteer("vera@example.org", first_name="Vera", last_name="Jansen")
    return make_signup(shift, volunteer)


@pytest.fixture
def other_coordinator(db, django_user_model, other_branch):
    user = make_user(django_user_model, "other-coordinator@example.org")
    other_branch.coordinators.add(user)
    return user


def at(hour, minute=0, **kw):
    return time_machine.travel(on_event_day(hour, minute, **kw), tick=False)


# --- Checking in -----------------------------------------------------------------------------


def test_a_volunteer_checks_in_from_an_hour_before_the_start(person):
    user = person.volunteer.user
    with at(10, 0):
        row = attendance.check_in(signup=person, by=user, method=SELF)
    assert row.status == Attendance.Status.CHECKED_IN
    assert row.checked_in_by == user
    assert row.checked_in_at == on_event_day(10, 0)
    assert row.method == SELF


def test_checking_in_too_early_is_refused_with_the_opening_time(person):
    with at(9, 59), pytest.raises(attendance.CheckInTooEarly) as refused:
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
    assert refused.value.code == "check_in_too_early"
    assert "10:00" in refused.value.detail
    assert not Attendance.objects.exists()


def test_checking_in_the_day_before_is_refused(person):
    with at(11, days=-1), pytest.raises(attendance.CheckInTooEarly):
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)


def test_checking_in_after_the_shift_is_over_is_refused(person):
    # The shift ends at 13:30; check-in closes an hour later.
    with at(14, 31), pytest.raises(attendance.ShiftOver) as refused:
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
    assert refused.value.code == "shift_over"


def test_checking_in_twice_makes_one_row_and_keeps_the_first_time(person):
    user = person.volunteer.user
    with at(10, 50):
        first = attendance.check_in(signup=person, by=user, method=SELF)
    with at(11, 5):
        again = attendance.check_in(signup=person, by=user, method=SELF)
    assert again.pk == first.pk
    assert Attendance.objects.count() == 1
    assert again.checked_in_at == on_event_day(10, 50)


def test_nobody_checks_in_on_someone_elses_shift(person):
    stranger = make_volunteer("stranger@example.org")
    with at(11), pytest.raises(attendance.NotYourShift) as refused:
        attendance.check_in(signup=person, by=stranger.user, method=SELF)
    assert refused.value.status_code == 403
    # Not by hand either: that is for the site's coordinators.
    with at(11), pytest.raises(attendance.NotYourShift):
        attendance.check_in(signup=person, by=stranger.user, method=BY_HAND)
    assert not Attendance.objects.exists()


def test_a_waitlisted_volunteer_cannot_check_in(shift):
    waiting = make_signup(shift, make_volunteer(), status="waitlisted")
    with at(11), pytest.raises(attendance.NotConfirmed) as refused:
        attendance.check_in(signup=waiting, by=waiting.volunteer.user, method=SELF)
    assert refused.value.code == "not_confirmed"


def test_nobody_checks_in_at_a_cancelled_site(person, site, organiser):
    site_cancel(site=site, by=organiser, comment="Storm")
    with at(11), pytest.raises(attendance.AttendanceCancelled) as refused:
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
    assert refused.value.code == "shift_cancelled"
    assert not Attendance.objects.exists()


def test_a_cancelled_shift_refuses_check_in_even_with_a_confirmed_place(person, shift):
    Shift.objects.filter(pk=shift.pk).update(is_cancelled=True)
    with at(11), pytest.raises(attendance.AttendanceCancelled):
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)


def test_a_site_that_is_not_published_refuses_check_in(person, site):
    Site.objects.filter(pk=site.pk).update(status=Site.Status.SUBMITTED)
    with at(11), pytest.raises(attendance.SiteNotPublished):
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
    Site.objects.filter(pk=site.pk).update(status=Site.Status.PUBLISHED)
    Event.objects.filter(pk=site.event_id).update(is_published=False)
    with at(11), pytest.raises(attendance.SiteNotPublished):
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)


def test_the_branchs_coordinator_checks_in_by_hand_another_branch_does_not(
    person, coordinator, other_coordinator, organiser
):
    with at(11), pytest.raises(attendance.NotYourShift):
        attendance.check_in(signup=person, by=other_coordinator, method=BY_HAND)
    with at(11):
        row = attendance.check_in(signup=person, by=coordinator, method=BY_HAND)
    assert row.checked_in_by == coordinator
    assert row.method == BY_HAND


# --- Out, no-show, undo --------------------------------------------------------------------------


def test_check_out_then_undo(person, coordinator):
    with at(11):
        row = attendance.check_in(signup=person, by=coordinator, method=BY_HAND)
    with at(13, 30):
        row = attendance.check_out(attendance=row, by=coordinator)
    assert row.status == Attendance.Status.CHECKED_OUT
    assert row.checked_out_at == on_event_day(13, 30)
    attendance.undo(attendance=row, by=coordinator)
    assert not Attendance.objects.exists()


def test_no_show_only_once_the_shift_began_and_by_its_coordinators(
    person, coordinator, other_coordinator
):
    with at(10, 59), pytest.raises(attendance.ShiftNotBegun):
        attendance.mark_no_show(signup=person, by=coordinator)
    with at(11, 30), pytest.raises(attendance.NotYourShift):
        attendance.mark_no_show(signup=person, by=other_coordinator)
    with at(11, 30), pytest.raises(attendance.NotYourShift):
        attendance.mark_no_show(signup=person, by=person.volunteer.user)
    with at(11, 30):
        row = attendance.mark_no_show(signup=person, by=coordinator)
    assert row.status == Attendance.Status.NO_SHOW
    assert row.no_show_by == coordinator


def test_a_no_show_who_comes_after_all_checks_in(person, coordinator):
    with at(11, 30):
        attendance.mark_no_show(signup=person, by=coordinator)
    with at(12):
        row = attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
    assert row.status == Attendance.Status.CHECKED_IN
    assert Attendance.objects.count() == 1


def test_someone_checked_in_is_not_marked_as_not_come(person, coordinator):
    with at(11):
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
    with at(11, 30), pytest.raises(attendance.AlreadyCheckedIn):
        attendance.mark_no_show(signup=person, by=coordinator)


# --- Walk-ins ------------------------------------------------------------------------------------


def test_a_walk_in_is_checked_in_at_once_and_counts_on_its_own(shift, person, coordinator):
    with at(11, 15):
        row = attendance.add_walk_in(shift=shift, name="  Amal   Haddad ", by=coordinator)
    assert row.walk_in_name == "Amal Haddad"
    assert row.status == Attendance.Status.CHECKED_IN
    assert row.is_walk_in
    counts = attendance.shift_attendance([shift.pk])[shift.pk]
    assert counts == attendance.AttendanceCounts(signed_up=1, turned_up=0, no_shows=0, walk_ins=1)


def test_walk_ins_need_a_name_and_the_branchs_coordinator(shift, coordinator, other_coordinator):
    with at(11), pytest.raises(attendance.InvalidInput) as refused:
        attendance.add_walk_in(shift=shift, name="   ", by=coordinator)
    assert refused.value.field == "name"
    with at(11), pytest.raises(attendance.NotYourShift):
        attendance.add_walk_in(shift=shift, name="Amal", by=other_coordinator)
    with at(9), pytest.raises(attendance.CheckInTooEarly):
        attendance.add_walk_in(shift=shift, name="Amal", by=coordinator)
    assert not Attendance.objects.exists()


# --- Counts --------------------------------------------------------------------------------------


def test_counts_per_shift_and_edition_and_branch(site, shift, coordinator, other_branch):
    came, absent, _later = (make_signup(shift, make_volunteer()) for _ in range(3))
    make_signup(shift, make_volunteer(), status="waitlisted")
    with at(11, 30):
        attendance.check_in(signup=came, by=coordinator, method=BY_HAND)
        attendance.mark_no_show(signup=absent, by=coordinator)
        attendance.add_walk_in(shift=shift, name="Amal", by=coordinator)
    expected = attendance.AttendanceCounts(signed_up=3, turned_up=1, no_shows=1, walk_ins=1)
    assert attendance.shift_attendance([shift.pk])[shift.pk] == expected
    assert expected.not_yet == 1
    assert attendance.edition_attendance(site.event) == expected
    assert attendance.edition_attendance(site.event, branch=site.branch) == expected
    assert attendance.edition_attendance(site.event, branch=other_branch).signed_up == 0
    assert attendance.branch_attendance(site.event) == {site.branch_id: expected}


# --- The site's check-in code ------------------------------------------------------------------


def test_one_code_per_site_and_day_renewed_and_withdrawn(site, coordinator, other_coordinator):
    day = on_event_day(0).date()
    with at(8):
        code = attendance.check_in_code_for(site, day=day, by=coordinator)
        assert attendance.check_in_code_for(site, day=day, by=coordinator).pk == code.pk
        assert code.expires_at == on_event_day(0, days=1)
        with pytest.raises(attendance.NotYourShift):
            attendance.check_in_code_for(site, day=day, by=other_coordinator)
        new = attendance.check_in_code_renew(site=site, day=day, by=coordinator)
        assert new.token != code.token
        with pytest.raises(attendance.CheckInCodeWithdrawn):
            attendance.code_by_token(code.token)
        attendance.check_in_code_revoke(site=site, day=day, by=coordinator)
        with pytest.raises(attendance.CheckInCodeWithdrawn) as refused:
            attendance.code_by_token(new.token)
    assert refused.value.status_code == 410


def test_a_code_is_only_for_the_sites_days(site, coordinator):
    with at(8), pytest.raises(attendance.CheckInDayInvalid):
        attendance.check_in_code_for(site, day=on_event_day(0, days=1).date(), by=coordinator)


def test_checking_in_with_the_code(person, site, coordinator):
    with at(8):
        code = attendance.check_in_code_for(site, day=on_event_day(0).date(), by=coordinator)
    user = person.volunteer.user
    with at(9), pytest.raises(attendance.CheckInTooEarly):
        attendance.check_in_with_code(token=code.token, user=user)
    with at(10, 45):
        rows = attendance.check_in_with_code(token=code.token, user=user)
    assert [(r.signup_id, r.method) for r in rows] == [(person.pk, Attendance.Method.CODE)]
    # Someone without a shift there.
    with at(11), pytest.raises(attendance.NoShiftHere):
        attendance.check_in_with_code(token=code.token, user=make_volunteer().user)
    # The next day the code has expired.
    with at(11, days=1), pytest.raises(attendance.CheckInCodeExpired):
        attendance.check_in_with_code(token=code.token, user=user)
    with pytest.raises(attendance.CheckInCodeUnknown):
        attendance.check_in_with_code(token="no-such-code", user=user)


# --- The roster and its CSV -------------------------------------------------------------------


def signed_in(user) -> Client:
    """A client signed in now, in English (call it with the clock moved: a session made
    before the clock moved a year ahead would have expired)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_roster_checks_people_in_and_out_and_adds_walk_ins(coordinator, person, site, shift):
    url = f"/coordinate/sites/{site.pk}/roster/attendance/"
    with at(10, 30):
        client = signed_in(coordinator)
        page = client.get(f"/coordinate/sites/{site.pk}/roster/")
        assert 'value="check_in"' in page.content.decode()
        assert 'value="no_show"' not in page.content.decode()  # not begun yet
        response = client.post(url, {"action": "check_in", "signup": person.pk})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#shift-{shift.pk}")
        client.post(url, {"action": "walk_in", "shift": shift.pk, "name": "Amal"})
    row = Attendance.objects.get(signup=person)
    assert row.method == BY_HAND
    assert Attendance.objects.filter(walk_in_name="Amal").exists()
    with at(13, 30):
        client = signed_in(coordinator)
        client.post(url, {"action": "check_out", "signup": person.pk})
        page = client.get(f"/coordinate/sites/{site.pk}/roster/")
    row.refresh_from_db()
    assert row.status == Attendance.Status.CHECKED_OUT
    text = page.content.decode()
    assert "in 10:30, out 13:30" in text
    assert "Amal" in text
    assert "1 of 1 checked in" in text


def test_the_roster_marks_who_did_not_come_and_undoes_it(coordinator, person, site):
    url = f"/coordinate/sites/{site.pk}/roster/attendance/"
    with at(11, 30):
        client = signed_in(coordinator)
        assert (
            'value="no_show"' in client.get(f"/coordinate/sites/{site.pk}/roster/").content.decode()
        )
        client.post(url, {"action": "no_show", "signup": person.pk})
        assert Attendance.objects.get(signup=person).status == Attendance.Status.NO_SHOW
        client.post(url, {"action": "undo", "signup": person.pk})
    assert not Attendance.objects.exists()


def test_the_roster_refuses_another_branchs_coordinator_and_volunteers(
    client, person, site, other_coordinator
):
    url = f"/coordinate/sites/{site.pk}/roster/attendance/"
    for user in (other_coordinator, person.volunteer.user):
        with at(11):
            client.force_login(user)
            response = client.post(url, {"action": "check_in", "signup": person.pk})
        assert response.status_code in (403, 404)
    client.logout()
    with at(11):
        response = client.post(url, {"action": "check_in", "signup": person.pk})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Attendance.objects.exists()


def test_a_refusal_on_the_roster_is_a_message_not_an_error(coordinator, person, site):
    url = f"/coordinate/sites/{site.pk}/roster/attendance/"
    with at(8):
        client = signed_in(coordinator)
        response = client.post(url, {"action": "check_in", "signup": person.pk}, follow=True)
        assert response.status_code == 200
        assert any("10:00" in str(m.message) for m in response.context["messages"])
        for bad in (
            {"action": "check_in", "signup": "x"},
            {"action": "walk_in", "shift": "²"},
            {"action": "undo", "attendance": "999999"},
            {"action": "explode", "signup": person.pk},
            {},
        ):
            assert client.post(url, bad).status_code == 302
    assert not Attendance.objects.exists()


def test_the_roster_csv_has_attendance_columns(person, site, shift, coordinator):
    with at(10, 45):
        attendance.check_in(signup=person, by=person.volunteer.user, method=SELF)
        attendance.add_walk_in(shift=shift, name="Amal", by=coordinator)
        response = signed_in(coordinator).get(f"/coordinate/sites/{site.pk}/roster.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["Attendance", "Checked in at", "Checked out at"]
    vera = next(r for r in rows if "Vera" in r)
    assert vera[-3:] == ["checked in", "10:45", ""]
    amal = next(r for r in rows if "Amal" in r)
    assert amal[-3:] == ["checked in", "10:45", ""]


def test_the_edition_pages_show_the_counts(organiser, person, site, coordinator):
    with at(11, 30):
        attendance.check_in(signup=person, by=coordinator, method=BY_HAND)
        page = signed_in(organiser).get(f"/manage/editions/{site.event.slug}/")
        assert page.context["attendance_rows"] == [
            (None, attendance.AttendanceCounts(signed_up=1, turned_up=1))
        ]
        assert "Turned up" in page.content.decode()
        page = signed_in(coordinator).get(f"/manage/editions/{site.event.slug}/staffing/")
        assert page.context["attendance_rows"] == [
            (site.branch, attendance.AttendanceCounts(signed_up=1, turned_up=1))
        ]
    # Before the day: nothing to show.
    with at(11, days=-2):
        page = signed_in(organiser).get(f"/manage/editions/{site.event.slug}/")
        assert page.context["attendance_rows"] == []


def test_bad_walk_in_names_and_codes_are_refused_clearly(site, shift, coordinator):
    with at(11):
        for name in ("Amal\x00", "Amal\u202eladmA", "x" * 151):
            with pytest.raises(attendance.InvalidInput):
                attendance.add_walk_in(shift=shift, name=name, by=coordinator)
        client = signed_in(coordinator)
        response = client.post(
            f"/coordinate/sites/{site.pk}/roster/attendance/",
            {"action": "walk_in", "shift": shift.pk, "name": "Amal\x00"},
        )
        assert response.status_code == 302
        for token in ("", "a\x00b", "x" * 65, "a/b"):
            with pytest.raises(attendance.CheckInCodeUnknown):
                attendance.code_by_token(token)
    assert not Attendance.objects.exists()


def test_no_code_for_a_site_that_is_not_public(site, coordinator):
    Site.objects.filter(pk=site.pk).update(status=Site.Status.SUBMITTED)
    site.refresh_from_db()
    with at(8), pytest.raises(attendance.SiteNotPublished):
        attendance.check_in_code_for(site, day=on_event_day(0).date(), by=coordinator)
