"""How long the pages with a row per site take for a 2,000-site edition, each beside a
minimal baseline measured in the same run.

    .venv/bin/python benchmarks/bench_pages.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/my_bench \
        .venv/bin/python benchmarks/bench_pages.py

The database is the one `make bench` uses (`benchmarks/seed_large.py`: created and seeded
when missing, which takes a minute; `--reseed` starts afresh). Pages, one request at a
time through Django's test client in this process (the whole middleware stack, the
session and the user; DEBUG off, templates cached):

- staffing of the edition (`/manage/editions/{slug}/staffing/`, the organiser);
- the public edition page (`/events/{slug}/`, anonymous);
- the edition overview (`/manage/editions/{slug}/`, the organiser);
- the map with the edition's list (`/map/?event={slug}`, anonymous);
- the map of every coming site (`/map/`, 5,000 sites; for information).

The baseline of each page is a view behind the same client and middleware that asks
for the person (as the page does), runs one hand-written SQL query for the rows and
writes them with f-strings into the rest of the page, cut once from the app's own answer
before timing. Both answers are compared, whitespace collapsed and CSRF tokens blanked:
the table says whether they are the same. Each figure is the median of `--repeat`
requests after a warm-up, app and baseline taking turns; the SQL queries of a request
are counted on one more request. Results go to benchmarks/results/bench_pages.json.
"""

import argparse
import datetime
import html
import json
import os
import re
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/actiedagen_bench"
GOAL_MS = 150


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed requests per page")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the database")
    return parser.parse_args()


def setup(url: str) -> None:
    os.environ.update(
        {
            "ENV_FILE": "/dev/null",
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": url,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
        }
    )
    for key in list(os.environ):
        if key.startswith("SQLITE_"):
            del os.environ[key]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- Comparing answers --------------------------------------------------------------------

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_SPACE = re.compile(r"\s+")
_AT_TAGS = re.compile(r"\s*(<[^>]*>)\s*")


def normalised(body: bytes) -> str:
    """The page with its layout white space left out: CSRF tokens (new for each answer)
    blanked, white space around tags dropped and other runs of it one space."""
    text = _CSRF.sub(r"\1\2", body.decode())
    return _SPACE.sub(" ", _AT_TAGS.sub(r"\1", text))


def first_difference(ours: str, theirs: str) -> str:
    for index, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if a != b:
            around = slice(index - 60, index + 80)
            return f"at {index}: app {ours[around]!r} / baseline {theirs[around]!r}"
    return f"lengths {len(ours)} / {len(theirs)}"


def frame(body: bytes, pattern: str) -> list[str]:
    """The page around its row blocks: the text before, between and after the inside of
    each match of `pattern` (one group: the rows)."""
    text = body.decode()
    pieces, start = [], 0
    for match in re.finditer(pattern, text, re.S):
        pieces.append(text[start : match.start(1)])
        start = match.end(1)
    pieces.append(text[start:])
    if len(pieces) < 2:
        raise RuntimeError(f"no rows matching {pattern!r} in the page")
    return pieces


def stitch(pieces: list[str], blocks: list[str]) -> str:
    out = [pieces[0]]
    for block, piece in zip(blocks, pieces[1:], strict=True):
        out += [block, piece]
    return "".join(out)


# --- The baselines: one SQL query, f-strings ---------------------------------------------

esc = html.escape  # what Django's escape does, quotes included

STAFFING_SQL = """
SELECT s.id, COALESCE(NULLIF(s.name, ''), l.name), s.status, b.id, b.name,
       COALESCE((SELECT SUM(sh.capacity) FROM events_shift sh
                 WHERE sh.site_id = s.id AND NOT sh.is_cancelled), 0),
       COALESCE(({confirmed}), 0)
FROM events_site s
JOIN locations_location l ON l.id = s.location_id
JOIN locations_branch b ON b.id = s.branch_id
WHERE s.event_id = %s AND s.status <> 'cancelled'
"""
# Confirmed places of a site: the shifts' stored counts where shifts store them, else
# its confirmed sign-ups counted.
CONFIRMED_STORED = """SELECT SUM(sh.confirmed_count) FROM events_shift sh
                 WHERE sh.site_id = s.id AND NOT sh.is_cancelled"""
