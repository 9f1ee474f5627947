"""Creating an edition, its registration window, registering sites, and cloning."""

import datetime

import pytest
from django.utils import timezone

from common.clock import at_local
from common.errors import InvalidInput
from events.errors import EditionClosed, RegistrationClosed, RegistrationNotYetOpen
from events.models import Event, Shift, ShiftTemplate, Site, SiteStatusChange
from events.services import site_create
from events.services.cloning import event_clone
from events.services.editions import (
    TemplateSpec,
    event_create,
    event_templates_set,
    event_update,
    registration_state,
)
from tests.conftest import AMSTERDAM, EVENT_DAY, YEAR, aware, last_weekday_of
from tests.events.editions_helpers import (
    NEXT_EVENT_DAY,
    draft_site,
    past_edition,
    place,
    upcoming_edition,
)

pytestmark = pytest.mark.django_db


# --- Creating an edition ------------------------------------------------------------------


def test_a_new_open_day_gets_the_usual_hours_and_shifts(organiser):
    year = NEXT_EVENT_DAY.year
    event = event_create(
        name=f"Open azc dag {year}",
        kind="open_day",
        date=NEXT_EVENT_DAY,
        by=organiser,
    )
    assert event.slug == f"open-azc-dag-{year}"
    assert not event.is_published
    assert (event.default_opens_at, event.default_closes_at) == (
        datetime.time(11),
        datetime.time(16),
    )
    roles = list(event.shift_templates.values_list("role", flat=True))
    assert set(roles) == {"reception", "tour_guide", "coffee", "counting"}
    assert len(roles) == 7


def test_a_new_coffee_action_gets_coffee_conversation_and_set_up(organiser):
    event = event_create(
        name=f"Bakkie Doen {YEAR + 1}",
        kind="coffee",
        date=datetime.date(YEAR + 1, 6, 20),
        by=organiser,
    )
    assert (event.default_opens_at, event.default_closes_at) == (
        datetime.time(10),
        datetime.time(14),
    )
    assert set(event.shift_templates.values_list("role", flat=True)) == {
        "coffee",
        "conversation",
        "setup",
    }


def _times(event) -> list[tuple[str, str, str]]:
    return [
        (t.role, f"{t.starts_at:%H:%M}", f"{t.ends_at:%H:%M}")
        for t in event.shift_templates.order_by("starts_at", "role", "ends_at")
    ]


def test_an_evening_edition_gets_its_usual_shifts_in_the_evening(organiser):
    """Not 09:30-14:00 for a coffee action held 18:00-21:00: set-up half an hour before
    opening, the rest spread over the evening."""
    event = event_create(
        name=f"Bakkie Doen avond {YEAR + 1}",
        kind="coffee",
        date=datetime.date(YEAR + 1, 6, 20),
        by=organiser,
        default_opens_at=datetime.time(18),
        default_closes_at=datetime.time(21),
    )
    assert _times(event) == [
        ("setup", "17:30", "18:00"),
        ("coffee", "18:00", "19:30"),
        ("conversation", "18:00", "21:00"),
        ("coffee", "19:30", "21:00"),
    ]


def test_untouched_templates_follow_the_editions_new_hours_but_own_ones_stay(organiser):
    event = event_create(
        name=f"Bakkie Doen {YEAR + 1}",
        kind="coffee",
        date=datetime.date(YEAR + 1, 6, 20),
        by=organiser,
    )
    event = event_update(
        event=event,
        by=organiser,
        default_opens_at=datetime.time(17),
        default_closes_at=datetime.time(21),
    )
    assert _times(event)[0] == ("setup", "16:30", "17:00")
    assert _times(event)[-1] == ("coffee", "19:00", "21:00")

    event_templates_set(
        event=event,
        templates=[TemplateSpec("coffee", datetime.time(17), datetime.time(18), 2)],
    )
    event = event_update(event=event, by=organiser, default_opens_at=datetime.time(16))
    assert _times(event) == [("coffee", "17:00", "18:00")]


