"""The public calendar feeds: `/calendar/events/{slug}.ics` and `/calendar/sites/{id}.ics`."""

import datetime
import gzip

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Volunteer
from common import published
from events.models import Event, Shift, Site, SiteStatusChange
from events.services import site_cancel, site_update
from locations.models import Location, Province
from tests.calendar_parsing import fetch_feed, parse_feed, unfolded_lines
from tests.conftest import EVENT_DAY, YEAR, on_event_day
from tests.events.editions_helpers import host_consent
from tests.factories import make_signup

UTC = datetime.UTC
# Well before today, whatever the date the suite runs on.
LONG_AGO = datetime.datetime(YEAR - 2, 3, 1, 9, 15, 42, 123456, tzinfo=UTC)
EVENT_SLUG = f"open-azc-dag-{YEAR}"
EVENT_FEED = f"/calendar/events/{EVENT_SLUG}.ics"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://actiedagen.example.org"
    settings.CALENDAR_UID_DOMAIN = ""


@pytest.fixture
def street_location(db):
    return Location.objects.create(
        name="azc Amersfoort",
        kind=Location.Kind.AZC,
        street="Barchman Wuytierslaan",
        house_number=10,
        house_number_addition="A",
        postcode="3818 LH",
        city="Amersfoort",
        province=Province.UTRECHT,
        latitude=52.16417,
        longitude=5.39028,
        position_precision=Location.Precision.ADDRESS,
    )


@pytest.fixture
def hidden_location(db):
    return Location.objects.create(
        name="azc Budel-Cranendonck",
        kind=Location.Kind.AZC,
        street="Maarheezerweg",
        house_number=7,
        postcode="6021 PM",
        city="Budel",
        latitude=51.27361,
        longitude=5.57431,
        position_precision=Location.Precision.ADDRESS,
    )


def make_site(event, location, branch, *, status=Site.Status.PUBLISHED, **fields):
    fields.setdefault("opens_at", on_event_day(11))
    fields.setdefault("closes_at", on_event_day(16))
    return Site.objects.create(
        event=event, location=location, branch=branch, status=status, **fields
    )


def age(*objects, moment=LONG_AGO):
    """Pretend the objects were last changed long ago (update() leaves auto_now alone)."""
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(updated_at=moment)
    published.bump(published.SITES)  # as a service changing them does


