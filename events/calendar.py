"""iCalendar (RFC 5545) building blocks shared by every feed: the public feeds here and the
personal feeds in `volunteers`.

Everything that ends up in a feed is derived from the data alone (never from the time of the
request), so an unchanged feed is byte-identical between fetches and conditional GETs answer
`304 Not Modified`:

- `UID` is `<model>-<pk>@<CALENDAR_UID_DOMAIN>`: it never changes when an object is edited.
- `DTSTAMP` and `LAST-MODIFIED` are the last change of anything shown in the event.
- Times are written in Europe/Amsterdam with a `VTIMEZONE` built here (see `vtimezone`).

Serialisation, escaping and line folding are left to the `icalendar` library; text from
the database goes through `feed_text` first, so that a feed stays valid whatever is stored
(a line break in a site's name once made `icalendar` refuse the whole feed).
"""

import datetime
import functools
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vText
from icalendar import Event as VEvent
from icalendar import __version__ as icalendar_version

from locations.models import Location

PRODID = "-//Actiedagen//Actiedagen feeds 1.0//NL"
# Part of every ETag: change it when the same data gives a different feed (new fields,
# new wording), so calendars that poll with an old ETag get the new text.
FEED_FORMAT = "2027-2"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often subscribed calendars are asked to look again (RFC 7986 and the older X- form).
REFRESH_INTERVAL = datetime.timedelta(hours=1)
# Digits kept of a position that may only be shown approximately: 0.01° is about 1 km.
APPROXIMATE_DECIMALS = 2

UTC = datetime.UTC


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def uid_domain() -> str:
    """The right-hand side of every UID. Set once per installation and never change it:
    calendars recognise events by their UID."""
    configured = getattr(settings, "CALENDAR_UID_DOMAIN", "")
    return configured or urlsplit(settings.SITE_URL).hostname or "localhost"


def uid_for(kind: str, pk: int) -> str:
    """A UID that survives every edit: the kind of object, its primary key and our domain."""
    return f"{kind}-{pk}@{uid_domain()}"


def absolute_url(path: str) -> str:
    """An absolute http(s) URL on this installation (settings.SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def webcal_url(url: str) -> str:
    """The `webcal://` form of an http(s) feed URL, which opens the calendar app's
    "subscribe" dialogue. Calendar apps fetch it over http(s) again."""
    scheme, _, rest = url.partition("://")
    if scheme in {"http", "https"}:
        return f"webcal://{rest}"
    return url


def feed_language(request) -> str:
    """The language of a feed: `?lang=` when it names one of ours, else the default.

    Feeds do not follow the Accept-Language header or the language cookie: calendar servers
    fetch them without either, and one URL must always give the same bytes."""
    wanted = request.GET.get("lang", "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    return settings.LANGUAGE_CODE


def with_language(url: str, language: str | None) -> str:
    """Add `?lang=` for a language other than the default."""
    if not language or language == settings.LANGUAGE_CODE:
        return url
    if language not in dict(settings.LANGUAGES):
        return url
    return f"{url}?lang={language}"


def last_change(*moments: datetime.datetime | None) -> datetime.datetime:
    """The latest of some `updated_at` values, in UTC and to the second."""
    latest = max(moment for moment in moments if moment is not None)
    return latest.astimezone(UTC).replace(microsecond=0)


# --- VTIMEZONE ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _transitions(
    tzid: str, first_year: int, last_year: int
) -> tuple[tuple[datetime.datetime, datetime.timedelta, datetime.timedelta], ...]:
    """The moments (UTC) in [1 January of `first_year`, 1 January after `last_year`) when
    the zone's UTC offset changes, with the offsets before and after.

    Found by stepping through the range an hour at a time in UTC and narrowing every change
    down to the second, so nothing depends on how wall-clock arithmetic treats the skipped
    or repeated hour."""
    tz = ZoneInfo(tzid)
    start = datetime.datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    step = datetime.timedelta(hours=1)
    found = []
    moment = start
    offset = moment.astimezone(tz).utcoffset()
    while moment < end:
        following = moment + step
        following_offset = following.astimezone(tz).utcoffset()
        if following_offset != offset:
            before, after = moment, following
            while after - before > datetime.timedelta(seconds=1):
                middle = (before + (after - before) / 2).replace(microsecond=0)
                if middle.astimezone(tz).utcoffset() == offset:
                    before = middle
                else:
                    after = middle
            found.append((after, offset, following_offset))
            offset = following_offset
        moment = following
    return tuple(found)


def _observance(tz: ZoneInfo, onset_utc: datetime.datetime, offset_from, offset_to):
    local = onset_utc.astimezone(tz)
    observance = TimezoneDaylight() if local.dst() else TimezoneStandard()
    # RFC 5545, 3.6.5: the onset is the local time before the change (in TZOFFSETFROM).
    observance.add("DTSTART", (onset_utc + offset_from).replace(tzinfo=None))
    observance.add("TZOFFSETFROM", offset_from)
    observance.add("TZOFFSETTO", offset_to)
    observance.add("TZNAME", local.tzname())
    return observance


def _runs(years: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last): {2018, 2019, 2027} -> [(2018, 2019), (2027, 2027)]."""
    runs: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def vtimezone(tzid: str, years: Iterable[int]) -> Timezone:
    """A VTIMEZONE for `tzid` that covers the given whole years and no others.

    Each run of consecutive years opens with the observance in force on its 1 January (an
    onset at midnight that changes nothing), followed by one observance per change of offset
    in those years. Each onset is the local time before the change, as RFC 5545 asks: summer
    time in Amsterdam starts at 02:00 (+01:00) and ends at 03:00 (+02:00).

    We do not use icalendar's `Timezone.from_tzinfo` (7.3.2): it writes the onset of summer
    time as 03:00 with TZOFFSETFROM +01:00, an hour late, so a strict reader (dateutil, or
    icalendar itself reading the VTIMEZONE) gets the offset wrong between 01:00 and 02:00
    UTC on the last Sunday of March.
    """
    tz = ZoneInfo(tzid)
    component = Timezone()
    component.add("TZID", tzid)
    for first_year, last_year in _runs(years):
        new_year = datetime.datetime(first_year, 1, 1, tzinfo=tz)
        offset = new_year.utcoffset()
        component.add_component(_observance(tz, new_year.astimezone(UTC), offset, offset))
        for onset, offset_from, offset_to in _transitions(tzid, first_year, last_year):
            component.add_component(_observance(tz, onset, offset_from, offset_to))
    return component


