"""How long our calendar feeds take to build, against a baseline that writes the same lines
with plain string formatting, in the same run.

    .venv/bin/python benchmarks/bench_feeds.py            # SQLite (a throw-away file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/bench_feeds.py

Two feeds: an edition with 2,000 published sites (`/calendar/events/{slug}.ics`) and a
volunteer with 50 confirmed shifts (`/calendar/volunteer/{token}.ics`). For each we time:

- `ours (build)`: `events.feeds.event_feed` / `volunteers.calendar.volunteer_feed`: the
  queries, the model objects, the text written by `events.ical` (our VTIMEZONE is rendered
  once per set of years and reused);
- `ours (HTTP GET)`: the whole request through Django's test client (middleware, ETag);
- `ours (GET + 304)`: the same with the ETag of the last answer (no body sent);
- `baseline`: one raw SQL query for the same rows, and the same lines written with
  f-strings, hand-made escaping and folding (on the encoded line) and a fixed VTIMEZONE
  text.

The baseline's bytes are compared with ours: the table says whether they are identical.
Each figure is the fastest of several runs after one warm-up (the machine is shared; the
medians are in the JSON file too). Results go to
benchmarks/results/bench_feeds_<database>.json. Options: --sites N, --shifts N, --repeat N.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("ENV_FILE", "/dev/null")
_scratch = tempfile.mkdtemp(prefix="bench-feeds-")
os.environ.setdefault("SQLITE_TEST_PATH", str(Path(_scratch) / "bench.sqlite3"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks.common import address_line  # noqa: E402

UTC = datetime.UTC


# --- Data ------------------------------------------------------------------------------------


def make_data(site_count: int, shift_count: int):
    from zoneinfo import ZoneInfo

    from accounts.models import User, Volunteer
    from events.models import Event, Shift, Signup, Site
    from locations.models import Branch, Location

    amsterdam = ZoneInfo("Europe/Amsterdam")
    event = Event.objects.create(
        name="Open azc dag 2027",
        slug="open-azc-dag-2027",
        kind_id="open_day",
        date=datetime.date(2027, 9, 25),
        is_published=True,
    )
    branches = Branch.objects.bulk_create(
        Branch(name=f"Afdeling {number}", slug=f"afdeling-{number}") for number in range(200)
    )
    locations = Location.objects.bulk_create(
        Location(
            name=f"azc Plaats {number}",
            kind=Location.Kind.AZC,
            street="Stationsstraat",
            house_number=number + 1,
            postcode=f"{1000 + number % 8999} AB",
            city=f"Plaats {number}",
            latitude=51.5 + (number % 100) / 50,
            longitude=4.0 + (number // 100) / 10,
        )
        for number in range(site_count)
    )
    opens = datetime.datetime(2027, 9, 25, 11, tzinfo=amsterdam)
    sites = Site.objects.bulk_create(
        Site(
            event=event,
            location=location,
            branch=branches[number % len(branches)],
            opens_at=opens,
            closes_at=opens + datetime.timedelta(hours=5),
            status=Site.Status.PUBLISHED,
            show_approximate_location=number % 10 == 0,
            public_description=(
                "Het azc zet de deuren open; bewoners geven rondleidingen, er is koffie, "
                "thee en muziek, en tijd voor een gesprek."
            ),
        )
        for number, location in enumerate(locations)
    )
    user = User.objects.create_user(email="vrijwilliger@example.org", password=None)
    volunteer = Volunteer.objects.create(user=user)
    shifts = Shift.objects.bulk_create(
        Shift(
            site=sites[number],
            role=Shift.Role.RECEPTION if number % 2 else Shift.Role.TOUR_GUIDE,
            starts_at=opens + datetime.timedelta(days=number, hours=number % 3),
            ends_at=opens + datetime.timedelta(days=number, hours=number % 3 + 2),
            capacity=3,
            notes="Meld je bij de receptie, neem een jas mee.",
        )
        for number in range(shift_count)
    )
    Signup.objects.bulk_create(
        Signup(
            shift=shift,
            volunteer=volunteer,
            status=Signup.Status.CONFIRMED,
            confirmed_at=opens - datetime.timedelta(days=30),
        )
        for shift in shifts
    )
    return event, volunteer


# --- The baseline: plain string formatting ------------------------------------------------------


def esc(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines of at most 75 octets (74 and the space of a continuation line), as the app
    folds them: never inside a UTF-8 sequence, never right after a `\\` or `^`. Done on the
    encoded line, a slice per physical line (folding character by character, as the
    `icalendar` library does, took half of this baseline's time)."""
    data = line.encode()
    if len(data) < 75:
        return line
    parts, start = [], 0
    while len(data) - start > 74:
        cut = start + 74
        while data[cut] & 0xC0 == 0x80:  # a continuation octet: back to the lead octet
            cut -= 1
        if data[cut - 1] in b"\\^":
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local(moment: datetime.datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


# The VTIMEZONE of one year (2027) and of 2027-2028 as fixed text: the baseline does not
# compute time zones, it knows them.
VTIMEZONE_2027 = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Amsterdam",
    "BEGIN:STANDARD",
    "DTSTART:20270101T000000",
    "TZNAME:CET",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:20270328T020000",
    "TZNAME:CEST",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "DTSTART:20271031T030000",
    "TZNAME:CET",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
]
VTIMEZONE_2028 = [
    "BEGIN:DAYLIGHT",
    "DTSTART:20280326T020000",
    "TZNAME:CEST",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "DTSTART:20281029T030000",
    "TZNAME:CET",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
]


