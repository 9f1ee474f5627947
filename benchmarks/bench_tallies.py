"""Tally ingest: how many counted taps per second the app stores, against plain SQL inserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt5 .venv/bin/python benchmarks/bench_tallies.py

Measures, in one run and on one database (a scratch `bench_<name>` database that is
created and dropped, next to the one in DATABASE_URL):

- batches of 100 through the whole stack: Django's test client in this process (no
  socket), session log-in of a volunteer with a shift, CSRF-exempt as the test client is,
  DRF, the permission rule, the tally service, the JSON answer with new totals;
- the same batches through the service only (`tally_record`), to show where time goes;
- single-tap requests through the whole stack, from one client and from `--clients`
  (default 8) clients at once;
- the baseline for each: plain SQL INSERTs of exactly the same rows (one multi-row
  INSERT per batch of 100, or one INSERT per tap), each in its own transaction, over
  the same connection; with as many clients at once where the app has them.

Rows are spread over 40 sites of an edition, as on a real day. The table is emptied
before every measurement, so each starts from the same state. Every mode runs `--rounds`
times (default 5), interleaved; the table shows the median and the best round, since the
machine is shared and noise only ever adds time. Concurrent clients are processes, each
with its own connection (and its own log-in), started and connected before the clock
starts and released together; they split the requests between them. Results go to
benchmarks/results/bench_tallies_<vendor>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

SITES = 40
COLUMNS = [
    "site_id",
    "category",
    "delta",
    "client_id",
    "recorded_at",
    "received_at",
    "recorded_by_id",
    "device_id",
    "is_correction",
    "reason",
    "sync_id",
]


def make_world() -> dict:
    """A published edition today with 40 approved sites and a volunteer with a shift at
    each."""
    from accounts.models import User, Volunteer
    from events.models import Event, Shift, Signup, Site
    from locations.models import Branch, Location

    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    opens = datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=zone)
    closes = datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=zone)
    event = Event.objects.create(
        name="Bench",
        slug=f"bench-{uuid.uuid4().hex[:8]}",
        kind_id="open_day",
        date=today,
        is_published=True,  # volunteers count at public sites only
    )
    branch = Branch.objects.create(name=f"Bench {event.slug}", slug=event.slug, town="Utrecht")
    user = User.objects.create_user(email=f"{event.slug}@example.org")
    volunteer = Volunteer.objects.create(user=user)
    site_ids = []
    for number in range(SITES):
        location = Location.objects.create(name=f"azc {number}", city="Utrecht")
        site = Site.objects.create(
            event=event,
            location=location,
            branch=branch,
            opens_at=opens,
            closes_at=closes,
            status="published",
        )
        shift = Shift.objects.create(
            site=site, role="counting", starts_at=opens, ends_at=closes, capacity=5
        )
        Signup.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
        site_ids.append(site.pk)
    return {"user_id": user.pk, "site_ids": site_ids}


def make_batches(site_ids: list[int], count: int, size: int) -> list[tuple[int, list[dict]]]:
    """`count` batches of `size` taps, each batch for one site, round-robin."""
    now = timezone.now()
    batches = []
    for number in range(count):
        entries = [
            {
                "id": str(uuid.uuid4()),
                "category": "visitors" if k % 5 else "children",
                "delta": 1 if k % 7 else 2,
                "recorded_at": (now - datetime.timedelta(seconds=number + k)).isoformat(),
            }
            for k in range(size)
        ]
        batches.append((site_ids[number % len(site_ids)], entries))
    return batches


def counting_tables() -> list[str]:
    """The tables a tap writes to: the entries, and the summaries kept beside them (the
    per-hour totals and the per-minute counts of the limits), where the app has them."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return [
        table
        for table in ("tallies_tallyentry", "tallies_tallyhour", "tallies_tallyminutecount")
        if table in tables
    ]


def empty_table() -> None:
    with connection.cursor() as cursor:
        for table in counting_tables():
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


# --- The runners: each takes its share of batches and returns how many it stored ------


def run_api(world: dict, batches=None):
    """Logs in; returns the sender of batches (or sends `batches` at once)."""
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=world["user_id"]))

    def send(batches) -> int:
        stored = 0
        for site_id, entries in batches:
            body = json.dumps({"entries": entries, "device_id": "bench"})
            response = client.post(
                f"/api/v1/sites/{site_id}/tallies/", body, content_type="application/json"
            )
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.content[:300]!r}")
            stored += json.loads(response.content)["accepted"]
        return stored

    return send if batches is None else send(batches)


