"""Read feeds the way calendar apps do: with `icalendar` and with `vobject`, which shares no
code with it (its time zones come from dateutil reading our VTIMEZONE). Every feed a test
fetches goes through both, and both must agree on every event."""

import datetime
from dataclasses import dataclass

import icalendar
import vobject

UTC = datetime.UTC


@dataclass
class ParsedFeed:
    raw: bytes
    calendar: icalendar.Calendar
    other: vobject.base.Component
    events: dict[str, icalendar.Event]

    def event(self, uid: str) -> icalendar.Event:
        return self.events[uid]

    def text(self, uid: str, name: str) -> str:
        return str(self.events[uid][name])


def read_with_own_timezones(text: str) -> vobject.base.Component:
    """vobject keeps the first VTIMEZONE it reads for a TZID in a registry for the rest of
    the process, and reads the times of every later file through that one, although it
    may cover other years. Register this file's own VTIMEZONEs first, then read it again,
    so that its times are read through them."""
    for timezone in vobject.readOne(text).contents.get("vtimezone", []):
        vobject.icalendar.registerTzid(timezone.tzid.value, timezone.gettzinfo())
    return vobject.readOne(text)


def parse_feed(raw: bytes) -> ParsedFeed:
    """Parse with both libraries and check they read the same events (the times as the
    same instants: vobject through the file's own VTIMEZONE, icalendar by TZID)."""
    calendar = icalendar.Calendar.from_ical(raw)
    other = read_with_own_timezones(raw.decode("utf-8"))
    assert other.name == "VCALENDAR"
    assert other.version.value == "2.0"
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert len(events) == len(calendar.walk("VEVENT")), "a UID appears twice"
    other_events = {
        child.uid.value: child for child in other.getChildren() if child.name == "VEVENT"
    }
    assert set(other_events) == set(events)
    for uid, event in events.items():
        theirs = other_events[uid]
        for name, attribute in (("DTSTART", "dtstart"), ("DTEND", "dtend")):
            ours = event.decoded(name)
            value = getattr(theirs, attribute).value
            assert value.tzinfo is not None, f"{uid} {name} is floating in vobject"
            assert ours.astimezone(UTC) == value.astimezone(UTC), (uid, name, ours, value)
            # Same wall-clock time in both readings.
            assert ours.replace(tzinfo=None) == value.replace(tzinfo=None)
        assert str(event["SUMMARY"]) == theirs.summary.value
        assert int(event["SEQUENCE"]) == int(theirs.sequence.value)
        assert str(event["STATUS"]) == theirs.status.value
        assert event.decoded("DTSTAMP") == theirs.dtstamp.value.astimezone(UTC)
        if "DESCRIPTION" in event:
            assert str(event["DESCRIPTION"]) == theirs.description.value
        if "LOCATION" in event:
            assert str(event["LOCATION"]) == theirs.location.value
    return ParsedFeed(raw=raw, calendar=calendar, other=other, events=events)


def fetch_feed(client, url: str, **extra) -> ParsedFeed:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse_feed(response.content)


def unfolded_lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8").replace("\r\n ", "").split("\r\n")
