"""Personal calendar feeds: `/calendar/volunteer/{token}.ics` and `/calendar/branch/{token}.ics`,
their secret tokens and the reset button."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import Volunteer
from accounts.services import volunteer_get_or_create
from events.models import Shift, Signup, Site
from events.services import address_share, shift_delete, shift_update, site_cancel, site_update
from locations.models import Location
from tests.calendar_parsing import fetch_feed, parse_feed, unfolded_lines
from tests.conftest import YEAR, aware, last_weekday_of, on_event_day
from tests.factories import make_signup, set_signup_status
from volunteers.calendar import calendar_url_for, coordinator_calendar_url_for

UTC = datetime.UTC
DOMAIN = "actiedagen.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = f"https://{DOMAIN}"
    settings.CALENDAR_UID_DOMAIN = ""


@pytest.fixture
def profile(volunteer):
    return Volunteer.objects.get(user=volunteer)


def feed_url(profile: Volunteer) -> str:
    return f"/calendar/volunteer/{profile.calendar_token}.ics"


def branch_feed_url(profile: Volunteer) -> str:
    return f"/calendar/branch/{profile.coordinator_calendar_token}.ics"


def make_shift(site, start, end, role=Shift.Role.RECEPTION, **fields):
    return Shift.objects.create(
        site=site,
        role=role,
        starts_at=start,
        ends_at=end,
        capacity=fields.pop("capacity", 3),
        **fields,
    )


def sign_up(shift, profile, status=Signup.Status.CONFIRMED):
    return make_signup(
        shift=shift,
        volunteer=profile,
        status=status,
        confirmed_at=aware(YEAR, 9, 1, 12) if status == Signup.Status.CONFIRMED else None,
    )


def release(signup):
    set_signup_status(signup, Signup.Status.CANCELLED, cancelled_at=aware(YEAR, 9, 2, 12))


def uid(shift) -> str:
    return f"shift-{shift.pk}@{DOMAIN}"


# --- The volunteer's feed --------------------------------------------------------------------


def test_volunteer_feed_lists_the_confirmed_shifts_with_all_fields(client, profile, site, shift):
    site.public_description = "Open dag"
    site.save()
    shift.notes = "Meld je bij de poort."
    shift.save()
    afternoon = make_shift(site, on_event_day(14), on_event_day(16), "tour_guide")
    waiting = make_shift(site, on_event_day(13), on_event_day(14), "coffee")
    sign_up(shift, profile)
    sign_up(afternoon, profile)
    sign_up(waiting, profile, status=Signup.Status.WAITLISTED)
    someone_else = Volunteer.objects.create(
        user=type(profile.user).objects.create_user(email="ander@example.org", password="x")
    )
    other = make_shift(site, on_event_day(15), on_event_day(16), "counting")
    sign_up(other, someone_else)

    feed = fetch_feed(client, feed_url(profile))

    assert str(feed.calendar["X-WR-CALNAME"]) == "Mijn diensten – actiedagen"
    assert str(feed.calendar["VERSION"]) == "2.0"
    assert list(feed.events) == [uid(shift), uid(afternoon)]  # by start time
    vevent = feed.event(uid(shift))
    assert str(vevent["SUMMARY"]) == "Ontvangst: azc Utrecht"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert vevent.decoded("DTSTART") == on_event_day(11)
    assert vevent.decoded("DTEND") == on_event_day(13, 30)
    assert str(vevent["LOCATION"]) == "azc Utrecht, 3511 AB Utrecht"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (52.09083, 5.12222)
    assert str(vevent["URL"]) == f"https://{DOMAIN}/sites/{site.pk}/"
    description = str(vevent["DESCRIPTION"])
    assert f"Ontvangst bij azc Utrecht, Open azc dag {YEAR}." in description
    assert "Meld je bij de poort." in description
    assert f"https://{DOMAIN}/my/shifts/" in description
    assert str(vevent["TRANSP"]) == "OPAQUE"
    # The last change of what this event shows: its shift, site, place, edition and the
    # volunteer's sign-up for it (not their sign-ups for other shifts, made a moment later).
    signup_change = Signup.objects.get(volunteer=profile, shift=shift)
    latest = max(
        shift.updated_at,
        Site.objects.get(pk=site.pk).updated_at,
        site.location.updated_at,
        site.event.updated_at,
        signup_change.updated_at,
    )
    assert vevent.decoded("DTSTAMP") <= latest.astimezone(UTC)
    assert vevent.decoded("DTSTAMP") == latest.astimezone(UTC).replace(microsecond=0)
    # Nothing about other volunteers.
    assert "ander@example.org" not in feed.raw.decode()


def test_a_volunteer_with_a_shift_sees_the_exact_place_of_a_site_shown_approximately(
    client, profile, site, shift, coordinator
):
    Site.objects.filter(pk=site.pk).update(show_approximate_location=True)
    signup = sign_up(shift, profile)
    # Only the town until the coordinators share the address (issue 14, item 9).
    vevent = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert str(vevent["LOCATION"]) == "Utrecht"
    address_share(signup=signup, by=coordinator)
    vevent = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert str(vevent["LOCATION"]) == "azc Utrecht, 3511 AB Utrecht"
    assert vevent["GEO"].latitude == 52.09083
    # Once released, the cancelled entry no longer carries the exact place.
    release(signup)
    vevent = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert str(vevent["LOCATION"]) == "Utrecht"
    assert vevent["GEO"].latitude == 52.09


def test_a_released_shift_stays_as_cancelled_and_a_new_claim_brings_it_back(client, profile, shift):
    signup = sign_up(shift, profile)
    confirmed = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert int(confirmed["SEQUENCE"]) == 0

    release(signup)
    released = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert str(released["STATUS"]) == "CANCELLED"
    assert int(released["SEQUENCE"]) == 1
    assert str(released["SUMMARY"]) == "Geannuleerd: Ontvangst: azc Utrecht"
    assert released.decoded("DTSTAMP") >= confirmed.decoded("DTSTAMP")

    sign_up(shift, profile)
    back = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert str(back["STATUS"]) == "CONFIRMED"
    assert int(back["SEQUENCE"]) == 2
    assert str(back["UID"]) == str(confirmed["UID"])


def test_moved_back_to_the_waitlist_counts_as_lost(client, profile, shift):
    signup = sign_up(shift, profile)
    set_signup_status(signup, Signup.Status.WAITLISTED)
    vevent = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_waitlist_places_that_never_became_a_shift_do_not_appear(client, profile, shift):
    waiting = sign_up(shift, profile, status=Signup.Status.WAITLISTED)
    assert fetch_feed(client, feed_url(profile)).events == {}
    release(waiting)
    assert fetch_feed(client, feed_url(profile)).events == {}


def test_a_cancelled_shift_or_site_is_cancelled_in_the_feed_with_a_higher_sequence(
    client, profile, organiser, site, shift
):
    later = make_shift(site, on_event_day(14), on_event_day(16))
    sign_up(shift, profile)
    sign_up(later, profile)

    shift_delete(shift=shift)  # it has a sign-up: kept as cancelled
    feed = fetch_feed(client, feed_url(profile))
    assert str(feed.event(uid(shift))["STATUS"]) == "CANCELLED"
    # The shift's own revision (cancelled: 1) plus the place the volunteer lost (1).
    assert int(feed.event(uid(shift))["SEQUENCE"]) == 2
    assert str(feed.event(uid(later))["STATUS"]) == "CONFIRMED"

    site_cancel(site=site, by=organiser)
    feed = fetch_feed(client, feed_url(profile))
    assert str(feed.event(uid(later))["STATUS"]) == "CANCELLED"
    # Cancelled with its site (1) plus the place the volunteer lost with it (1).
    assert int(feed.event(uid(later))["SEQUENCE"]) == 2
    assert int(feed.event(uid(shift))["SEQUENCE"]) == 3  # never goes down


def test_uid_survives_an_edit_of_the_shift_while_sequence_rises(
    client, profile, organiser, shift, site
):
    sign_up(shift, profile)
    shift_update(shift=shift, notes="Neem een jas mee")
    feed = fetch_feed(client, feed_url(profile))
    assert int(feed.event(uid(shift))["SEQUENCE"]) == 0

    shift_update(shift=shift, starts_at=on_event_day(10), ends_at=on_event_day(12))
    feed = fetch_feed(client, feed_url(profile))
    moved = feed.event(uid(shift))
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == on_event_day(10)

    # A site that moves takes its shifts along: their sequence rises too.
    elsewhere = Location.objects.create(
        name="Buurthuis", city="Utrecht", street="Oudegracht", house_number=1
    )
    site_update(site=site, by=organiser, location=elsewhere)
    relocated = fetch_feed(client, feed_url(profile)).event(uid(shift))
    assert int(relocated["SEQUENCE"]) == 2
    assert str(relocated["LOCATION"]) == "Buurthuis, Oudegracht 1, Utrecht"
    assert relocated.decoded("DTSTAMP") >= moved.decoded("DTSTAMP")


def test_a_shift_across_the_end_of_summer_time_keeps_its_wall_clock_times(client, profile, site):
    end_of_summer = last_weekday_of(YEAR, 10, 6)  # the last Sunday of October
    day = (end_of_summer.year, end_of_summer.month, end_of_summer.day)
    night = make_shift(site, aware(*day, 1, 30), aware(*day, 3, 30), "setup")
    sign_up(night, profile)
    feed = fetch_feed(client, feed_url(profile))
    lines = unfolded_lines(feed.raw)
    assert f"DTSTART;TZID=Europe/Amsterdam:{end_of_summer:%Y%m%d}T013000" in lines
    assert f"DTEND;TZID=Europe/Amsterdam:{end_of_summer:%Y%m%d}T033000" in lines
    vevent = feed.event(uid(night))
    # 01:30 summer time is 23:30 UTC the evening before; 03:30 winter time is 02:30 UTC.
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime.datetime(
        *day, 23, 30, tzinfo=UTC
    ) - datetime.timedelta(days=1)
    assert vevent.decoded("DTEND").astimezone(UTC) == datetime.datetime(*day, 2, 30, tzinfo=UTC)
    # vobject reads the instants through the file's VTIMEZONE (dateutil), not zoneinfo.
    theirs = next(c for c in feed.other.getChildren() if c.name == "VEVENT")
    assert (theirs.dtstart.value.hour, theirs.dtend.value.hour) == (1, 3)
    assert theirs.dtend.value.astimezone(UTC) - theirs.dtstart.value.astimezone(
        UTC
    ) == datetime.timedelta(hours=3)


def test_an_unchanged_personal_feed_is_byte_identical_and_answers_304(client, profile, shift):
    sign_up(shift, profile)
    first = client.get(feed_url(profile))
    second = client.get(feed_url(profile))
    assert first.content == second.content
    assert client.get(feed_url(profile), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert "private" in first["Cache-Control"]
    assert first["X-Robots-Tag"] == "noindex, nofollow"
    assert "Set-Cookie" not in first
    assert first["Content-Disposition"] == 'attachment; filename="mijn-diensten.ics"'


def test_an_empty_personal_feed_is_a_valid_empty_calendar(client, profile):
    feed = fetch_feed(client, feed_url(profile))
    assert feed.events == {}
    assert feed.calendar.walk("VTIMEZONE") == []


def test_volunteer_feed_queries_do_not_grow_with_the_number_of_shifts(
    client, profile, site, django_assert_num_queries
):
    def claim(count):
        for _number in range(count):
            start = on_event_day(8) + datetime.timedelta(hours=Shift.objects.count())
            sign_up(make_shift(site, start, start + datetime.timedelta(minutes=50)), profile)

    claim(1)
    # Built: the token, then the shifts with all the feed shows.
    with django_assert_num_queries(2):
        assert client.get(feed_url(profile)).status_code == 200
    claim(20)
    with django_assert_num_queries(2):
        response = client.get(feed_url(profile))
    assert len(parse_feed(response.content).events) == 21
    # Stored since (`common.published`): the token alone, with the ETag or without.
    with django_assert_num_queries(1):
        assert client.get(feed_url(profile), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    with django_assert_num_queries(1):
        assert client.get(feed_url(profile)).content == response.content


# --- Tokens ----------------------------------------------------------------------------------


def test_tokens_are_long_random_and_distinct(profile):
    assert len(profile.calendar_token) >= 43  # 32 bytes = 256 bits, URL-safe base64
    assert profile.calendar_token != profile.coordinator_calendar_token


def test_unknown_malformed_and_reset_tokens_get_the_same_404(client, volunteer_client, profile):
    old_url = feed_url(profile)
    assert client.get(old_url).status_code == 200

    response = volunteer_client.post(
        "/calendar/reset/", {"feed": "volunteer", "next": "/my/shifts/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/my/shifts/"
    profile.refresh_from_db()
    assert feed_url(profile) != old_url

    reset = client.get(old_url)
    never = client.get("/calendar/volunteer/" + "A" * 43 + ".ics")
    malformed = client.get("/calendar/volunteer/'%20or%201=1.ics")
    assert reset.status_code == never.status_code == malformed.status_code == 404
    assert reset.content == never.content == malformed.content
    assert sorted(reset.headers) == sorted(never.headers)
    assert client.get(feed_url(profile)).status_code == 200


def test_a_deactivated_or_anonymised_account_has_no_feed(client, profile):
    url = feed_url(profile)
    profile.user.is_active = False
    profile.user.save()
    assert client.get(url).status_code == 404
    profile.user.is_active = True
    profile.user.save()
    Volunteer.objects.filter(pk=profile.pk).update(anonymised_at=aware(YEAR, 1, 1))
    assert client.get(url).status_code == 404


def test_a_token_opens_its_own_feed_and_nothing_else(client, profile, coordinator, shift):
    coordinator_profile = volunteer_get_or_create(user=coordinator)
    # Each token opens one kind of feed only.
    assert client.get(f"/calendar/branch/{profile.calendar_token}.ics").status_code == 404
    assert (
        client.get(
            f"/calendar/volunteer/{coordinator_profile.coordinator_calendar_token}.ics"
        ).status_code
        == 404
    )
    # It signs no one in: no session, and a protected action still asks to log in.
    response = client.get(feed_url(profile))
    assert response.wsgi_request.user.is_anonymous
    assert "sessionid" not in response.cookies
    denied = client.post(
        "/calendar/reset/",
        {"feed": "volunteer"},
        HTTP_AUTHORIZATION=f"Token {profile.calendar_token}",
    )
    assert denied.status_code == 302
    assert "/accounts/login/" in denied["Location"]
    before = profile.calendar_token
    profile.refresh_from_db()
    assert profile.calendar_token == before


def test_reset_asks_for_a_signed_in_post_and_a_known_feed(client, volunteer_client, profile):
    assert volunteer_client.get("/calendar/reset/").status_code == 405
    bad = volunteer_client.post("/calendar/reset/", {"feed": "alles"})
    assert bad.status_code == 400
    assert "feed" in bad.content.decode()
    profile.refresh_from_db()
    unchanged = profile.calendar_token
    # Never a redirect to another site.
    response = volunteer_client.post(
        "/calendar/reset/", {"feed": "coordinator", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"
    profile.refresh_from_db()
    assert profile.calendar_token == unchanged  # only the coordinator token changed
    # Nor a 500 on a next that is not a path (it was read as a URL pattern name).
    for target in ("abc", "volunteers:profile"):
        response = volunteer_client.post(
            "/calendar/reset/", {"feed": "coordinator", "next": target}
        )
        assert response.status_code == 302
        assert response["Location"] == "/"


def test_reset_makes_a_profile_for_a_user_without_one(client, coordinator):
    client.force_login(coordinator)
    assert not Volunteer.objects.filter(user=coordinator).exists()
    assert client.post("/calendar/reset/", {"feed": "volunteer"}).status_code == 302
    assert Volunteer.objects.filter(user=coordinator).exists()


def test_calendar_url_for_is_absolute_on_site_url(settings, profile):
    assert calendar_url_for(profile) == (
        f"https://{DOMAIN}/calendar/volunteer/{profile.calendar_token}.ics"
    )
    assert calendar_url_for(profile, language="en").endswith(".ics?lang=en")
    settings.SITE_URL = "http://127.0.0.1:8106"
    assert calendar_url_for(profile).startswith("http://127.0.0.1:8106/calendar/volunteer/")
    assert coordinator_calendar_url_for(profile).startswith(
        "http://127.0.0.1:8106/calendar/branch/"
    )


def test_calendar_links_include_shows_add_subscribe_and_reset(profile, coordinator, branch):
    request = RequestFactory().get("/my/shifts/")
    request.user = profile.user
    html = render_to_string("volunteers/_calendar_links.html", {"volunteer": profile}, request)
    token = profile.calendar_token
    assert f'href="http://testserver/calendar/volunteer/{token}.ics"' in html
    assert f'href="webcal://testserver/calendar/volunteer/{token}.ics"' in html
    assert 'action="/calendar/reset/"' in html
    assert 'name="next" value="/my/shifts/"' in html
    assert "Abonneren" in html
    assert "/calendar/branch/" not in html  # not a coordinator

    request.user = coordinator
    html = render_to_string("volunteers/_calendar_links.html", {}, request)
    coordinator_profile = Volunteer.objects.get(user=coordinator)
    token = coordinator_profile.coordinator_calendar_token
    assert f'href="webcal://testserver/calendar/branch/{token}.ics"' in html
    assert 'value="coordinator"' in html

    request.user = AnonymousUser()
    assert "calendar" not in render_to_string("volunteers/_calendar_links.html", {}, request)


# --- The coordinator's feed ------------------------------------------------------------------


def test_coordinator_feed_shows_the_branch_plan_with_counts_and_no_names(
    client, coordinator, branch, other_branch, event, site, shift, profile
):
    draft = Site.objects.create(
        event=event,
        branch=branch,
        status=Site.Status.DRAFT,
        location=Location.objects.create(name="Neude", city="Utrecht"),
        opens_at=on_event_day(12),
        closes_at=on_event_day(17),
    )
    elsewhere = Site.objects.create(
        event=event,
        branch=other_branch,
        status=Site.Status.PUBLISHED,
        location=Location.objects.create(name="azc Zwolle", city="Zwolle"),
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
    )
    make_shift(elsewhere, on_event_day(11), on_event_day(12))
    cancelled_shift = make_shift(
        site, on_event_day(14), on_event_day(15), is_cancelled=True, sequence=1
    )
    sign_up(shift, profile)
    sign_up(
        shift,
        Volunteer.objects.create(
            user=type(coordinator).objects.create_user(email="wacht@example.org", password="x")
        ),
        status=Signup.Status.WAITLISTED,
    )

    feed = fetch_feed(client, branch_feed_url(volunteer_get_or_create(user=coordinator)))

    assert str(feed.calendar["X-WR-CALNAME"]) == "Planning: Afdeling Utrecht"
    assert set(feed.events) == {
        f"site-{site.pk}@{DOMAIN}",
        f"site-{draft.pk}@{DOMAIN}",
        uid(shift),
        uid(cancelled_shift),
    }
    assert str(feed.event(f"site-{site.pk}@{DOMAIN}")["STATUS"]) == "CONFIRMED"
    assert str(feed.event(f"site-{draft.pk}@{DOMAIN}")["STATUS"]) == "TENTATIVE"
    assert "Status: concept." in feed.text(f"site-{draft.pk}@{DOMAIN}", "DESCRIPTION")
    site_text = feed.text(f"site-{site.pk}@{DOMAIN}", "DESCRIPTION")
    assert "Diensten: 1. 1 van 3 plaatsen bezet. 1 op de wachtlijst." in site_text
    shift_event = feed.event(uid(shift))
    assert str(shift_event["STATUS"]) == "CONFIRMED"
    assert "1 van 3 plaatsen bezet. 1 op de wachtlijst." in str(shift_event["DESCRIPTION"])
    assert str(feed.event(uid(cancelled_shift))["STATUS"]) == "CANCELLED"
    text = feed.raw.decode()
    for personal in ("volunteer@example.org", "wacht@example.org", "Vera", "0612345678"):
        assert personal not in text


def test_coordinator_feed_changes_when_someone_signs_up(client, coordinator, shift, profile):
    url = branch_feed_url(volunteer_get_or_create(user=coordinator))
    before = client.get(url)
    sign_up(shift, profile)
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "1 van 3 plaatsen bezet." in parse_feed(after.content).text(uid(shift), "DESCRIPTION")


def test_a_user_who_coordinates_nothing_gets_an_empty_plan(client, profile):
    feed = fetch_feed(client, branch_feed_url(profile))
    assert feed.events == {}
    assert str(feed.calendar["X-WR-CALNAME"]) == "Planning van mijn afdelingen"


def test_coordinator_feed_queries_do_not_grow_with_the_plan(
    client, coordinator, event, branch, django_assert_num_queries
):
    url = branch_feed_url(volunteer_get_or_create(user=coordinator))

    def add_sites(count):
        for _number in range(count):
            new = Site.objects.create(
                event=event,
                branch=branch,
                status=Site.Status.PUBLISHED,
                location=Location.objects.create(name=f"Plek {Site.objects.count()}", city="Ede"),
                opens_at=on_event_day(11),
                closes_at=on_event_day(16),
            )
            make_shift(new, on_event_day(11), on_event_day(13))

    add_sites(1)
    # Built: the token, the branches, then the plan (sites, shifts with their counts).
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
    add_sites(15)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(parse_feed(response.content).events) == 32
    # Stored since: the token and the branches (part of what the answer is stored under).
    with django_assert_num_queries(2):
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_names_with_line_breaks_and_control_characters_keep_the_personal_feeds_valid(
    client, coordinator, profile, site, shift
):
    # As older data or the admin may hold them; the forms refuse them now (common.text).
    site.name = "Open dag\r\nX-INJECTED:1\x1b\u2028!"
    site.save()
    # PostgreSQL cannot store NUL in text at all (tests/test_nul_characters.py), SQLite can.
    site.location.name = "azc\rUtrecht" + ("" if connection.vendor == "postgresql" else "\x00")
    site.location.save()
    shift.notes = "Meld je\r\nbij de poort.\x07"
    shift.save()
    sign_up(shift, profile)
    feeds = {
        "volunteer": fetch_feed(client, feed_url(profile)),  # both parsers must agree
        "coordinator": fetch_feed(
            client, branch_feed_url(volunteer_get_or_create(user=coordinator))
        ),
    }
    for name, feed in feeds.items():
        for line in unfolded_lines(feed.raw):
            assert not line.startswith("X-INJECTED"), name
        assert not any(c in feed.raw.decode() for c in "\x00\x07\x1b\u2028"), name
    vevent = feeds["volunteer"].event(uid(shift))
    assert str(vevent["SUMMARY"]) == "Ontvangst: Open dag X-INJECTED:1 !"
    assert str(vevent["LOCATION"]).startswith("azc Utrecht, ")
    assert "Meld je\nbij de poort." in str(vevent["DESCRIPTION"])
    site_event = feeds["coordinator"].event(f"site-{site.pk}@{DOMAIN}")
    assert "Open dag X-INJECTED:1 !" in str(site_event["SUMMARY"])
