"""Many volunteers claim the same shift at the same moment, on PostgreSQL or SQLite.

    .venv/bin/python benchmarks/bench_claims.py                       # 200 claims, 10 places
    .venv/bin/python benchmarks/bench_claims.py --claims 500 --places 25 --workers 60
    .venv/bin/python benchmarks/bench_claims.py --sqlite              # a temporary SQLite file

All claims are released at one instant into a queue served by `--workers` threads, each
with its own database connection (like the worker threads of an app server; PostgreSQL's
`max_connections` caps how many can be open). Each claim calls the real service,
`events.services.signup_create`, with the shift in hand as the API view reads it (with its
site and edition): check the account, lock the volunteer, check their sign-ups, take the
place with a conditional UPDATE of the shift's counts, insert the sign-up, commit. The
baseline in the same run does the minimum the same threads could do for each claim: one
bare `INSERT` of the sign-up row, without checks or locks.

Reported per variant (median over `--rounds`): confirmed and waitlisted counts (the
service must confirm exactly `--places`), throughput (claims per second from the release
to the last answer), and latency percentiles. Latency is from the common release to the
answer, so it includes waiting for a worker and for the shift's lock, as a client would
see it. The table prints the ratio service / baseline; JSON goes to
`benchmarks/results/bench_claims.json`.

The database comes from `BENCH_DATABASE_URL` (default
`postgres://postgres@127.0.0.1:5432/bench_claims`); it is created and migrated when
missing, and the benchmark's rows are deleted afterwards. With `--sqlite` it is a new
SQLite file (WAL, `IMMEDIATE` transactions, as configured for the app), removed after.
JSON goes to `benchmarks/results/bench_claims.json` (`bench_claims_sqlite.json`).
"""

