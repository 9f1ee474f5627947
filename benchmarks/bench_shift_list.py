"""`/shifts/` (the public list of open shifts) on the large dataset, against one hand-written
query returning the same 30 rows, in the same process and run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/counts \\
        .venv/bin/python benchmarks/bench_shift_list.py [--runs 9]

The database is the one `make bench` uses (`benchmarks/seed_large.py`: 5,000 sites in
three editions, among them the 2,000-site edition *Open azc dag 2027*, 50,002 shifts,
200,040 sign-ups); it is created and seeded when missing. Each page is asked by Django's
test client as a signed-in volunteer (the whole stack: middleware, session, form, the
selector, the paginator's count, the template), `--runs` times after one untimed request,
alternating with the baseline; the median is reported.

The baseline is the least work that gives the rows of the first page: one SQL query for
the 30 shifts in the page's order, with the site, town and edition the cards show and
each shift's confirmed places counted from its sign-ups, only for those 30 rows (no page
count, no template). Both are checked to return the same shifts first. Also shown: the
staffing overview of the 2,000-site edition and the understaffed list (as an organiser),
each with its query count. Results go to `benchmarks/results/bench_shift_list.json`.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/counts"

# The first page of open shifts, in the order of `events.selectors.open_shifts`. The
# counts are correlated subqueries in the outer query, so they run for the 30 rows only.
PAGE_SQL = """
SELECT p.id, p.role, p.starts_at, p.ends_at, p.capacity,
       (SELECT COUNT(*) FROM events_signup su
        WHERE su.shift_id = p.id AND su.status = 'confirmed') AS confirmed,
       p.site_name, p.languages_needed, p.location_name, p.city, p.event_name
FROM (
    SELECT sh.id, sh.role, sh.starts_at, sh.ends_at, sh.capacity, s.name AS site_name,
           s.languages_needed, l.name AS location_name, l.city, e.name AS event_name
    FROM events_shift sh
    JOIN events_site s ON s.id = sh.site_id
    JOIN events_event e ON e.id = s.event_id
    JOIN locations_location l ON l.id = s.location_id
    WHERE NOT sh.is_cancelled AND sh.starts_at > %s
      AND s.status = 'published' AND e.is_published {where}
    ORDER BY sh.starts_at, l.city, sh.role, sh.id
    LIMIT 30
) p
ORDER BY p.starts_at, p.city, p.role, p.id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    from benchmarks.common import ensure_postgres_database, machine
    from benchmarks.run_all import setup_django

    ensure_postgres_database(url, program="bench_shift_list")
    setup_django(url, "http://127.0.0.1:8110")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from benchmarks import seed_large
    from common import clock
    from events import selectors
    from events.models import Event

    world = seed_large.seed(log=print)
    print(f"dataset: {world.counts}")
    volunteer = Client()
    volunteer.force_login(User.objects.get(email="teller@example.org"))
    organiser = Client()
    organiser.force_login(User.objects.get(email="organiser@example.org"))
    feed = Event.objects.get(slug=world.feed_slug)

    def baseline(where: str = "", params: tuple = ()):
        def run() -> list:
            with connection.cursor() as cursor:
                cursor.execute(PAGE_SQL.format(where=where), [clock.now(), *params])
                return cursor.fetchall()

        return run

    cases = [
        ("/shifts/ (all editions)", volunteer, "/shifts/", baseline(), {}),
        (
            f"/shifts/?event= (the {seed_large.FEED_EDITION[1]:,}-site edition)",
            volunteer,
            f"/shifts/?event={feed.slug}",
            baseline("AND e.id = %s", (feed.pk,)),
            {"event": feed},
        ),
        (
            "/shifts/?free=on (free places only)",
            volunteer,
            "/shifts/?free=on",
            None,
            None,
        ),
        (
            f"staffing ({seed_large.FEED_EDITION[1]:,} sites)",
            organiser,
            f"/manage/editions/{feed.slug}/staffing/",
            None,
            None,
        ),
        (
            "/coordinate/understaffed/ (organiser)",
            organiser,
            f"/coordinate/understaffed/?event={feed.slug}",
            None,
            None,
        ),
    ]
    rows = []
    for label, client, path, base, filters in cases:
        if base is not None:
            expected = [s.pk for s in selectors.open_shifts(**filters)[:30]]
            got = [row[0] for row in base()]
            if expected != got:
                sys.exit(f"{label}: the baseline's rows differ from the page's")
        client.get(path)  # untimed: caches, templates
        app_times, base_times = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            app_times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{label}: status {response.status_code}")
            if base is not None:
                started = time.perf_counter()
                base()
                base_times.append((time.perf_counter() - started) * 1000)
        row = {
            "page": label,
            "path": path,
            "queries": len(queries),
            "app_ms_median": round(statistics.median(app_times), 1),
            "app_ms_min": round(min(app_times), 1),
            "baseline_ms_median": round(statistics.median(base_times), 1) if base_times else None,
            "slowest_query_ms": round(
                max(float(q["time"]) for q in queries.captured_queries) * 1000, 1
            ),
        }
        rows.append(row)

    from django.db import connection as conn

    version = conn.cursor().connection.info.server_version
    print(f"\nPostgreSQL {version // 10000}, median of {args.runs} requests each, in-process\n")
    header = f"{'page':48}{'queries':>8}{'app ms':>9}{'base ms':>9}{'ratio':>8}{'max q ms':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        base_ms = row["baseline_ms_median"]
        ratio = f"{row['app_ms_median'] / base_ms:7.1f}x" if base_ms else ""
        print(
            f"{row['page']:48}{row['queries']:>8}{row['app_ms_median']:>9.1f}"
            f"{base_ms if base_ms is not None else '':>9}{ratio:>8}{row['slowest_query_ms']:>10.1f}"
        )
    out = ROOT / "benchmarks" / "results" / "bench_shift_list.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "bench_shift_list",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": machine(),
                "database": f"PostgreSQL {version}",
                "dataset": world.counts,
                "runs": args.runs,
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"\nresults: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
