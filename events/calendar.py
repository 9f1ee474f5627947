"""iCalendar (RFC 5545) building blocks shared by every feed: the public feeds here and the
personal feeds in `volunteers`.

Everything that ends up in a feed is derived from the data alone (never from the time of the
request), so an unchanged feed is byte-identical between fetches and conditional GETs answer
`304 Not Modified`:

- `UID` is `<model>-<pk>@<CALENDAR_UID_DOMAIN>`: it never changes when an object is edited.
- `DTSTAMP` and `LAST-MODIFIED` are the last change of anything shown in the event.
- Times are written in Europe/Amsterdam with a `VTIMEZONE` built here (see `vtimezone`).

Feeds are written by our own small writer (`events.ical`: content lines, escaping, folding),
which gives the bytes the `icalendar` library gave at a fraction of the cost; the library
still builds the VTIMEZONE (rendered once per zone and set of years) and reads feeds in the
tests. Text from the database goes through `feed_text` first, so that a feed stays valid
whatever is stored (a line break in a site's name once made `icalendar` refuse the whole
feed).
"""

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from common import published
from common.languages import is_offered
from locations.models import Location

from . import ical
from .models import Site

PRODID = "-//Actiedagen//Actiedagen feeds 1.0//NL"
# Part of what a stored feed is filed under (`feed_answer`): change it when the same data
# gives a different feed (new fields, new wording), so that no feed of the old code is served.
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
    return configured or _hostname(settings.SITE_URL) or "localhost"


@functools.lru_cache(maxsize=8)
def _hostname(url: str) -> str | None:
    return urlsplit(url).hostname


def uid_for(kind: str, pk: int) -> str:
    """A UID that survives every edit: the kind of object, its primary key and our domain."""
    return f"{kind}-{pk}@{uid_domain()}"


def absolute_url(path: str) -> str:
    """An absolute http(s) URL on this installation (settings.SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


# A primary key no row has, to find where a site's primary key goes in its page's URL.
_PK_MARK = 987_654_321_987_654_321


def site_page_url(site: Site) -> str:
    """`absolute_url(site.get_absolute_url())`, without asking Django's URL resolver once per
    site: the URL of a site with a made-up primary key is computed once (per URLconf,
    script prefix, language and SITE_URL) and the real key put in its place. In a feed of
    2,000 sites, `reverse` took a third of the time spent writing the events."""
    parts = _site_page_url_parts(
        get_urlconf(), get_script_prefix(), get_language(), settings.SITE_URL
    )
    if parts is None:
        return absolute_url(site.get_absolute_url())
    return f"{parts[0]}{site.pk}{parts[1]}"


@functools.lru_cache(maxsize=8)
def _site_page_url_parts(urlconf, script_prefix, language, site_url) -> tuple[str, str] | None:
    """The URL of a site's page around its primary key, or None when the key is not simply
    part of it (then every URL is reversed)."""
    before, mark, after = absolute_url(Site(pk=_PK_MARK).get_absolute_url()).partition(
        str(_PK_MARK)
    )
    if not mark or str(_PK_MARK) in after:
        return None
    return before, after


def webcal_url(url: str) -> str:
    """The `webcal://` form of an http(s) feed URL, which opens the calendar app's
    "subscribe" dialogue. Calendar apps fetch it over http(s) again."""
    scheme, _, rest = url.partition("://")
    if scheme in {"http", "https"}:
        return f"webcal://{rest}"
    return url


def feed_language(request, default: str | None = None) -> str:
    """The language of a feed: `?lang=` when it names one of ours, else `default` (a
    personal feed's: the person's own language), else the site's default.

    Feeds do not follow the Accept-Language header or the language cookie: calendar servers
    fetch them without either, and one URL gives the same bytes to every client (a
    personal feed changes language only when its person changes theirs)."""
    wanted = request.GET.get("lang", "")
    if is_offered(wanted):
        return wanted
    if is_offered(default):
        return default
    return settings.LANGUAGE_CODE


def with_language(url: str, language: str | None) -> str:
    """Add `?lang=` for a language other than the default."""
    if not language or language == settings.LANGUAGE_CODE:
        return url
    if not is_offered(language):
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


@functools.lru_cache(maxsize=64)
def _vtimezone_lines(tzid: str, years: tuple[int, ...]) -> str:
    rendered = vtimezone(tzid, years).to_ical().decode()
    # Unfolded, like every other line before `ical.serialise` folds the whole feed.
    return rendered.replace("\r\n ", "").replace("\r\n\t", "")


def vtimezone_lines(tzid: str, years: Iterable[int]) -> str:
    """`vtimezone(tzid, years)` as unfolded content lines ending in CRLF, rendered by the
    `icalendar` library once per zone and set of years and then reused."""
    return _vtimezone_lines(tzid, tuple(sorted(set(years))))


# --- Text ------------------------------------------------------------------------------------

_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Every character `feed_text` changes: most text has none, and is returned as it is.
_TOUCHED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def feed_text(value: str, *, multiline: bool = False) -> str:
    """`value` as iCalendar TEXT may carry it (RFC 5545, 3.3.11: no control characters but
    the tab; a line break is written escaped, as `\\n`). Line breaks of any kind become one
    `\\n`, or a space in one-line text (a name, a place) along with tabs; other control
    characters are dropped. Names typed today cannot hold them (`common.text`), but older
    data or the admin may."""
    if not _TOUCHED.search(value):
        return value
    text = _LINE_BREAK.sub("\n" if multiline else " ", value)
    if not multiline:
        text = text.replace("\t", " ")
    return _CONTROL.sub("", text)


# --- Calendars and events ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT, written: its unfolded content lines (each ending in CRLF) and the years
    its start and end fall in, in the feed's time zone (for the VTIMEZONE)."""

    lines: str
    years: tuple[int, int]