def test_event_feed_has_every_published_site_with_all_fields(
    client, event, site, street_location, branch, other_branch
):
    amersfoort = make_site(
        event,
        street_location,
        other_branch,
        public_description="Rondleidingen; koffie, thee en muziek.\nKom langs!",
        opens_at=on_event_day(10, 30),
        closes_at=on_event_day(15),
    )
    draft = make_site(
        event, Location.objects.create(name="Neude", city="Utrecht"), branch, status="draft"
    )
    submitted = make_site(
        event, Location.objects.create(name="Vismarkt", city="Utrecht"), branch, status="submitted"
    )
    age(site, amersfoort, site.location, street_location, event, branch, other_branch)

    response = client.get(EVENT_FEED)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    feed = parse_feed(response.content)
    cal = feed.calendar
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//Actiedagen//")
    assert str(cal["X-WR-CALNAME"]) == f"Open azc dag {YEAR}"
    assert set(feed.events) == {
        f"site-{site.pk}@actiedagen.example.org",
        f"site-{amersfoort.pk}@actiedagen.example.org",
    }
    assert f"site-{draft.pk}@" not in response.content.decode()
    assert f"site-{submitted.pk}@" not in response.content.decode()

    vevent = feed.event(f"site-{amersfoort.pk}@actiedagen.example.org")
    assert str(vevent["SUMMARY"]) == f"Open azc dag {YEAR}: azc Amersfoort"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert vevent["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert vevent.decoded("DTSTART") == on_event_day(10, 30)
    assert vevent.decoded("DTEND") == on_event_day(15)
    assert f"DTSTART;TZID=Europe/Amsterdam:{EVENT_DAY:%Y%m%d}T103000" in unfolded_lines(feed.raw)
    assert (
        str(vevent["LOCATION"]) == "azc Amersfoort, Barchman Wuytierslaan 10A, 3818 LH Amersfoort"
    )
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (52.16417, 5.39028)
    assert str(vevent["URL"]) == f"https://actiedagen.example.org/sites/{amersfoort.pk}/"
    description = str(vevent["DESCRIPTION"])
    assert "Rondleidingen; koffie, thee en muziek.\nKom langs!" in description
    assert "Georganiseerd door Afdeling Zwolle." in description
    assert f"https://actiedagen.example.org/sites/{amersfoort.pk}/" in description
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    # DTSTAMP is the last change of what the event shows, to the second, in UTC.
    assert vevent.decoded("DTSTAMP") == LONG_AGO.replace(microsecond=0)
    assert f"DTSTAMP:{YEAR - 2}0301T091542Z" in unfolded_lines(feed.raw)
    assert str(vevent["TRANSP"]) == "TRANSPARENT"
    # One VTIMEZONE, for the zone the events use.
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


def test_dtstamp_follows_the_latest_change_of_site_place_or_edition(client, event, site, branch):
    age(site, site.location, event, branch)
    later = LONG_AGO + datetime.timedelta(days=10, seconds=7)
    age(site.location, moment=later)
    feed = fetch_feed(client, EVENT_FEED)
    vevent = feed.event(f"site-{site.pk}@actiedagen.example.org")
    assert vevent.decoded("DTSTAMP") == later.replace(microsecond=0)
    assert vevent.decoded("LAST-MODIFIED") == later.replace(microsecond=0)


def test_site_shown_approximately_gives_only_the_town_and_a_rounded_position(
    client, event, hidden_location, branch
):
    hidden = make_site(event, hidden_location, branch, show_approximate_location=True)
    for url in (EVENT_FEED, f"/calendar/sites/{hidden.pk}.ics"):
        feed = fetch_feed(client, url)
        vevent = feed.event(f"site-{hidden.pk}@actiedagen.example.org")
        assert str(vevent["LOCATION"]) == "Budel"
        assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (51.27, 5.57)
        text = feed.raw.decode()
        assert "Maarheezerweg" not in text
        assert "6021" not in text
        assert "51.27361" not in text


def test_a_location_without_position_has_no_geo(client, event, branch):
    nowhere = make_site(event, Location.objects.create(name="Markt", city="Gouda"), branch)
    feed = fetch_feed(client, f"/calendar/sites/{nowhere.pk}.ics")
    vevent = feed.event(f"site-{nowhere.pk}@actiedagen.example.org")
    assert "GEO" not in vevent
    assert str(vevent["LOCATION"]) == "Markt, Gouda"


def test_uid_survives_an_edit_while_sequence_rises(client, event, site, organiser, street_location):
    age(site, site.location, event, site.branch)
    uid = f"site-{site.pk}@actiedagen.example.org"
    before = fetch_feed(client, f"/calendar/sites/{site.pk}.ics").event(uid)
    assert int(before["SEQUENCE"]) == 0

    # Text only: same sequence, newer DTSTAMP.
    site_update(site=site, by=organiser, public_description="Nieuw programma")
    after_text = fetch_feed(client, f"/calendar/sites/{site.pk}.ics").event(uid)
    assert int(after_text["SEQUENCE"]) == 0
    assert after_text.decoded("DTSTAMP") > before.decoded("DTSTAMP")

    # Time and then place: the same UID, sequence up each time.
    site_update(site=site, by=organiser, opens_at=on_event_day(12))
    after_time = fetch_feed(client, f"/calendar/sites/{site.pk}.ics").event(uid)
    assert int(after_time["SEQUENCE"]) == 1
    assert after_time.decoded("DTSTART") == on_event_day(12)

    host_consent(site)  # the new place is an azc too: its host agreed
    site_update(site=site, by=organiser, location=street_location)
    feed = fetch_feed(client, EVENT_FEED)
    assert list(feed.events) == [uid]
    moved = feed.event(uid)
    assert int(moved["SEQUENCE"]) == 2
    assert "Barchman Wuytierslaan" in str(moved["LOCATION"])


def test_moving_the_location_raises_the_sequence_of_its_sites_and_shifts(
    coordinator_client, event, site, shift
):
    """A coordinator corrects the azc's address on the location page: calendars that
    subscribed to the site (or to a shift there) must take the new place, so SEQUENCE
    rises; a new name alone is no new place."""
    age(site, site.location, event, site.branch, shift)
    uid = f"site-{site.pk}@actiedagen.example.org"
    edit = reverse("locations:edit", args=[site.location.pk])
    form = {
        "name": "azc Utrecht",
        "kind": "azc",
        "street": "",
        "house_number": "",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "municipality": "",
        "province": "",
        "reference": "",
        "latitude": "52.09083",
        "longitude": "5.12222",
        "looked_up_latitude": "52.09083",
        "looked_up_longitude": "5.12222",
        "position_is_manual": "on",
        "action": "save",
    }

    coordinator_client.post(edit, {**form, "name": "Open azc Utrecht"})
    renamed = fetch_feed(coordinator_client, f"/calendar/sites/{site.pk}.ics").event(uid)
    assert str(renamed["LOCATION"]).startswith("Open azc Utrecht")
    assert int(renamed["SEQUENCE"]) == 0
    assert renamed.decoded("DTSTAMP") > LONG_AGO

    coordinator_client.post(
        edit,
        {
            **form,
            "street": "Herculeslaan",
            "house_number": "48",
            "postcode": "3584 AA",
            "latitude": "52.07611",
            "longitude": "5.13389",
        },
    )
    moved = fetch_feed(coordinator_client, f"/calendar/sites/{site.pk}.ics").event(uid)
    assert "Herculeslaan 48" in str(moved["LOCATION"])
    assert int(moved["SEQUENCE"]) == 1
    assert (moved["GEO"].latitude, moved["GEO"].longitude) == (52.07611, 5.13389)
    shift.refresh_from_db()
    assert shift.sequence == 1
    assert shift.updated_at > LONG_AGO


def test_cancelled_site_stays_in_the_feeds_as_cancelled(client, event, site, organiser):
    age(site, site.location, event, site.branch)
    uid = f"site-{site.pk}@actiedagen.example.org"
    site_cancel(site=site, by=organiser, comment="Het azc gaat verbouwen")
    for url in (EVENT_FEED, f"/calendar/sites/{site.pk}.ics"):
        vevent = fetch_feed(client, url).event(uid)
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert int(vevent["SEQUENCE"]) == 1
        assert vevent.decoded("DTSTAMP") > LONG_AGO
        assert str(vevent["SUMMARY"]).startswith("Geannuleerd: ")
    # The site's page is gone, as before; only the feeds keep the cancellation.
    assert client.get(f"/sites/{site.pk}/").status_code == 404


def test_a_site_that_was_never_published_stays_out_even_when_cancelled(
    client, event, branch, organiser
):
    draft = make_site(
        event, Location.objects.create(name="Neude", city="Utrecht"), branch, status="submitted"
    )
    site_cancel(site=draft, by=organiser)
    assert SiteStatusChange.objects.filter(site=draft, to_status="cancelled").exists()
    feed = fetch_feed(client, EVENT_FEED)
    assert feed.events == {}
    assert client.get(f"/calendar/sites/{draft.pk}.ics").status_code == 404


def test_unchanged_feed_is_byte_identical_and_answers_304(client, event, site, organiser):
    url = EVENT_FEED
    first = client.get(url)
    second = client.get(url)
    assert first.content == second.content
    etag = first["ETag"]
    assert etag == second["ETag"]

    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    site_update(site=site, by=organiser, public_description="Anders")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Anders" in changed.content


def test_compressed_feed_also_answers_304(client, event, site):
    url = f"/calendar/sites/{site.pk}.ics"
    plain = client.get(url).content
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_empty_feed_is_a_valid_empty_calendar(client, event):
    response = client.get(EVENT_FEED)
    assert response.status_code == 200
    feed = parse_feed(response.content)
    assert feed.events == {}
    assert feed.calendar.walk("VTIMEZONE") == []
    assert str(feed.calendar["X-WR-CALNAME"]) == f"Open azc dag {YEAR}"
    assert str(feed.calendar["PRODID"])
    lines = unfolded_lines(response.content)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2:] == ["END:VCALENDAR", ""]


