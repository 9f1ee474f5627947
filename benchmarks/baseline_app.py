"""The baselines of `make bench`, served over HTTP by the same gunicorn as the app.

A bare WSGI callable (no Django request handling, no middleware, no DRF): each route does
the least work that gives the same answer as the app's endpoint, through Django's database
connection and settings only:

    GET  /sites/?event=<slug> | ?bbox=<minLon,minLat,maxLon,maxLat>   one query + json
    POST /tallies/<site id>/        {"entries": [...]} -> one multi-row INSERT
    POST /claim/<shift id>/         X-Volunteer: <id>  -> one bare INSERT of a sign-up
    GET  /feed/event/<slug>.ics     one query + f-strings (benchmarks/bench_feeds.py)
    GET  /feed/volunteer/<token>.ics
    GET  /file/<name>                  a file of BENCH_STATIC_DIR, as a static file server
                                    sends it (the app's stored answers are compared with it)
    GET  /health

Links in answers use BENCH_APP_URL (the app's address) so that bodies compare equal.
"""

import datetime
import json
import os
import shutil
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

import benchmarks.bench_feeds as feeds  # noqa: E402
from benchmarks.common import map_baseline  # noqa: E402

shutil.rmtree(feeds._scratch, ignore_errors=True)  # made at its import; unused here

APP_URL = os.environ.get("BENCH_APP_URL", "http://127.0.0.1:8110")
TALLY_SQL = (
    "INSERT INTO tallies_tallyentry (site_id, category, delta, client_id, recorded_at, "
    "received_at, recorded_by_id, device_id, is_correction, reason) VALUES "
)
CLAIM_SQL = (
    "INSERT INTO events_signup (shift_id, volunteer_id, status, created_at, updated_at) "
    "VALUES (%s, %s, 'confirmed', now(), now())"
)
_events: dict[str, tuple[int, str]] = {}
_volunteers: dict[str, int] = {}


def _sites(query: dict) -> bytes:
    filters = {}
    if "event" in query:
        filters["event_slug"] = query["event"][0]
    if "bbox" in query:
        filters["bbox"] = tuple(float(v) for v in query["bbox"][0].split(","))
    with connection.cursor() as cursor:
        return map_baseline(cursor, connection.vendor, APP_URL, **filters)


def _tallies(site_id: int, body: bytes) -> bytes:
    entries = json.loads(body)["entries"]
    now = datetime.datetime.now(datetime.UTC)
    values, params = [], []
    for entry in entries:
        values.append("(%s, %s, %s, %s, %s, %s, NULL, %s, false, '')")
        params += [
            site_id,
            entry["category"],
            int(entry["delta"]),
            uuid.UUID(entry["id"]),
            datetime.datetime.fromisoformat(entry["recorded_at"]),
            now,
            "bench",
        ]
    with connection.cursor() as cursor:
        cursor.execute(TALLY_SQL + ", ".join(values), params)
    return json.dumps({"accepted": len(entries)}).encode()


def _claim(shift_id: int, volunteer_id: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [shift_id, volunteer_id])
    return b'{"status": "confirmed"}'


def _event_feed(slug: str) -> bytes:
    if slug not in _events:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name FROM events_event WHERE slug = %s", [slug])
            _events[slug] = cursor.fetchone()
    return feeds.baseline_event_feed(*_events[slug])


def _volunteer_feed(token: str) -> bytes:
    if token not in _volunteers:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_volunteer WHERE calendar_token = %s", [token])
            _volunteers[token] = cursor.fetchone()[0]
    return feeds.baseline_volunteer_feed(_volunteers[token])


def _file(environ, start_response, name: str):
    """A file sent as a static file server sends it: opened per request and handed to the
    server's file wrapper (sendfile)."""
    folder = Path(os.environ["BENCH_STATIC_DIR"]).resolve()
    target = (folder / name).resolve()
    if target.parent != folder or not target.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    handle = target.open("rb")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(target.stat().st_size))]
    start_response("200 OK", headers)
    return environ["wsgi.file_wrapper"](handle, 65536)


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    kind = "application/json"
    try:
        if path == "/sites/":
            body = _sites(query)
            kind = "application/geo+json"
        elif path.startswith("/tallies/") and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = _tallies(int(path.split("/")[2]), environ["wsgi.input"].read(length))
        elif path.startswith("/claim/") and method == "POST":
            body = _claim(int(path.split("/")[2]), int(environ["HTTP_X_VOLUNTEER"]))
        elif path.startswith("/feed/event/"):
            body = _event_feed(path.removeprefix("/feed/event/").removesuffix(".ics"))
            kind = "text/calendar; charset=utf-8"
        elif path.startswith("/feed/volunteer/"):
            body = _volunteer_feed(path.removeprefix("/feed/volunteer/").removesuffix(".ics"))
            kind = "text/calendar; charset=utf-8"
        elif path.startswith("/file/"):
            return _file(environ, start_response, path.removeprefix("/file/"))
        elif path == "/health":
            body = b"ok"
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
    except Exception as error:  # the baseline reports, it does not hide
        connection.close()
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [f"{type(error).__name__}: {error}".encode()]
    status = "201 Created" if path.startswith("/claim/") else "200 OK"
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]