def new_calendar(*, name: str, description: str = "") -> str:
    """The opening of a VCALENDAR with its own properties, as unfolded content lines; give it
    to `finish` with the events. Properties are in the order the `icalendar` library wrote
    them (VERSION, PRODID, CALSCALE, the calendar's description and name, then the others
    alphabetically), so the bytes did not change when we stopped using it for this."""
    lines = [
        "BEGIN:VCALENDAR",
        ical.line("VERSION", "2.0"),
        ical.line("PRODID", ical.text(PRODID)),
        ical.line("CALSCALE", "GREGORIAN"),
    ]
    if description:
        lines.append(ical.line("X-WR-CALDESC", ical.text(feed_text(description, multiline=True))))
    refresh = ical.duration(REFRESH_INTERVAL)
    lines += [
        ical.line("X-WR-CALNAME", ical.text(feed_text(name))),
        ical.line("REFRESH-INTERVAL", refresh, VALUE="DURATION"),
        ical.line("X-PUBLISHED-TTL", refresh),
        ical.line("X-WR-TIMEZONE", ical.raw(settings.TIME_ZONE)),
        "",
    ]
    return ical.CRLF.join(lines)


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
) -> FeedEvent:
    """One VEVENT with the fields every feed carries. Times go out in the app's time zone
    (TZID=Europe/Amsterdam); DTSTAMP and LAST-MODIFIED are the object's last change.
    LOCATION and GEO both come from `place`, so that with `approximate` neither gives away
    more than the town (see `place_text` and `place_geo`).

    Properties are in the order the `icalendar` library wrote them (SUMMARY, DTSTART, DTEND,
    DTSTAMP, UID, SEQUENCE, then the others alphabetically)."""
    location = place_text(place, approximate=approximate)
    geo = place_geo(place, approximate=approximate)
    tz = zone()
    starts_at = starts_at.astimezone(tz)
    ends_at = ends_at.astimezone(tz)
    tzid = _tzid_param(tz.key)
    changed = ical.utc_datetime(changed_at)
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + ical.text(feed_text(summary)),
        f"DTSTART;TZID={tzid}:{ical.local_datetime(starts_at)}",
        f"DTEND;TZID={tzid}:{ical.local_datetime(ends_at)}",
        "DTSTAMP:" + changed,
        "UID:" + ical.text(uid),
        f"SEQUENCE:{int(sequence)}",
    ]
    if created_at is not None:
        lines.append("CREATED:" + ical.utc_datetime(created_at))
    if description:
        lines.append("DESCRIPTION:" + ical.text(feed_text(description, multiline=True)))
    if geo is not None:
        lines.append(f"GEO:{float(geo[0])};{float(geo[1])}")
    lines.append("LAST-MODIFIED:" + changed)
    if location:
        lines.append("LOCATION:" + ical.text(feed_text(location)))
    lines += [
        "STATUS:" + ical.text(status),
        "TRANSP:OPAQUE" if busy else "TRANSP:TRANSPARENT",
        "URL:" + ical.raw(url),
        "END:VEVENT",
        "",
    ]
    return FeedEvent(ical.CRLF.join(lines), (starts_at.year, ends_at.year))