def run_service(world: dict, batches=None):
    from accounts.models import User
    from events.models import Site
    from tallies.services import TallyTap, tally_record

    user = User.objects.get(pk=world["user_id"])
    sites = {s.pk: s for s in Site.objects.select_related("event").filter(pk__in=world["site_ids"])}

    def send(batches) -> int:
        stored = 0
        for site_id, entries in batches:
            taps = [
                TallyTap(
                    uuid.UUID(e["id"]),
                    e["category"],
                    e["delta"],
                    datetime.datetime.fromisoformat(e["recorded_at"]),
                )
                for e in entries
            ]
            result = tally_record(site=sites[site_id], entries=taps, by=user, device_id="bench")
            stored += result.accepted
        return stored

    return send if batches is None else send(batches)


def run_sql(world: dict, batches=None):
    """Plain INSERTs of the same rows: one statement per batch, autocommitted."""
    connection.ensure_connection()
    return _send_sql(world) if batches is None else _send_sql(world)(batches)


def _send_sql(world: dict):
    return lambda batches: _insert_sql(world, batches)


def _insert_sql(world: dict, batches) -> int:
    from tallies.models import TallyEntry

    fields = [TallyEntry._meta.get_field(name) for name in COLUMNS]  # by column name
    table = TallyEntry._meta.db_table
    columns = ", ".join(COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    now = timezone.now()
    stored = 0
    with connection.cursor() as cursor:
        for site_id, entries in batches:
            values = []
            sync_id = uuid.uuid4()
            for e in entries:
                row = [
                    site_id,
                    e["category"],
                    e["delta"],
                    uuid.UUID(e["id"]),
                    datetime.datetime.fromisoformat(e["recorded_at"]),
                    now,
                    world["user_id"],
                    "bench",
                    False,
                    "",
                    sync_id,
                ]
                values.extend(
                    f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)
                )
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(  # noqa: S608
                [placeholders] * len(entries)
            )
            cursor.execute(sql, values)
            stored += len(entries)
    return stored


RUNNERS = {"api": run_api, "service": run_service, "sql": run_sql}


def _client(runner: str, world: dict, share, ready, start, results) -> None:
    """One concurrent client (a process): logs in and connects, waits for the start, sends
    its share, reports how many it stored (or the error)."""
    try:
        send = RUNNERS[runner](world)
        ready.wait()
        start.wait()
        results.put(send(share))
    except BaseException as error:  # reported to the parent, which fails the run
        results.put(repr(error))
        raise
    finally:
        connection.close()