import argparse
import json
import os
import platform
import queue
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import ensure_postgres_database, percentile  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_claims"


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ENV_FILE", "/dev/null")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if url.startswith("postgres"):
        ensure_postgres_database(url, program="bench_claims")

    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Scenario:
    """One edition, site and shift, and `claims` verified volunteers, made in bulk."""

    def __init__(self, *, claims: int, places: int, tag: str) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from accounts.models import Volunteer
        from events.models import Event, Shift, Site
        from locations.models import Branch, Location

        now = datetime.now(UTC)
        self.event = Event.objects.create(
            name=f"Bench {tag}",
            slug=f"bench-{tag}",
            kind_id="open_day",
            date=(now + timedelta(days=30)).date(),
            is_published=True,
        )
        self.branch = Branch.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
        self.location = Location.objects.create(name=f"Bench {tag}", city="Utrecht")
        self.site = Site.objects.create(
            event=self.event,
            location=self.location,
            branch=self.branch,
            opens_at=now + timedelta(days=30),
            closes_at=now + timedelta(days=30, hours=6),
            status=Site.Status.PUBLISHED,
        )
        start = now + timedelta(days=30, hours=1)
        self.shift = Shift.objects.create(
            site=self.site,
            role="reception",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=places,
        )
        self.baseline_shift = Shift.objects.create(
            site=self.site,
            role="coffee",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=places,
        )
        user_model = get_user_model()
        users = user_model.objects.bulk_create(
            [
                user_model(email=f"bench-{tag}-{i}@example.org", password=make_password(None))
                for i in range(claims)
            ]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        self.volunteers = Volunteer.objects.bulk_create([Volunteer(user=u) for u in users])
        self.users = users

    def delete(self) -> None:
        from accounts.models import Volunteer
        from events.models import Signup

        Signup.objects.filter(shift__site=self.site).delete()
        Volunteer.objects.filter(pk__in=[v.pk for v in self.volunteers]).delete()
        type(self.users[0]).objects.filter(pk__in=[u.pk for u in self.users]).delete()
        self.site.delete()
        self.event.delete()
        self.location.delete()
        self.branch.delete()


def run_variant(claim, items: list, workers: int) -> dict:
    """Release all `items` at once to `workers` threads; time each `claim(item)`."""
    from django.db import connection

    work: queue.Queue = queue.Queue()
    ready = threading.Barrier(workers + 1)
    results: list[tuple[float, float, object]] = []
    lock = threading.Lock()
    start_at = [0.0]

    def worker() -> None:
        connection.ensure_connection()
        ready.wait()
        while True:
            try:
                item = work.get_nowait()
            except queue.Empty:
                break
            began = time.perf_counter()
            try:
                outcome = claim(item)
            except Exception as error:
                outcome = error
            ended = time.perf_counter()
            with lock:
                results.append((ended - start_at[0], ended - began, outcome))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for item in items:
        work.put(item)
    start_at[0] = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join()
    latencies = [r[0] for r in results]
    service = [r[1] for r in results]
    wall = max(latencies)
    return {
        "claims": len(results),
        "errors": sum(isinstance(r[2], Exception) for r in results),
        "wall_s": wall,
        "throughput_per_s": len(results) / wall,
        "latency_p50_ms": percentile(latencies, 0.50) * 1000,
        "latency_p99_ms": percentile(latencies, 0.99) * 1000,
        "service_p50_ms": percentile(service, 0.50) * 1000,
        "service_p99_ms": percentile(service, 0.99) * 1000,
    }


def one_round(*, claims: int, places: int, workers: int, tag: str) -> dict:
    from django.db import connection

    from events.models import Shift, Signup
    from events.services import signup_create

    scenario = Scenario(claims=claims, places=places, tag=tag)
    try:
        # The shift in hand, with its site and edition, as the API view reads it once.
        shift = Shift.objects.select_related("site__event").get(pk=scenario.shift.pk)
        ours = run_variant(
            lambda v: signup_create(shift=shift, volunteer=v), scenario.volunteers, workers
        )
        ours["confirmed"] = Signup.objects.filter(shift=scenario.shift, status="confirmed").count()
        ours["waitlisted"] = Signup.objects.filter(
            shift=scenario.shift, status="waitlisted"
        ).count()

        sql = (
            "INSERT INTO events_signup (shift_id, volunteer_id, status, created_at, "
            "updated_at) VALUES (%s, %s, 'confirmed', %s, %s)"
        )
        shift_id = scenario.baseline_shift.pk

        def bare_insert(volunteer) -> None:
            moment = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
            with connection.cursor() as cursor:
                cursor.execute(sql, [shift_id, volunteer.pk, moment, moment])

        baseline = run_variant(bare_insert, scenario.volunteers, workers)
        baseline["confirmed"] = Signup.objects.filter(
            shift=scenario.baseline_shift, status="confirmed"
        ).count()
        baseline["waitlisted"] = 0
    finally:
        scenario.delete()
    return {"service": ours, "baseline": baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench_claims_") if args.sqlite else None
    url = (
        f"sqlite:///{folder}/bench.sqlite3"
        if folder
        else os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    )
    _setup_django(url)
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version
        database = f"PostgreSQL {version // 10000}"
        database_long = f"PostgreSQL {version}"
    else:
        import sqlite3

        database = database_long = f"SQLite {sqlite3.sqlite_version}"
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    rounds = []
    try:
        for number in range(args.rounds):
            rounds.append(
                one_round(
                    claims=args.claims,
                    places=args.places,
                    workers=args.workers,
                    tag=f"{stamp}-{number}",
                )
            )
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def median(variant: str, key: str) -> float:
        return statistics.median(r[variant][key] for r in rounds)

    keys = [
        "confirmed",
        "waitlisted",
        "errors",
        "throughput_per_s",
        "latency_p50_ms",
        "latency_p99_ms",
        "service_p50_ms",
        "service_p99_ms",
    ]
    summary = {v: {k: median(v, k) for k in keys} for v in ("service", "baseline")}
    print(
        f"\n{args.claims} simultaneous claims on {args.places} places, {args.workers} worker "
        f"threads, {database}, median of {args.rounds} rounds\n"
    )
    header = f"{'':22}{'service':>12}{'bare INSERT':>14}{'ratio':>9}"
    print(header)
    print("-" * len(header))
    for key, label in [
        ("confirmed", "confirmed"),
        ("waitlisted", "waitlisted"),
        ("errors", "errors"),
        ("throughput_per_s", "claims per second"),
        ("latency_p50_ms", "latency p50 (ms)"),
        ("latency_p99_ms", "latency p99 (ms)"),
        ("service_p50_ms", "own time p50 (ms)"),
        ("service_p99_ms", "own time p99 (ms)"),
    ]:
        ours, base = summary["service"][key], summary["baseline"][key]
        ratio = (
            f"{ours / base:8.2f}x"
            if base and key not in ("confirmed", "waitlisted", "errors")
            else ""
        )
        print(f"{label:22}{ours:12.1f}{base:14.1f}{ratio:>9}")
    all_exact = all(r["service"]["confirmed"] == args.places for r in rounds)
    print(f"\nconfirmed == places in every round: {all_exact}")

    p99_ratio = summary["service"]["latency_p99_ms"] / summary["baseline"]["latency_p99_ms"]
    print(f"p99 service / bare INSERT: {p99_ratio:.2f}x")
    name = "bench_claims_sqlite.json" if folder else "bench_claims.json"
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "bench_claims",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "database": database_long,
                "parameters": vars(args),
                "summary_median": summary,
                "rounds": rounds,
                "confirmed_equals_places_every_round": all_exact,
                "p99_ratio": p99_ratio,
            },
            indent=2,
        )
    )
    print(f"results: {out.relative_to(ROOT)}")
    if not all_exact:
        sys.exit(1)


if __name__ == "__main__":
    main()