@functools.lru_cache(maxsize=8)
def _tzid_param(key: str) -> str:
    return ical.param_value(key)


def finish(calendar: str, events: Iterable[FeedEvent]) -> bytes:
    """The calendar (`new_calendar`) with the events and the VTIMEZONE for the years they
    cover, as iCalendar bytes.

    A calendar without events gets no VTIMEZONE: it is a valid, empty calendar."""
    events = list(events)
    years = set()
    for event in events:
        years.update(event.years)
    parts = [calendar]
    if years:
        parts.append(vtimezone_lines(settings.TIME_ZONE, years))
    parts += [event.lines for event in events]
    parts.append("END:VCALENDAR\r\n")
    return ical.serialise("".join(parts))


def feed_answer(
    request,
    name: str,
    key: tuple,
    build,
    *,
    filename: str,
    language: str,
    personal: bool,
):
    """A feed's response, built with `build()` once per change of what feeds show and then
    served as stored bytes (`common.published`): its ETag is a hash of the bytes, so a poll
    gets 304 until the feed itself changes. `key` names the feed (its kind and whose it
    is); the language, FEED_FORMAT and the settings that end up in the text are added
    here. `build` may also return the bytes and a value kept beside them (see
    `published.stored_answer`); the stored answer is returned too, for that value.

    A personal feed lives at a secret URL: no shared cache keeps it, no search engine
    lists it, and the calendar app asks again with the ETag."""
    parts = (*key, language, FEED_FORMAT, settings.SITE_URL, uid_domain(), settings.TIME_ZONE)
    stored = published.stored_answer(name, parts, [published.SITES], build)
    response = published.answer(
        request, stored, content_type=CONTENT_TYPE, public=not personal, private_cache="no-cache"
    )
    if response.status_code == 200:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    if personal:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response, stored


# --- Places --------------------------------------------------------------------------------


# The volunteer's own shifts page (DESIGN.md, Pages), named by path: it is a page of the
# volunteers app, a layer above this one.
MY_SHIFTS_PATH = "/my/shifts/"


def shift_paragraphs(shift, *, role: str, cancelled: bool, has_login: bool) -> list[str]:
    """What a volunteer's own calendar event of `shift` says, in the active language: the
    same text in their personal feed and in the .ics of their mails (one event, one UID).
    A helper without a log-in (`has_login` false) has a personal link instead, a secret of
    its own that a calendar (often shared with a calendar service) does not carry."""
    site = shift.site
    parts = []
    if cancelled:
        parts.append(_("You no longer have this shift."))
    parts.append(
        _("%(role)s at %(site)s, %(event)s.")
        % {"role": role, "site": site.display_name, "event": site.event.name}
    )
    if shift.notes:
        parts.append(shift.notes)
    if has_login:
        parts.append(_("Your shifts: %(url)s") % {"url": absolute_url(MY_SHIFTS_PATH)})
    return parts


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
