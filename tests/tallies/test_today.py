"""The control room (/manage/editions/{slug}/today/): per site the shifts on now and next
with places and check-ins, the live state, the latest count and last tap, alerts first;
who sees which sites; its JSON; the days without the edition; and a bounded number of
queries however many sites."""

import datetime

import pytest
import time_machine
from django.test import Client

from events.models import Attendance, Event, Shift, Site, SiteState
from locations.models import Location
from tallies.categories import categories_of
from tallies.views.today import control_room_rows
from tests.conftest import on_event_day
from tests.factories import make_signup, make_volunteer
from tests.tallies.conftest import store_entry

NOON = on_event_day(12)


def url(event, **query) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/manage/editions/{event.slug}/today/" + (f"?{params}" if params else "")


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def add_site(event, branch, name, *, opens=11, closes=16, status=Site.Status.PUBLISHED):
    return Site.objects.create(
        event=event,
        location=Location.objects.create(name=name, city="Utrecht"),
        branch=branch,
        opens_at=on_event_day(opens),
        closes_at=on_event_day(closes),
        status=status,
    )


def add_shift(site, start, end, capacity=2, role=Shift.Role.RECEPTION):
    return Shift.objects.create(
        site=site,
        role=role,
        starts_at=on_event_day(*start),
        ends_at=on_event_day(*end),
        capacity=capacity,
    )


def checked_in(shift, volunteer, at=None):
    """A volunteer with a place on `shift` who checked in (written as the attendance
    service writes it)."""
    signup = make_signup(shift, volunteer)
    return Attendance.objects.create(
        shift=shift,
        signup=signup,
        status=Attendance.Status.CHECKED_IN,
        method=Attendance.Method.SELF,
        checked_in_at=at or shift.starts_at,
    )


def set_state(site, state, at, note=""):
    return SiteState.objects.create(site=site, state=state, note=note, set_at=at)


@pytest.fixture
def other_coordinator(other_branch):
    user = make_volunteer("other-coordinator@example.org").user
    other_branch.coordinators.add(user)
    return user


def get_json(user, event, **query):
    with time_machine.travel(NOON, tick=False):
        response = client_for(user).get(url(event, format="json", **query))
    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store")
    return response.json()


# --- What a card shows -----------------------------------------------------------------------


def test_a_site_shows_its_shifts_state_count_and_last_tap(organiser, site, shift):
    # `shift` is reception 11:00–13:30 with 3 places: two confirmed, one checked in.
    checked_in(shift, make_volunteer())
    make_signup(shift, make_volunteer())
    later = add_shift(site, (13, 30), (16, 0), capacity=4, role=Shift.Role.COFFEE)
    add_shift(site, (15, 0), (16, 0))  # not "next": a later start
    set_state(site, SiteState.State.BUSY, on_event_day(11, 45), note="Long queue")
    store_entry(site, "visitors", 40, on_event_day(11, 50))
    store_entry(site, "children", 7, on_event_day(11, 55))

    data = get_json(organiser, site.event)
    assert data["is_today"] is True
    [card] = data["sites"]
    assert card["name"] == "azc Utrecht"
    assert card["state"]["value"] == "busy"
    assert card["state"]["note"] == "Long queue"
    assert card["totals"] == {"visitors": 40, "children": 7}
    assert datetime.datetime.fromisoformat(card["last_tap_at"]) == on_event_day(11, 55)
    [now] = card["shifts_now"]
    assert (now["id"], now["capacity"], now["confirmed"], now["checked_in"]) == (shift.pk, 3, 2, 1)
    assert [s["id"] for s in card["shifts_next"]] == [later.pk]

    with time_machine.travel(NOON, tick=False):
        response = client_for(organiser).get(url(site.event))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Long queue" in text
    assert f'data-shift="{shift.pk}"' in text
    assert '<td data-checked-in><bdi dir="ltr">1/3</bdi>' in text
    assert 'data-total="visitors">40<' in text
    # The refresh: the same address as JSON, at the interval of the settings.
    assert 'data-url="/manage/editions/' in text and "format=json" in text
    assert 'data-refresh="20"' in text
    assert "tallies/today.js" in text


def test_walk_ins_count_as_checked_in(organiser, site, shift):
    Attendance.objects.create(
        shift=shift,
        walk_in_name="Samira",
        status=Attendance.Status.CHECKED_IN,
        checked_in_at=on_event_day(11),
    )
    [card] = get_json(organiser, site.event)["sites"]
    assert card["shifts_now"][0]["checked_in"] == 1
    assert card["shifts_now"][0]["walk_ins"] == 1


def test_no_state_yet_and_no_tap_yet(organiser, site):
    with time_machine.travel(NOON, tick=False):
        text = client_for(organiser).get(url(site.event)).content.decode()
    assert "No state yet" in text
    assert "none yet" in text