def test_a_site_with_later_hours_gets_its_set_up_before_its_own_opening(coordinator, branch):
    edition = upcoming_edition(kind="coffee")
    event_templates_set(
        event=edition,
        templates=[
            TemplateSpec("setup", datetime.time(9, 30), datetime.time(10), 2),
            TemplateSpec("coffee", datetime.time(10), datetime.time(14), 3),
        ],
    )
    event_update(
        event=edition,
        by=None,
        default_opens_at=datetime.time(10),
        default_closes_at=datetime.time(14),
    )
    site = site_create(
        event=edition,
        location=place(),
        branch=branch,
        by=coordinator,
        opens_at=at_local(edition.date, datetime.time(13)),
        closes_at=at_local(edition.date, datetime.time(17)),
    )
    shifts = [
        (
            s.role,
            f"{timezone.localtime(s.starts_at):%H:%M}",
            f"{timezone.localtime(s.ends_at):%H:%M}",
        )
        for s in site.shifts.order_by("starts_at")
    ]
    assert shifts == [("setup", "12:30", "13:00"), ("coffee", "13:00", "17:00")]


def test_registration_must_close_after_it_opens_and_before_the_day_ends(organiser):
    date = NEXT_EVENT_DAY
    with pytest.raises(InvalidInput) as caught:
        event_create(
            name=f"Open azc dag {date.year}",
            kind="open_day",
            date=date,
            by=organiser,
            registration_opens_at=at_local(date, datetime.time(9)) - datetime.timedelta(days=9),
            registration_closes_at=at_local(date, datetime.time(9)) - datetime.timedelta(days=10),
        )
    assert "registration_closes_at" in caught.value.field_errors
    with pytest.raises(InvalidInput) as caught:
        event_create(
            name=f"Open azc dag {date.year}",
            kind="open_day",
            date=date,
            by=organiser,
            registration_closes_at=at_local(date + datetime.timedelta(days=2), datetime.time(9)),
        )
    assert "registration_closes_at" in caught.value.field_errors
    assert not Event.objects.exists()
    assert not ShiftTemplate.objects.exists()


def test_a_taken_slug_is_refused_on_the_slug_field(organiser, event):
    with pytest.raises(InvalidInput) as caught:
        event_create(name="Nog een", slug=event.slug, kind="coffee", date=event.date, by=organiser)
    assert "slug" in caught.value.field_errors
    assert Event.objects.count() == 1


def test_a_taken_slug_is_explained_in_the_forms_words(organiser, event):
    with pytest.raises(InvalidInput) as caught:
        event_create(name="Nog een", slug=event.slug, kind="coffee", date=event.date, by=organiser)
    assert caught.value.field_errors["slug"] == ["Een andere editie gebruikt deze korte naam al."]


def test_a_new_or_cloned_edition_cannot_lie_in_the_past(organiser, edition_2018):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        event_create(name="Te laat", kind="coffee", date=yesterday, by=organiser)
    assert "Kies een datum die nog komt" in caught.value.field_errors["date"][0]
    with pytest.raises(InvalidInput) as caught:
        event_clone(
            source=edition_2018, name="Terug in de tijd", slug="terug", date=yesterday, by=organiser
        )
    assert "date" in caught.value.field_errors
    assert list(Event.objects.values_list("slug", flat=True)) == ["open-azc-dag-2018"]


def test_the_slug_is_fixed_once_people_use_its_links(organiser):
    event = upcoming_edition(slug="bakkie-doen-2029", published=False)
    # Not published, no sites: a typo can still be fixed, and is written in lower case.
    event = event_update(event=event, by=organiser, slug="Bakkie-Doen-2029-NEW")
    assert event.slug == "bakkie-doen-2029-new"
    event_update(event=event, by=organiser, is_published=True)
    with pytest.raises(InvalidInput) as caught:
        event_update(event=event, by=organiser, slug="bakkie-doen-anders")
    assert "kalenderabonnementen" in caught.value.field_errors["slug"][0]
    event.refresh_from_db()
    assert event.slug == "bakkie-doen-2029-new"
    # A slug stored with capitals (the admin takes them) does not lock the settings: sent
    # back unchanged, it is no change.
    Event.objects.filter(pk=event.pk).update(slug="Bakkie-Doen-2029")
    event.refresh_from_db()
    event = event_update(event=event, by=organiser, slug="Bakkie-Doen-2029", name="Bakkie Doen")
    assert (event.slug, event.name) == ("Bakkie-Doen-2029", "Bakkie Doen")


