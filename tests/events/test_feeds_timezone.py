"""The VTIMEZONE in our feeds: the UTC offsets an independent reader takes from it match
zoneinfo around every change of the covered years, and it covers those years only."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from events.calendar import vtimezone
from events.models import Event, Site
from locations.models import Location
from tests.calendar_parsing import fetch_feed, unfolded_lines
from tests.conftest import YEAR, aware, last_weekday_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC


def zoneinfo_changes(years):
    """Every moment (UTC) in the given years when Amsterdam's offset changes, found by
    zoneinfo alone, hour by hour."""
    changes = []
    for year in years:
        moment = datetime.datetime(year, 1, 1, tzinfo=AMSTERDAM).astimezone(UTC)
        end = datetime.datetime(year + 1, 1, 1, tzinfo=AMSTERDAM).astimezone(UTC)
        while moment < end:
            following = moment + datetime.timedelta(hours=1)
            if (
                following.astimezone(AMSTERDAM).utcoffset()
                != moment.astimezone(AMSTERDAM).utcoffset()
            ):
                changes.append(following)
            moment = following
    return changes


def readers_of(raw: bytes):
    """tzinfo objects built from the feed's VTIMEZONE by two readers that do not look the
    TZID up: dateutil through vobject, and icalendar's own VTIMEZONE reader."""
    other = vobject.readOne(raw.decode())
    by_vobject = other.vtimezone.gettzinfo()
    by_icalendar = icalendar.Calendar.from_ical(raw).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    return {"vobject/dateutil": by_vobject, "icalendar": by_icalendar}


def assert_offsets_agree(raw: bytes, years):
    changes = zoneinfo_changes(years)
    assert len(changes) == 2 * len(years)  # summer time starts and ends once a year
    readers = readers_of(raw)
    probes = []
    for change in changes:
        for seconds in (-7200, -3600, -1800, -1, 0, 1, 1800, 3600, 5400, 7200):
            probes.append(change + datetime.timedelta(seconds=seconds))
    for year in years:  # and the middle of every month
        probes += [datetime.datetime(year, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]
        probes.append(datetime.datetime(year, 1, 1, tzinfo=AMSTERDAM).astimezone(UTC))
    for probe in probes:
        expected = probe.astimezone(AMSTERDAM).utcoffset()
        for name, tzinfo in readers.items():
            assert probe.astimezone(tzinfo).utcoffset() == expected, (name, probe)


@pytest.fixture
def two_year_event(db, branch):
    """An edition whose sites span two years: June of YEAR and January of the next."""
    event = Event.objects.create(
        name="Bakkie Doen",
        slug="bakkie-doen",
        kind_id="coffee",
        date=datetime.date(YEAR, 6, 20),
        is_published=True,
    )
    for number, (start, end) in enumerate(
        [
            (aware(YEAR, 6, 20, 9), aware(YEAR, 6, 20, 12)),
            (aware(YEAR + 1, 1, 10, 9), aware(YEAR + 1, 1, 10, 12)),
        ]
    ):
        Site.objects.create(
            event=event,
            branch=branch,
            status=Site.Status.PUBLISHED,
            location=Location.objects.create(name=f"Plein {number}", city="Utrecht"),
            opens_at=start,
            closes_at=end,
        )
    return event


def test_feed_vtimezone_gives_the_offsets_zoneinfo_gives_around_every_change(
    client, two_year_event
):
    response = client.get("/calendar/events/bakkie-doen.ics")
    assert_offsets_agree(response.content, [YEAR, YEAR + 1])


def test_vtimezone_covers_only_the_years_of_the_feed(client, two_year_event, event, site):
    two_years = client.get("/calendar/events/bakkie-doen.ics").content
    one_year = client.get(f"/calendar/events/{event.slug}.ics").content

    def onset_years(raw):
        timezone = icalendar.Calendar.from_ical(raw).walk("VTIMEZONE")[0]
        return sorted({sub.decoded("DTSTART").year for sub in timezone.subcomponents})

    assert onset_years(two_years) == [YEAR, YEAR + 1]
    assert onset_years(one_year) == [YEAR]
    # 1 January, start and end of summer time: three observances for one year.
    assert len(icalendar.Calendar.from_ical(one_year).walk("VTIMEZONE")[0].subcomponents) == 3


def test_years_far_apart_get_only_their_own_transitions():
    raw = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\n"
        + vtimezone("Europe/Amsterdam", [2018, 2027]).to_ical()
        + b"END:VCALENDAR\r\n"
    )
    onsets = sorted(
        sub.decoded("DTSTART").year
        for sub in icalendar.Calendar.from_ical(raw).walk("VTIMEZONE")[0].subcomponents
    )
    assert onsets == [2018, 2018, 2018, 2027, 2027, 2027]
    assert_offsets_agree(raw, [2018, 2027])


def test_onsets_are_local_times_before_the_change():
    timezone = vtimezone("Europe/Amsterdam", [2027])
    lines = timezone.to_ical().decode().split("\r\n")
    # Summer time starts at 02:00 winter time and ends at 03:00 summer time.
    daylight = lines.index("BEGIN:DAYLIGHT")
    assert lines[daylight + 1 : daylight + 5] == [
        "DTSTART:20270328T020000",
        "TZNAME:CEST",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
    ]
    standard = len(lines) - 1 - lines[::-1].index("BEGIN:STANDARD")
    assert lines[standard + 1 : standard + 5] == [
        "DTSTART:20271031T030000",
        "TZNAME:CET",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
    ]


@pytest.mark.parametrize(
    ("month", "hours"),
    [
        # The last Sunday of October: 02:00-03:00 happens twice; the shift lasts 3 hours.
        (10, 3),
        # The last Sunday of March: 02:00-03:00 does not exist; the shift lasts 1 hour.
        (3, 1),
    ],
)
def test_a_site_across_a_change_of_summer_time_keeps_its_wall_clock_times(
    client, event, branch, month, hours
):
    change = last_weekday_of(YEAR, month, 6)  # the Sunday summer time starts or ends
    night = Site.objects.create(
        event=event,
        branch=branch,
        status=Site.Status.PUBLISHED,
        location=Location.objects.create(name="Nachtcafé", city="Utrecht"),
        opens_at=aware(change.year, change.month, change.day, 1, 30),
        closes_at=aware(change.year, change.month, change.day, 3, 30),
    )
    feed = fetch_feed(client, f"/calendar/sites/{night.pk}.ics")
    lines = unfolded_lines(feed.raw)
    assert f"DTSTART;TZID=Europe/Amsterdam:{change:%Y%m%d}T013000" in lines
    assert f"DTEND;TZID=Europe/Amsterdam:{change:%Y%m%d}T033000" in lines
    # Both parsers (checked alike in fetch_feed) read the same instants and duration.
    vevent = next(iter(feed.events.values()))
    duration = vevent.decoded("DTEND").astimezone(UTC) - vevent.decoded("DTSTART").astimezone(UTC)
    assert duration == datetime.timedelta(hours=hours)
    assert_offsets_agree(feed.raw, [YEAR])