CONFIRMED_COUNTED = """SELECT COUNT(*) FROM events_signup su
                 JOIN events_shift sh ON sh.id = su.shift_id
                 WHERE sh.site_id = s.id AND NOT sh.is_cancelled
                   AND su.status = 'confirmed'"""


def staffing_sql(cursor) -> str:
    from django.db import connection

    columns = [
        c.name for c in connection.introspection.get_table_description(cursor, "events_shift")
    ]
    stored = "confirmed_count" in columns
    return STAFFING_SQL.format(confirmed=CONFIRMED_STORED if stored else CONFIRMED_COUNTED)


OVERVIEW_SQL = """
SELECT s.id, COALESCE(NULLIF(s.name, ''), l.name), l.city, s.status, s.branch_id, b.name,
       l.branch_id, lb.name
FROM events_site s
JOIN locations_location l ON l.id = s.location_id
JOIN locations_branch b ON b.id = s.branch_id
LEFT JOIN locations_branch lb ON lb.id = l.branch_id
WHERE s.event_id = %s
ORDER BY l.city, l.name
"""

EVENT_SQL = """
SELECT s.id, COALESCE(NULLIF(s.name, ''), l.name), l.city, s.opens_at, s.closes_at
FROM events_site s
JOIN locations_location l ON l.id = s.location_id
WHERE s.event_id = %s AND s.status = 'published'
ORDER BY l.city, l.name
"""


def status_labels() -> dict[str, str]:
    from events.models import Site

    return {value: str(label) for value, label in Site.Status.choices}


def percent(confirmed: int, needed: int) -> int:
    return 100 if not needed else round(100 * confirmed / needed)


def baseline_staffing(cursor, sql: str, event_id: int) -> list[str]:
    from django.utils.translation import gettext as _

    cursor.execute(sql, [event_id])
    labels = status_labels()
    sites = []
    branches: dict[int, list] = {}
    for pk, name, status, branch_id, branch_name, needed, confirmed in cursor.fetchall():
        row = (pk, name, status, branch_name, needed, confirmed, max(needed - confirmed, 0))
        sites.append(row)
        total = branches.setdefault(branch_id, [branch_id, branch_name, 0, 0, 0])
        total[2] += needed
        total[3] += confirmed
        total[4] += row[6]
    sites.sort(key=lambda r: (r[4] > 0, -r[6], percent(r[5], r[4]), r[1]))
    ordered = sorted(branches.values(), key=lambda b: (b[2] > 0, -b[4], percent(b[3], b[2]), b[1]))
    branch_l, needed_l, confirmed_l, open_l = _("Branch"), _("Needed"), _("Confirmed"), _("Open")
    branch_rows = "".join(
        f'<tr><td data-label="{branch_l}"><a href="?branch={b}">{esc(n)}</a></td>'
        f'<td data-label="{needed_l}" class="numbers">{need}</td>'
        f'<td data-label="{confirmed_l}" class="numbers">{conf}</td>'
        f'<td data-label="{open_l}" class="numbers{" short" if gap else ""}">{gap}</td></tr>'
        for b, n, need, conf, gap in ordered
    )
    site_l, status_l, filled_l = _("Site"), _("Status"), _("Filled")
    no_shifts = esc(_("No shifts planned"))
    site_rows = []
    for pk, name, status, branch_name, need, conf, gap in sites:
        share = percent(conf, need)
        filled = (
            f'<meter min="0" max="{need}" value="{conf}">{share}%</meter> {share}%'
            if need
            else f'<span class="short">{no_shifts}</span>'
        )
        site_rows.append(
            f'<tr><td data-label="{site_l}"><a href="/manage/sites/{pk}/">{esc(name)}</a>'
            f'<br><span class="meta">{esc(branch_name)}</span></td>'
            f'<td data-label="{status_l}" class="site-status"><span class="status '
            f'status-{status}">{labels[status]}</span></td>'
            f'<td data-label="{needed_l}" class="numbers">{need}</td>'
            f'<td data-label="{confirmed_l}" class="numbers">{conf}</td>'
            f'<td data-label="{open_l}" class="numbers{" short" if gap else ""}">{gap}</td>'
            f'<td data-label="{filled_l}" class="filled">{filled}</td></tr>'
        )
    return [branch_rows, "".join(site_rows)]


