"""GET /api/v1/sites/ for 5,000 published sites, against a one-query `json` baseline.

    .venv/bin/python benchmarks/bench_map_api.py                  # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt7 \\
        .venv/bin/python benchmarks/bench_map_api.py              # PostgreSQL (bench_wt7)

It makes its own database (a temporary SQLite file, or `bench_<name>` on PostgreSQL,
dropped afterwards) with 5,000 published sites, three shifts each, confirmed sign-ups on
a third of the shifts and every tenth site shown approximately. Then, alternating:

- app: Django's test client asks `GET /api/v1/sites/` anonymously: the whole stack of
  middleware, the DRF view, the filters, the query, the features and the JSON renderer;
- baseline: one hand-written SQL query reading the same rows (with the same open-spots
  subquery and rounding) through the same connection, turned into the same
  FeatureCollection with plain dicts and encoded with `json.dumps`.

Both answers are compared (they must hold the same features) before timing. It prints the
median and best times, the ratio app/baseline (goal: at most 2), the app's query count,
and writes the figures to `benchmarks/results/bench_map_api-<database>.json`.
Options: `--sites N` (default 5000), `--runs N` (default 15).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
_SQLITE_DIR = tempfile.mkdtemp(prefix="bench_map_api_")
os.environ.setdefault("SQLITE_TEST_PATH", str(Path(_SQLITE_DIR) / "bench.sqlite3"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from benchmarks.common import map_baseline  # noqa: E402


def seed(site_count: int) -> None:
    """Published sites spread over the Netherlands, with shifts and sign-ups."""
    from accounts.models import User, Volunteer
    from events.models import Event, Shift, Signup, Site
    from locations.models import Branch, Location

    tz = datetime.timezone(datetime.timedelta(hours=2))
    event = Event.objects.create(
        name="Open azc dag 2027",
        slug="open-azc-dag-2027",
        kind_id="open_day",
        date=datetime.date(2027, 9, 25),
        is_published=True,
    )
    branch = Branch.objects.create(name="Afdeling Utrecht", slug="afdeling-utrecht")
    towns = ["Utrecht", "Zwolle", "Groningen", "Maastricht", "Den Haag", "Amsterdam"]
    locations = Location.objects.bulk_create(
        Location(
            name=f"Locatie {n}",
            city=towns[n % len(towns)],
            street="Stationsplein",
            house_number=n % 200 + 1,
            postcode="3511 AB",
            latitude=50.8 + (n * 7919 % 10000) / 10000 * 2.6,
            longitude=3.4 + (n * 104729 % 10000) / 10000 * 3.7,
        )
        for n in range(site_count)
    )
    sites = Site.objects.bulk_create(
        Site(
            event=event,
            location=location,
            branch=branch,
            opens_at=datetime.datetime(2027, 9, 25, 10 + n % 2, tzinfo=tz),
            closes_at=datetime.datetime(2027, 9, 25, 16, tzinfo=tz),
            status=Site.Status.PUBLISHED,
            show_approximate_location=n % 10 == 0,
        )
        for n, location in enumerate(locations)
    )
    shifts = Shift.objects.bulk_create(
        Shift(
            site=site,
            role=role,
            starts_at=datetime.datetime(2027, 9, 25, hour, tzinfo=tz),
            ends_at=datetime.datetime(2027, 9, 25, hour + 2, tzinfo=tz),
            capacity=capacity,
        )
        for site in sites
        for role, hour, capacity in (("reception", 10, 3), ("tour_guide", 12, 2), ("coffee", 14, 2))
    )
    users = User.objects.bulk_create(
        # "!" is Django's mark for "no usable password".
        User(email=f"vrijwilliger{n}@example.org", password="!")  # noqa: S106
        for n in range(300)
    )
    volunteers = Volunteer.objects.bulk_create(Volunteer(user=user) for user in users)
    Signup.objects.bulk_create(
        Signup(shift=shift, volunteer=volunteers[n % len(volunteers)], status="confirmed")
        for n, shift in enumerate(shifts)
        if n % 3 == 0
    )


def baseline(base_url: str) -> bytes:
    """One SQL query and `json`: the least work that gives the same answer
    (`benchmarks.common.map_baseline`, shared with `make bench`)."""
    with connection.cursor() as cursor:
        return map_baseline(cursor, connection.vendor, base_url)


def command() -> str:
    words = [".venv/bin/python", "benchmarks/bench_map_api.py", *sys.argv[1:]]
    if os.environ.get("DATABASE_URL"):
        words.insert(0, f"DATABASE_URL={os.environ['DATABASE_URL']}")
    return " ".join(words)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()

    setup_test_environment()
    database = connection.settings_dict
    vendor = connection.vendor
    if vendor == "postgresql":
        database["TEST"] = {**database.get("TEST", {}), "NAME": f"bench_{database['NAME']}"}
    old_name = database["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        seed(options.sites)
        print(f"seeded {options.sites} sites on {vendor} in {time.perf_counter() - started:.1f} s")
        client = Client()

        def app() -> bytes:
            response = client.get("/api/v1/sites/")
            assert response.status_code == 200, response.content[:300]
            return response.content

        app_body, baseline_body = json.loads(app()), json.loads(baseline("http://testserver"))
        same = app_body == baseline_body
        if not same:
            differing = sum(
                1
                for a, b in zip(app_body["features"], baseline_body["features"], strict=False)
                if a != b
            )
            print(f"WARNING: the answers differ ({differing} features)", file=sys.stderr)
            for a, b in zip(app_body["features"], baseline_body["features"], strict=False):
                if a != b:
                    print("  app:", a, "\n  baseline:", b, file=sys.stderr)
                    break
        assert len(app_body["features"]) == options.sites

        with CaptureQueriesContext(connection) as queries:
            size = len(app())
        query_count = len(queries)
        for _ in range(2):  # warm up both
            app()
            baseline("http://testserver")
        app_times, baseline_times, page_times = [], [], []
        for _ in range(options.runs):
            started = time.perf_counter()
            app()
            app_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            baseline("http://testserver")
            baseline_times.append(time.perf_counter() - started)
        # For information: the map page, which renders the same sites as its list.
        for _ in range(max(3, options.runs // 3)):
            started = time.perf_counter()
            page = client.get("/map/?event=open-azc-dag-2027")
            page_times.append(time.perf_counter() - started)
            assert page.status_code == 200
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(_SQLITE_DIR, ignore_errors=True)

    app_median = statistics.median(app_times)
    baseline_median = statistics.median(baseline_times)
    ratio = app_median / baseline_median
    rows = [
        ("app: GET /api/v1/sites/", app_median, min(app_times), query_count),
        ("baseline: 1 SQL query + json", baseline_median, min(baseline_times), 1),
    ]
    print(f"\n{options.sites} published sites, {vendor}, {options.runs} runs each, {size} bytes")
    print(f"{'':32} {'median ms':>10} {'best ms':>10} {'queries':>8}")
    for label, median, best, count in rows:
        print(f"{label:32} {median * 1000:10.1f} {best * 1000:10.1f} {count:8d}")
    verdict = "within" if ratio <= 2 else "MISSES"
    best_ratio = min(app_times) / min(baseline_times)
    print(f"ratio app/baseline (median): {ratio:.2f}  ({verdict} the goal of 2.0)")
    print(f"ratio app/baseline (best of each, less noise from a shared machine): {best_ratio:.2f}")
    page_median = statistics.median(page_times)
    print(f"for information, the map page with its list: {page_median * 1000:.1f} ms (median)")
    print(f"same answer: {same}")

    results = {
        "benchmark": "bench_map_api",
        "command": command(),
        "database": vendor,
        "test_database": str(test_name),
        "sites": options.sites,
        "runs": options.runs,
        "response_bytes": size,
        "app_queries": query_count,
        "app_median_ms": round(app_median * 1000, 2),
        "app_best_ms": round(min(app_times) * 1000, 2),
        "baseline_median_ms": round(baseline_median * 1000, 2),
        "baseline_best_ms": round(min(baseline_times) * 1000, 2),
        "ratio_median": round(ratio, 3),
        "ratio_best": round(best_ratio, 3),
        "goal_ratio": 2.0,
        "same_answer": same,
        "map_page_median_ms": round(page_median * 1000, 2),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "debug": settings.DEBUG,
    }
    out = ROOT / "benchmarks" / "results" / f"bench_map_api-{vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