def measure(runner: str, world: dict, batches, clients: int) -> float:
    """Seconds to store all `batches` with `clients` clients at once; checks every row
    stored. Concurrent clients are connected (and logged in) before the clock starts."""
    from tallies.models import TallyEntry

    empty_table()
    expected = sum(len(entries) for _, entries in batches)
    if clients == 1:
        send = RUNNERS[runner](world)
        started = time.perf_counter()
        stored = send(batches)
        seconds = time.perf_counter() - started
    else:
        context = multiprocessing.get_context("fork")
        ready, start = context.Barrier(clients + 1), context.Event()
        results = context.Queue()
        connection.close()  # never share a socket with the children
        processes = [
            context.Process(
                target=_client,
                args=(runner, world, batches[i::clients], ready, start, results),
            )
            for i in range(clients)
        ]
        for process in processes:
            process.start()
        ready.wait(timeout=120)
        started = time.perf_counter()
        start.set()
        answers = [results.get(timeout=600) for _ in processes]
        seconds = time.perf_counter() - started
        for process in processes:
            process.join()
        failed = [answer for answer in answers if not isinstance(answer, int)]
        if failed:
            raise RuntimeError(f"{runner}: {failed[0]}")
        stored = sum(answers)
    if stored != expected or TallyEntry.objects.count() != expected:
        raise RuntimeError(f"{runner}: stored {stored} of {expected}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=150, help="batches of 100 (default 150)")
    parser.add_argument("--singles", type=int, default=600, help="single-tap requests")
    parser.add_argument("--rounds", type=int, default=5, help="repeats (median and best)")
    parser.add_argument(
        "--clients", type=int, default=8, help="clients at once in the concurrent modes"
    )
    options = parser.parse_args()

    settings.ALLOWED_HOSTS = ["testserver"]  # the test client's host name
    if settings.DEBUG:
        sys.exit("Run with DEBUG off: DEBUG keeps every query in memory and skews the figures.")
    db = settings.DATABASES["default"]
    name = Path(str(db["NAME"])).name
    db.setdefault("TEST", {})["NAME"] = (
        f"bench_{name}" if db["ENGINE"].endswith("postgresql") else str(ROOT / "var/bench.sqlite3")
    )
    if not db["ENGINE"].endswith("postgresql"):
        print("note: DATABASE_URL is not PostgreSQL; measuring SQLite", file=sys.stderr)
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        world = make_world()
        batches = make_batches(world["site_ids"], options.batches, 100)
        singles = make_batches(world["site_ids"], options.singles, 1)
        # Warm up: imports, the first session, caches; not timed.
        measure("api", world, batches[:5], 1)
        measure("api", world, singles[:20], 1)

        many = options.clients
        plan = [
            ("batches of 100, API", "api", batches, 1),
            ("batches of 100, service only", "service", batches, 1),
            ("batches of 100, plain SQL", "sql", batches, 1),
            (f"batches of 100, API, {many} clients", "api", batches, many),
            (f"batches of 100, plain SQL, {many} clients", "sql", batches, many),
            ("single taps, API", "api", singles, 1),
            ("single taps, plain SQL", "sql", singles, 1),
            (f"single taps, API, {many} clients", "api", singles, many),
            (f"single taps, plain SQL, {many} clients", "sql", singles, many),
        ]
        timings: dict[str, list[float]] = {label: [] for label, *_ in plan}
        for _ in range(options.rounds):
            for label, runner, work, clients in plan:
                timings[label].append(measure(runner, world, work, clients))
        empty_table()
    finally:
        teardown_databases(old_config, verbosity=0)

    rows = []
    for label, runner, work, clients in plan:
        seconds = statistics.median(timings[label])
        best = min(timings[label])
        entries = sum(len(e) for _, e in work)
        rows.append(
            {
                "mode": label,
                "runner": runner,
                "clients": clients,
                "requests": len(work),
                "entries": entries,
                "seconds": round(seconds, 3),
                "entries_per_s": round(entries / seconds),
                "requests_per_s": round(len(work) / seconds, 1),
                "best_entries_per_s": round(entries / best),
                "all_seconds": [round(t, 3) for t in timings[label]],
            }
        )
    # Each mode against plain SQL of the same requests with as many clients at once.
    baseline = {
        (row["mode"].startswith("single"), row["clients"]): row
        for row in rows
        if row["runner"] == "sql"
    }
    for row in rows:
        base = baseline[row["mode"].startswith("single"), row["clients"]]
        row["ratio_to_sql"] = round(row["entries_per_s"] / base["entries_per_s"], 3)

    version = getattr(connection, "pg_version", "") or connection.Database.sqlite_version
    print(
        f"\ndatabase: {connection.vendor} {version}  load: {os.getloadavg()[0]:.1f}  "
        f"rounds: {options.rounds} (median)\n"
    )
    header = (
        f"{'mode':36} {'requests':>8} {'entries':>8} {'seconds':>8} {'entries/s':>10} "
        f"{'req/s':>8} {'vs SQL':>7} {'best/s':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['mode']:36} {row['requests']:>8} {row['entries']:>8} {row['seconds']:>8.2f} "
            f"{row['entries_per_s']:>10} {row['requests_per_s']:>8.1f} {row['ratio_to_sql']:>7.3f} "
            f"{row['best_entries_per_s']:>8}"
        )
    api = next(r for r in rows if r["mode"] == "batches of 100, API")
    print(
        "\nseconds, entries/s, req/s and 'vs SQL' are medians; best/s is the fastest round."
        f"\ngoal: 5000 entries/s with batches of 100 through the API; measured "
        f"{api['entries_per_s']}/s (median), {api['best_entries_per_s']}/s (best)"
    )

    out = ROOT / "benchmarks" / "results" / f"bench_tallies_{connection.vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "database": connection.vendor,
                "clients": options.clients,
                "load_average": os.getloadavg(),
                "rounds": options.rounds,
                "cpu_count": os.cpu_count(),
                "measured_at": timezone.now().isoformat(),
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