def baseline_overview(cursor, event_id: int) -> list[str]:
    from django.utils.translation import gettext as _

    cursor.execute(OVERVIEW_SQL, [event_id])
    labels = status_labels()
    site_l, branch_l, status_l = _("Site"), _("Branch"), _("Status")
    looked_after = _("the place is looked after by %(branch)s")
    rows = []
    for (
        pk,
        name,
        city,
        status,
        branch_id,
        branch,
        place_branch_id,
        place_branch,
    ) in cursor.fetchall():
        other = ""
        if place_branch_id and place_branch_id != branch_id:
            other = (
                f'<br><strong class="short">{esc(looked_after % {"branch": place_branch})}</strong>'
            )
        rows.append(
            f'<tr><td data-label="{site_l}"><a href="/manage/sites/{pk}/">{esc(name)}</a>, '
            f"{esc(city)}</td>"
            f'<td data-label="{branch_l}">{esc(branch)}{other}</td>'
            f'<td data-label="{status_l}"><span class="status status-{status}">'
            f"{labels[status]}</span></td></tr>"
        )
    return ["".join(rows)]


def baseline_event(cursor, event_id: int) -> list[str]:
    from django.utils import formats, timezone

    cursor.execute(EVENT_SQL, [event_id])
    texts: dict = {}

    def moment(value: datetime.datetime) -> tuple[str, str]:
        if value not in texts:
            local = timezone.localtime(value)
            texts[value] = (local.isoformat(), formats.time_format(local, "H:i"))
        return texts[value]

    rows = []
    for pk, name, city, opens, closes in cursor.fetchall():
        (opens_iso, opens_text), (closes_iso, closes_text) = moment(opens), moment(closes)
        rows.append(
            f'<li><a href="/sites/{pk}/">{esc(name)}</a>, {esc(city)} '
            f'(<time datetime="{opens_iso}">{opens_text}</time>–'
            f'<time datetime="{closes_iso}">{closes_text}</time>)</li>'
        )
    return ["".join(rows)]