def test_templates_are_replaced_and_checked_row_by_row(organiser):
    event = upcoming_edition()
    from events.services.editions import TemplateSpec

    with pytest.raises(InvalidInput) as caught:
        event_templates_set(
            event=event,
            templates=[
                TemplateSpec("coffee", datetime.time(10), datetime.time(12), 2),
                TemplateSpec("juggling", datetime.time(12), datetime.time(11), 2),
            ],
        )
    assert caught.value.field_errors["templates"] == [
        "Rij 2: onbekende taak.",
        "Rij 2: een dienst moet eindigen nadat hij begint.",
    ]
    assert event.shift_templates.count() == 7  # unchanged
    event_templates_set(
        event=event, templates=[TemplateSpec("coffee", datetime.time(10), datetime.time(12), 2)]
    )
    assert list(event.shift_templates.values_list("role", "capacity")) == [("coffee", 2)]


# --- The registration window --------------------------------------------------------------


def test_registration_state_explains_why_it_is_closed():
    assert registration_state(upcoming_edition(slug="a")).is_open
    not_yet = registration_state(upcoming_edition(slug="b", window="future"))
    assert isinstance(not_yet.error, RegistrationNotYetOpen)
    assert not_yet.reason.startswith("De aanmelding voor Editie b opent op ")
    closed = registration_state(upcoming_edition(slug="c", window="closed"))
    assert type(closed.error) is RegistrationClosed
    assert closed.reason.startswith("De aanmelding voor Editie c is gesloten sinds ")
    past = registration_state(past_edition())
    assert isinstance(past.error, EditionClosed)


def test_without_a_window_registration_closes_when_the_day_begins():
    event = upcoming_edition(window="none", days_ahead=3)
    assert registration_state(event).is_open
    day_begins = at_local(event.date, datetime.time(0))
    assert not registration_state(event, now=day_begins).is_open
    assert registration_state(event, now=day_begins - datetime.timedelta(minutes=1)).is_open