def header(name: str, description: str) -> list[str]:
    return [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Actiedagen//Actiedagen feeds 1.0//NL",
        "CALSCALE:GREGORIAN",
        fold(f"X-WR-CALDESC:{esc(description)}"),
        fold(f"X-WR-CALNAME:{esc(name)}"),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "X-WR-TIMEZONE:Europe/Amsterdam",
    ]


def vevent(
    lines,
    *,
    summary,
    start,
    end,
    changed,
    uid,
    sequence,
    created,
    description,
    geo,
    location,
    status,
    transp,
    url,
    zone,
):
    lines += [
        "BEGIN:VEVENT",
        fold(f"SUMMARY:{esc(summary)}"),
        f"DTSTART;TZID=Europe/Amsterdam:{local(start, zone)}",
        f"DTEND;TZID=Europe/Amsterdam:{local(end, zone)}",
        f"DTSTAMP:{changed}",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"CREATED:{stamp(created)}",
        fold(f"DESCRIPTION:{esc(description)}"),
    ]
    if geo:
        lines.append(f"GEO:{geo[0]};{geo[1]}")
    lines += [
        f"LAST-MODIFIED:{changed}",
        fold(f"LOCATION:{esc(location)}"),
        f"STATUS:{status}",
        f"TRANSP:{transp}",
        f"URL:{url}",
        "END:VEVENT",
    ]


def parse_moment(value) -> datetime.datetime:
    # SQLite returns text, PostgreSQL aware datetimes.
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def exact_place(location_name, street, number, addition, postcode, city) -> str:
    """LOCATION of a place shown exactly: its name and address (as `calendar.place_text`)."""
    address = address_line(street, number, addition, postcode, city) or city
    return f"{location_name}, {address}" if location_name not in address else address