# --- Alerts ----------------------------------------------------------------------------------


def codes(card) -> list[str]:
    return [alert["code"] for alert in card["alerts"]]


def test_a_shift_that_started_short_of_people_is_an_alert(organiser, site, shift):
    set_state(site, SiteState.State.OPEN, on_event_day(11, 50))  # not silent
    checked_in(shift, make_volunteer())
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == ["short_of_people"]
    assert "1 of 3 places checked in" in card["alerts"][0]["message"]
    for _ in range(2):
        checked_in(shift, make_volunteer())
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == []


def test_a_shift_is_not_short_in_its_first_minutes(organiser, site):
    set_state(site, SiteState.State.OPEN, on_event_day(11, 55))
    add_shift(site, (11, 55), (14, 0))  # started five minutes ago, nobody in yet
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == []


def test_a_silent_site_is_an_alert_until_it_taps_or_sets_its_state(organiser, site):
    # Open since 11:00, nothing heard at 12:00.
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == ["silent"]
    assert "11:00" in card["alerts"][0]["message"]
    store_entry(site, "visitors", 1, on_event_day(11, 40))
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == []  # a tap 20 minutes ago
    store_entry(site, "visitors", 1, on_event_day(11, 20))  # an older tap changes nothing
    set_state(site, SiteState.State.OPEN, on_event_day(11, 10))
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == []


def test_a_site_that_is_not_open_yet_or_closed_early_is_not_silent(organiser, event, branch):
    later = add_site(event, branch, "Markt", opens=14)
    closed = add_site(event, branch, "Plein")
    set_state(closed, SiteState.State.CLOSED_EARLY, on_event_day(11, 5))
    cards = get_json(organiser, event)["sites"]
    assert {card["id"]: codes(card) for card in cards} == {later.pk: [], closed.pk: []}


@pytest.mark.parametrize("minutes", [15, 45])
def test_the_silence_allowed_is_a_setting(organiser, site, settings, minutes):
    settings.CONTROL_ROOM_QUIET_MINUTES = minutes
    store_entry(site, "visitors", 1, on_event_day(11, 30))
    [card] = get_json(organiser, site.event)["sites"]
    assert codes(card) == (["silent"] if minutes < 30 else [])


def test_needs_help_is_the_first_alert_and_sorts_first(organiser, event, branch, site, shift):
    fine = add_site(event, branch, "Aaa fine")
    set_state(fine, SiteState.State.OPEN, on_event_day(11, 55))
    silent = add_site(event, branch, "Bbb silent")
    helping = add_site(event, branch, "Zzz help")
    set_state(helping, SiteState.State.NEEDS_HELP, on_event_day(11, 58), note="No interpreter")
    short = add_site(event, branch, "Ccc short")
    set_state(short, SiteState.State.OPEN, on_event_day(11, 50))
    add_shift(short, (11, 0), (14, 0))
    cards = get_json(organiser, event)["sites"]
    order = [card["id"] for card in cards]
    # `site` (azc Utrecht) is silent and short of people: its heaviest alert decides.
    assert order == [helping.pk, site.pk, short.pk, silent.pk, fine.pk]
    assert codes(cards[0]) == ["needs_help"]
    assert "No interpreter" in cards[0]["alerts"][0]["message"]
    with time_machine.travel(NOON, tick=False):
        text = client_for(organiser).get(url(event)).content.decode()
    assert text.index("Zzz help") < text.index("Aaa fine")
    assert 'class="cr-card cr-level-needs_help"' in text


# --- Filters ---------------------------------------------------------------------------------


def test_organisers_filter_by_branch_and_by_alerts(organiser, event, site, other_branch):
    theirs = add_site(event, other_branch, "azc Zwolle")
    set_state(theirs, SiteState.State.OPEN, on_event_day(11, 55))
    assert {c["id"] for c in get_json(organiser, event)["sites"]} == {site.pk, theirs.pk}
    assert [c["id"] for c in get_json(organiser, event, branch=other_branch.pk)["sites"]] == [
        theirs.pk
    ]
    only = get_json(organiser, event, alerts=1)
    assert [c["id"] for c in only["sites"]] == [site.pk]  # silent; Zwolle is fine
    assert only["alerts_count"] == 1
    # A branch that is not a number, or not in the edition, shows every site.
    assert len(get_json(organiser, event, branch="x")["sites"]) == 2
    assert len(get_json(organiser, event, branch=999999)["sites"]) == 2


# --- Who sees what ---------------------------------------------------------------------------


