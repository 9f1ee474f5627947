"""Pieces the benchmarks share: the map API's one-query baseline, percentiles, machine facts.

Import as `benchmarks.common` (the scripts put the project root on `sys.path`). Nothing
here sets Django up: callers do, with their own settings.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# The map API's answer in one hand-written query: the same rows (published sites of
# published editions), the same open-spots subquery and the same rounding of approximate
# positions, in the same order. `{where}` adds the filters of a request; the first
# parameter is the moment from which shifts count (only shifts not yet started).
MAP_SQL = """
SELECT s.id, s.name, s.status, e.slug, e.name, e.kind, l.name, l.city, l.street,
       l.house_number, l.house_number_addition, l.postcode,
       CASE WHEN s.show_approximate_location
            THEN ROUND(CAST(l.latitude / 0.01 AS {number})) * 0.01 ELSE l.latitude END,
       CASE WHEN s.show_approximate_location
            THEN ROUND(CAST(l.longitude / 0.01 AS {number})) * 0.01 ELSE l.longitude END,
       s.show_approximate_location, s.opens_at, s.closes_at,
       COALESCE((
           SELECT SUM({greatest}(sh.capacity - COALESCE((
               SELECT COUNT(*) FROM events_signup su
               WHERE su.shift_id = sh.id AND su.status = 'confirmed'), 0), 0))
           FROM events_shift sh
           WHERE sh.site_id = s.id AND NOT sh.is_cancelled AND sh.starts_at > %s), 0)
FROM events_site s
JOIN events_event e ON e.id = s.event_id
JOIN locations_location l ON l.id = s.location_id
WHERE s.status = 'published' AND e.is_published {where}
ORDER BY e.date, l.city, l.name, s.id
"""

# The public position of a site, as in MAP_SQL (for a bbox filter on it).
_PUBLIC_LAT = (
    "CASE WHEN s.show_approximate_location "
    "THEN ROUND(CAST(l.latitude / 0.01 AS {number})) * 0.01 ELSE l.latitude END"
)
_PUBLIC_LON = _PUBLIC_LAT.replace("latitude", "longitude")


def map_sql(vendor: str, *, event_slug: str | None = None, bbox=None) -> tuple[str, list]:
    """The SQL and parameters for all published sites, one edition, or a bounding box
    (`(min_lon, min_lat, max_lon, max_lat)`; the exact columns narrow the rows first, with
    a margin of one grid cell, as the app does, so that the index on them is used)."""
    postgresql = vendor == "postgresql"
    number = "numeric" if postgresql else "REAL"
    now = datetime.datetime.now(datetime.UTC)
    # SQLite holds datetimes as UTC text, as Django writes them.
    where, params = [], [now if postgresql else now.strftime("%Y-%m-%d %H:%M:%S.%f")]
    if event_slug is not None:
        where.append("AND e.slug = %s")
        params.append(event_slug)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        where.append("AND l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s")
        params += [min_lat - 0.01, max_lat + 0.01, min_lon - 0.01, max_lon + 0.01]
        lat, lon = _PUBLIC_LAT.format(number=number), _PUBLIC_LON.format(number=number)
        where.append(f"AND {lat} BETWEEN %s AND %s AND {lon} BETWEEN %s AND %s")
        params += [min_lat, max_lat, min_lon, max_lon]
    sql = MAP_SQL.format(
        greatest="GREATEST" if postgresql else "MAX", number=number, where=" ".join(where)
    )
    return sql, params


def address_line(street, number, addition, postcode, city) -> str:
    """ "Street 12a, 1234 AB Town" from a location's columns, leaving out what is empty (as
    `Location.address_line` does); "" when all are empty."""
    house = f"{number}{addition}" if number else ""
    street_part = " ".join(part for part in (street, house) if part)
    town = " ".join(part for part in (postcode, city) if part)
    return ", ".join(part for part in (street_part, town) if part)


def map_collection(rows, base_url: str) -> dict:
    """The GeoJSON FeatureCollection of MAP_SQL's rows, as `GET /api/v1/sites/` gives it."""
    formatted: dict = {}

    def moment(value) -> str:
        # Each distinct moment once, as the app does (sites share their hours).
        text = formatted.get(value)
        if text is None:
            parsed = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.UTC)
            text = formatted[value] = parsed.astimezone(AMSTERDAM).isoformat()
        return text

    features = []
    for row in rows:
        pk, name, status, slug, event_name, kind, location_name, city = row[:8]
        street, number, addition, postcode, lat, lon, approximate, opens, closes, spots = row[8:]
        address = None if approximate else address_line(street, number, addition, postcode, city)
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(lon), 5), round(float(lat), 5)],
                },
                "properties": {
                    "id": pk,
                    "name": name or location_name,
                    "status": status,
                    "event": slug,
                    "event_name": event_name,
                    "kind": kind,
                    "location_name": location_name,
                    "town": city,
                    "address": address,
                    "approximate": bool(approximate),
                    "opens_at": moment(opens),
                    "closes_at": moment(closes),
                    "open_spots": int(spots),
                    "url": f"{base_url}/sites/{pk}/",
                    "calendar_url": f"{base_url}/calendar/sites/{pk}.ics",
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": len(features),
        "numberReturned": len(features),
    }


def map_baseline(cursor, vendor: str, base_url: str, **filters) -> bytes:
    """One SQL query and `json`: the least work that gives the map API's answer."""
    sql, params = map_sql(vendor, **filters)
    cursor.execute(sql, params)
    collection = map_collection(cursor.fetchall(), base_url)
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def ensure_postgres_database(url: str, *, program: str, recreate: bool = False) -> None:
    """Create the PostgreSQL database that `url` names when it is missing; with `recreate`,
    drop it first (closing its connections). Exits with a message naming `program` when
    `url` is not a postgres:// URL: the benchmarks that call this measure PostgreSQL."""
    import dj_database_url
    import psycopg

    parsed = dj_database_url.parse(url)
    if parsed["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"{program} measures PostgreSQL: give a postgres:// BENCH_DATABASE_URL")
    admin = psycopg.connect(
        host=parsed["HOST"] or "127.0.0.1",
        port=parsed["PORT"] or 5432,
        user=parsed["USER"],
        password=parsed["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    name = parsed["NAME"]
    if recreate:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def machine() -> dict:
    """Where the figures came from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0.0
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "commit": commit,
    }