def baseline_map(cursor, *, event_slug: str | None) -> list[str]:
    from django.db import connection
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from benchmarks.common import address_line, map_sql

    filters = {"event_slug": event_slug} if event_slug else {}
    sql, params = map_sql(connection.vendor, **filters)
    if not event_slug:  # the map without an edition shows the coming ones
        sql = sql.replace("WHERE s.status", "WHERE e.date >= %s AND s.status")
        params.insert(1, timezone.localdate())
    cursor.execute(sql, params)
    approximate_l, claim_l, calendar_l = (
        _("Location shown approximately"),
        _("Choose a shift"),
        _("Add to calendar"),
    )
    no_position_l = _("Not on the map yet")
    texts: dict = {}

    def when(value, pattern: str) -> tuple[str, str]:
        key = (value, pattern)
        if key not in texts:
            local = timezone.localtime(value)
            texts[key] = (local.isoformat(), formats.date_format(local, pattern))
        return texts[key]

    spots: dict[int, str] = {}
    rows = []
    for row in cursor.fetchall():
        pk, name, _status, _slug, event_name, kind, location_name, city = row[:8]
        street, number, addition, postcode, lat, lon, approximate, opens, closes, open_ = row[8:]
        opens_iso, opens_text = when(opens, "l j F Y, H:i")
        closes_iso, closes_text = when(closes, "H:i")
        open_ = int(open_)
        if open_ not in spots:
            spots[open_] = (
                ngettext("%(count)s open spot", "%(count)s open spots", open_) % {"count": open_}
                if open_
                else _("No open spots")
            )
        place = city if approximate else address_line(street, number, addition, postcode, city)
        position = (
            f' data-lat="{round(float(lat), 5)!r}" data-lon="{round(float(lon), 5)!r}"'
            if lat is not None
            else ""
        )
        notes = f'<p class="map-site__note">{approximate_l}</p>' if approximate else ""
        if lat is None:
            notes += f'<p class="map-site__note">{no_position_l}</p>'
        url = f"http://testserver/sites/{pk}/"
        rows.append(
            f'<li class="map-site map-site--{kind}" data-site-id="{pk}" data-kind="{kind}"'
            f'{position}><h3 class="map-site__name"><a href="{url}">{esc(name or location_name)}'
            f'</a></h3><p class="map-site__place">{esc(event_name)} · {esc(place or city)}</p>'
            f'<p class="map-site__time"><time datetime="{opens_iso}">{opens_text}</time>–'
            f'<time datetime="{closes_iso}">{closes_text}</time></p>'
            f'<p class="map-site__spots">{spots[open_]}</p>{notes}'
            f'<p class="map-site__links"><a href="{url}">{claim_l}</a> · '
            f'<a href="http://testserver/calendar/sites/{pk}.ics">{calendar_l}</a></p></li>'
        )
    return ["".join(rows)]


# --- The run ------------------------------------------------------------------------------