def test_unknown_unpublished_or_hidden_feeds_are_not_found(client, event, site, branch):
    hidden = Event.objects.create(
        name=f"Bakkie Doen {YEAR + 1}",
        slug=f"bakkie-doen-{YEAR + 1}",
        kind_id="coffee",
        date=datetime.date(YEAR + 1, 6, 20),
        is_published=False,
    )
    draft = make_site(
        event, Location.objects.create(name="Neude", city="Utrecht"), branch, status="draft"
    )
    assert client.get("/calendar/events/bestaat-niet.ics").status_code == 404
    assert client.get(f"/calendar/events/{hidden.slug}.ics").status_code == 404
    assert client.get(f"/calendar/sites/{draft.pk}.ics").status_code == 404
    assert client.get("/calendar/sites/999999.ics").status_code == 404
    Event.objects.filter(pk=event.pk).update(is_published=False)
    assert client.get(f"/calendar/sites/{site.pk}.ics").status_code == 404


def test_feeds_answer_only_safe_methods(client, site):
    assert client.post(f"/calendar/sites/{site.pk}.ics").status_code == 405
    head = client.head(f"/calendar/sites/{site.pk}.ics")
    assert head.status_code == 200
    assert head["Content-Type"] == "text/calendar; charset=utf-8"


def test_site_feed_has_one_event_named_after_site_and_edition(client, site):
    feed = fetch_feed(client, f"/calendar/sites/{site.pk}.ics")
    assert list(feed.events) == [f"site-{site.pk}@actiedagen.example.org"]
    assert str(feed.calendar["X-WR-CALNAME"]) == f"azc Utrecht – Open azc dag {YEAR}"


