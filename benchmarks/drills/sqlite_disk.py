"""Drill: the disk under the SQLite file fills up, then turns read-only. Run it as root (it
mounts a small tmpfs):

    .venv/bench/bin/python benchmarks/drills/sqlite_disk.py

The app runs under gunicorn on 127.0.0.1 with its SQLite file on a 16 MB tmpfs, and a
phone sends batches of taps to a site open today. Then:

1. normal: batches are stored (200);
2. the disk fills up (a file takes every free byte): batches must be refused with a clear
   503 (Retry-After), pages that only read keep working, nothing is half-written;
3. space comes back (the file is removed): the same batches, sent again, are stored;
4. the file system turns read-only (`mount -o remount,ro`): again 503, no corruption;
5. writable again: stored.

At the end, with the app stopped, `PRAGMA integrity_check` must say ok and every batch
acknowledged with a 200 must be in the file, each tap once. The result goes to
benchmarks/results/drill_sqlite_disk.json.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.run_all import Server, get, server_env  # noqa: E402

SEED = """
import datetime, json
import django
django.setup()
from django.utils import timezone
from rest_framework.authtoken.models import Token
from accounts.models import User
from events.models import Event, Shift, Site
from locations.models import Branch, Location
from events.models import Signup
from accounts.models import Volunteer
zone = timezone.get_current_timezone()
today = timezone.localdate()
opens = datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=zone)
closes = datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=zone)
event = Event.objects.create(name="Vandaag", slug="vandaag", kind_id="open_day", date=today,
                             is_published=True)
branch = Branch.objects.create(name="Afdeling Utrecht", slug="utrecht")
location = Location.objects.create(name="azc Utrecht", city="Utrecht")
site = Site.objects.create(event=event, location=location, branch=branch, opens_at=opens,
                           closes_at=closes, status="published")
shift = Shift.objects.create(site=site, role="counting", starts_at=opens, ends_at=closes,
                             capacity=3)
user = User.objects.create_user(email="teller@example.org")
volunteer = Volunteer.objects.create(user=user)
Signup.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
print(json.dumps({"site": site.pk, "token": Token.objects.create(user=user).key}))
"""


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{command[:3]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def fill(folder: Path) -> Path:
    """A file that takes every free byte of the file system."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (256 * 1024, 4096, 512, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(descriptor, block)
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8113)
    parser.add_argument("--size-mb", type=int, default=16)
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the drill mounts a tmpfs")

    mount = Path(tempfile.mkdtemp(prefix="drill-sqlite-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={options.size_mb}m", "tmpfs", str(mount)],
        check=True,
    )
    database = mount / "db.sqlite3"
    app_url = f"http://127.0.0.1:{options.port}"
    env = server_env("", app_url)
    # The production settings, static files served by name (no collectstatic for a drill).
    env.update(
        DATABASE_URL="", SQLITE_PATH=str(database), DJANGO_SETTINGS_MODULE="config.settings_test"
    )
    app = None
    phases: list[dict] = []
    acknowledged: list[str] = []
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput"], env)
        seeded = json.loads(run([sys.executable, "-c", SEED], env).strip().splitlines()[-1])
        app = Server(
            "app",
            "config.wsgi:application",
            options.port,
            env,
            SimpleNamespace(workers=2, threads=2),
        )
        app.wait_ready("/api/v1/events/")
        auth = {"Authorization": f"Token {seeded['token']}", "Content-Type": "application/json"}

        def batch(size: int) -> tuple[bytes, list[str]]:
            taps = [str(uuid.uuid4()) for _ in range(size)]
            now = datetime.datetime.now(datetime.UTC).isoformat()
            body = {
                "entries": [
                    {"id": t, "category": "visitors", "delta": 1, "recorded_at": now} for t in taps
                ]
            }
            return json.dumps(body).encode(), taps

        def send(phase: str, batches: list[tuple[bytes, list[str]]]) -> None:
            answers = []
            for body, taps in batches:
                started = time.monotonic()
                status, answer = get(
                    app.url, f"/api/v1/sites/{seeded['site']}/tallies/", auth, "POST", body
                )
                seconds = time.monotonic() - started
                if status == 200:
                    acknowledged.extend(taps)
                answers.append(
                    {
                        "status": status,
                        "seconds": round(seconds, 3),
                        "answer": answer.decode()[:160],
                    }
                )
            page = get(app.url, f"/sites/{seeded['site']}/")[0]
            api = get(app.url, f"/api/v1/sites/{seeded['site']}/")[0]
            phases.append({"phase": phase, "posts": answers, "site_page": page, "site_api": api})
            statuses = [a["status"] for a in answers]
            print(f"{phase:28} posts {statuses}  page {page}  api {api}")

        send("1 normal", [batch(50) for _ in range(5)])
        filler = fill(mount)
        refused = [batch(500) for _ in range(5)]
        send("2 disk full", refused)
        filler.unlink()
        send("3 space back, same batches", refused)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        refused = [batch(50) for _ in range(5)]
        send("4 read-only", refused)
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        send("5 writable, same batches", refused)
    finally:
        if app is not None:
            app.stop()

    try:
        db = sqlite3.connect(database)
        try:
            # The CHECK constraints use REGEXP (Django registers it for its connections).
            db.create_function(
                "REGEXP", 2, lambda pattern, value: bool(re.search(pattern, value or ""))
            )
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            stored = [row[0] for row in db.execute("SELECT client_id FROM tallies_tallyentry")]
        finally:
            db.close()
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        shutil.rmtree(mount, ignore_errors=True)
    stored_ids = {str(uuid.UUID(value)) for value in stored}
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "phases": phases,
        "integrity_check": integrity,
        "acknowledged_taps": len(acknowledged),
        "stored_taps": len(stored),
        "lost_taps": len(set(acknowledged) - stored_ids),
        "stored_twice": len(stored) - len(stored_ids),
    }
    expected = {"2 disk full": 503, "4 read-only": 503}
    ok = (
        integrity == "ok"
        and result["lost_taps"] == 0
        and result["stored_twice"] == 0
        and all(
            all(post["status"] == expected.get(p["phase"], 200) for post in p["posts"])
            for p in phases
        )
    )
    result["passed"] = ok
    (ROOT / "benchmarks" / "results" / "drill_sqlite_disk.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(json.dumps({k: v for k, v in result.items() if k != "phases"}, indent=2))
    print("drill passed" if ok else "DRILL FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
