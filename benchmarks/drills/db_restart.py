"""Drill: PostgreSQL restarts while volunteers count and claim. Run it by hand, as root, at a
quiet moment: it restarts the whole PostgreSQL server (every database on it).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/actiedagen_bench \\
        .venv/bench/bin/python benchmarks/drills/db_restart.py

It uses the `make bench` dataset (seeding it when missing), starts the app under gunicorn
on 127.0.0.1 and puts it under load: phones sending batches of 10 taps (each tap a new
UUID) and volunteers claiming places, one after another. After a few seconds it restarts
PostgreSQL (`pg_ctlcluster --skip-systemctl-redirect 15 main restart`), keeps the load on,
and then checks, with the app never restarted:

- no answer was a 500; while the database was away the answers were 503 with
  Retry-After, and came fast (no request hung on the dead database);
- the app answered 2xx again on its own after the restart, and how soon;
- every tally entry and every sign-up acknowledged with a 2xx is in the database.

Before restarting it waits (up to `--wait` seconds) until no other database on the server
has a session, so that it does not break other people's test runs; `--force` skips that.
The result goes to benchmarks/results/drill_db_restart.json.
"""

import argparse
import collections
import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.run_all import (  # noqa: E402
    DEFAULT_URL,
    Server,
    prepare_database,
    server_env,
    setup_django,
)

RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]


def other_sessions(own: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL "
            "AND datname NOT IN (%s, 'postgres') AND pid <> pg_backend_pid() GROUP BY datname",
            [own],
        )
        return dict(cursor.fetchall())


