#!/usr/bin/env python3
"""Replay the attacks of the README's security section against a running demo server.

    .venv/bin/python scripts/attack.py [BASE_URL] [--manage "CMD"]

BASE_URL defaults to http://127.0.0.1:8000; the server holds `manage.py seed_demo` (the
accounts of demo/seed.py, password DEMO_PASSWORD of demo/places.py). All goes over HTTP as
a browser or API client would: allauth's log-in form with the page's CSRF token,
`/api/v1/auth/token/`, the session (with `X-CSRFToken`) for the API. One line per item,
`item N  held|broken  <evidence>` (`BROKEN:` marks the failed checks); exit status 1 when
an item is broken (a script error counts as broken), 2 when it cannot start.

It changes data, so use a throwaway database: a location and a draft of the coordinator's
branch in the coming Bakkie Doen; as the organiser, an unpublished open day dated today
with an approved site named `Aanvalstest;=1+1 …` and a draft, and a burst of taps there
(items 6, 7: the demo has no site open today, and taps count only around a site's day);
a volunteer's place at the azc shown approximately, whose address the organiser shares
(released at the end). Without --manage that is the demo volunteer, whose password item 4
changes and changes back.

Log-in limits (items 3, 8): on a server at 127.0.0.1 the guesses come from other loopback
addresses (random 127.x.y.z), which the server sees as other clients: the demo accounts
stay usable from 127.0.0.1, where the real owner logs in after the guesses. Against
another host the guesses come from this machine, last, and the owner's check is reported
as not possible. A run spends 5 failed log-ins of the organiser and of the volunteer from
their budgets per account (100 an hour): run it fewer than 20 times an hour.

--manage "CMD" runs this app's manage.py on the server's database (e.g. `--manage
".venv/bin/python manage.py"` with the server's DATABASE_URL exported): the script then
signs up a fresh volunteer at /accounts/signup/ and runs `CMD shell -c` once, for the one
step HTTP cannot do, confirming its e-mail address. That account then serves items 4, 6
and 9 instead of the demo volunteer.

Not observable over HTTP, so not checked: log redaction (item 10), revocation on a password
reset (needs the mail), a token refused after API_TOKEN_DAYS (its expiry date is checked).
"""

import argparse
import datetime
import json
import re
import secrets
import shlex
import subprocess
import sys
import time
import traceback
import uuid
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import requests
from requests.adapters import HTTPAdapter

PASSWORD = "actiedag-demo-2027"  # noqa: S105 (demo/places.py: published on purpose)
ORGANISER, COORDINATOR = "organiser@example.org", "coordinator@example.org"
VOLUNTEER = "volunteer@example.org"
MISSING = 99_999_999  # an id no site has
CATEGORY = {"open_day": "visitors", "coffee": "coffees"}  # one counted at each kind
TODAY = datetime.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
LOGIN = "/accounts/login/"


def need(condition, message: str) -> None:
    """A step the attack depends on (not the check itself) must have worked."""
    if not condition:
        raise RuntimeError(message)


class SourceAddress(HTTPAdapter):
    """Connect from a chosen local address: on loopback, another client to the server."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Fields(HTMLParser):
    """The values of a page's form fields (inputs, selects), as a browser sends them."""

    def __init__(self, page: str):
        super().__init__()
        self.values, self._select = {}, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a, name = dict(attrs), dict(attrs).get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.values[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


class Client:
    """A browser (cookies, CSRF) or API client, optionally from another local address."""

    def __init__(self, base: str, source: str | None = None):
        self.base, self.source, self.s = base, source or "this machine", requests.Session()
        self.s.headers["Accept-Language"] = "en"
        if source:
            self.s.mount("http://", SourceAddress(source))

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 120)
        if method != "GET":
            kw.setdefault("headers", {}).setdefault("Referer", self.base + "/")
            if self.s.cookies.get("csrftoken"):
                kw["headers"].setdefault("X-CSRFToken", self.s.cookies["csrftoken"])
        return self.s.request(method, path if "://" in path else self.base + path, **kw)

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def api(self, method: str, path: str, body=None) -> requests.Response:
        if self.s.cookies.get("csrftoken") is None:
            self.get(LOGIN)  # the CSRF cookie that session-authenticated API calls need
        return self.request(method, path, json=body)

    def post(self, path: str, **body) -> requests.Response:
        return self.api("POST", path, body)

    def form(self, path: str, fields: dict, page: str | None = None) -> requests.Response:
        """POST a form as the browser does after opening `page` (default: `path`)."""
        shown = Fields(self.get(page or path).text).values
        token = shown.get("csrfmiddlewaretoken") or self.s.cookies.get("csrftoken", "")
        return self.request("POST", path, data={**fields, "csrfmiddlewaretoken": token})

    def login(self, email: str, password: str, page: str = LOGIN) -> requests.Response:
        return self.form(page, {"login": email, "password": password})


