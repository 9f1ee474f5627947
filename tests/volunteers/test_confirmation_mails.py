"""A volunteer gets a mail when their claim is confirmed, when they join the waitlist,
when they move up from it, and when they release a place; a place they have or had comes
with the shift as a calendar file that their calendar app files under the same event as
their personal feed (same UID and SEQUENCE), and removes again on a release."""

import zoneinfo

import icalendar
from django.core import mail

from events import calendar
from events.services import signup_create, signup_release
from tests.factories import make_shift, make_volunteer
from volunteers.calendar import volunteer_feed
from volunteers.helpers import HelperDetails, helper_add, new_form_key

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def attached_calendar(message):
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert filename == "shift.ics" and mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(content)


def the_event(cal):
    (event,) = cal.walk("VEVENT")
    return event


def feed_event(volunteer, shift):
    feed = icalendar.Calendar.from_ical(volunteer_feed(volunteer, language="en"))
    uid = calendar.uid_for("shift", shift.pk)
    (event,) = [e for e in feed.walk("VEVENT") if str(e["UID"]) == uid]
    return event


def test_a_confirmed_claim_is_mailed_with_the_shift_for_the_calendar(
    site, django_capture_on_commit_callbacks
):
    shift = make_shift(site, starts_in_hours=50)
    person = make_volunteer("amal@example.org", first_name="Amal", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(shift=shift, volunteer=person)
    (message,) = mails_to("amal@example.org")
    assert "Amal" in message.body and "/my/shifts/" in message.body
    assert site.display_name in message.subject
    cal = attached_calendar(message)
    assert str(cal["METHOD"]) == "PUBLISH"
    event = the_event(cal)
    assert str(event["UID"]) == calendar.uid_for("shift", shift.pk)
    assert str(event["STATUS"]) == "CONFIRMED"
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert start == shift.starts_at and end == shift.ends_at
    # The wall-clock time in Amsterdam, as the volunteer reads it.
    local = shift.starts_at.astimezone(AMSTERDAM)
    assert f"DTSTART;TZID=Europe/Amsterdam:{local:%Y%m%dT%H%M%S}" in message.attachments[0][1]
    # The personal feed has the same event: a calendar app keeps one.
    feed = feed_event(person, shift)
    assert event["SEQUENCE"] == feed["SEQUENCE"]


def test_joining_the_waitlist_is_a_short_mail_without_a_calendar_file(
    site, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1)
    signup_create(shift=shift, volunteer=make_volunteer("first@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(shift=shift, volunteer=make_volunteer("second@example.org"))
    (message,) = mails_to("second@example.org")
    assert message.attachments == []
    assert "/my/shifts/" in message.body


def test_a_release_takes_the_shift_out_of_the_calendar(site, django_capture_on_commit_callbacks):
    shift = make_shift(site, capacity=1)
    person = make_volunteer("bas@example.org")
    waiting = make_volunteer("wim@example.org")
    signup_create(shift=shift, volunteer=person)
    signup_create(shift=shift, volunteer=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        signup_release(shift=shift, volunteer=person)

    (released,) = mails_to("bas@example.org")
    cal = attached_calendar(released)
    assert str(cal["METHOD"]) == "CANCEL"
    event = the_event(cal)
    assert str(event["UID"]) == calendar.uid_for("shift", shift.pk)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["DTSTART"].dt == shift.starts_at
    feed = feed_event(person, shift)
    assert str(feed["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == feed["SEQUENCE"]
    assert event["SEQUENCE"] > 0  # newer than the event the calendar has

    # The one who moved up gets the place, with the shift to add.
    (promoted,) = mails_to("wim@example.org")
    moved_up = attached_calendar(promoted)
    assert str(moved_up["METHOD"]) == "PUBLISH"
    assert str(the_event(moved_up)["STATUS"]) == "CONFIRMED"


def test_leaving_the_waitlist_is_mailed_without_a_calendar_file(
    site, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1)
    signup_create(shift=shift, volunteer=make_volunteer("first@example.org"))
    waiting = make_volunteer("second@example.org")
    signup_create(shift=shift, volunteer=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        signup_release(shift=shift, volunteer=waiting)
    (message,) = mails_to("second@example.org")
    assert message.attachments == []


def test_a_helper_added_with_an_address_gets_the_confirmation_with_their_personal_link(
    site, coordinator, django_capture_on_commit_callbacks
):
    shift = make_shift(site)
    with django_capture_on_commit_callbacks(execute=True):
        added = helper_add(
            shift=shift,
            details=HelperDetails(name="Selam", language="en", email="selam@example.org"),
            by=coordinator,
            form_key=new_form_key(),
        )
    confirmations = [m for m in mails_to("selam@example.org") if m.attachments]
    (message,) = confirmations
    assert f"/me/{added.volunteer.link_token}/" in message.body
    assert "/my/shifts/" not in message.body
    event = the_event(attached_calendar(message))
    assert str(event["UID"]) == calendar.uid_for("shift", shift.pk)
    # The calendar file says nothing of the personal link: it may end up in a shared
    # calendar.
    assert added.volunteer.link_token not in message.attachments[0][1]


def test_a_shift_moved_twice_mails_twice_and_a_rerun_mails_nobody_again(
    shift, django_capture_on_commit_callbacks
):
    import datetime

    from events import tasks
    from events.services import shift_update

    person = make_volunteer("moved@example.org")
    signup = signup_create(shift=shift, volunteer=person)
    for hours in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            shift = shift_update(
                shift=shift,
                starts_at=shift.starts_at + datetime.timedelta(hours=hours),
                ends_at=shift.ends_at + datetime.timedelta(hours=hours),
            )
    assert len(mails_to("moved@example.org")) == 2
    # A task run twice (a retry, a second worker) mails once.
    tasks.send_shift_mails_task.call("signup_confirmed", [signup.pk])
    tasks.send_shift_mails_task.call("signup_confirmed", [signup.pk])
    assert len(mails_to("moved@example.org")) == 3
    tasks.send_shift_moved_task.call(
        [signup.pk],
        *(["2030-01-01T10:00:00+00:00"] * 2),
        shift.starts_at.isoformat(),
        shift.ends_at.isoformat(),
    )
    assert len(mails_to("moved@example.org")) == 3  # that move was mailed already


def test_the_demo_seed_mails_nobody(site, django_capture_on_commit_callbacks):
    from events import notifications

    shift = make_shift(site)
    with django_capture_on_commit_callbacks(execute=True), notifications.quiet():
        signup_create(shift=shift, volunteer=make_volunteer("invented@example.org"))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(shift=make_shift(site, starts_in_hours=10), volunteer=make_volunteer())
    assert len(mail.outbox) == 1  # outside the block, mail goes out again
