"""The dashboard of a large edition, one request at a time, against one SQL query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> \
        .venv/bin/python benchmarks/bench_dashboard.py

Seeds the PostgreSQL database of DATABASE_URL with `benchmarks/seed_large.py` when it is
empty (created when missing; about a minute; `make bench` uses the same data), then
times, in this process with Django's test client (no socket, DEBUG off), one request
after another: the dashboard, its `data.json`, the impact report and the two CSV exports
of the two large editions (*Open azc dag 2027*, 2,000 sites; *Bakkie Doen 2027*, 2,960
sites), as an organiser and as a coordinator (who sees the approved sites, with rounded
positions for the sites shown approximately). Each is requested `--repeats` times after
one untimed request; the table shows the median, the best and the queries per request.

The baseline is the least work that gives the edition's figures: one hand-written SQL
query summing the edition's counts per site and category (over the hourly summary
`tallies_tallyhour` when the database has it, else over the tally entries), turned into
JSON. Results go to benchmarks/results/bench_dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE_SQL = """
SELECT s.id, t.category, SUM(t.{column})
FROM {table} t JOIN events_site s ON s.id = t.site_id JOIN events_event e ON e.id = s.event_id
WHERE e.slug = %s AND s.status = 'published'
GROUP BY s.id, t.category
"""


def setup(url: str) -> None:
    from benchmarks.common import ensure_postgres_database

    ensure_postgres_database(url, program="bench_dashboard.py")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL=url,
        DEBUG="false",
        ENV_FILE="/dev/null",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
    )
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")


def baseline(slug: str) -> bytes:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        table, column = (
            ("tallies_tallyhour", "total")
            if "tallies_tallyhour" in tables
            else ("tallies_tallyentry", "delta")
        )
        cursor.execute(BASELINE_SQL.format(table=table, column=column), [slug])
        sites: dict[int, dict[str, int]] = {}
        for site_id, category, total in cursor.fetchall():
            sites.setdefault(site_id, {})[category] = int(total)
    return json.dumps({"sites": sites}).encode()


def timed(work, repeats: int) -> tuple[list[float], int, int]:
    """Seconds of each of `repeats` calls of `work` (after one untimed call), the queries
    of the last call and the size of its answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    work()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        size = len(work())
    return seconds, len(queries), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed requests per row")
    parser.add_argument("--only", default="", help="run rows whose name contains this")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench_dashboard.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    setup(url)

    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from benchmarks import seed_large

    world = seed_large.seed(log=print)
    print(f"data: {world.counts} (ready in {world.seeded_seconds:.1f} s)")
    if settings.DEBUG:
        sys.exit("Run with DEBUG off.")

    clients = {}
    for persona, email in (
        ("organiser", "organiser@example.org"),
        ("coordinator", "coordinator@example.org"),
    ):
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(email=email))

    def request(persona: str, path: str):
        def work() -> bytes:
            response = clients[persona].get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
            return response.content

        return work

    plan = []
    for slug, sites in ((world.feed_slug, 2000), (world.other_slug, 2960)):
        plan.append((f"{sites} sites: baseline (1 SQL query + json)", lambda s=slug: baseline(s)))
        for persona, suffix, label in (
            ("organiser", "", "dashboard"),
            ("organiser", "data.json", "data.json"),
            ("organiser", "report/", "impact report"),
            ("organiser", "sites.csv", "sites.csv"),
            ("organiser", "hours.csv", "hours.csv"),
            ("coordinator", "", "dashboard, coordinator"),
            ("coordinator", "data.json", "data.json, coordinator"),
        ):
            plan.append(
                (f"{sites} sites: {label}", request(persona, f"/dashboard/{slug}/{suffix}"))
            )

    rows = []
    header = (
        f"{'request':42} {'median ms':>10} {'best ms':>8} {'× base':>7} {'queries':>8} {'bytes':>9}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    base_ms = None
    for label, work in plan:
        if options.only and options.only not in label and "baseline" not in label:
            continue
        seconds, queries, size = timed(work, options.repeats)
        median, best = statistics.median(seconds) * 1000, min(seconds) * 1000
        if "baseline" in label:
            base_ms = median
        ratio = median / base_ms if base_ms else 0
        rows.append(
            {
                "request": label,
                "median_ms": round(median, 1),
                "best_ms": round(best, 1),
                "ratio_to_baseline": round(ratio, 1),
                "queries": queries,
                "bytes": size,
                "all_ms": [round(s * 1000, 1) for s in seconds],
            }
        )
        print(f"{label:42} {median:>10.1f} {best:>8.1f} {ratio:>7.1f} {queries:>8} {size:>9}")

    out = ROOT / "benchmarks" / "results" / "bench_dashboard.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "repeats": options.repeats,
                "cpu_count": os.cpu_count(),
                "load_average": os.getloadavg(),
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
