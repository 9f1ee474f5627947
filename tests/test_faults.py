"""Faults: the database away, a slow or dead geocoder, a read-only or full SQLite file.

The real PostgreSQL restart under load is a drill (`benchmarks/drills/db_restart.py`),
not a test: it would break every other test run on the same server. Here the failure
is made inside the test: a server that refuses connections (a port nobody listens on),
queries that fail half-way through a request, SQLite set read-only or full.
"""

import datetime
import http.server
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from accounts.models import Volunteer
from common.db_unavailable import is_database_unavailable
from events.models import Event, Shift, Signup, Site
from locations.models import Location
from tallies.models import TallyEntry
from tests.conftest import make_user
from tests.factories import make_signup

ROOT = Path(__file__).resolve().parent.parent


# --- The database refuses connections --------------------------------------------------

DEAD_DATABASE_SCRIPT = """
import json, time
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for method, path in [("get", "/api/v1/sites/"), ("get", "/map/"), ("get", "/"),
                     ("post", "/api/v1/sites/1/tallies/")]:
    started = time.monotonic()
    # A token to check: the API asks the database who sends it.
    response = getattr(client, method)(
        path, HTTP_ACCEPT="text/html" if path == "/" else "*/*", HTTP_AUTHORIZATION="Token abc"
    )
    answers[path] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "type": response.get("Content-Type"),
        "body": response.content.decode()[:300],
        "seconds": time.monotonic() - started,
    }
print(json.dumps(answers))
"""