def test_coordinators_see_their_branchs_sites_only(
    coordinator, other_coordinator, event, site, other_branch
):
    theirs = add_site(event, other_branch, "azc Zwolle")
    assert [c["id"] for c in get_json(coordinator, event)["sites"]] == [site.pk]
    assert [c["id"] for c in get_json(other_coordinator, event)["sites"]] == [theirs.pk]
    # Asking for another branch does not show it.
    assert get_json(coordinator, event, branch=other_branch.pk)["sites"][0]["id"] == site.pk


def test_drafts_and_cancelled_sites_are_not_in_the_control_room(organiser, event, branch, site):
    add_site(event, branch, "Draft", status=Site.Status.DRAFT)
    add_site(event, branch, "Cancelled", status=Site.Status.CANCELLED)
    assert [c["id"] for c in get_json(organiser, event)["sites"]] == [site.pk]


def test_volunteers_and_strangers_are_refused(volunteer, site):
    with time_machine.travel(NOON, tick=False):
        assert client_for(volunteer).get(url(site.event)).status_code == 403
        assert client_for(volunteer).get(url(site.event, format="json")).status_code == 403
        response = client_for().get(url(site.event, format="json"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_unpublished_edition_is_not_found_for_coordinators(coordinator, organiser, site):
    Event.objects.filter(pk=site.event_id).update(is_published=False)
    with time_machine.travel(NOON, tick=False):
        assert client_for(coordinator).get(url(site.event)).status_code == 404
        assert client_for(organiser).get(url(site.event)).status_code == 200
        assert client_for(organiser).get("/manage/editions/no-such/today/").status_code == 404


# --- The days without the edition -------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, 1])
def test_another_day_says_so_and_links_the_dashboard(organiser, site, days):
    with time_machine.travel(on_event_day(12, days=days), tick=False):
        response = client_for(organiser).get(url(site.event))
        data = client_for(organiser).get(url(site.event, format="json")).json()
    text = response.content.decode()
    assert response.status_code == 200
    assert "the control room shows the day itself" in text
    assert site.event.date.strftime("%Y") in text
    assert f'href="/dashboard/{site.event.slug}/"' in text
    assert "today.js" not in text
    assert data["is_today"] is False
    assert data["sites"] == []


# --- Cost ------------------------------------------------------------------------------------


def busy_edition(event, branch, count: int) -> None:
    """`count` sites, each with two shifts (one on now with a check-in), a state and
    counts."""
    for number in range(count):
        site = add_site(event, branch, f"Site {number:03d}")
        now = add_shift(site, (11, 0), (13, 0))
        add_shift(site, (13, 0), (16, 0))
        checked_in(now, make_volunteer())
        set_state(site, SiteState.State.OPEN, on_event_day(11, 30))
        store_entry(site, "visitors", 3, on_event_day(11, 45))


def test_the_queries_do_not_grow_with_the_sites(
    organiser, event, branch, django_assert_max_num_queries
):
    busy_edition(event, branch, 50)
    client = client_for(organiser)
    with time_machine.travel(NOON, tick=False):
        client.force_login(organiser)
        # Session, user, edition, branches, then the four reads of `control_room_rows`.
        with django_assert_max_num_queries(9):
            response = client.get(url(event, format="json"))
        assert len(response.json()["sites"]) == 50
        with django_assert_max_num_queries(12):
            assert client.get(url(event)).status_code == 200


def test_control_room_rows_reads_in_four_queries(
    organiser, event, branch, django_assert_num_queries
):
    busy_edition(event, branch, 5)
    with time_machine.travel(NOON, tick=False):
        # What is counted at the kind is kept for a while (`tallies.categories`); moving
        # the clock ahead let that lapse, which a running site reads back once.
        categories_of(event.kind_id)
        with django_assert_num_queries(4):
            rows = control_room_rows(event, organiser, now=NOON)
    assert len(rows) == 5
    assert all(row.shifts_now[0].checked_in == 1 for row in rows)


# --- The way there ---------------------------------------------------------------------------


def test_the_edition_page_and_the_dashboard_link_the_control_room(organiser, coordinator, site):
    link = f'href="/manage/editions/{site.event.slug}/today/"'
    with time_machine.travel(NOON, tick=False):
        overview = client_for(organiser).get(f"/manage/editions/{site.event.slug}/")
        dashboard = client_for(coordinator).get(f"/dashboard/{site.event.slug}/")
    assert overview.status_code == dashboard.status_code == 200
    assert link in overview.content.decode()
    assert link in dashboard.content.decode()


def test_names_and_notes_are_escaped(organiser, event, branch):
    site = add_site(event, branch, '<img src=x onerror="alert(1)">')
    set_state(site, SiteState.State.BUSY, on_event_day(11, 55), note="<script>alert(2)</script>")
    set_state(
        add_site(event, branch, "Help"),
        SiteState.State.NEEDS_HELP,
        on_event_day(11, 56),
        note="<b>bold</b>",
    )
    data = get_json(organiser, event)
    html = data["cards_html"]
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