# --- Text ------------------------------------------------------------------------------------

_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def feed_text(value: str, *, multiline: bool = False) -> str:
    """`value` as iCalendar TEXT may carry it (RFC 5545, 3.3.11: no control characters but
    the tab; a line break is written escaped, as `\\n`). Line breaks of any kind become one
    `\\n`, or a space in one-line text (a name, a place) along with tabs; other control
    characters are dropped. Names typed today cannot hold them (`common.text`), but older
    data or the admin may."""
    text = _LINE_BREAK.sub("\n" if multiline else " ", value)
    if not multiline:
        text = text.replace("\t", " ")
    return _CONTROL.sub("", text)


# --- Calendars and events ------------------------------------------------------------------


def new_calendar(*, name: str, description: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    # `icalendar` writes X- properties as they come, unescaped: as TEXT (vText) their
    # commas, semicolons and backslashes are escaped, as RFC 5545 asks of TEXT.
    calendar.add("X-WR-CALNAME", vText(feed_text(name)))
    if description:
        calendar.add("X-WR-CALDESC", vText(feed_text(description, multiline=True)))
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    return calendar


def new_event(
    *,
    uid: str,
    summary: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    changed_at: datetime.datetime,
    created_at: datetime.datetime | None,
    sequence: int,
    status: str,
    description: str,
    url: str,
    place: Location,
    approximate: bool,
    busy: bool,
) -> VEvent:
    """One VEVENT with the fields every feed carries. Times go out in the app's time zone
    (TZID=Europe/Amsterdam); DTSTAMP and LAST-MODIFIED are the object's last change.
    LOCATION and GEO both come from `place`, so that with `approximate` neither gives away
    more than the town (see `place_text` and `place_geo`)."""
    location = place_text(place, approximate=approximate)
    geo = place_geo(place, approximate=approximate)
    event = VEvent()
    event.add("UID", uid)
    event.add("DTSTAMP", changed_at)
    event.add("LAST-MODIFIED", changed_at)
    if created_at is not None:
        event.add("CREATED", created_at.astimezone(UTC).replace(microsecond=0))
    event.add("SEQUENCE", sequence)
    event.add("STATUS", status)
    event.add("DTSTART", starts_at.astimezone(zone()))
    event.add("DTEND", ends_at.astimezone(zone()))
    event.add("SUMMARY", feed_text(summary))
    if location:
        event.add("LOCATION", feed_text(location))
    if geo is not None:
        event.add("GEO", geo)
    event.add("URL", url)
    if description:
        event.add("DESCRIPTION", feed_text(description, multiline=True))
    event.add("TRANSP", "OPAQUE" if busy else "TRANSPARENT")
    return event


def finish(calendar: Calendar, events: Iterable[VEvent]) -> bytes:
    """Add the events and the VTIMEZONE for the years they cover; the iCalendar bytes.

    A calendar without events gets no VTIMEZONE: it is a valid, empty calendar."""
    events = list(events)
    years = set()
    for event in events:
        for name in ("DTSTART", "DTEND"):
            years.add(event.decoded(name).year)
    if years:
        calendar.add_component(vtimezone(settings.TIME_ZONE, years))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def etag(*inputs) -> str:
    """An ETag from everything a feed is made of, computed without building the feed.

    Views pass the feed's kind, its language, and the count and latest `updated_at` of every
    kind of row it shows (counts catch deletions; every service that changes what a feed
    shows bumps an `updated_at`). The settings that end up in the text and FEED_FORMAT are
    added here. Used with Django's `condition` decorator: a poll with a matching
    If-None-Match gets 304 after one or two small queries, without building the feed.
    """
    parts = (
        FEED_FORMAT,
        icalendar_version,
        settings.SITE_URL,
        uid_domain(),
        settings.TIME_ZONE,
        *inputs,
    )
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f'"{digest[:40]}"'


def feed_response(body: bytes, *, filename: str, personal: bool, language: str) -> HttpResponse:
    """An iCalendar response. The ETag (and 304) come from the `condition` decorator."""
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    if personal:
        # A secret URL: no shared cache keeps it, no search engine lists it.
        patch_cache_control(response, private=True, no_cache=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        patch_cache_control(response, public=True, max_age=600)
    return response


# --- Places --------------------------------------------------------------------------------


def place_text(location: Location, *, approximate: bool) -> str:
    """LOCATION: the name and street address, or only the town when the site may only be
    shown approximately."""
    if approximate:
        return location.city
    address = location.address_line or location.city
    if location.name and location.name not in address:
        return f"{location.name}, {address}"
    return address


def place_geo(location: Location, *, approximate: bool) -> tuple[float, float] | None:
    """GEO: the position, rounded to about a kilometre when it may only be shown
    approximately, or nothing when the location has no position."""
    if not location.has_position:
        return None
    if approximate:
        return (
            round(location.latitude, APPROXIMATE_DECIMALS),
            round(location.longitude, APPROXIMATE_DECIMALS),
        )
    return (location.latitude, location.longitude)