def test_a_coordinator_registers_a_draft_with_shifts_from_the_templates(coordinator, branch):
    event = upcoming_edition()
    site = site_create(event=event, location=place(), branch=branch, by=coordinator)
    assert site.status == Site.Status.DRAFT
    shifts = list(site.shifts.order_by("starts_at", "role"))
    assert len(shifts) == 7
    first = timezone.localtime(shifts[0].starts_at, AMSTERDAM)
    assert (first.date(), first.time()) == (event.date, datetime.time(11))
    history = list(site.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history == [("", "draft", coordinator.pk)]


def test_registration_outside_the_window_is_refused_with_the_reason(coordinator, branch):
    event = upcoming_edition(window="closed")
    with pytest.raises(RegistrationClosed) as caught:
        site_create(event=event, location=place(), branch=branch, by=coordinator)
    assert "gesloten sinds" in caught.value.detail
    event = upcoming_edition(slug="later", window="future")
    with pytest.raises(RegistrationNotYetOpen):
        site_create(event=event, location=place("Neude", "Utrecht"), branch=branch, by=coordinator)
    assert not Site.objects.exists()
    assert not Shift.objects.exists()


def test_an_organiser_may_add_a_late_site_but_not_after_the_day(organiser, branch):
    late = upcoming_edition(window="closed")
    assert site_create(event=late, location=place(), branch=branch, by=organiser).pk
    with pytest.raises(EditionClosed):
        site_create(event=past_edition(), location=place("Neude"), branch=branch, by=organiser)


def test_the_same_location_twice_in_one_edition_is_refused_on_the_location_field(
    coordinator, branch, other_branch, organiser
):
    event = upcoming_edition()
    location = place()
    site_create(event=event, location=location, branch=branch, by=coordinator)
    with pytest.raises(InvalidInput) as caught:
        site_create(event=event, location=location, branch=other_branch, by=organiser)
    assert caught.value.field_errors["location"] == [
        "Deze plek heeft in deze editie al een locatie."
    ]
    assert Site.objects.count() == 1
    assert Shift.objects.count() == 7


def test_a_cancelled_site_frees_its_location_for_a_new_registration(coordinator, branch):
    """Cancelling cannot be undone: when the azc opens after all, the branch registers the
    location again. The cancelled site keeps its history beside the new one."""
    from events.services import site_cancel

    event = upcoming_edition()
    location = place()
    first = site_create(event=event, location=location, branch=branch, by=coordinator)
    site_cancel(site=first, by=coordinator, comment="Verbouwing")
    again = site_create(event=event, location=location, branch=branch, by=coordinator)
    assert again.pk != first.pk and again.status == Site.Status.DRAFT
    first.refresh_from_db()
    assert first.status == Site.Status.CANCELLED
    # Still one active site per location: a third is refused.
    with pytest.raises(InvalidInput) as caught:
        site_create(event=event, location=location, branch=branch, by=coordinator)
    assert "location" in caught.value.field_errors
    assert Site.objects.filter(event=event).count() == 2


# --- Cloning ------------------------------------------------------------------------------


@pytest.fixture
def edition_2018(db, branch, other_branch):
    """An open day in summer time (CEST) with three sites: published, draft, cancelled."""
    source = Event.objects.create(
        name="Open azc dag 2018",
        slug="open-azc-dag-2018",
        kind_id="open_day",
        date=datetime.date(2018, 9, 22),
        is_published=True,
        description="Veertig azc's.",
        default_opens_at=datetime.time(11),
        default_closes_at=datetime.time(16),
        release_deadline_hours=48,
        registration_opens_at=datetime.datetime(2018, 3, 1, 9, tzinfo=AMSTERDAM),
        registration_closes_at=datetime.datetime(2018, 8, 31, 23, 59, tzinfo=AMSTERDAM),
    )
    ShiftTemplate.objects.create(
        event=source,
        role="reception",
        starts_at=datetime.time(11),
        ends_at=datetime.time(13),
        capacity=3,
    )
    published = draft_site(
        source,
        place("azc Utrecht", "Utrecht"),
        branch,
        status=Site.Status.PUBLISHED,
        shifts=2,
        name="Open dag Utrecht",
        languages_needed=["nl", "ar"],
        expected_visitors=400,
        show_approximate_location=True,
    )
    Shift.objects.create(
        site=published,
        role="coffee",
        starts_at=published.opens_at,
        ends_at=published.closes_at,
        capacity=9,
        is_cancelled=True,
    )
    draft_site(source, place("azc Zwolle", "Zwolle"), other_branch, shifts=1)
    draft_site(source, place("azc Ede", "Ede"), branch, status=Site.Status.CANCELLED)
    return source


def test_clone_copies_sites_as_drafts_with_shifts_at_the_same_wall_clock_time(
    organiser, edition_2018, branch
):
    # The last Saturday of November: CET, one hour further from UTC than in September.
    winter = last_weekday_of(YEAR, 11, 5)
    result = event_clone(
        source=edition_2018, name="Open azc dag winter", slug="winter", date=winter, by=organiser
    )
    event = result.event
    assert (result.sites, result.shifts) == (2, 3)
    assert not event.is_published
    assert (event.kind_id, event.description, event.release_deadline_hours) == (
        "open_day",
        "Veertig azc's.",
        48,
    )
    assert list(event.shift_templates.values_list("role", "capacity")) == [("reception", 3)]

    sites = {s.location.city: s for s in event.sites.select_related("location")}
    assert set(sites) == {"Utrecht", "Zwolle"}  # the cancelled site is left out
    utrecht = sites["Utrecht"]
    assert utrecht.status == Site.Status.DRAFT
    assert utrecht.branch == branch
    assert (utrecht.name, utrecht.languages_needed, utrecht.expected_visitors) == (
        "Open dag Utrecht",
        ["nl", "ar"],
        400,
    )
    assert utrecht.show_approximate_location
    assert utrecht.created_by == organiser
    opens = timezone.localtime(utrecht.opens_at, AMSTERDAM)
    assert (opens.date(), opens.time(), opens.utcoffset()) == (
        winter,
        datetime.time(11),
        datetime.timedelta(hours=1),
    )
    shift_times = [
        timezone.localtime(s.starts_at, AMSTERDAM).time()
        for s in utrecht.shifts.order_by("starts_at")
    ]
    assert shift_times == [datetime.time(11), datetime.time(12)]  # not the cancelled shift
    assert not utrecht.shifts.filter(is_cancelled=True).exists()

    # The window moved by the same number of days, at the same wall-clock time.
    opens_window = timezone.localtime(event.registration_opens_at, AMSTERDAM)
    days = (winter - edition_2018.date).days
    assert opens_window.date() == datetime.date(2018, 3, 1) + datetime.timedelta(days=days)
    assert opens_window.time() == datetime.time(9)

    change = utrecht.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "draft", organiser)
    assert change.comment == "Gekopieerd van Open azc dag 2018."
    # The source is untouched.
    assert edition_2018.sites.filter(status=Site.Status.PUBLISHED).count() == 1