def logged_in(answer: requests.Response) -> bool:
    return answer.status_code == 302 and "/accounts/" not in answer.headers.get("Location", "")


def too_many(answer: requests.Response) -> bool:
    return answer.status_code == 429 or "too many" in answer.text.lower()


def code_of(answer: requests.Response) -> str:
    try:
        return answer.json().get("code", "")
    except (ValueError, AttributeError):
        return ""


def needles(site: dict) -> list[str]:
    """Text that gives a site's position away to about 10 m: 4 decimals of each coordinate
    (the public grid of approximately shown sites has 2)."""
    return [f"{int(value * 10_000) / 10_000:.4f}" for value in (site["lat"], site["lon"])]


def tap(at: datetime.datetime, category: str = "visitors", delta: int = 1) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "category": category,
        "delta": delta,
        "recorded_at": at.isoformat(),
    }


class Item:
    def __init__(self):
        self.parts, self.broken = [], False

    def check(self, held: bool, evidence: str) -> None:
        self.parts.append(evidence if held else f"BROKEN: {evidence}")
        self.broken |= not held

    def note(self, evidence: str) -> None:
        self.parts.append(evidence)


class Attack:
    def __init__(self, base: str, manage: str | None):
        self.base, self.manage, self.tag = base.rstrip("/"), manage, uuid.uuid4().hex[:6]
        self.loopback = urlsplit(self.base).hostname == "127.0.0.1"
        self.org, self.coord = self.signed_in(ORGANISER), self.signed_in(COORDINATOR)
        self._volunteer = self._draft = self._claim = self._today = None
        self.discover()

    def signed_in(self, email: str, password: str = PASSWORD) -> Client:
        client = Client(self.base)
        answer = client.login(email, password)
        need(logged_in(answer), f"cannot log in as {email}: {answer.status_code} (locked?)")
        return client

    def attacker(self) -> Client:
        """A client of its own address (on loopback), for guessing passwords."""
        if not self.loopback:
            return Client(self.base)
        parts = (1 + secrets.randbelow(254), secrets.randbelow(255), 2 + secrets.randbelow(252))
        return Client(self.base, "127.{}.{}.{}".format(*parts))

    def discover(self) -> None:
        """The coming editions and a past one; the coordinator's branch and one of its
        sites; an azc shown approximately of another branch, and another branch's draft."""
        events = requests.get(self.base + "/api/v1/events/", timeout=60).json()
        coming = [e for e in events if e["date"] >= TODAY.isoformat()]
        self.open_day = next(e["slug"] for e in coming if e["kind"] == "open_day")
        self.coffee = next(e["slug"] for e in coming if e["kind"] == "coffee")
        past = max((e for e in events if e["date"] < TODAY.isoformat()), key=lambda e: e["date"])
        self.past, self.past_category = past["slug"], CATEGORY[past["kind"]]
        self.branch = self.coord.get("/api/v1/me/").json()["coordinator_of"][0]["name"]
        self.branch_slug = re.sub(r"[^a-z0-9]+", "-", self.branch.lower()).strip("-")
        public = requests.get(f"{self.base}/api/v1/sites/?event={self.open_day}", timeout=60)
        approximate = {f["id"] for f in public.json()["features"] if f["properties"]["approximate"]}
        sites = self.org_sites(self.open_day)
        others = [s for s in sites if s["branch"] != self.branch]
        self.hidden = next(s for s in others if s["id"] in approximate)
        self.own_site = next(s for s in sites if s["branch"] == self.branch)
        self.hidden_location = self.location_id(self.hidden["name"])
        overview = self.org.get(f"/manage/editions/{self.open_day}/?status=draft").text
        drafts = dict.fromkeys(re.findall(r"/manage/sites/(\d+)/", overview))
        self.other_draft = next(
            int(pk) for pk in drafts if self.branch not in self.org.get(f"/manage/sites/{pk}/").text
        )
        self.past_site = self.org_sites(self.past)[0]

    def org_sites(self, slug: str) -> list[dict]:
        """An edition's sites as the organiser's dashboard has them (exact positions)."""
        return self.org.get(f"/dashboard/{slug}/data.json").json()["sites"]

    def location_id(self, name: str) -> int:
        page = self.org.get(f"/locations/?q={quote(name)}").text
        return int(re.search(rf'href="/locations/(\d+)/">{re.escape(name)}<', page).group(1))

    # --- what several items use, made on first need ---------------------------------------

    def new_location(self, client: Client, name: str) -> requests.Response:
        place = {"kind": "public_space", "street": "Neude", "city": "Utrecht", "province": "UT"}
        pin = {"latitude": "52.0931", "longitude": "5.1189", "position_is_manual": "on"}
        return client.form("/locations/new/", {"name": name, **place, **pin})

    def draft(self) -> dict:
        """A draft of the coordinator's branch in the coming Bakkie Doen (at a new
        location), and the ETag of the edition's public feed before and after it."""
        if self._draft is None:
            feed = f"{self.base}/calendar/events/{self.coffee}.ics"
            before = requests.get(feed, timeout=60).headers.get("ETag")
            made = self.new_location(self.coord, f"Aanvalstest plek {self.tag}")
            need(made.status_code == 302, f"location not made: {made.status_code}")
            location = int(re.search(r"/locations/(\d+)/", made.headers["Location"]).group(1))
            answer = self.coord.post(
                "/api/v1/sites/", event=self.coffee, branch=self.branch_slug, location=location
            )
            need(answer.status_code == 201, f"draft not made: {answer.text[:100]}")
            after = requests.get(feed, timeout=60).headers.get("ETag")
            self._draft = {"id": answer.json()["id"], "etags": (before, after)}
        return self._draft

    def volunteer(self) -> tuple[Client, str, str]:
        """A volunteer without places: a fresh account (--manage) or the demo volunteer."""
        if self._volunteer is None:
            email, password = VOLUNTEER, PASSWORD
            if self.manage:
                email, password = f"aanval-{self.tag}@example.org", f"Zq-{uuid.uuid4().hex}!"
                person = {"first_name": "Aanval", "last_name": self.tag, "email": email}
                secret = {"password1": password, "password2": password}
                made = Client(self.base).form("/accounts/signup/", {**person, **secret})
                need(made.status_code == 302, f"sign-up refused: {made.status_code}")
                code = (
                    "from allauth.account.models import EmailAddress; "
                    f"EmailAddress.objects.filter(email='{email}').update(verified=True)"
                )
                command = [*shlex.split(self.manage), "shell", "-c", code]
                subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (ours)
            self._volunteer = (self.signed_in(email, password), email, password)
        return self._volunteer

    def claim(self) -> dict:
        """The volunteer's confirmed place on a shift at the azc shown approximately."""
        if self._claim is None:
            vol = self.volunteer()[0]
            shifts = vol.get(f"/api/v1/shifts/?site={self.hidden['id']}").json()
            for shift in sorted(shifts, key=lambda s: -s["open_spots"]):
                answer = vol.post(f"/api/v1/shifts/{shift['id']}/claim/")
                if answer.status_code == 201 and answer.json().get("status") == "confirmed":
                    self._claim = shift
                    break
                if answer.status_code == 201:  # waitlisted
                    vol.post(f"/api/v1/shifts/{shift['id']}/release/")
            need(self._claim, f"no place to claim at {self.hidden['name']}")
        return self._claim

    def today_sites(self) -> tuple[str, int, int]:
        """An unpublished open day dated today with an approved site (named with `;=`)
        and a draft, made by the organiser: its slug and the two sites' ids."""
        if self._today is None:
            slug = f"aanvalstest-{self.tag}"
            edition = {"name": f"Aanvalstest {self.tag}", "slug": slug, "kind": "open_day"}
            when = {"date": TODAY.isoformat(), "release_deadline_hours": "24"}
            made = self.org.form("/manage/editions/new/", {**edition, **when})
            need(made.status_code == 302, f"edition for today not made: {made.status_code}")
            ids, site = [], {"event": slug, "branch": self.branch_slug, "public_description": "."}
            site["name"] = f"Aanvalstest;=1+1 {self.tag}"
            for location in (self.hidden_location, self.location_id(self.own_site["name"])):
                answer = self.org.post("/api/v1/sites/", location=location, **site)
                need(answer.status_code == 201, f"site not made: {answer.text[:100]}")
                ids.append(answer.json()["id"])
            for step in ("submit", "publish"):
                answer = self.org.post(f"/api/v1/sites/{ids[0]}/{step}/")
                need(answer.status_code == 200, f"{step}: {answer.text[:100]}")
            self._today = (slug, ids[0], ids[1])
        return self._today

    def clean_up(self) -> None:
        if self._claim is not None:
            self.volunteer()[0].post(f"/api/v1/shifts/{self._claim['id']}/release/")

    # --- the items: each check's evidence is what was observed ----------------------------

    def item_1(self, item: Item) -> None:
        hidden, exact, loc = self.hidden, needles(self.hidden), self.hidden_location
        data = self.coord.get(f"/dashboard/{self.open_day}/data.json").json()
        seen = next(s for s in data["sites"] if s["id"] == hidden["id"])
        at = f"{seen['lat']},{seen['lon']} (exact {hidden['lat']},{hidden['lon']})"
        item.check(needles(seen) != exact, f"coordinator's data.json: {hidden['name']} at {at}")
        shown = any(n in self.coord.get(f"/dashboard/{self.open_day}/").text for n in exact)
        item.check(not shown, f"dashboard page: exact position {'in it' if shown else 'not in it'}")
        listing = self.coord.get(f"/locations/?q={quote(hidden['name'])}").text
        linked = f'href="/locations/{loc}/"' in listing or any(n in listing for n in exact)
        item.check(not linked, f"/locations/: {'links it' if linked else 'hides it'}")
        answer = self.coord.get(f"/locations/{loc}/")
        refused = answer.status_code in (403, 404) and not any(n in answer.text for n in exact)
        item.check(refused, f"/locations/{loc}/: {answer.status_code}")

    def item_2(self, item: Item) -> None:
        path = f"/locations/{self.hidden_location}/"
        form = Fields(self.org.get(path).text).values
        address = {"street": "Dam", "house_number": "1", "postcode": "1012 JS", "province": "NH"}
        town = {"city": "Amsterdam", "municipality": "Amsterdam", "position_is_manual": "on"}
        pin = {"latitude": "52.3731", "longitude": "4.8926"}
        answer = self.coord.form(path, {**form, **address, **town, **pin})
        city = Fields(self.org.get(path).text).values.get("city")
        moved = city != form.get("city")
        item.check(
            answer.status_code in (403, 404) and not moved,
            f"POST {path} with an Amsterdam address: {answer.status_code}, town {city!r}",
        )
        if moved:
            self.org.form(path, form)  # put it back for the other items
        answer = self.coord.post(
            "/api/v1/sites/",
            event=self.coffee,
            branch=self.branch_slug,
            location=self.hidden_location,
        )
        listed = self.hidden["name"] in self.org.get(f"/manage/editions/{self.coffee}/").text
        fields = sorted(answer.json().get("fields", {}))
        said = f"{answer.status_code} {code_of(answer)} {fields}"
        item.check(answer.status_code in (400, 403) and not listed, f"registering it: {said}")

    def item_3(self, item: Item) -> None:
        guesser = self.attacker()
        answer = guesser.get("/admin/login/")
        to = answer.headers.get("Location", "")
        item.check(to.startswith(LOGIN), f"GET /admin/login/: {answer.status_code} {to}")
        token = guesser.s.cookies.get("csrftoken") or Fields(guesser.get(LOGIN).text).values.get(
            "csrfmiddlewaretoken"
        )
        wrong = [
            {"username": ORGANISER, "password": f"wrong-{n}", "csrfmiddlewaretoken": token}
            for n in range(25)
        ]
        answers = [guesser.request("POST", "/admin/login/", data=data) for data in wrong]
        forms = sum(answer.status_code == 200 for answer in answers)
        item.check(forms == 0, f"25 wrong POSTs to /admin/login/: {forms} answered by its form")
        page, tries = f"{LOGIN}?next=/admin/", []
        while len(tries) < 6 and not (tries and too_many(tries[-1])):
            tries.append(guesser.login(ORGANISER, f"wrong-{len(tries)}", page=page))
        right = guesser.login(ORGANISER, PASSWORD, page=page)
        item.check(
            too_many(tries[-1]) and not logged_in(right),
            f"its log-in page refused guess #{len(tries)}, then the right password",
        )

    def item_4(self, item: Item) -> None:
        vol, email, password = self.volunteer()
        api, change = Client(self.base), "/accounts/password/change/"

        def token() -> str:
            return api.post("/api/v1/auth/token/", email=email, password=password).json()["token"]

        def works(key: str) -> int:
            return api.get("/api/v1/me/", headers={"Authorization": f"Token {key}"}).status_code

        key = token()
        item.check(works(key) == 200, f"a new token: {works(key)}")
        page = vol.get("/accounts/api-token/")
        # The page writes "6 December 2026, 01:00" (in English, as this client asks).
        found = re.findall(r"<dd>(\d{1,2} [A-Z][a-z]+ \d{4}), \d{2}:\d{2}</dd>", page.text)
        dates = [datetime.datetime.strptime(date, "%d %B %Y") for date in found]
        days = (dates[1] - dates[0]).days if len(dates) == 2 else None
        item.check(days is not None, f"/accounts/api-token/: {page.status_code}, expiry +{days} d")
        vol.form("/accounts/api-token/", {})
        item.check(works(key) == 401, f"token revoked there: {works(key)}")
        key, new = token(), f"Zq-{uuid.uuid4().hex}-nieuw!"
        try:
            changed = vol.form(
                change, {"oldpassword": password, "password1": new, "password2": new}
            )
            said = f"{changed.status_code}, token {works(key)}"
            item.check(changed.status_code == 302 and works(key) == 401, f"password change: {said}")
        finally:
            vol.form(change, {"oldpassword": new, "password1": password, "password2": password})
        item.note("not waited for: expiry, revocation on reset")

    def item_5(self, item: Item) -> None:
        answer = requests.get(self.base + "/api/v1/shifts/?site=²", timeout=60)
        item.check(answer.status_code == 400, f"shifts/?site=²: {answer.status_code}")
        draft, own, as_json = self.draft()["id"], self.own_site["id"], "application/json"
        deep, statuses = "[" * 100_000 + "]" * 100_000, []
        for client, method, path in [
            (Client(self.base), "POST", "/api/v1/auth/token/"),
            (self.coord, "PATCH", f"/api/v1/sites/{draft}/"),
            (self.coord, "POST", f"/api/v1/sites/{own}/tallies/"),
        ]:
            client.get(LOGIN)  # a CSRF cookie
            answer = client.request(method, path, data=deep, headers={"Content-Type": as_json})
            statuses.append(answer.status_code)
        said = "/".join(map(str, statuses))
        item.check(statuses == [400] * 3, f"nested JSON on token/site PATCH/tallies: {said}")
        for bad in ("x\r\ny", "x\u202ey"):
            answer = self.coord.api("PATCH", f"/api/v1/sites/{draft}/", {"name": f"Aanval {bad}"})
            named = "name" in answer.json().get("fields", {})
            item.check(named, f"site name {bad!r}: {answer.status_code}")
        answer = self.new_location(self.coord, "Aanval\r\nplek")
        refused = re.search(r'<input[^>]*name="name"[^>]*aria-invalid="true"', answer.text)
        said = f"{answer.status_code}{', field error' if refused else ''}"
        item.check(answer.status_code == 200 and refused, f"location name CR/LF: {said}")
        path = f"/manage/editions/{self.coffee}/register/?location=99999999999999999999999"
        answer = self.coord.get(path)
        item.check(answer.status_code < 500, f"register/?location=9…9: {answer.status_code}")
        big = json.dumps({"entries": [], "pad": "x" * 3_000_000})
        path, headers = f"/api/v1/sites/{own}/tallies/", {"Content-Type": as_json}
        answer = self.coord.request("POST", path, data=big, headers=headers)
        item.check(code_of(answer), f"3 MB body: {answer.status_code} {code_of(answer) or 'HTML'}")

    def item_6(self, item: Item) -> None:
        now, past = datetime.datetime.now(datetime.UTC), self.past_site
        opens = self.org.get(f"/api/v1/sites/{past['id']}/").json()["properties"]["opens_at"]
        late = tap(datetime.datetime.fromisoformat(opens), category=self.past_category)
        body = self.org.post(f"/api/v1/sites/{past['id']}/tallies/", entries=[late]).json()
        refused = [refusal["code"] for refusal in body.get("refused", [])]
        said = f"accepted {body.get('accepted')}, refused {refused}"
        item.check(body.get("accepted") == 0, f"a tap of {self.past} arriving now: {said}")
        self.claim()
        answer = self.volunteer()[0].get(f"/api/v1/sites/{self.hidden['id']}/tallies/")
        said = f"volunteer with a place reads the tallies before the day: {answer.status_code}"
        item.check(answer.status_code in (403, 404), said)
        _slug, approved, draft = self.today_sites()
        started, accepted, codes = time.monotonic(), 0, set()
        for _batch in range(2):
            entries = [tap(now - datetime.timedelta(seconds=5), delta=50) for _tap in range(500)]
            path = f"/api/v1/sites/{approved}/tallies/"
            answer = self.org.post(path, entries=entries, device_id=self.tag)
            need(answer.status_code == 200, f"burst: {answer.status_code} {answer.text[:100]}")
            accepted += answer.json()["accepted"]
            codes |= {refusal["code"] for refusal in answer.json()["refused"]}
        took = time.monotonic() - started
        said = f"+{accepted * 50} accepted, refused {sorted(codes)}"
        item.check(accepted * 50 <= 5_000, f"1000 taps of +50 in {took:.1f}s today: {said}")
        answer = self.org.post(f"/api/v1/sites/{draft}/tallies/", entries=[tap(now)])
        said = f"{answer.status_code} {code_of(answer)}"
        item.check(answer.status_code == 409, f"a tap at a draft site today: {said}")

    def item_7(self, item: Item) -> None:
        csv = self.org.get(f"/dashboard/{self.today_sites()[0]}/sites.csv").content.decode()
        line = next((row for row in csv.splitlines() if self.tag in row), "(no row)")
        cell = line.split(",")[1] if "," in line else line
        item.check(";=" not in line and "Aanvalstest" in line, f"dashboard sites.csv: {cell!r}")

    def item_8(self, item: Item) -> None:
        guesser, api = self.attacker(), "/api/v1/auth/token/"
        # An address nobody has: its failures count as an account's would, and lock no one.
        nobody = f"aanval-niemand-{self.tag}@example.org"
        for n in (1, 2):
            guesser.login(nobody, f"wrong-{n}")
        for n in (3, 4, 5):
            guesser.post(api, email=nobody, password=f"wrong-{n}")
        form = guesser.login(nobody, "wrong-6")
        token = guesser.post(api, email=nobody, password="wrong-7")  # noqa: S106
        said = "too many" if too_many(form) else "wrong password"
        item.check(too_many(form), f"2 wrong on the form, 3 on the token: form then says {said}")
        said = f"{token.status_code} {code_of(token)}"
        item.check(code_of(token) == "too_many_login_attempts", f"token endpoint: {said}")
        if not self.loopback:
            item.note("the owner's log-in from another address: not possible from one address")
            return
        other = self.attacker()
        guesses = [other.login(VOLUNTEER, f"wrong-{n}") for n in range(5)]
        owner = Client(self.base).login(VOLUNTEER, PASSWORD)
        said = "logs in" if logged_in(owner) else "is locked out"
        item.check(
            logged_in(owner) and not any(map(logged_in, guesses)),
            f"after 5 wrong passwords from {other.source}, {VOLUNTEER} from 127.0.0.1 {said}",
        )
        item.note("not tried: the cap per account over many addresses (100 an hour)")

    def item_9(self, item: Item) -> None:
        vol, email, _password = self.volunteer()
        # Read again: on a vulnerable server item 2 moved the location (and put it back).
        hidden = next(s for s in self.org_sites(self.open_day) if s["id"] == self.hidden["id"])
        exact, me = needles(hidden), vol.get("/api/v1/me/").json()
        name = f"{me['first_name']} {me['last_name']}".strip() or email
        roster = f"/coordinate/sites/{hidden['id']}/roster/"
        before = self.org.get(roster).text.split("Who has the address")[-1]
        shift = self.claim()
        pages = {
            "API": f"/api/v1/sites/{hidden['id']}/",
            "feed": urlsplit(me["calendar_url"]).path,
            "my shifts": "/my/shifts/",
            "my data": "/my/data.json",
            "site page": f"/sites/{hidden['id']}/",
        }

        def readable() -> list[str]:
            texts = {label: vol.get(path).text for label, path in pages.items()}
            return [label for label, text in texts.items() if any(n in text for n in exact)]

        leaks = readable()
        item.check(not leaks, f"after claiming shift {shift['id']}, exact position in {leaks}")
        page = self.org.get(roster).text
        row = page[page.find(f"mailto:{email}") :]
        signup = re.search(r'name="signup" value="(\d+)"', row[: row.find("</tr>")])
        if signup is None:
            item.check(False, "no button on the roster to share the address with them")
            return
        share = f"/coordinate/sites/{hidden['id']}/roster/share-address/"
        self.org.form(share, {"signup": signup.group(1)}, page=roster)
        shown = readable()
        item.check("API" in shown, f"shared by the organiser: in {shown}")
        holders = self.org.get(roster).text.split("Who has the address")[-1]
        row = holders[holders.find(name) :]
        recorded = name in holders and "map and api" in row[: row.find("</tr>")].lower()
        earlier = " (listed before: an earlier run)" if name in before else ""
        item.check(recorded, f"roster records {name!r} as holder (map and API){earlier}")

    def item_10(self, item: Item) -> None:
        shift = {"role": "reception", "capacity": 1, "starts_at": "2027-01-01T12:00:00+01:00"}
        shift["ends_at"] = "2027-01-01T13:00:00+01:00"
        ids, answers = (self.other_draft, MISSING), []
        for pk in ids:
            answer = self.coord.post("/api/v1/shifts/", site=pk, **shift)
            answers.append((answer.status_code, answer.text.replace(str(pk), "ID")))
        said = f"{answers[0][0]}/{answers[1][0]}"
        item.check(answers[0] == answers[1], f"POST /api/v1/shifts/ draft/none: {said}")
        pages = ["/coordinate/sites/{}/shifts/", "/coordinate/sites/{}/roster/"]
        pages += ["/manage/sites/{}/", "/api/v1/sites/{}/tallies/"]
        same = [len({self.coord.get(p.format(pk)).status_code for pk in ids}) == 1 for p in pages]
        item.check(all(same), f"{sum(same)}/{len(pages)} site pages: draft as no site")
        before, after = self.draft()["etags"]
        said = "unchanged" if before == after else "changed"
        item.check(before == after and before is not None, f"edition feed ETag {said} by a draft")
        for label, path in [
            ("audit page", f"/sites/{self.own_site['id']}/tallies/"),
            ("sites.csv", f"/dashboard/{self.coffee}/sites.csv"),
            ("hours.csv", f"/dashboard/{self.coffee}/hours.csv"),
        ]:
            header = self.coord.get(path).headers.get("Cache-Control", "")
            item.check("no-store" in header, f"{label} Cache-Control {header!r}")
        item.note("log redaction: not observable over HTTP")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--manage", help='e.g. ".venv/bin/python manage.py" (see the docstring)')
    args = parser.parse_args()
    try:
        attack = Attack(args.base, args.manage)
    except Exception as error:
        print(f"cannot start: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    broken = False
    # Log-in limits last: against another host their guesses come from our own address.
    for number in (1, 2, 4, 5, 6, 7, 9, 10, 3, 8):
        item = Item()
        try:
            getattr(attack, f"item_{number}")(item)
        except Exception as error:  # a failed step is reported, with its traceback
            traceback.print_exc(file=sys.stderr)
            item.check(False, f"script error: {type(error).__name__}: {error}"[:200])
        broken |= item.broken
        verdict = "broken" if item.broken else "held"
        print(f"item {number}  {verdict}  {'; '.join(item.parts)}", flush=True)
    attack.clean_up()
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
