"""The peer comparison: the app beside ephios (a Django shift planner on PyPI), both on the
same dataset sizes, under the same gunicorn settings, measured back to back by the same
client code, so that the table can be made again with one command.

    .venv/bench/bin/python benchmarks/peer_ephios.py            # after `make bench` seeded
    .venv/bench/bin/python benchmarks/peer_ephios.py --quick    # fewer requests
    make bench                                                  # runs it last (--no-peer skips)

Steps:

1. ephios goes into its own virtualenv, .venv/ephios (inside .venv, so that linters skip
   it), from benchmarks/requirements-ephios.txt (pinned exactly); a second run finds it.
2. ephios is configured through environment variables only (its settings read them): a
   generated SECRET_KEY, DEBUG off, its own PostgreSQL database `ephios_bench` on the
   server of BENCH_DATABASE_URL, ALLOWED_HOSTS=127.0.0.1, persistent connections as ours.
   Its migrations run, and its static files are prepared as its deployment needs them.
3. ephios is seeded through its own models (bulk_create) to the sizes of
   benchmarks/seed_large.py: one event type; 5,000 events (ephios' unit for what is a site
   here: 2,000 on the day of our feed edition, 2,960 on the other edition's day, 40 today);
   10 shifts of 10 places an event (50,000); 200,000 confirmed participations by 20,000
   users; a user with 50 shifts and one with 2,000. Found there, it is not seeded again.
4. Our app and ephios run under gunicorn (benchmarks/run_all.py's `Server`, the same
   workers and threads) and each matched pair is measured: the same number of sequential
   requests on each side (one client), p50, mean and requests/s. Pairs:
   - personal calendar feed, 50 items: our volunteer feed; ephios' user feed (its
     calendar token);
   - feed of 2,000 items: our edition feed; ephios has no public feed of a set of events,
     so its user feed of a user with 2,000 shifts stands in (same item count, said so);
   - API list of 2,000 items: our map API for one edition (anonymous); ephios' event API
     for the events of that day (it answers logged-in users only; each event carries its
     10 shifts);
   - logged-in list page: our /shifts/ as a volunteer; ephios' event list as a user.
5. benchmarks/results/bench_peer_ephios.json gets the figures, the dataset sizes, ephios'
   version and the machine's load before and after; a short table gives ephios/ours.

ephios speaks plain HTTP on loopback here, but with DEBUG off its settings redirect every
request to HTTPS and offer no variable to turn that off; the one they offer is to trust a
proxy's X-Forwarded-Proto, so its requests carry `X-Forwarded-Proto: https`, as behind the
TLS proxy it is made for. Nothing else differs between the two sides' requests.

The part that runs inside ephios' virtualenv (migrations, seeding, a log-in session) is
this same file, started there with `--ephios-side`: one file, no code shared by import
across the two virtualenvs.
"""

import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPHIOS_VENV = ROOT / ".venv" / "ephios"
EPHIOS_BIN = EPHIOS_VENV / "bin"
REQUIREMENTS = ROOT / "benchmarks" / "requirements-ephios.txt"
RESULTS = ROOT / "benchmarks" / "results"
EPHIOS_DATABASE = "ephios_bench"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/actiedagen_bench"
# The line before which the ephios side prints its answer (its settings print, too).
ANSWER = "PEER-EPHIOS-ANSWER "
# Requests on each side of a pair: (light pairs, the 2,000-item pairs). ephios needs close
# to a minute for its 2,000-item feed, so those pairs get fewer.
REQUESTS = {"full": (30, 10), "quick": (8, 3)}
# Untimed requests first, so that both servers have filled their caches and started both
# workers: (light pairs, the 2,000-item pairs).
WARM_UP = (4, 1)


# --- ephios' virtualenv and settings ---------------------------------------------------------