def test_clone_takes_a_given_registration_window(organiser, edition_2018):
    opens = aware(YEAR, 6, 1, 9)
    result = event_clone(
        source=edition_2018,
        name=f"Open azc dag {YEAR}",
        slug=f"open-azc-dag-{YEAR}b",
        date=EVENT_DAY,
        by=organiser,
        registration_opens_at=opens,
        registration_closes_at=None,
    )
    assert result.event.registration_opens_at == opens
    assert result.event.registration_closes_at is None


def test_clone_is_one_transaction(organiser, edition_2018, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Shift.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        event_clone(
            source=edition_2018,
            name="Kapot",
            slug="kapot",
            date=EVENT_DAY,
            by=organiser,
        )
    assert not Event.objects.filter(slug="kapot").exists()
    assert Site.objects.count() == 3
    assert SiteStatusChange.objects.count() == 0


def test_clone_refuses_a_taken_slug_and_creates_nothing(organiser, edition_2018):
    with pytest.raises(InvalidInput) as caught:
        event_clone(
            source=edition_2018,
            name="Zelfde",
            slug=edition_2018.slug,
            date=EVENT_DAY,
            by=organiser,
        )
    assert "slug" in caught.value.field_errors
    assert Event.objects.count() == 1 and Site.objects.count() == 3


def test_clone_costs_the_same_queries_for_many_sites(
    organiser, edition_2018, branch, django_assert_max_num_queries
):
    for number in range(30):
        draft_site(edition_2018, place(f"Plein {number}", "Utrecht"), branch, shifts=3)
    with django_assert_max_num_queries(26):  # constant: no query per site or shift
        result = event_clone(
            source=edition_2018,
            name="Groot",
            slug="groot",
            date=EVENT_DAY,
            by=organiser,
        )
    assert (result.sites, result.shifts) == (32, 93)


def test_the_date_cannot_change_once_sites_are_planned_on_it(organiser, branch):
    event = upcoming_edition()
    new_date = event.date + datetime.timedelta(days=7)
    assert event_update(event=event, by=organiser, date=new_date).date == new_date
    draft_site(event, place(), branch)
    with pytest.raises(InvalidInput) as caught:
        event_update(event=event, by=organiser, date=event.date + datetime.timedelta(days=14))
    assert caught.value.field_errors["date"] == [
        "De datum kan niet veranderen: er is 1 locatie op deze datum gepland."
    ]
    event.refresh_from_db()
    assert event.date == new_date


def test_the_site_api_refuses_registration_outside_the_window(coordinator, branch):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(coordinator)
    closed = upcoming_edition(window="closed", name="Te laat")
    body = {"event": closed.slug, "branch": branch.slug, "location": place().pk}
    response = api.post("/api/v1/sites/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "registration_closed"
    assert "is gesloten sinds" in response.json()["detail"]
    assert not Site.objects.exists()