def baseline_event_feed(event_id: int, event_name: str) -> bytes:
    """The edition feed: one SQL query, f-strings. Same rows as `feed_sites()` (published,
    or cancelled after having been published)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    domain = "127.0.0.1" if "127.0.0.1" in settings.SITE_URL else settings.SITE_URL
    domain = domain.split("://")[-1].split(":")[0].split("/")[0]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.name, s.opens_at, s.closes_at, s.status, s.public_description,
                   s.show_approximate_location, s.sequence, s.created_at, s.updated_at,
                   l.name, l.street, l.house_number, l.house_number_addition, l.postcode,
                   l.city, l.latitude, l.longitude, l.updated_at,
                   e.updated_at, b.name, b.updated_at
            FROM events_site s
            JOIN locations_location l ON l.id = s.location_id
            JOIN events_event e ON e.id = s.event_id
            JOIN locations_branch b ON b.id = s.branch_id
            WHERE s.event_id = %s AND e.is_published
              AND (s.status = 'published' OR (s.status = 'cancelled' AND EXISTS (
                  SELECT 1 FROM events_sitestatuschange c WHERE c.site_id = s.id
                  AND (c.to_status = 'published' OR c.from_status = 'published'))))
            ORDER BY s.opens_at, s.id
            """,
            [event_id],
        )
        rows = cursor.fetchall()
    lines = header(event_name, f"Locaties van {event_name}")
    if rows:
        lines += [*VTIMEZONE_2027, "END:VTIMEZONE"]
    for (
        site_id,
        site_name,
        opens_at,
        closes_at,
        status,
        public_description,
        approximate,
        sequence,
        created_at,
        updated_at,
        location_name,
        street,
        number,
        addition,
        postcode,
        city,
        latitude,
        longitude,
        location_changed,
        event_changed,
        branch_name,
        branch_changed,
    ) in rows:
        changed = stamp(
            max(map(parse_moment, (updated_at, location_changed, event_changed, branch_changed)))
        )
        page = f"{settings.SITE_URL}/sites/{site_id}/"
        cancelled = status == "cancelled"
        parts = ["Deze locatie gaat niet door."] if cancelled else []
        if public_description:
            parts.append(public_description)
        parts += [f"Georganiseerd door {branch_name}.", f"Meer informatie: {page}"]
        if approximate:
            place = city
            geo = (round(latitude, 2), round(longitude, 2)) if latitude is not None else None
        else:
            place = exact_place(location_name, street, number, addition, postcode, city)
            geo = (latitude, longitude) if latitude is not None else None
        summary = f"{event_name}: {site_name or location_name}"
        vevent(
            lines,
            summary=f"Geannuleerd: {summary}" if cancelled else summary,
            start=parse_moment(opens_at),
            end=parse_moment(closes_at),
            changed=changed,
            uid=f"site-{site_id}@{domain}",
            sequence=sequence,
            created=parse_moment(created_at),
            description="\n\n".join(parts),
            geo=geo,
            location=place,
            status="CANCELLED" if cancelled else "CONFIRMED",
            transp="TRANSPARENT",
            url=page,
            zone=zone,
        )
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def baseline_volunteer_feed(volunteer_id: int) -> bytes:
    """The volunteer feed for confirmed shifts only (what the benchmark data holds)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    domain = settings.SITE_URL.split("://")[-1].split(":")[0].split("/")[0]
    roles = {"reception": "Ontvangst", "tour_guide": "Rondleider"}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT sh.id, sh.role, sh.starts_at, sh.ends_at, sh.notes, sh.sequence,
                   sh.created_at, sh.updated_at, su.updated_at, su.address_shared_at,
                   s.id, s.name, s.show_approximate_location, s.updated_at, l.name,
                   l.street, l.house_number,
                   l.house_number_addition, l.postcode, l.city, l.latitude, l.longitude,
                   l.updated_at, e.name, e.updated_at
            FROM events_signup su
            JOIN events_shift sh ON sh.id = su.shift_id
            JOIN events_site s ON s.id = sh.site_id
            JOIN locations_location l ON l.id = s.location_id
            JOIN events_event e ON e.id = s.event_id
            WHERE su.volunteer_id = %s AND su.status = 'confirmed'
            ORDER BY sh.starts_at, sh.id
            """,
            [volunteer_id],
        )
        rows = cursor.fetchall()
    lines = header("Mijn diensten – actiedagen", "De diensten waarvoor je je hebt aangemeld.")
    if rows:
        years = {parse_moment(row[2]).astimezone(zone).year for row in rows}
        lines += VTIMEZONE_2027 + (VTIMEZONE_2028 if 2028 in years else []) + ["END:VTIMEZONE"]
    for (
        shift_id,
        role,
        starts_at,
        ends_at,
        notes,
        sequence,
        created_at,
        shift_changed,
        signup_changed,
        address_shared_at,
        site_id,
        site_name,
        approximate,
        site_changed,
        location_name,
        street,
        number,
        addition,
        postcode,
        city,
        latitude,
        longitude,
        location_changed,
        event_name,
        event_changed,
    ) in rows:
        changed = stamp(
            max(
                map(
                    parse_moment,
                    (shift_changed, site_changed, location_changed, event_changed, signup_changed),
                )
            )
        )
        page = f"{settings.SITE_URL}/sites/{site_id}/"
        role_name = roles[role]
        site_display = site_name or location_name
        parts = [f"{role_name} bij {site_display}, {event_name}."]
        if notes:
            parts.append(notes)
        parts += [f"Je diensten: {settings.SITE_URL}/my/shifts/", f"Meer informatie: {page}"]
        if approximate and address_shared_at is None:
            # The coordinators have not shared the exact address with this volunteer.
            place = city
            geo = (round(latitude, 2), round(longitude, 2)) if latitude is not None else None
        else:
            place = exact_place(location_name, street, number, addition, postcode, city)
            geo = (latitude, longitude) if latitude is not None else None
        vevent(
            lines,
            summary=f"{role_name}: {site_display}",
            start=parse_moment(starts_at),
            end=parse_moment(ends_at),
            changed=changed,
            uid=f"shift-{shift_id}@{domain}",
            sequence=sequence,
            created=parse_moment(created_at),
            description="\n\n".join(parts),
            geo=geo,
            location=place,
            status="CONFIRMED",
            transp="OPAQUE",
            url=page,
            zone=zone,
        )
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


