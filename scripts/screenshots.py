"""A screenshot set of the main pages, for a reviewer to see the whole app in a minute.

    make screenshots            # or: .venv/bin/python scripts/screenshots.py [--only NAME ...]

Builds a fresh SQLite database in a temporary folder, loads the demo (`seed_demo`), serves
it with `runserver` on a free port, and photographs each page in headless Chromium as the
public, the volunteer, the coordinator and the organiser: Dutch on a phone (390x844) and a
desktop (1280x800), and the public pages in Arabic on a phone. The PNGs and an index.html
that shows them all go to var/screenshots/set/ (or --out). Nothing touches db.sqlite3 or
the network (requests to other hosts, such as map tiles, are refused).
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "actiedag-demo-2027"  # noqa: S105 (demo/places.py: published on purpose)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pages(env: dict) -> list[tuple[str, str | None, str, bool]]:
    """(name, role, path, public) for every page in the set; role None is the public."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from events.models import Event, Shift, Site

    coming = Event.objects.filter(sites__status=Site.Status.PUBLISHED).distinct().order_by("-date")
    edition = coming.first()
    past = Event.objects.order_by("date").first()
    site = Site.objects.filter(event=edition, status=Site.Status.PUBLISHED).order_by("pk").first()
    mine = (
        Site.objects.filter(branch__coordinators__email="coordinator@example.org")
        .order_by("-event__date", "pk")
        .first()
        or site
    )
    shift = Shift.objects.filter(site=mine).order_by("pk").first()
    pages = [
        ("home", None, "/", True),
        ("map", None, "/map/", True),
        ("edition", None, f"/events/{edition.slug}/", True),
        ("site", None, f"/sites/{site.pk}/", True),
        ("shifts", None, "/shifts/", True),
        ("login", None, "/accounts/login/", True),
        ("signup", None, "/accounts/signup/", True),
        ("my-shifts", "volunteer", "/my/shifts/", False),
        ("profile", "volunteer", "/my/profile/", False),
        ("coordinate", "coordinator", "/coordinate/", False),
        ("site-manage", "coordinator", f"/manage/sites/{mine.pk}/", False),
        ("site-shifts", "coordinator", f"/coordinate/sites/{mine.pk}/shifts/", False),
        ("roster", "coordinator", f"/coordinate/sites/{mine.pk}/roster/", False),
        ("counter", "coordinator", f"/sites/{mine.pk}/count/", False),
        ("locations", "coordinator", "/locations/", False),
        ("location-new", "coordinator", "/locations/new/", False),
        ("manage", "organiser", "/manage/", False),
        ("edition-overview", "organiser", f"/manage/editions/{edition.slug}/", False),
        ("edition-templates", "organiser", f"/manage/editions/{edition.slug}/templates/", False),
        ("review", "organiser", f"/manage/editions/{edition.slug}/review/", False),
        ("staffing", "organiser", f"/manage/editions/{edition.slug}/staffing/", False),
        ("dashboard", "organiser", f"/dashboard/{past.slug}/", False),
        ("impact-report", "organiser", f"/dashboard/{past.slug}/report/", False),
        ("tally-audit", "organiser", f"/sites/{_counted_site(past).pk}/tallies/", False),
    ]
    if shift:
        pages.append(
            ("shift-delete", "coordinator", f"/coordinate/shifts/{shift.pk}/delete/", False)
        )
    return pages


def _counted_site(event):
    from tallies.models import TallyEntry

    entry = TallyEntry.objects.filter(site__event=event).order_by("site_id").first()
    return entry.site if entry else event.sites.order_by("pk").first()


def _log_in(context, base: str, role: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", f"{role}@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.close()


def _write_index(out: Path, shots: list[tuple[str, str, str]]) -> None:
    rows = "\n".join(
        f'<figure><a href="{html.escape(file)}"><img src="{html.escape(file)}" loading="lazy" '
        f'alt=""></a><figcaption>{html.escape(name)} · {html.escape(variant)}</figcaption></figure>'
        for name, variant, file in shots
    )
    out.joinpath("index.html").write_text(
        "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Screenshots</title>"
        "<style>body{font-family:system-ui;margin:1rem}main{display:flex;flex-wrap:wrap;"
        "gap:1rem;align-items:flex-start}figure{margin:0;width:260px}img{width:100%;"
        "max-height:520px;object-fit:cover;object-position:top;border:1px solid #ccc}"
        "figcaption{font-size:.85rem}</style>"
        f"<h1>Screenshots ({len(shots)})</h1><main>{rows}</main></html>\n",
        encoding="utf-8",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots" / "set")
    parser.add_argument("--only", nargs="*", help="page names to take (default: all)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        env = {
            **os.environ,
            "DEBUG": "true",
            "SQLITE_PATH": str(Path(tmp) / "db.sqlite3"),
            "PUBLISHED_CACHE_DIR": str(Path(tmp) / "cache"),
            "GEOCODING_PROVIDERS": "offline",
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run(  # noqa: S603 (our own manage.py)
                [python, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env["SITE_URL"] = base
        server = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 (http, ours)
                    break
                except OSError:
                    time.sleep(0.2)
            pages = _pages(env)
            if args.only:
                pages = [page for page in pages if page[0] in args.only]
            shots = _shoot(base, pages, args.out)
        finally:
            server.terminate()
            server.wait(timeout=10)
    _write_index(args.out, shots)
    print(f"{len(shots)} screenshots: {args.out / 'index.html'}")
    return 0


def _shoot(base: str, pages, out: Path) -> list[tuple[str, str, str]]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    variants = [("nl", "phone", PHONE), ("nl", "desktop", DESKTOP), ("ar", "phone", PHONE)]
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for language, device, viewport in variants:
            for role in [None, "volunteer", "coordinator", "organiser"]:
                todo = [p for p in pages if p[1] == role and (language == "nl" or p[3])]
                if not todo:
                    continue
                context = browser.new_context(viewport=viewport, locale=f"{language}-NL")
                context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_() if route.request.url.startswith(base) else route.abort()
                    ),
                )
                if role:
                    _log_in(context, base, role)
                page = context.new_page()
                for name, _role, path, _public in todo:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    file = f"{name}-{language}-{device}.png"
                    page.screenshot(path=out / file, full_page=True)
                    shots.append((name, f"{role or 'public'}, {language}, {device}", file))
                context.close()
        browser.close()
    shots.sort()
    return shots


if __name__ == "__main__":
    sys.exit(main())