def test_feed_queries_do_not_grow_with_the_number_of_sites(
    client, event, branch, django_assert_num_queries
):
    def add_sites(count):
        for number in range(count):
            location = Location.objects.create(
                name=f"Plek {Location.objects.count()}",
                city="Utrecht",
                latitude=52.09,
                longitude=5.12,
            )
            make_site(event, location, branch, show_approximate_location=number % 2 == 0)

    url = EVENT_FEED
    add_sites(1)
    # Built: the edition, then its sites with all a feed shows.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    add_sites(30)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert len(parse_feed(response.content).events) == 31
    # Stored since (`common.published`): the edition alone, for a poll whose ETag still
    # matches as for one without.
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    with django_assert_num_queries(1):
        assert client.get(url).content == response.content
    site = Site.objects.filter(event=event).first()
    with django_assert_num_queries(1):
        assert client.get(f"/calendar/sites/{site.pk}.ics").status_code == 200


def test_special_characters_are_escaped_and_long_lines_folded(client, event, branch):
    text = (
        "Welkom; bienvenue, أهلا وسهلا بكم! Een lange tekst over koffie, thee en gesprekken "
        "met bewoners van het azc, die zeker langer is dan vijfenzeventig octetten."
    )
    place = Location.objects.create(name='Café "De Hoek"; terras', city="’s-Hertogenbosch")
    special = make_site(event, place, branch, public_description=text)
    response = client.get(f"/calendar/sites/{special.pk}.ics")
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75
    feed = parse_feed(response.content)
    vevent = feed.event(f"site-{special.pk}@actiedagen.example.org")
    assert text in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == 'Café "De Hoek"; terras, ’s-Hertogenbosch'
    assert "Welkom\\; bienvenue\\," in response.content.decode().replace("\r\n ", "")


def test_feed_language_is_dutch_unless_asked_for_english(client, site):
    dutch = fetch_feed(client, f"/calendar/sites/{site.pk}.ics", HTTP_ACCEPT_LANGUAGE="en")
    assert "Meer informatie" in dutch.text(f"site-{site.pk}@actiedagen.example.org", "DESCRIPTION")
    english = fetch_feed(client, f"/calendar/sites/{site.pk}.ics?lang=en")
    description = english.text(f"site-{site.pk}@actiedagen.example.org", "DESCRIPTION")
    assert "More information" in description
    assert "Organised by Afdeling Utrecht." in description
    unknown = client.get(f"/calendar/sites/{site.pk}.ics?lang=xx")
    assert unknown.content == dutch.raw