def per_second(events: list[dict]) -> list[dict]:
    seconds: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for event in events:
        seconds[int(event["t"])][str(event["status"])] += 1
    return [{"second": second, **counts} for second, counts in sorted(seconds.items())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8112)
    parser.add_argument("--before", type=float, default=6, help="seconds of load first")
    parser.add_argument("--after", type=float, default=20, help="seconds of load after")
    parser.add_argument("--phones", type=int, default=6)
    parser.add_argument("--wait", type=int, default=600, help="seconds to wait for quiet")
    parser.add_argument("--force", action="store_true", help="restart even if others use it")
    parser.add_argument(
        "--no-restart", action="store_true", help="the same load without the restart (control)"
    )
    options = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    own = url.rsplit("/", 1)[-1]
    app_url = f"http://127.0.0.1:{options.port}"
    prepare_database(url, reseed=False)
    setup_django(url, app_url)
    from django.db import connection

    from benchmarks import seed_large

    world = seed_large.seed(log=print)
    app = Server(
        "app",
        "config.wsgi:application",
        options.port,
        server_env(url, app_url),
        SimpleNamespace(workers=2, threads=4),
    )
    events: list[dict] = []  # every request: when, kind, status, seconds
    acknowledged_taps: list[str] = []
    acknowledged_signups: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()
    began = time.monotonic()

    def record(kind: str, status: int, seconds: float, retry_after: str | None = None) -> None:
        with lock:
            events.append(
                {
                    "t": round(time.monotonic() - began, 3),
                    "kind": kind,
                    "status": status,
                    "seconds": round(seconds, 4),
                    "retry_after": retry_after,
                }
            )

    def phone() -> None:
        auth = {"Authorization": f"Token {world.tally_token}", "Content-Type": "application/json"}
        while not stop.is_set():
            taps = [str(uuid.uuid4()) for _ in range(10)]
            body = json.dumps(
                {
                    "entries": [
                        {
                            "id": tap,
                            "category": "visitors",
                            "delta": 1,
                            "recorded_at": datetime.datetime.now(datetime.UTC).isoformat(),
                        }
                        for tap in taps
                    ]
                }
            ).encode()
            site = random.choice(world.tally_site_ids)
            started = time.monotonic()
            try:
                status, _answer, headers = request(f"/api/v1/sites/{site}/tallies/", auth, body)
            except OSError:
                status, _answer, headers = 0, b"", {}
            record("tally", status, time.monotonic() - started, headers.get("retry-after"))
            if status == 200:
                with lock:
                    acknowledged_taps.extend(taps)
            time.sleep(0.05)

    def claimer() -> None:
        for token in world.claimer_tokens:
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                status, answer, headers = request(
                    f"/api/v1/shifts/{world.claim_shift_id}/claim/",
                    {"Authorization": f"Token {token}"},
                    b"",
                )
            except OSError:
                status, answer, headers = 0, b"", {}
            record("claim", status, time.monotonic() - started, headers.get("retry-after"))
            if status == 201:
                signup = json.loads(answer)
                with lock:
                    acknowledged_signups[signup["id"]] = signup["status"]
            time.sleep(0.1)

    def request(path: str, headers: dict, body: bytes):
        import http.client

        connection_ = http.client.HTTPConnection("127.0.0.1", options.port, timeout=60)
        try:
            connection_.request("POST", path, body=body, headers=headers)
            response = connection_.getresponse()
            return (
                response.status,
                response.read(),
                {k.lower(): v for k, v in response.getheaders()},
            )
        finally:
            connection_.close()

    restart = {"skipped": options.no_restart}
    try:
        app.wait_ready("/api/v1/events/")
        if not options.no_restart and not options.force:
            deadline = time.monotonic() + options.wait
            while (busy := other_sessions(own)) and time.monotonic() < deadline:
                print(f"waiting for a quiet server; sessions on: {busy}")
                time.sleep(5)
            if busy:
                print(f"not quiet after {options.wait} s ({busy}); use --force to go on")
                return 2
        connection.close()
        threads = [threading.Thread(target=phone) for _ in range(options.phones)]
        threads.append(threading.Thread(target=claimer))
        began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(options.before)
        if not options.no_restart:
            restart["started"] = round(time.monotonic() - began, 3)
            print(f"{restart['started']:6.2f} s: restarting PostgreSQL")
            done = subprocess.run(RESTART, capture_output=True, text=True, check=False)
            restart["ended"] = round(time.monotonic() - began, 3)
            restart["returncode"] = done.returncode
            restart["output"] = (done.stdout + done.stderr).strip()
            print(f"{restart['ended']:6.2f} s: PostgreSQL is back ({done.returncode})")
        time.sleep(options.after)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        app.stop()

    # Verify with a fresh connection (the old one died with the server).
    connection.close()
    from events.models import Signup
    from tallies.models import TallyEntry

    stored = {
        str(u)
        for u in TallyEntry.objects.filter(site_id__in=world.tally_site_ids).values_list(
            "client_id", flat=True
        )
    }
    lost_taps = [tap for tap in acknowledged_taps if tap not in stored]
    signups = dict(
        Signup.objects.filter(pk__in=list(acknowledged_signups)).values_list("pk", "status")
    )
    lost_signups = [pk for pk, s in acknowledged_signups.items() if signups.get(pk) != s]
    confirmed = Signup.objects.filter(shift_id=world.claim_shift_id, status="confirmed").count()

    statuses = collections.Counter(e["status"] for e in events)
    unavailable = [e for e in events if e["status"] == 503]
    after_restart = [e for e in events if e["t"] >= restart.get("started", 0)]
    first_ok_after = next(
        (
            e["t"]
            for e in after_restart
            if 200 <= e["status"] < 300 and e["t"] >= restart.get("ended", 0)
        ),
        None,
    )
    last_503 = max((e["t"] for e in unavailable), default=None)
    first_ok_after_503 = next(
        (
            e["t"]
            for e in events
            if last_503 is not None and e["t"] > last_503 and e["status"] < 300
        ),
        None,
    )
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "restart": restart,
        "requests": len(events),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors_500": statuses.get(500, 0),
        "unavailable_503": len(unavailable),
        "retry_after_on_every_503": all(e["retry_after"] for e in unavailable),
        "slowest_503_s": max((e["seconds"] for e in unavailable), default=None),
        "recovered_s_after_restart_ended": (
            round(first_ok_after - restart["ended"], 3)
            if first_ok_after is not None and "ended" in restart
            else None
        ),
        "first_503_s": min((e["t"] for e in unavailable), default=None),
        "last_503_s": last_503,
        "first_2xx_after_last_503_s": first_ok_after_503,
        "acknowledged_taps": len(acknowledged_taps),
        "lost_taps": len(lost_taps),
        "acknowledged_signups": len(acknowledged_signups),
        "lost_signups": len(lost_signups),
        "claim_shift_confirmed": confirmed,
        "claim_shift_places": seed_large.CLAIM_PLACES,
        # Answers per second of the run, by status: the outage and the recovery at a glance.
        "per_second": per_second(events),
    }
    seed_large.reset_measured_changes(world)
    out = ROOT / "benchmarks" / "results" / "drill_db_restart.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    summary = {k: v for k, v in result.items() if k != "per_second"}
    print(json.dumps(summary, indent=2))
    ok = (
        result["server_errors_500"] == 0
        and not lost_taps
        and not lost_signups
        and confirmed <= seed_large.CLAIM_PLACES
        and (options.no_restart or first_ok_after is not None)
    )
    print("drill passed" if ok else "DRILL FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
