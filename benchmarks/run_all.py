"""`make bench`: the whole app under load on a large PostgreSQL dataset, each figure beside
its baseline measured in the same run.

    make bench                                   # full run (about 10 minutes)
    make bench BENCH_ARGS=--quick                # shorter measurements (about 5 minutes)
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/my_bench make bench

Steps:

1. Seed (benchmarks/seed_large.py) the database of BENCH_DATABASE_URL (created when
   missing; `--reseed` drops it first): 5,000 sites, 50,000 shifts, 200,000 sign-ups,
   1,000,000 tally entries. A second run finds the data and skips this.
2. Start the app under gunicorn on 127.0.0.1 (DEBUG off, a generated SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect on loopback) and, on the next port, the
   baselines (benchmarks/baseline_app.py), with the same gunicorn settings.
3. Measure, app and baseline alike, with locust (headless) as the load generator:
   - the map API for one edition (2,000 sites) and for a bounding box: latency
     p50/p95/p99 and requests/s at 16 concurrent clients, against one SQL query + json;
   - tally ingest, batches of 100 and single taps, against plain multi-row INSERTs;
   - the edition feed (2,000 sites) and a volunteer feed (50 shifts), against f-strings;
   - 200 simultaneous claims on a shift of 10 places (confirmed must be 10; p50/p99),
     against bare INSERTs;
   - how the map API's time grows from 500 to 5,000 sites (sequential requests);
   - the number of SQL queries of each endpoint (in this process, Django's test client).
4. Print one table, write benchmarks/results/bench_all.json and bench_all.png.
"""

import argparse
import datetime
import functools
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
# Copies of answers that the baseline serves as static files (`/file/<name>`).
STATIC_COPIES = Path(tempfile.gettempdir()) / "bench-static"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/actiedagen_bench"
BIN = Path(sys.executable).parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter measurements")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the database")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8110)))
    parser.add_argument("--users", type=int, default=16, help="concurrent clients (map API)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--seconds", type=int, help="length of each load run")
    parser.add_argument("--no-peer", action="store_true", help="skip the ephios comparison")
    return parser.parse_args()


# --- The database ------------------------------------------------------------------------


def server_env(url: str, app_url: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SQLITE_"))
    }
    env.update(
        ENV_FILE="/dev/null",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SITE_URL=app_url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        # The load of many phones comes from one account here: lift the limits per person
        # and per phone, so that every tap is stored (and counted) as the baseline's are.
        TALLY_LIMIT_PER_MINUTE=str(10**9),
        TALLY_LIMIT_PER_SITE=str(10**9),
        **published_cache_env(),
    )
    return env


@functools.cache
def published_cache_env() -> dict:
    """The cache the app's processes (and this one) share, as in production: Redis when it
    runs at 127.0.0.1:6379, else files in a folder of this run. Under a key prefix of this
    run only: answers stored by an earlier run may be of data seeded since."""
    env = {"PUBLISHED_CACHE_SHARED": "1", "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"}
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    except OSError:
        env["REDIS_URL"] = ""
        env["PUBLISHED_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-published-")
    return env


def setup_django(url: str, app_url: str) -> None:
    env = server_env(url, app_url)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- Servers -----------------------------------------------------------------------------