def test_public_feeds_carry_no_personal_data(client, event, site, coordinator, volunteer):
    shift = Shift.objects.create(
        site=site,
        role="reception",
        starts_at=on_event_day(11),
        ends_at=on_event_day(13),
        capacity=2,
        notes="Bel Karim op 0687654321",
    )
    make_signup(shift=shift, volunteer=Volunteer.objects.get(user=volunteer), status="confirmed")
    for url in (EVENT_FEED, f"/calendar/sites/{site.pk}.ics"):
        text = client.get(url).content.decode()
        for personal in (
            "volunteer@example.org",
            "coordinator@example.org",
            "Vera",
            "Karim",
            "0612345678",
            "0687654321",
        ):
            assert personal not in text, (url, personal)


def test_event_and_site_pages_link_to_their_feeds(client, site):
    event_page = client.get(f"/events/{EVENT_SLUG}/").content.decode()
    assert f'href="http://testserver{EVENT_FEED}"' in event_page
    assert f'href="webcal://testserver{EVENT_FEED}"' in event_page
    assert "Toevoegen aan agenda" in event_page
    assert "Abonneren" in event_page
    site_page = client.get(f"/sites/{site.pk}/").content.decode()
    assert f'href="webcal://testserver/calendar/sites/{site.pk}.ics"' in site_page
    english = client.get(f"/sites/{site.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="webcal://testserver/calendar/sites/{site.pk}.ics?lang=en"' in english


# --- Whatever is stored, the feeds stay valid ----------------------------------------------

# Names as older data or the admin may hold them: line breaks of every kind (one of them a
# forged property), tabs, escape, DEL, C1 controls, NUL.
# PostgreSQL cannot store NUL in text at all (tests/test_nul_characters.py), SQLite can.
NUL = "" if connection.vendor == "postgresql" else "\x00"
HOSTILE_NAME = f"Open dag\r\nX-INJECTED:1\rA\nB\tC\x1b[31mD\x7fE\x85F\u2028G{NUL}H\x0bI"
CLEAN_NAME = "Open dag X-INJECTED:1 A B C[31mDE F GH I"


def test_a_name_with_line_breaks_and_control_characters_keeps_every_feed_valid(
    client, event, branch
):
    place = Location.objects.create(name="Plek\r\nmet\x01regels", city="Utrecht\r")
    branch.name = "Afdeling\r\nUtrecht\x1b"
    branch.save()
    event.name = "Open azc dag;\r\n\\ 2027"
    event.save()
    hostile = make_site(
        event,
        place,
        branch,
        name=HOSTILE_NAME,
        public_description="Regel één\r\nregel twee\rregel drie\x01\u2029einde\tmet tab",
    )
    uid = f"site-{hostile.pk}@actiedagen.example.org"
    for url in (f"/calendar/sites/{hostile.pk}.ics", EVENT_FEED):
        feed = fetch_feed(client, url)  # read by icalendar and by vobject, which must agree
        raw = feed.raw.decode()
        for line in unfolded_lines(feed.raw):
            assert not line.startswith("X-INJECTED"), url
        assert not any(c in raw.replace("\r\n", "") for c in "\r\n\x00\x01\x1b\x7f\x85\u2028")
        summary = feed.text(uid, "SUMMARY")
        assert summary == f"Open azc dag; \\ 2027: {CLEAN_NAME}"
        assert feed.text(uid, "LOCATION") == "Plek metregels, Utrecht "
        description = feed.text(uid, "DESCRIPTION")
        assert "Regel één\nregel twee\nregel drie\neinde\tmet tab" in description
        assert "Georganiseerd door Afdeling\nUtrecht." in description  # several lines
    # The calendar's own name is TEXT too: escaped, and read back by the second parser.
    site_feed = fetch_feed(client, f"/calendar/sites/{hostile.pk}.ics")
    name = site_feed.other.contents["x-wr-calname"][0].value
    assert name == f"{CLEAN_NAME} – Open azc dag; \\ 2027"
    edition_feed = fetch_feed(client, EVENT_FEED)
    assert edition_feed.other.contents["x-wr-calname"][0].value == "Open azc dag; \\ 2027"