def _run_app(script: str, **environment) -> dict:
    env = {
        **os.environ,
        "ENV_FILE": "/dev/null",
        # The production settings with static files served by name (no collectstatic).
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "CRITICAL",
        **environment,
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_database_that_refuses_connections_gets_503_with_retry_after_not_500():
    """The app started against a PostgreSQL port where nobody listens: every request
    that needs the database answers 503 at once, the API in its JSON error format."""
    answers = _run_app(
        DEAD_DATABASE_SCRIPT, DATABASE_URL="postgres://postgres@127.0.0.1:9/unreachable"
    )
    for path, answer in answers.items():
        assert answer["status"] == 503, (path, answer)
        assert answer["retry_after"] == "15", path
        assert answer["seconds"] < 10, (path, answer["seconds"])  # fails fast, no hanging
    api = json.loads(answers["/api/v1/sites/"]["body"])
    assert api["code"] == "service_unavailable"
    assert answers["/"]["type"].startswith("text/html")
    assert "Tijdelijk niet beschikbaar" in answers["/"]["body"]


def test_an_unreadable_sqlite_file_gets_503(tmp_path):
    missing_dir = tmp_path / "no-such-dir" / "db.sqlite3"
    answers = _run_app(DEAD_DATABASE_SCRIPT, SQLITE_PATH=str(missing_dir), DATABASE_URL="")
    assert {answer["status"] for answer in answers.values()} == {503}


# --- Queries failing half-way through a request -----------------------------------------


@pytest.fixture
def counting_day(db, django_user_model, branch):
    """A site open today with a volunteer who may count there."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    opens = datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=zone)
    closes = datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=zone)
    event = Event.objects.create(
        name="Vandaag", slug="vandaag", kind_id="open_day", date=today, is_published=True
    )
    location = Location.objects.create(name="azc Vandaag", city="Utrecht")
    site = Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=opens,
        closes_at=closes,
        status=Site.Status.PUBLISHED,
    )
    shift = Shift.objects.create(
        site=site, role=Shift.Role.COUNTING, starts_at=opens, ends_at=closes, capacity=4
    )
    user = make_user(django_user_model, "teller@example.org")
    volunteer = Volunteer.objects.create(user=user)
    make_signup(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return {"site": site, "client": client}


def tally_batch(size: int) -> str:
    now = timezone.now()
    return json.dumps(
        {
            "entries": [
                {
                    "id": str(uuid.uuid4()),
                    "category": "visitors",
                    "delta": 1,
                    "recorded_at": (now - datetime.timedelta(seconds=k)).isoformat(),
                }
                for k in range(size)
            ]
        }
    )


def post_batch(day, body: str):
    return day["client"].post(
        f"/api/v1/sites/{day['site'].pk}/tallies/", body, content_type="application/json"
    )


LOST = OperationalError("terminating connection due to administrator command")


def test_a_query_failing_during_a_request_answers_503_and_the_next_request_works(counting_day):
    body = tally_batch(10)
    with mock.patch("django.db.backends.utils.CursorWrapper._execute", side_effect=LOST):
        response = post_batch(counting_day, body)
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert response.json()["code"] == "service_unavailable"
    assert TallyEntry.objects.count() == 0
    # The database is back: the phone sends the same batch again, nothing is lost or doubled.
    again = post_batch(counting_day, body)
    assert again.status_code == 200, again.content
    assert again.json()["accepted"] == 10
    assert TallyEntry.objects.count() == 10


def test_a_database_error_outside_the_view_also_answers_503(counting_day):
    """Raised after the view (here: while the session middleware saves): Django's 500
    handler gives 503 for it, and stays a 500 for anything else."""
    client = counting_day["client"]
    target = "django.contrib.sessions.middleware.SessionMiddleware.process_response"
    with mock.patch(target, side_effect=LOST):
        assert client.get("/").status_code == 503
    with mock.patch(target, side_effect=RuntimeError("a bug")):
        assert client.get("/").status_code == 500
    assert client.get("/").status_code == 200


def test_only_errors_of_an_unavailable_database_count_as_such():
    def wrapped(cause):
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    assert is_database_unavailable(LOST)
    assert is_database_unavailable(wrapped(sqlite3.OperationalError("database is locked")))
    assert is_database_unavailable(
        wrapped(sqlite3.OperationalError("attempt to write a readonly database"))
    )
    assert is_database_unavailable(wrapped(sqlite3.OperationalError("database or disk is full")))
    # A bug stays a bug (a 500 that someone looks at), also on SQLite.
    assert not is_database_unavailable(wrapped(sqlite3.OperationalError("no such table: x")))
    assert not is_database_unavailable(ValueError("no"))


# --- SQLite: a read-only or a full file ---------------------------------------------------

only_sqlite = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's own failure modes; PostgreSQL runs the drill instead",
)


def _pragma(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@only_sqlite
@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_a_read_only_sqlite_database_answers_503_and_keeps_its_data(counting_day):
    """As when the file or its disk became read-only: a clear 503, nothing half-written,
    the file intact, and the same batch stored once writing works again."""
    first = post_batch(counting_day, tally_batch(5))
    assert first.status_code == 200
    body = tally_batch(20)
    _pragma("PRAGMA query_only = ON")
    try:
        refused = post_batch(counting_day, body)
        assert counting_day["client"].get(f"/sites/{counting_day['site'].pk}/").status_code == 200
    finally:
        _pragma("PRAGMA query_only = OFF")
    assert refused.status_code == 503
    assert refused.json()["code"] == "service_unavailable"
    assert TallyEntry.objects.count() == 5
    assert _pragma("PRAGMA integrity_check") == [("ok",)]
    assert post_batch(counting_day, body).json()["accepted"] == 20
    assert TallyEntry.objects.count() == 25


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_full_sqlite_database_answers_503_and_keeps_its_data(counting_day):
    """As when the disk is full: SQLite may not grow the file by one page."""
    assert post_batch(counting_day, tally_batch(5)).status_code == 200
    (pages,) = _pragma("PRAGMA page_count")[0]
    (old_limit,) = _pragma("PRAGMA max_page_count")[0]
    body = tally_batch(500)
    _pragma(f"PRAGMA max_page_count = {pages}")
    try:
        refused = post_batch(counting_day, body)
    finally:
        _pragma(f"PRAGMA max_page_count = {old_limit}")
    assert refused.status_code == 503
    assert TallyEntry.objects.count() == 5
    assert _pragma("PRAGMA integrity_check") == [("ok",)]
    assert post_batch(counting_day, body).json()["accepted"] == 500


# --- A slow or dead geocoder ---------------------------------------------------------------


class SlowGeocoder(http.server.BaseHTTPRequestHandler):
    """A geocoding server that takes 30 seconds to answer (or until the test ends)."""

    release = threading.Event()

    def do_GET(self):
        self.release.wait(30)
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_geocoder():
    SlowGeocoder.release = threading.Event()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowGeocoder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    SlowGeocoder.release.set()
    server.shutdown()
    server.server_close()


def _nominatim_at(settings, domain: str) -> None:
    from locations.geocoding.service import _build_chain

    settings.GEOCODING_PROVIDERS = ["nominatim", "offline"]
    settings.GEOCODING_TIMEOUT = 1
    settings.GEOCODING_OPTIONS = {
        "nominatim": {"domain": domain, "scheme": "http", "min_interval": 0}
    }
    _build_chain.cache_clear()


@pytest.mark.parametrize("kind", ["slow", "dead"])
def test_a_slow_or_dead_geocoder_does_not_hold_up_the_map(
    kind, slow_geocoder, settings, client, event, site
):
    """The map's place search asks the online geocoder first: when it hangs (answers after
    30 s) or refuses, the page answers after the 1-second timeout from the next link of
    the chain (the offline gazetteer) instead of waiting."""
    from locations.geocoding.service import _build_chain

    _nominatim_at(settings, slow_geocoder if kind == "slow" else "127.0.0.1:9")
    try:
        started = time.monotonic()
        response = client.get("/map/", {"event": event.slug, "place": "Utrecht"})
        seconds = time.monotonic() - started
    finally:
        _build_chain.cache_clear()
    # 200, not the 400 of a place that could not be found: the offline link answered.
    assert response.status_code == 200
    assert "azc Utrecht" in response.content.decode()
    assert seconds < 15, seconds  # the geocoder alone would take 30 s