def main() -> int:
    options = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    from benchmarks.common import ensure_postgres_database, machine

    ensure_postgres_database(url, program="bench_pages", recreate=options.reseed)
    setup(url)
    from django.db import connection
    from django.http import HttpResponse, HttpResponseForbidden
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import path

    from accounts.models import User
    from benchmarks import seed_large
    from config import urls as app_urls
    from events.models import Event

    world = seed_large.seed(log=print)
    print(f"== database {url.rsplit('/', 1)[-1]}: {world.counts}")
    event = Event.objects.get(slug=world.feed_slug)
    slug = event.slug
    with connection.cursor() as cursor:
        staffing = staffing_sql(cursor)

    # page: (label, who, app path, rows pattern, baseline rows, goal applies)
    pages = [
        (
            "staffing (2,000 sites)",
            "organiser",
            f"/manage/editions/{slug}/staffing/",
            r"<tbody>(.*?)</tbody>",
            lambda cursor: baseline_staffing(cursor, staffing, event.pk),
            True,
        ),
        (
            "public edition page /events/{slug}/",
            "anonymous",
            f"/events/{slug}/",
            r'<ul class="site-list">(.*?)</ul>',
            lambda cursor: baseline_event(cursor, event.pk),
            True,
        ),
        (
            "edition overview /manage/editions/{slug}/",
            "organiser",
            f"/manage/editions/{slug}/",
            r"<tbody>(.*?)</tbody>",
            lambda cursor: baseline_overview(cursor, event.pk),
            True,
        ),
        (
            "map /map/?event={slug}",
            "anonymous",
            f"/map/?event={slug}",
            r'<ol id="map-sites" class="map-sites">(.*?)</ol>',
            lambda cursor: baseline_map(cursor, event_slug=slug),
            True,
        ),
        (
            "map /map/ (every coming site)",
            "anonymous",
            "/map/",
            r'<ol id="map-sites" class="map-sites">(.*?)</ol>',
            lambda cursor: baseline_map(cursor, event_slug=None),
            False,
        ),
    ]
    clients = {"anonymous": Client(), "organiser": Client()}
    clients["organiser"].force_login(User.objects.get(email="organiser@example.org"))
    clients["anonymous"].get("/")  # the first request of a process loads much: not timed

    # The baselines answer under /baseline/<n>/, beside the app's own URLs.
    frames: dict[int, list[str]] = {}

    def baseline_view(index: int):
        def view(request):
            if pages[index][1] == "organiser" and not request.user.is_authenticated:
                return HttpResponseForbidden()
            with connection.cursor() as cursor:
                blocks = pages[index][4](cursor)
            return HttpResponse(stitch(frames[index], blocks))

        return view

    urlconf = types.ModuleType("bench_pages_urls")
    urlconf.urlpatterns = [
        path(f"baseline/{index}/", baseline_view(index)) for index in range(len(pages))
    ] + list(app_urls.urlpatterns)
    sys.modules["bench_pages_urls"] = urlconf

    results = []
    with override_settings(ROOT_URLCONF="bench_pages_urls"):
        for index, (label, who, app_path, pattern, _rows, goal) in enumerate(pages):
            client = clients[who]
            response = client.get(app_path)
            assert response.status_code == 200, (app_path, response.status_code)
            frames[index] = frame(response.content, pattern)
            base_path = f"/baseline/{index}/"
            ours, theirs = client.get(app_path).content, client.get(base_path).content
            same = normalised(ours) == normalised(theirs)
            if not same:
                difference = first_difference(normalised(ours), normalised(theirs))
                print(f"   {label}: answers differ {difference}")
            times: dict[str, list[float]] = {"app": [], "baseline": []}
            for _ in range(options.repeat):
                for side, target in (("app", app_path), ("baseline", base_path)):
                    started = time.perf_counter()
                    answer = client.get(target)
                    times[side].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, (target, answer.status_code)
            queries = {}
            for side, target in (("app", app_path), ("baseline", base_path)):
                with CaptureQueriesContext(connection) as captured:
                    client.get(target)
                queries[side] = len(captured)
            row = {
                "page": label,
                "path": app_path,
                "as": who,
                "app_ms": round(statistics.median(times["app"]), 1),
                "app_min_ms": round(min(times["app"]), 1),
                "baseline_ms": round(statistics.median(times["baseline"]), 1),
                "baseline_min_ms": round(min(times["baseline"]), 1),
                "queries_app": queries["app"],
                "queries_baseline": queries["baseline"],
                "bytes": len(ours),
                "same_answer": same,
                "goal_applies": goal,
            }
            row["ratio"] = round(row["app_ms"] / row["baseline_ms"], 2)
            results.append(row)
            print(
                f"   {label:44} app {row['app_ms']:7.1f} ms  baseline {row['baseline_ms']:6.1f} ms"
                f"  {row['ratio']:5.2f}x  queries {row['queries_app']}/{row['queries_baseline']}"
            )

    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_1_5_15": [round(value, 2) for value in os.getloadavg()],
        "dataset": world.counts,
        "repeat": options.repeat,
        "goal_ms": GOAL_MS,
        "pages": results,
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        report["postgresql"] = cursor.fetchone()[0]
    print()
    print(table(report))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_pages.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\nwritten: benchmarks/results/bench_pages.json")
    return 0


def table(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"bench_pages, {report['when']}, {m['cpu']} ({m['cores']} cores), PostgreSQL "
        f"{report['postgresql']}, Python {m['python']}, commit {m['commit']}; median of "
        f"{report['repeat']} requests; load average {report['load_average_1_5_15']}",
        "",
    ]
    header = (
        f"{'page (one request, in-process)':44} {'app':>9} {'baseline':>9} {'app/base':>8} "
        f"{'queries':>8} {'KiB':>6}  same answer"
    )
    lines += [header, "-" * len(header)]
    for row in report["pages"]:
        goal = ""
        if row["goal_applies"]:
            goal = "" if row["app_ms"] <= report["goal_ms"] else f"  (over {report['goal_ms']} ms)"
        lines.append(
            f"{row['page']:44} {row['app_ms']:6.1f} ms {row['baseline_ms']:6.1f} ms "
            f"{row['ratio']:7.2f}x {row['queries_app']:>4}/{row['queries_baseline']:<3} "
            f"{row['bytes'] / 1024:6.0f}  {'yes' if row['same_answer'] else 'NO'}{goal}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