# --- Timing ------------------------------------------------------------------------------------


def best_seconds(function, repeat: int) -> tuple[float, float, object]:
    """(fastest, median, last result) of `repeat` runs after a warm-up. The fastest run is
    the one least disturbed by other work on a shared machine; ratios use it."""
    result = function()  # warm-up (caches, first query plans)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def first_difference(ours: bytes, theirs: bytes) -> str:
    for number, (a, b) in enumerate(
        zip(ours.split(b"\r\n"), theirs.split(b"\r\n"), strict=False), start=1
    ):
        if a != b:
            return f"line {number}: ours {a!r} / baseline {b!r}"
    return f"lengths differ: {len(ours)} / {len(theirs)} bytes"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--shifts", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    from events.feeds import event_feed
    from volunteers.calendar import volunteer_feed

    setup_test_environment()
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} ({database}); building data…", flush=True)
        event, volunteer = make_data(options.sites, options.shifts)
        client = Client()
        event_url = f"/calendar/events/{event.slug}.ics"
        volunteer_url = f"/calendar/volunteer/{volunteer.calendar_token}.ics"
        rows = []

        for label, count, build, url, baseline in (
            (
                f"edition feed, {options.sites} sites",
                options.sites,
                lambda: event_feed(event, language="nl"),
                event_url,
                lambda: baseline_event_feed(event.pk, event.name),
            ),
            (
                f"volunteer feed, {options.shifts} shifts",
                options.shifts,
                lambda: volunteer_feed(volunteer, language="nl"),
                volunteer_url,
                lambda: baseline_volunteer_feed(volunteer.pk),
            ),
        ):
            ours_seconds, ours_median, ours_body = best_seconds(build, options.repeat)
            get_seconds, get_median, response = best_seconds(
                lambda url=url: client.get(url), options.repeat
            )
            etag = response["ETag"]
            not_modified_seconds, _median, not_modified = best_seconds(
                lambda url=url, etag=etag: client.get(url, HTTP_IF_NONE_MATCH=etag),
                options.repeat,
            )
            assert not_modified.status_code == 304
            base_seconds, base_median, base_body = best_seconds(baseline, options.repeat)
            identical = ours_body == base_body
            rows.append(
                {
                    "feed": label,
                    "events": count,
                    "bytes": len(ours_body),
                    "ours_build_ms": round(ours_seconds * 1000, 1),
                    "ours_http_get_ms": round(get_seconds * 1000, 1),
                    "ours_http_304_ms": round(not_modified_seconds * 1000, 1),
                    "baseline_ms": round(base_seconds * 1000, 1),
                    "median_ms": {
                        "ours_build": round(ours_median * 1000, 1),
                        "ours_http_get": round(get_median * 1000, 1),
                        "baseline": round(base_median * 1000, 1),
                    },
                    "ratio_build_to_baseline": round(ours_seconds / base_seconds, 2),
                    "ratio_get_to_baseline": round(get_seconds / base_seconds, 2),
                    "baseline_bytes_identical": identical,
                    "difference": "" if identical else first_difference(ours_body, base_body),
                }
            )
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)

    print()
    print(
        f"{'feed':<28} {'bytes':>9} {'ours build':>11} {'ours GET':>9} {'GET 304':>8} "
        f"{'baseline':>9} {'build/base':>10} {'GET/base':>9} {'same bytes':>10}"
    )
    for row in rows:
        print(
            f"{row['feed']:<28} {row['bytes']:>9} {row['ours_build_ms']:>9.1f}ms "
            f"{row['ours_http_get_ms']:>7.1f}ms {row['ours_http_304_ms']:>6.1f}ms "
            f"{row['baseline_ms']:>7.1f}ms {row['ratio_build_to_baseline']:>9.2f}x "
            f"{row['ratio_get_to_baseline']:>8.2f}x "
            f"{'yes' if row['baseline_bytes_identical'] else 'NO':>10}"
        )
        if row["difference"]:
            print(f"    first difference: {row['difference']}")
    print(f"(fastest of {options.repeat} runs after a warm-up; medians in the JSON file)")

    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"bench_feeds_{connection.vendor}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "bench_feeds",
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "when": datetime.datetime.now(UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "python": platform.python_version(),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "repeat": options.repeat,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