def ensure_ephios_venv(log=print) -> None:
    """Make .venv/ephios when missing, and install the pins when they are newer than the
    last install (the stamp file, as the Makefile does for the other virtualenvs)."""
    stamp = EPHIOS_VENV / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= REQUIREMENTS.stat().st_mtime:
        return
    started = time.perf_counter()
    if not (EPHIOS_BIN / "python").exists():
        log(f"   creating {EPHIOS_VENV.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", str(EPHIOS_VENV)], check=True)
    log(f"   installing {REQUIREMENTS.relative_to(ROOT)} into {EPHIOS_VENV.relative_to(ROOT)}")
    pip = [str(EPHIOS_BIN / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    stamp.touch()
    log(f"   installed in {time.perf_counter() - started:.0f} s")


def ephios_database_url(url: str) -> str:
    """ephios' own database on the server of our benchmark database."""
    return url.rsplit("/", 1)[0] + "/" + EPHIOS_DATABASE


def ephios_env(url: str, site_url: str) -> dict:
    """ephios' settings, all of them environment variables its settings module reads;
    nothing of ours (DJANGO_*, PYTHONPATH) leaks in."""
    data = EPHIOS_VENV / "data"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SQLITE_", "PYTHON", "VIRTUAL_ENV"))
        and key not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "ENV_FILE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ephios.settings",
        ENV_PATH="/dev/null",  # no .env file is read
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=ephios_database_url(url),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=site_url,
        DATA_DIR=str(data),
        EMAIL_URL="consolemail://",
        DEFAULT_FROM_EMAIL="bench@localhost",
        SERVER_EMAIL="bench@localhost",
        ADMINS="Bench <bench@localhost>",
        # The app keeps its database connections (conn_max_age=600): so does ephios here.
        CONN_MAX_AGE="600",
        # See the module's docstring: plain HTTP on loopback, as if behind a TLS proxy.
        TRUST_X_FORWARDED_PROTO="true",
    )
    return env


def ephios_side(env: dict, plan: dict, log=print) -> dict:
    """Run the ephios side of this file in ephios' virtualenv; its answer (a dict)."""
    data = Path(env["DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [str(EPHIOS_BIN / "python"), str(Path(__file__).resolve()), "--ephios-side"],
        env={**env, "PEER_EPHIOS_PLAN": json.dumps(plan)},
        # compilemessages also compiles every locale folder below the working directory:
        # start in ephios' empty data folder, not in the virtualenv.
        cwd=data,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stderr.splitlines():
        if line.startswith("   "):
            log(line)
    answer = [line for line in result.stdout.splitlines() if line.startswith(ANSWER)]
    if result.returncode != 0 or not answer:
        sys.exit(f"the ephios side failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return json.loads(answer[-1].removeprefix(ANSWER))


# --- Inside ephios' virtualenv -------------------------------------------------------------


def _ephios_main() -> None:
    """Prepare ephios (migrations, static files, data, a session) and print what the
    measuring side needs. Runs with ephios' settings, in ephios' virtualenv."""
    plan = json.loads(os.environ["PEER_EPHIOS_PLAN"])

    def log(text: str) -> None:
        print(f"   {text}", file=sys.stderr, flush=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    step = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    # Its pages compress their CSS and JS on first use from the collected static files,
    # the JavaScript catalogue among them: ephios' deployment makes both.
    call_command("compilemessages", verbosity=0)
    call_command("compilejsi18n", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    log(f"ephios migrated, static files ready: {time.perf_counter() - step:.1f} s")

    seeded_seconds = None
    if not _ephios_is_seeded(plan):
        started = time.perf_counter()
        _ephios_seed(plan, log)
        seeded_seconds = round(time.perf_counter() - started, 1)
        log(f"ephios seeded in {seeded_seconds:.1f} s")
    answer = _ephios_world(plan)
    answer["seeded_seconds_this_run"] = seeded_seconds
    answer["version"] = settings.EPHIOS_VERSION
    answer["list_page_size"] = settings.DEFAULT_LISTVIEW_PAGINATION
    answer["session_cookie"] = settings.SESSION_COOKIE_NAME
    print(ANSWER + json.dumps(answer), flush=True)


def _ephios_is_seeded(plan: dict) -> bool:
    from ephios.core.models import Event, LocalParticipation, UserProfile

    return (
        UserProfile.all_objects.filter(email=plan["feed_user"]).exists()
        and Event.all_objects.count() == plan["events"]
        and LocalParticipation.objects.count() == plan["participations"]
    )


def _ephios_seed(plan: dict, log) -> None:
    """The dataset through ephios' models, in bulk. A participation is two rows (ephios
    keeps the common part and the local user's part in two tables, one model inheriting
    the other), which bulk_create does not do for an inherited model: the common rows go
    in with bulk_create, the user rows with the same insert Django's save() issues for
    each table of such a model, in batches."""
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from ephios.core.models import (
        AbstractParticipation,
        Event,
        EventType,
        LocalParticipation,
        Shift,
        UserProfile,
    )
    from guardian.models import GroupObjectPermission

    zone = ZoneInfo("Europe/Amsterdam")
    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        log(f"  {what}: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()

    with transaction.atomic():
        # A half-made dataset from an interrupted run goes first.
        LocalParticipation.objects.all().delete()
        Event.all_objects.all().delete()
        EventType.objects.filter(title=plan["event_type"]).delete()
        UserProfile.all_objects.filter(email__endswith="@example.org").delete()

        event_type = EventType.objects.create(title=plan["event_type"])
        days = [
            (datetime.date.fromisoformat(day), count, datetime.time.fromisoformat(opens))
            for day, count, opens in plan["days"]
        ]
        events = Event.all_objects.bulk_create(
            (
                Event(
                    title=f"{plan['title']} {n}",
                    description="Open huis met rondleidingen, koffie en muziek.",
                    location=f"azc {plan['towns'][n % len(plan['towns'])]} {n}",
                    type=event_type,
                    active=True,
                )
                for n in range(sum(count for _, count, _ in days))
            ),
            batch_size=2500,
        )
        opening = [
            datetime.datetime.combine(day, opens, tzinfo=zone)
            for day, count, opens in days
            for _ in range(count)
        ]
        done(f"{len(events)} events")

        hour = datetime.timedelta(hours=1)
        per_event = plan["shifts_per_event"]
        shifts = Shift.objects.bulk_create(
            (
                Shift(
                    event=event,
                    meeting_time=opens + k * hour,
                    start_time=opens + k * hour,
                    end_time=opens + (k + 1) * hour,
                    signup_flow_slug="instant_confirmation",
                    structure_slug="uniform",
                    structure_configuration={
                        "minimum_number_of_participants": 0,
                        "maximum_number_of_participants": plan["places"],
                    },
                )
                for event, opens in zip(events, opening, strict=True)
                for k in range(per_event)
            ),
            batch_size=5000,
        )
        done(f"{len(shifts)} shifts")

        users = UserProfile.all_objects.bulk_create(
            (
                UserProfile(
                    email=f"vrijwilliger{n}@example.org",
                    display_name=f"Vrijwilliger {n}",
                    password="!",  # Django's mark of an unusable password  # noqa: S106
                )
                for n in range(plan["volunteers"])
            ),
            batch_size=5000,
        )
        feed_user, big_feed_user = UserProfile.all_objects.bulk_create(
            [
                UserProfile(email=plan["feed_user"], display_name="Feed", password="!"),  # noqa: S106
                UserProfile(email=plan["big_feed_user"], display_name="Feed 2000", password="!"),  # noqa: S106
            ]
        )
        # Events are visible to a group that holds the view permission on each, as ephios
        # publishes them; every user is in that group.
        volunteers, _ = Group.objects.get_or_create(name=plan["group"])
        membership = UserProfile.groups.through
        membership.objects.bulk_create(
            (
                membership(userprofile_id=u.pk, group_id=volunteers.pk)
                for u in [*users, feed_user, big_feed_user]
            ),
            batch_size=5000,
        )
        view_event = Permission.objects.get(codename="view_event", content_type__app_label="core")
        event_ct = ContentType.objects.get_for_model(Event)
        GroupObjectPermission.objects.bulk_create(
            (
                GroupObjectPermission(
                    group=volunteers,
                    permission=view_event,
                    content_type=event_ct,
                    object_pk=str(e.pk),
                )
                for e in events
            ),
            batch_size=5000,
        )
        done(f"{len(users) + 2} users in one group, view permission on every event")

        # Who takes which shift: as in seed_large, the feed user 50 shifts of the feed
        # day, four users in a row on every other shift; and one user on the first shift
        # of each event of the feed day (the 2,000-item feed).
        first_day = days[0][1] * per_event
        today_from = len(shifts) - days[-1][1] * per_event
        pairs = [(s.pk, feed_user.pk) for s in shifts[:first_day:40][: plan["feed_shifts"]]]
        pairs += [(s.pk, big_feed_user.pk) for s in shifts[:first_day:per_event]]
        n = 0
        while len(pairs) < plan["participations"]:
            index = (n // 4) % today_from  # not on today's events, as in seed_large
            pairs.append((shifts[index].pk, users[n % len(users)].pk))
            n += 1
        local_ct = ContentType.objects.get_for_model(LocalParticipation, for_concrete_model=False)
        confirmed = AbstractParticipation.States.CONFIRMED
        fields = [
            LocalParticipation._meta.get_field("abstractparticipation_ptr"),
            LocalParticipation._meta.get_field("user"),
        ]
        batch = 5000
        for start in range(0, len(pairs), batch):
            chunk = pairs[start : start + batch]
            common = AbstractParticipation.objects.bulk_create(
                AbstractParticipation(
                    shift_id=shift_id, state=confirmed, polymorphic_ctype=local_ct
                )
                for shift_id, _ in chunk
            )
            LocalParticipation._base_manager._insert(
                [
                    LocalParticipation(abstractparticipation_ptr_id=c.pk, user_id=user_id)
                    for c, (_, user_id) in zip(common, chunk, strict=True)
                ],
                fields=fields,
            )
        done(f"{len(pairs)} participations")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    done("ANALYZE")


def _ephios_world(plan: dict) -> dict:
    """What the measuring side needs: calendar tokens, a session of a logged-in user, the
    API's filter for the feed day, the counts."""
    from django.test import Client
    from ephios.core.models import Event, EventType, LocalParticipation, Shift, UserProfile

    feed_user = UserProfile.all_objects.get(email=plan["feed_user"])
    big_feed_user = UserProfile.all_objects.get(email=plan["big_feed_user"])
    client = Client()
    client.force_login(feed_user)
    from django.conf import settings

    day = datetime.date.fromisoformat(plan["days"][0][0])
    return {
        "feed_token": feed_user.calendar_token,
        "big_feed_token": big_feed_user.calendar_token,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "api_day": [f"{day}T00:00:00Z", f"{day + datetime.timedelta(days=1)}T00:00:00Z"],
        "counts": {
            "event_types": EventType.objects.count(),
            "events": Event.all_objects.count(),
            "shifts": Shift.objects.count(),
            "participations": LocalParticipation.objects.count(),
            "users": UserProfile.all_objects.count(),
            "feed_user_participations": feed_user.participations.count(),
            "big_feed_user_participations": big_feed_user.participations.count(),
        },
    }


# --- Measuring, in the bench virtualenv ------------------------------------------------------


def _plan() -> dict:
    """The sizes, from seed_large itself, so that both datasets stay the same size."""
    from benchmarks import seed_large

    feed_date = "2027-09-25"
    other_date = "2027-06-20"
    today = datetime.date.today().isoformat()
    return {
        "event_type": "Actiedag (bench)",
        "title": "Actiedag",
        "group": "Vrijwilligers (bench)",
        "towns": seed_large.TOWNS,
        "days": [
            (feed_date, seed_large.FEED_EDITION[1], "10:00"),
            (other_date, seed_large.OTHER_EDITION[1], "10:00"),
            (today, seed_large.TODAY_SITES, "00:30"),
        ],
        "events": seed_large.SIZES["sites"],
        "shifts_per_event": seed_large.SHIFTS_PER_SITE,
        "places": 10,
        "volunteers": seed_large.VOLUNTEERS,
        "participations": seed_large.SIZES["signups"],
        "feed_shifts": seed_large.FEED_SHIFTS,
        "feed_user": "feed@example.org",
        "big_feed_user": "feed2000@example.org",
    }


def _wait_ready(server, path: str, headers: dict) -> None:
    """run_all's Server.wait_ready with request headers (ephios needs its proxy header)."""
    from benchmarks.run_all import get

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if get(server.url, path, headers=headers)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    server.log.seek(0)
    sys.exit(f"{server.name} did not start:\n{server.log.read().decode()[-3000:]}")


def _timed(base: str, path: str, headers: dict, count: int, warm_up: int) -> dict:
    """`count` sequential requests, after `warm_up` untimed ones; times in ms."""
    from benchmarks.run_all import get

    for _ in range(warm_up):
        status, body = get(base, path, headers=headers)
        if status != 200:
            sys.exit(f"{base}{path}: HTTP {status}\n{body[:500]!r}")
    times = []
    began = time.perf_counter()
    for _ in range(count):
        started = time.perf_counter()
        status, body = get(base, path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            sys.exit(f"{base}{path}: HTTP {status}\n{body[:500]!r}")
    wall = time.perf_counter() - began
    return {
        "path": path,
        "requests": count,
        "warm_up": warm_up,
        "p50_ms": round(statistics.median(times), 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "req_per_s": round(count / wall, 2),
        "bytes": len(body),
        "last_body": body,
    }


def _items(kind: str, body: bytes) -> int | None:
    """How many items an answer holds: VEVENTs of a feed, entries of an API list."""
    if kind == "feed":
        return body.count(b"BEGIN:VEVENT")
    if kind == "api":
        answer = json.loads(body)
        return len(answer["features"] if "features" in answer else answer["results"])
    return None


def measure_peer(
    url: str, *, port: int, workers: int = 2, threads: int = 4, quick: bool = False, log=print
) -> dict:
    """Seed ephios when needed, run our app and ephios under gunicorn, measure the matched
    pairs back to back; the figures (also written to results/bench_peer_ephios.json).

    Django must be set up in this process on our benchmark database (run_all does; main()
    below does when run alone). Our app is started here again, as run_all starts it, so
    that its session secret is known here: the logged-in page needs a session."""
    from types import SimpleNamespace
    from unittest import mock

    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from benchmarks import run_all, seed_large
    from benchmarks.common import ensure_postgres_database, machine

    began = time.perf_counter()
    load_before = [round(v, 2) for v in os.getloadavg()]
    log("== peer: ephios")
    ensure_ephios_venv(log)
    ensure_postgres_database(ephios_database_url(url), program="peer_ephios")
    options = SimpleNamespace(workers=workers, threads=threads)
    ours_url, theirs_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    env = ephios_env(url, theirs_url)
    plan = _plan()
    prepared = time.perf_counter()
    facts = ephios_side(env, plan, log)
    prepare_seconds = round(time.perf_counter() - prepared, 1)
    log(f"   ephios {facts['version']} ready in {prepare_seconds:.1f} s: {facts['counts']}")

    world = seed_large.seed(log=log)
    volunteer = User.objects.get(email="teller@example.org")
    client = Client()
    client.force_login(volunteer)
    ours_session = client.cookies[settings.SESSION_COOKIE_NAME].value
    ours_env = {**run_all.server_env(url, ours_url), "SECRET_KEY": settings.SECRET_KEY}
    # With DEBUG off our pages name static files by their hashed names, from the manifest
    # collectstatic writes (as in production); run_all serves no page, so none exists yet.
    # It goes into the bench virtualenv's folder, not into the working tree.
    ours_env["STATIC_ROOT"] = str(Path(sys.executable).parent.parent / "peer-static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=ours_env,
        check=True,
    )

    ours = run_all.Server("peer-app", "config.wsgi:application", port, ours_env, options)
    # run_all.Server starts the gunicorn of this virtualenv; ephios' is in its own.
    with mock.patch.object(run_all, "BIN", EPHIOS_BIN):
        # Its answers of 2,000 items took 36 to 72 s here: give its workers the time.
        theirs = run_all.Server(
            "ephios", "ephios.wsgi:application", port + 1, env, options, timeout=900
        )
    proxy = {"X-Forwarded-Proto": "https"}
    ours_login = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={ours_session}"}
    theirs_login = {**proxy, "Cookie": f"{facts['session_cookie']}={facts['session']}"}
    after, before = facts["api_day"]
    light, heavy = REQUESTS["quick" if quick else "full"]
    warm = WARM_UP
    pairs = [
        (
            "personal calendar feed, 50 items",
            "feed",
            light,
            (f"/calendar/volunteer/{world.feed_volunteer_token}.ics", {}),
            (f"/calendar/{facts['feed_token']}/", proxy),
            "",
        ),
        (
            "feed, 2,000 items",
            "feed",
            heavy,
            (f"/calendar/events/{world.feed_slug}.ics", {}),
            (f"/calendar/{facts['big_feed_token']}/", proxy),
            "ours: the public feed of an edition; ephios has no public feed of a set of "
            "events (its only feed is a user's), so its feed of a user with 2,000 shifts",
        ),
        (
            "API list, 2,000 items",
            "api",
            heavy,
            (f"/api/v1/sites/?event={world.feed_slug}", {}),
            (
                f"/api/events/?start_time_after={after}&start_time_before={before}&limit=2000",
                theirs_login,
            ),
            "ours: map API of one edition, anonymous (GeoJSON, open places a site); ephios: "
            "event API for that day's events, logged in (it has no anonymous access), each "
            "event with its 10 shifts and sign-up figures",
        ),
        (
            "logged-in list page",
            "page",
            light,
            ("/shifts/", ours_login),
            ("/events/", theirs_login),
            f"ours: open shifts, 30 a page; ephios: its event list, "
            f"{facts['list_page_size']} events a page (each app's own page size)",
        ),
    ]
    rows = []
    try:
        ours.wait_ready("/api/v1/events/")
        _wait_ready(theirs, f"/calendar/{facts['feed_token']}/", proxy)
        log(
            f"== peer servers: app {ours.url}, ephios {theirs.url} (gunicorn gthread, "
            f"{workers} workers x {threads} threads each); sequential requests, one client"
        )
        for label, kind, count, (our_path, our_headers), (their_path, their_headers), note in pairs:
            row = {"pair": label, "requests_each": count, "note": note}
            for side, server, path, headers in (
                ("ours", ours, our_path, our_headers),
                ("ephios", theirs, their_path, their_headers),
            ):
                figures = _timed(server.url, path, headers, count, warm[count == heavy])
                figures["items"] = _items(kind, figures.pop("last_body"))
                row[side] = figures
            row["ratio_ephios_ours_p50"] = round(row["ephios"]["p50_ms"] / row["ours"]["p50_ms"], 2)
            row["ratio_ephios_ours_mean"] = round(
                row["ephios"]["mean_ms"] / row["ours"]["mean_ms"], 2
            )
            rows.append(row)
            log(
                f"   {label:34} ours p50 {row['ours']['p50_ms']:8.1f} ms  "
                f"ephios p50 {row['ephios']['p50_ms']:8.1f} ms  "
                f"({row['ratio_ephios_ours_p50']:.2f}x; items {row['ours']['items']} / "
                f"{row['ephios']['items']})"
            )
    finally:
        ours.stop()
        theirs.stop()
        seed_large.reset_measured_changes(world)

    results = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "ephios_version": facts["version"],
        "options": {
            "quick": quick,
            "gunicorn": f"{workers} workers x {threads} threads (gthread), each side",
            "client": "one, sequential requests (benchmarks/run_all.get), after "
            f"{WARM_UP[0]} (2,000-item pairs: {WARM_UP[1]}) untimed ones a side",
        },
        "dataset": {"ours": world.counts, "ephios": facts["counts"]},
        "ephios_seeded_seconds_this_run": facts["seeded_seconds_this_run"],
        "ephios_prepare_seconds": prepare_seconds,
        "not_matched": (
            "ephios' requests carry X-Forwarded-Proto: https (its settings force HTTPS with "
            "DEBUG off); ours do not. Pairs are matched by item count and purpose, not by "
            "identical payloads: see each pair's note."
        ),
        "pairs": rows,
        "machine": machine(),
        "load_average_1_5_15": {
            "before": load_before,
            "after": [round(v, 2) for v in os.getloadavg()],
        },
        "seconds": round(time.perf_counter() - began, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_peer_ephios.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def peer_table(results: dict) -> str:
    """The short table: each pair's p50, mean and requests/s, and ephios/ours."""
    header = (
        f"{'peer pair (sequential, 1 client)':36} {'ours p50':>9} {'ephios p50':>11} "
        f"{'ours mean':>10} {'ephios mean':>12} {'ours r/s':>9} {'eph. r/s':>9} {'ephios/ours':>12}"
    )
    load = results["load_average_1_5_15"]
    lines = [
        f"peer: ephios {results['ephios_version']}, {results['options']['gunicorn']}; "
        f"load average before {' / '.join(map(str, load['before']))}, "
        f"after {' / '.join(map(str, load['after']))}",
        header,
        "-" * len(header),
    ]
    for row in results["pairs"]:
        a, b = row["ours"], row["ephios"]
        lines.append(
            f"{row['pair']:36} {a['p50_ms']:>7.1f}ms {b['p50_ms']:>9.1f}ms {a['mean_ms']:>8.1f}ms "
            f"{b['mean_ms']:>10.1f}ms {a['req_per_s']:>9.2f} {b['req_per_s']:>9.2f} "
            f"{row['ratio_ephios_ours_p50']:>11.2f}x"
        )
    lines.append(
        f"(ephios/ours of p50; {results['pairs'][0]['requests_each']} or "
        f"{results['pairs'][1]['requests_each']} requests a side)"
    )
    for row in results["pairs"]:
        if row["note"]:
            lines.append(f"  {row['pair']}: {row['note']}")
    return "\n".join(lines)


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PEER_PORT", 8112)))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks import run_all
    from benchmarks.common import ensure_postgres_database

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_postgres_database(url, program="peer_ephios")
    run_all.setup_django(url, f"http://127.0.0.1:{options.port}")
    from benchmarks import seed_large
    from events.models import Event

    if not Event.objects.filter(slug=seed_large.FEED_EDITION[0]).exists():
        sys.exit(
            "our benchmark database is not seeded: run `make bench` (or "
            "`.venv/bench/bin/python benchmarks/run_all.py --quick`) once, then this again"
        )
    results = measure_peer(
        url,
        port=options.port,
        workers=options.workers,
        threads=options.threads,
        quick=options.quick,
    )
    print()
    print(peer_table(results))
    print(f"\nwritten: benchmarks/results/bench_peer_ephios.json ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--ephios-side"]:
        # Started in ephios' virtualenv: keep this folder's modules off the import path.
        sys.path.pop(0)
        _ephios_main()
    else:
        sys.exit(main())