class Server:
    def __init__(
        self, name: str, target: str, port: int, env: dict, options, *, timeout: int = 120
    ) -> None:
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log")  # noqa: SIM115 (open while the server runs)
        command = [
            str(BIN / "gunicorn"),
            target,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--threads",
            str(options.threads),
            "--worker-class",
            "gthread",
            "--timeout",
            str(timeout),
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if get(self.url, path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.log.seek(0)
        sys.exit(f"{self.name} did not start:\n{self.log.read().decode()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def get(base: str, path: str, headers=None, method="GET", body=None) -> tuple[int, bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=900)
    try:
        connection.request(
            method, path, body=body, headers={"Accept-Encoding": "identity", **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- Load runs with locust ----------------------------------------------------------------


def locust_run(host: str, spec: dict, *, users: int, seconds: int) -> dict:
    """One headless locust run; its summary figures (times in ms)."""
    folder = tempfile.mkdtemp(prefix="bench-locust-")
    try:
        env = {**os.environ, "BENCH_REQUEST": json.dumps(spec)}
        result = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                host,
                "--csv",
                f"{folder}/run",
                "--only-summary",
                "--loglevel",
                "ERROR",
                "--stop-timeout",
                "10",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=False,
        )
        import csv

        stats = Path(f"{folder}/run_stats.csv")
        if not stats.exists():
            sys.exit(f"locust failed:\n{result.stderr[-3000:]}")
        with stats.open() as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
        failures = Path(f"{folder}/run_failures.csv").read_text().strip().splitlines()[1:3]

        def number(key: str) -> float:
            value = row.get(key, "")
            return float(value) if value not in ("", "N/A") else float("nan")

        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "failure_examples": failures,
            "req_per_s": number("Requests/s"),
            "p50_ms": number("50%"),
            "p95_ms": number("95%"),
            "p99_ms": number("99%"),
            "mean_ms": number("Average Response Time"),
            "users": users,
            "seconds": seconds,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- Simultaneous claims -------------------------------------------------------------------


def burst(base: str, requests: list[tuple[str, dict]]) -> dict:
    """Send every request at one instant (a thread each, released by a barrier); the
    latency of each is from that instant to its answer."""
    start = threading.Barrier(len(requests) + 1)
    results: list[tuple[float, int]] = [None] * len(requests)  # type: ignore[list-item]
    origin = [0.0]

    def send(index: int, path: str, headers: dict) -> None:
        start.wait()
        try:
            status, _ = get(base, path, headers=headers, method="POST", body=b"")
        except OSError:
            status = 0
        results[index] = (time.perf_counter() - origin[0], status)

    threads = [
        threading.Thread(target=send, args=(i, path, headers))
        for i, (path, headers) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    origin[0] = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    from benchmarks.common import percentile

    latencies = [seconds for seconds, _ in results]
    return {
        "requests": len(results),
        "answered_2xx": sum(200 <= status < 300 for _, status in results),
        "errors": sum(status == 0 or status >= 500 for _, status in results),
        "wall_s": max(latencies),
        "per_s": len(results) / max(latencies),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


# --- Query counts --------------------------------------------------------------------------


def query_counts(world, bbox: str) -> list[dict]:
    """Each endpoint once through Django's test client, counting its SQL queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    feed = world.feed_slug
    today_site = world.tally_site_ids[0]
    organiser = Client()
    organiser.force_login(User.objects.get(email="organiser@example.org"))
    counter = Client()
    counter.force_login(User.objects.get(email="teller@example.org"))
    tally = {"HTTP_AUTHORIZATION": f"Token {world.tally_token}"}
    claimer = {"HTTP_AUTHORIZATION": f"Token {world.claimer_tokens[-1]}"}
    one_tap = json.dumps(
        {
            "entries": [
                {
                    "id": str(__import__("uuid").uuid4()),
                    "category": "visitors",
                    "delta": 1,
                    "recorded_at": datetime.datetime.now(datetime.UTC).isoformat(),
                }
            ]
        }
    )
    batch = json.loads(one_tap)
    batch["entries"] = [
        {**batch["entries"][0], "id": str(__import__("uuid").uuid4())} for _ in range(100)
    ]
    anonymous = Client()
    plan = [
        ("GET /api/v1/events/", anonymous, "get", "/api/v1/events/", {}),
        ("GET /api/v1/sites/ (edition)", anonymous, "get", f"/api/v1/sites/?event={feed}", {}),
        ("GET /api/v1/sites/ (bbox)", anonymous, "get", f"/api/v1/sites/?bbox={bbox}", {}),
        ("GET /api/v1/sites/{id}/", anonymous, "get", f"/api/v1/sites/{world.sample_site_id}/", {}),
        (
            "GET /api/v1/shifts/?site=",
            anonymous,
            "get",
            f"/api/v1/shifts/?site={world.sample_site_id}",
            {},
        ),
        ("GET /api/v1/me/", anonymous, "get", "/api/v1/me/", tally),
        (
            "POST /api/v1/shifts/{id}/claim/",
            anonymous,
            "post",
            f"/api/v1/shifts/{world.claim_shift_id}/claim/",
            claimer,
        ),
        (
            "POST /api/v1/shifts/{id}/release/",
            anonymous,
            "post",
            f"/api/v1/shifts/{world.claim_shift_id}/release/",
            claimer,
        ),
        (
            "POST tallies (batch of 100)",
            anonymous,
            "post",
            f"/api/v1/sites/{today_site}/tallies/",
            {**tally, "data": json.dumps(batch), "content_type": "application/json"},
        ),
        (
            "POST tallies (one tap)",
            anonymous,
            "post",
            f"/api/v1/sites/{today_site}/tallies/",
            {**tally, "data": one_tap, "content_type": "application/json"},
        ),
        ("GET tallies (totals)", anonymous, "get", f"/api/v1/sites/{today_site}/tallies/", tally),
        ("GET edition feed (2,000 sites)", anonymous, "get", f"/calendar/events/{feed}.ics", {}),
        (
            "GET site feed",
            anonymous,
            "get",
            f"/calendar/sites/{world.sample_site_id}.ics",
            {},
        ),
        (
            "GET volunteer feed (50 shifts)",
            anonymous,
            "get",
            f"/calendar/volunteer/{world.feed_volunteer_token}.ics",
            {},
        ),
        ("page /", anonymous, "get", "/", {}),
        ("page /map/ (edition)", anonymous, "get", f"/map/?event={feed}", {}),
        ("page /events/{slug}/", anonymous, "get", f"/events/{feed}/", {}),
        ("page /sites/{id}/", anonymous, "get", f"/sites/{world.sample_site_id}/", {}),
        ("page /sites/{id}/count/", counter, "get", f"/sites/{today_site}/count/", {}),
        ("page /shifts/", counter, "get", "/shifts/", {}),
        ("page /my/shifts/", counter, "get", "/my/shifts/", {}),
        ("page /dashboard/{slug}/", organiser, "get", f"/dashboard/{world.other_slug}/", {}),
        (
            "dashboard data.json",
            organiser,
            "get",
            f"/dashboard/{world.other_slug}/data.json",
            {},
        ),
        # Running an edition (/manage/) and the locations (/locations/).
        ("page /manage/", organiser, "get", "/manage/", {}),
        ("page /manage/editions/{slug}/", organiser, "get", f"/manage/editions/{feed}/", {}),
        ("page review queue", organiser, "get", f"/manage/editions/{feed}/review/", {}),
        ("page staffing (2,000 sites)", organiser, "get", f"/manage/editions/{feed}/staffing/", {}),
        (
            "page /manage/sites/{id}/",
            organiser,
            "get",
            f"/manage/sites/{world.sample_site_id}/",
            {},
        ),
        ("page /locations/", organiser, "get", "/locations/", {}),
    ]
    anonymous.get("/api/v1/events/")  # the first request of a process loads much: not timed
    rows = []
    for label, client, method, path, extra in plan:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, **extra)
        row = {
            "endpoint": label,
            "path": path,
            "status": response.status_code,
            "queries": len(queries),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if method == "get":
            # Once more: what is stored once per change (`common.published`) is read back.
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                getattr(client, method)(path, **extra)
            row["again_queries"] = len(queries)
            row["again_ms"] = round((time.perf_counter() - started) * 1000, 1)
        rows.append(row)
    return rows


# --- The run -------------------------------------------------------------------------------


def main() -> int:
    options = parse_args()
    quick = options.quick
    seconds = options.seconds or (6 if quick else 20)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    app_url = f"http://127.0.0.1:{options.port}"
    began = time.perf_counter()
    print(f"== database {url.rsplit('/', 1)[-1]}")
    from benchmarks.common import ensure_postgres_database, machine

    ensure_postgres_database(url, program="make bench", recreate=options.reseed)
    setup_django(url, app_url)
    from benchmarks import seed_large

    world = seed_large.seed(log=print)
    print(f"   ready in {world.seeded_seconds:.1f} s: {world.counts}")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.latitude FROM events_site s JOIN locations_location l "
            "ON l.id = s.location_id JOIN events_event e ON e.id = s.event_id "
            "WHERE s.status = 'published' AND e.is_published ORDER BY l.latitude"
        )
        latitudes = [row[0] for row in cursor.fetchall()]

    def band(count: int) -> str:
        """A bbox over the whole country up to the latitude of the `count`-th site."""
        top = (latitudes[count - 1] + latitudes[count]) / 2 if count < len(latitudes) else 54.0
        return f"3.0,50.0,7.6,{top:.5f}"

    bbox = band(1000)
    env = server_env(url, app_url)
    app = Server("app", "config.wsgi:application", options.port, env, options)
    baseline = Server(
        "baseline",
        "benchmarks.baseline_app:application",
        options.port + 1,
        {**env, "BENCH_APP_URL": app_url, "BENCH_STATIC_DIR": str(STATIC_COPIES)},
        options,
    )
    results: dict = {"load": {}, "ingest": {}, "feeds": {}, "claims": {}, "scaling": []}
    try:
        app.wait_ready("/api/v1/events/")
        baseline.wait_ready("/health")
        print(
            f"== servers: app {app.url}, baseline {baseline.url} (gunicorn gthread, "
            f"{options.workers} workers x {options.threads} threads each)"
        )

        # Same answers?
        same = {}
        for name, app_path, base_path in [
            (
                "edition",
                f"/api/v1/sites/?event={world.feed_slug}",
                f"/sites/?event={world.feed_slug}",
            ),
            ("bbox", f"/api/v1/sites/?bbox={bbox}", f"/sites/?bbox={bbox}"),
            (
                "edition feed",
                f"/calendar/events/{world.feed_slug}.ics",
                f"/feed/event/{world.feed_slug}.ics",
            ),
            (
                "volunteer feed",
                f"/calendar/volunteer/{world.feed_volunteer_token}.ics",
                f"/feed/volunteer/{world.feed_volunteer_token}.ics",
            ),
        ]:
            ours, theirs = get(app.url, app_path)[1], get(baseline.url, base_path)[1]
            if name in ("edition", "bbox"):
                ours_json, theirs_json = json.loads(ours), json.loads(theirs)
                same[name] = ours_json == theirs_json
                results.setdefault("features", {})[name] = ours_json["numberMatched"]
            else:
                same[name] = ours == theirs
        results["same_answer"] = same
        print(f"   same answers: {same}")
        # The edition's map answer as a static file, served by the baseline's gunicorn: the
        # physical limit for the same bytes on this stack.
        STATIC_COPIES.mkdir(exist_ok=True)
        edition_bytes = get(app.url, f"/api/v1/sites/?event={world.feed_slug}")[1]
        (STATIC_COPIES / "edition.json").write_bytes(edition_bytes)
        assert get(baseline.url, "/file/edition.json")[1] == edition_bytes

        # 1. Map API at 16 concurrent clients.
        print(f"== map API: {options.users} clients, {seconds} s a run")
        for name, app_path, base_path in [
            (
                "edition",
                f"/api/v1/sites/?event={world.feed_slug}",
                f"/sites/?event={world.feed_slug}",
            ),
            ("bbox", f"/api/v1/sites/?bbox={bbox}", f"/sites/?bbox={bbox}"),
        ]:
            sides = [("app", app, app_path), ("baseline", baseline, base_path)]
            if name == "edition":
                sides.append(("static file", baseline, "/file/edition.json"))
            for side, server, path in sides:
                results["load"].setdefault(name, {})[side] = locust_run(
                    server.url,
                    {"method": "GET", "path": path},
                    users=options.users,
                    seconds=seconds,
                )
                figures = results["load"][name][side]
                print(
                    f"   {name:8} {side:8} {figures['req_per_s']:7.1f} req/s  "
                    f"p50 {figures['p50_ms']:.0f}  p99 {figures['p99_ms']:.0f} ms  "
                    f"failures {figures['failures']}"
                )

        # 2. Tally ingest: 8 phones sending at once.
        phones = 8
        print(f"== tally ingest: {phones} clients, {seconds} s a run")
        auth = {"Authorization": f"Token {world.tally_token}"}
        for size in (100, 1):
            name = "batch of 100" if size == 100 else "single tap"
            for side, server, path in (
                ("app", app, "/api/v1/sites/{site}/tallies/"),
                ("baseline", baseline, "/tallies/{site}/"),
            ):
                figures = locust_run(
                    server.url,
                    {
                        "method": "POST",
                        "path": path,
                        "headers": auth if side == "app" else {},
                        "tally": {"size": size, "sites": world.tally_site_ids},
                    },
                    users=phones,
                    seconds=seconds,
                )
                figures["entries_per_s"] = figures["req_per_s"] * size
                if side == "app":
                    # The hourly totals the app kept equal the sums of what it stored.
                    from tallies.summary import summary_differences

                    figures["totals_equal_entries"] = not summary_differences(world.tally_site_ids)
                seed_large.reset_measured_changes(world)  # each side starts empty
                results["ingest"].setdefault(name, {})[side] = figures
                print(
                    f"   {name:12} {side:8} {figures['entries_per_s']:8.0f} entries/s  "
                    f"p50 {figures['p50_ms']:.0f}  p99 {figures['p99_ms']:.0f} ms  "
                    f"failures {figures['failures']}"
                )
        seed_large.reset_measured_changes(world)

        # 3. Feeds.
        readers = 4
        feed_seconds = max(5, seconds // 2)
        print(f"== feeds: {readers} clients, {feed_seconds} s a run")
        for name, app_path, base_path in [
            (
                "edition (2,000 sites)",
                f"/calendar/events/{world.feed_slug}.ics",
                f"/feed/event/{world.feed_slug}.ics",
            ),
            (
                "volunteer (50 shifts)",
                f"/calendar/volunteer/{world.feed_volunteer_token}.ics",
                f"/feed/volunteer/{world.feed_volunteer_token}.ics",
            ),
        ]:
            for side, server, path in (("app", app, app_path), ("baseline", baseline, base_path)):
                figures = locust_run(
                    server.url,
                    {"method": "GET", "path": path},
                    users=readers,
                    seconds=feed_seconds,
                )
                results["feeds"].setdefault(name, {})[side] = figures
                print(
                    f"   {name:22} {side:8} {figures['req_per_s']:6.1f} req/s  "
                    f"p50 {figures['p50_ms']:.0f}  p99 {figures['p99_ms']:.0f} ms"
                )

        # 4. 200 simultaneous claims on 10 places.
        from events.models import Shift, Signup

        rounds = 1 if quick else 3
        print(
            f"== {len(world.claimer_tokens)} simultaneous claims on "
            f"{seed_large.CLAIM_PLACES} places, {rounds} rounds"
        )
        claim_rounds = []
        for _ in range(rounds):
            seed_large.reset_measured_changes(world)
            ours = burst(
                app.url,
                [
                    (
                        f"/api/v1/shifts/{world.claim_shift_id}/claim/",
                        {"Authorization": f"Token {t}"},
                    )
                    for t in world.claimer_tokens
                ],
            )
            ours["confirmed"] = Signup.objects.filter(
                shift_id=world.claim_shift_id, status="confirmed"
            ).count()
            ours["waitlisted"] = Signup.objects.filter(
                shift_id=world.claim_shift_id, status="waitlisted"
            ).count()
            ours["stored_count"] = Shift.objects.get(pk=world.claim_shift_id).confirmed_count
            theirs = burst(
                baseline.url,
                [
                    (f"/claim/{world.baseline_claim_shift_id}/", {"X-Volunteer": str(v)})
                    for v in world.claimer_volunteer_ids
                ],
            )
            theirs["confirmed"] = Signup.objects.filter(
                shift_id=world.baseline_claim_shift_id, status="confirmed"
            ).count()
            claim_rounds.append({"app": ours, "baseline": theirs})
            print(
                f"   app: confirmed {ours['confirmed']}, waitlisted {ours['waitlisted']}, "
                f"p50 {ours['p50_ms']:.0f} p99 {ours['p99_ms']:.0f} ms, errors {ours['errors']}; "
                f"baseline: p50 {theirs['p50_ms']:.0f} p99 {theirs['p99_ms']:.0f} ms"
            )
        seed_large.reset_measured_changes(world)
        results["claims"] = {
            "rounds": claim_rounds,
            "median": {
                side: {
                    key: statistics.median(r[side][key] for r in claim_rounds)
                    for key in ("p50_ms", "p99_ms", "per_s", "confirmed", "errors")
                }
                for side in ("app", "baseline")
            },
            "confirmed_exactly_places": all(
                r["app"]["confirmed"] == seed_large.CLAIM_PLACES for r in claim_rounds
            ),
            # The shift's stored count of confirmed places equals its confirmed sign-ups.
            "stored_count_equals_signups": all(
                r["app"]["stored_count"] == r["app"]["confirmed"] for r in claim_rounds
            ),
        }

        # 5. Scaling: 500 to 5,000 sites, one client, sequential.
        repeats = 4 if quick else 10
        print(f"== scaling: bbox with 500 to 5,000 sites, {repeats} sequential requests each")
        for count in (500, 1000, 2000, 5000):
            box = band(count)
            timings = {}
            for side, server, path in (
                ("app", app, f"/api/v1/sites/?bbox={box}"),
                ("baseline", baseline, f"/sites/?bbox={box}"),
            ):
                get(server.url, path)  # warm
                times = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    status, body = get(server.url, path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert status == 200, body[:300]
                timings[side] = statistics.median(times)
                if side == "app":
                    matched = json.loads(body)["numberMatched"]
            results["scaling"].append(
                {"sites": matched, "app_ms": timings["app"], "baseline_ms": timings["baseline"]}
            )
            print(
                f"   {matched:5d} sites: app {timings['app']:7.1f} ms  "
                f"baseline {timings['baseline']:7.1f} ms"
            )
    finally:
        app.stop()
        baseline.stop()

    # 6. Query counts, in this process.
    print("== query counts")
    results["queries"] = query_counts(world, bbox)
    seed_large.reset_measured_changes(world)

    results["machine"] = machine()
    results["when"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    results["options"] = {
        "quick": quick,
        "seconds": seconds,
        "users": options.users,
        "gunicorn": f"{options.workers} workers x {options.threads} threads (gthread)",
    }
    results["dataset"] = world.counts
    # The machine may be shared: its load says how much else ran beside the benchmark.
    results["load_average_1_5_15"] = [round(value, 2) for value in os.getloadavg()]
    results["total_seconds"] = round(time.perf_counter() - began, 1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        results["postgresql"] = cursor.fetchone()[0]

    table = make_table(results)
    # --- Peer comparison with ephios (benchmarks/peer_ephios.py); --no-peer skips it. -------
    if not options.no_peer:
        from benchmarks.peer_ephios import measure_peer, peer_table

        results["peer_ephios"] = measure_peer(
            url,
            port=options.port + 2,
            workers=options.workers,
            threads=options.threads,
            quick=quick,
        )
        table += "\n\n" + peer_table(results["peer_ephios"])
    # --- End of the peer comparison. ---------------------------------------------------------
    print()
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_all.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (RESULTS / "bench_all.txt").write_text(table + "\n")
    chart(results, RESULTS / "bench_all.png")
    print(
        f"\nwritten: benchmarks/results/bench_all.json, bench_all.txt, bench_all.png "
        f"({results['total_seconds']:.0f} s in all)"
    )
    ok = (
        results["claims"]["confirmed_exactly_places"]
        and results["claims"]["stored_count_equals_signups"]
        and all(sides["app"]["totals_equal_entries"] for sides in results["ingest"].values())
    )
    return 0 if ok else 1


def make_table(results: dict) -> str:
    def ratio(ours: float, theirs: float) -> str:
        return f"{ours / theirs:.2f}x" if theirs else "-"

    lines = []
    m = results["machine"]
    lines.append(
        f"make bench, {results['when']}, {m['cpu']} ({m['cores']} cores, {m['memory_gib']} GiB), "
        f"PostgreSQL {results['postgresql']}, Python {m['python']}, commit {m['commit']}"
    )
    lines.append(
        f"dataset: {results['dataset']['sites']:,} sites, {results['dataset']['shifts']:,} "
        f"shifts, {results['dataset']['signups']:,} sign-ups, "
        f"{results['dataset']['tallies']:,} tally entries; gunicorn "
        f"{results['options']['gunicorn']}; load by locust; machine load average at the end "
        f"{' / '.join(str(v) for v in results.get('load_average_1_5_15', []))}"
    )
    header = f"{'measure':46} {'app':>12} {'baseline':>12} {'app/base':>9}"
    lines += ["", header, "-" * len(header)]

    def row(label: str, ours: float, theirs: float, unit: str, digits: int = 0) -> None:
        lines.append(
            f"{label:46} {ours:>9.{digits}f}{unit:>3} {theirs:>9.{digits}f}{unit:>3} "
            f"{ratio(ours, theirs):>9}"
        )

    for name, sides in results["load"].items():
        a, b = sides["app"], sides["baseline"]
        features = results.get("features", {}).get(name, "")
        label = f"map API, {name} ({features} sites), {a['users']} clients"
        row(f"{label}: req/s", a["req_per_s"], b["req_per_s"], "", 1)
        for key in ("p50", "p95", "p99"):
            row(f"  latency {key}", a[f"{key}_ms"], b[f"{key}_ms"], "ms")
        static = sides.get("static file")
        if static:
            row(
                "  req/s, against the same bytes as a static file",
                a["req_per_s"],
                static["req_per_s"],
                "",
                1,
            )
            row("  latency p50, against the static file", a["p50_ms"], static["p50_ms"], "ms")
    for name, sides in results["ingest"].items():
        a, b = sides["app"], sides["baseline"]
        row(
            f"tally ingest, {name}, {a['users']} clients: entries/s",
            a["entries_per_s"],
            b["entries_per_s"],
            "",
        )
        row("  latency p50", a["p50_ms"], b["p50_ms"], "ms")
        row("  latency p99", a["p99_ms"], b["p99_ms"], "ms")
    for name, sides in results["feeds"].items():
        a, b = sides["app"], sides["baseline"]
        row(f"feed, {name}, {a['users']} clients: req/s", a["req_per_s"], b["req_per_s"], "", 1)
        row("  latency p50", a["p50_ms"], b["p50_ms"], "ms")
        row("  latency p99", a["p99_ms"], b["p99_ms"], "ms")
    claims = results["claims"]["median"]
    rounds = len(results["claims"]["rounds"])
    lines.append(
        f"{'200 simultaneous claims on 10 places: confirmed':46} {claims['app']['confirmed']:>9.0f}"
        f"{'':3} {'(no rule)':>12} {'':>9}"
    )
    row(
        f"  latency p50 (median of {rounds} rounds)",
        claims["app"]["p50_ms"],
        claims["baseline"]["p50_ms"],
        "ms",
    )
    row("  latency p99", claims["app"]["p99_ms"], claims["baseline"]["p99_ms"], "ms")
    scaling = results["scaling"]
    for point in scaling:
        row(
            f"map API bbox, {point['sites']:,} sites, 1 client",
            point["app_ms"],
            point["baseline_ms"],
            "ms",
            1,
        )
    first, last = scaling[0], scaling[-1]
    growth = (last["app_ms"] / first["app_ms"]) / (last["sites"] / first["sites"])
    base_growth = (last["baseline_ms"] / first["baseline_ms"]) / (last["sites"] / first["sites"])
    lines.append(
        f"{'  growth 500 -> 5,000 sites (time x / sites x)':46} {growth:>12.2f} "
        f"{base_growth:>12.2f} {'':>9}  (1.00 = linear, below = better)"
    )
    lines += [
        "",
        f"{'endpoint (SQL queries, one request)':46} {'queries':>8} {'status':>7} {'ms':>8}"
        f" {'again: queries':>15} {'ms':>8}",
    ]
    for q in results["queries"]:
        again = f" {q['again_queries']:>15} {q['again_ms']:>8.1f}" if "again_ms" in q else ""
        lines.append(
            f"{q['endpoint']:46} {q['queries']:>8} {q['status']:>7} {q['ms']:>8.1f}{again}"
        )
    same = ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in results["same_answer"].items())
    lines += ["", f"same answer as the baseline: {same}"]
    exact = {
        "10 of 200 claims confirmed in every round": results["claims"]["confirmed_exactly_places"],
        "the shift's stored count equals its sign-ups": results["claims"][
            "stored_count_equals_signups"
        ],
        "tally totals equal the sums of the entries": all(
            sides["app"]["totals_equal_entries"] for sides in results["ingest"].values()
        ),
    }
    lines.append(
        "kept exact: " + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in exact.items())
    )
    return "\n".join(lines)


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(12, 8))
    # Map API latency percentiles.
    ax = axes[0][0]
    labels, ours, theirs = [], [], []
    for name, sides in results["load"].items():
        for key in ("p50", "p95", "p99"):
            labels.append(f"{name}\n{key}")
            ours.append(sides["app"][f"{key}_ms"])
            theirs.append(sides["baseline"][f"{key}_ms"])
    positions = range(len(labels))
    ax.bar([p - 0.2 for p in positions], ours, 0.4, label="app")
    ax.bar([p + 0.2 for p in positions], theirs, 0.4, label="baseline (1 query + json)")
    ax.set_xticks(list(positions), labels, fontsize=8)
    ax.set_ylabel("ms")
    ax.set_title("Map API latency, 16 concurrent clients")
    ax.legend(fontsize=8)
    # Throughput.
    ax = axes[0][1]
    names = [f"map {n}" for n in results["load"]] + [
        f"feed {n.split()[0]}" for n in results["feeds"]
    ]
    ours = [s["app"]["req_per_s"] for s in results["load"].values()] + [
        s["app"]["req_per_s"] for s in results["feeds"].values()
    ]
    theirs = [s["baseline"]["req_per_s"] for s in results["load"].values()] + [
        s["baseline"]["req_per_s"] for s in results["feeds"].values()
    ]
    positions = range(len(names))
    ax.bar([p - 0.2 for p in positions], ours, 0.4, label="app")
    ax.bar([p + 0.2 for p in positions], theirs, 0.4, label="baseline")
    ax.set_xticks(list(positions), names, fontsize=8)
    ax.set_ylabel("requests/s")
    ax.set_title("Throughput")
    ax.legend(fontsize=8)
    # Tally ingest.
    ax = axes[1][0]
    names = list(results["ingest"])
    ours = [results["ingest"][n]["app"]["entries_per_s"] for n in names]
    theirs = [results["ingest"][n]["baseline"]["entries_per_s"] for n in names]
    positions = range(len(names))
    ax.bar([p - 0.2 for p in positions], ours, 0.4, label="app")
    ax.bar([p + 0.2 for p in positions], theirs, 0.4, label="plain INSERT")
    ax.set_xticks(list(positions), names)
    ax.set_ylabel("entries/s")
    ax.set_yscale("log")
    ax.set_title("Tally ingest, 8 clients")
    ax.legend(fontsize=8)
    # Scaling.
    ax = axes[1][1]
    sites = [p["sites"] for p in results["scaling"]]
    ax.plot(sites, [p["app_ms"] for p in results["scaling"]], "o-", label="app")
    ax.plot(sites, [p["baseline_ms"] for p in results["scaling"]], "s-", label="baseline")
    first = results["scaling"][0]
    ax.plot(
        sites,
        [first["app_ms"] * s / first["sites"] for s in sites],
        ":",
        color="grey",
        label="linear from 500",
    )
    ax.set_xlabel("sites in the answer")
    ax.set_ylabel("ms (median, 1 client)")
    ax.set_title("Map API time by number of sites")
    ax.legend(fontsize=8)
    figure.suptitle(f"make bench, {results['when']}, {results['machine']['cpu']}", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
