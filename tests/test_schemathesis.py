"""The API fuzzed from its own OpenAPI schema (`/api/schema/`) with schemathesis.

Every operation of the schema is called with generated input (valid and invalid bodies,
query strings and ids) by four personas: anonymous, a volunteer (with a confirmed shift),
the coordinator of one branch, and an organiser, each signed in with an API token.
For every call:

- no answer is a 5xx, and each answer conforms to the schema (status code documented,
  content type, body against the documented schema, headers);
- an operation that needs an account refuses an anonymous call (401/403);
- nobody changes what is not theirs to change: an anonymous call changes nothing; a
  volunteer changes no site, shift or correction; a coordinator changes no site, shift or
  count of another branch (compared with a fingerprint of the database before and after).

Ids in paths are mostly replaced by ids of real objects (of the persona's own branch and
of another), so that the calls reach the rules and not only the 404. Examples are bounded
(`SCHEMATHESIS_MAX_EXAMPLES`, default 12 per operation and persona) and derandomised, so
CI stays within minutes and a failure repeats.
"""

import datetime
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.db.models import Count, Max
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi import checks as openapi_checks

from accounts.models import Volunteer
from events.models import Event, Shift, Signup, Site
from locations.models import Location
from tallies.models import TallyEntry
from tallies.public_results import results_publish
from tests.conftest import EVENT_DAY, YEAR, make_user
from tests.factories import make_signup

# Two of schemathesis' checks guess at a contract that ours deliberately differs from:
# `positive_data_acceptance` expects every schema-valid request to succeed, but an unknown
# edition, site or place is a 400 naming the parameter (DESIGN.md), and a shift that ends
# before it starts is valid JSON; `negative_data_rejection` expects an empty query
# parameter (`?date_to=`) to be refused, but our filters treat a blank as not given, as
# the map's form sends them. Every other check runs: no 5xx, documented status codes,
# content types, headers and bodies.
HEURISTICS = [openapi_checks.positive_data_acceptance, openapi_checks.negative_data_rejection]
FORMATS = {"json", "geojson"}
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))
PERSONAS = ["anonymous", "volunteer", "coordinator", "organiser"]


@pytest.fixture
def api_world(db, django_user_model, branch, other_branch):
    """An edition today (so that tallies count) with a site of each branch, shifts, and
    the four personas with their tokens."""
    now = timezone.now()
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    opens = datetime.datetime.combine(today, datetime.time(0, 30), tzinfo=zone)
    closes = datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=zone)
    event = Event.objects.create(
        name="Fuzz day", slug="fuzz-day", kind_id="open_day", date=today, is_published=True
    )
    coming = Event.objects.create(
        name=f"Open azc dag {YEAR}",
        slug=f"open-azc-dag-{YEAR}",
        kind_id="open_day",
        date=EVENT_DAY,
        is_published=True,
    )
    sites = {}
    for key, owner, edition, lat in (
        ("own", branch, event, 52.09),
        ("other", other_branch, event, 52.51),
        ("own_coming", branch, coming, 52.10),
    ):
        location = Location.objects.create(
            name=f"azc {key}", city="Utrecht", latitude=lat, longitude=5.12, postcode="3511 AB"
        )
        starts = opens if edition is event else now + datetime.timedelta(days=60)
        sites[key] = Site.objects.create(
            event=edition,
            location=location,
            branch=owner,
            opens_at=starts,
            closes_at=starts + (closes - opens),
            status=Site.Status.PUBLISHED,
        )
    shifts = {
        key: Shift.objects.create(
            site=site,
            role=Shift.Role.COUNTING,
            starts_at=site.opens_at + datetime.timedelta(hours=1),
            ends_at=site.opens_at + datetime.timedelta(hours=3),
            capacity=3,
        )
        for key, site in sites.items()
    }
    users = {
        "volunteer": make_user(django_user_model, "fuzz-volunteer@example.org"),
        "coordinator": make_user(django_user_model, "fuzz-coordinator@example.org"),
        "organiser": make_user(
            django_user_model, "fuzz-organiser@example.org", is_organiser=True, is_staff=True
        ),
    }
    branch.coordinators.add(users["coordinator"])
    volunteer = Volunteer.objects.create(user=users["volunteer"], phone="0612345678")
    make_signup(
        shift=shifts["own"], volunteer=volunteer, status=Signup.Status.CONFIRMED, confirmed_at=now
    )
    tokens = {name: Token.objects.create(user=user).key for name, user in users.items()}
    # Today's results are public: their answer is checked against the schema too.
    results_publish(event=event, by=users["organiser"])
    return {
        "event": event,
        "branch": branch,
        "other_branch": other_branch,
        "sites": sites,
        "shifts": shifts,
        "tokens": tokens,
    }


def _load_schema():
    """The schema as `/api/schema/` serves it, fetched through the WSGI app at import.

    (Loaded at import rather than from a fixture: schemathesis' lazy fixture loader does
    not run under pytest 9.) The view needs no database: without one, the schema leaves
    out its lists of the kinds of action day and their categories (they are data).
    """
    from django.core.wsgi import get_wsgi_application
    from django.test.utils import override_settings

    with override_settings(ALLOWED_HOSTS=["localhost"]):  # the host schemathesis sends
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


schema = _load_schema()


@pytest.fixture(autouse=True)
def _wsgi_keeps_the_test_transaction(settings):
    """As Django's test client does: the end of a request must not close the connection
    that holds the test's transaction."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _fingerprint(branch_id: int | None = None) -> dict:
    """What a call could change, for one branch or for all."""
    sites = Site.objects.all()
    shifts = Shift.objects.all()
    tallies = TallyEntry.objects.all()
    if branch_id is not None:
        sites = sites.filter(branch_id=branch_id)
        shifts = shifts.filter(site__branch_id=branch_id)
        tallies = tallies.filter(site__branch_id=branch_id)
    return {
        "sites": sites.aggregate(n=Count("id"), last=Max("updated_at")),
        "shifts": shifts.aggregate(n=Count("id"), last=Max("updated_at")),
        "corrections": tallies.filter(is_correction=True).count(),
        "tallies": tallies.count(),
        "signups": Signup.objects.filter(shift__in=shifts).aggregate(
            n=Count("id"), last=Max("updated_at")
        ),
    }


def _real_ids(case, world) -> None:
    """Point most generated ids at real objects: own and other branch alike; and most
    generated edition slugs at today's edition."""
    slug = (case.path_parameters or {}).get("slug")
    if isinstance(slug, str) and len(slug) % 4:
        case.path_parameters["slug"] = world["event"].slug
    if not case.path_parameters or "id" not in case.path_parameters:
        return
    generated = case.path_parameters["id"]
    if not isinstance(generated, int) or generated % 4 == 0:
        return  # keep a quarter of the generated ids: unknown, huge, zero
    pool = world["shifts"] if "/shifts/" in case.path else world["sites"]
    ids = [obj.pk for obj in pool.values()]
    case.path_parameters["id"] = ids[generated % len(ids)]


def _resolves(case) -> bool:
    """The path names an object by number, so it reaches the view (`null` gives a 404)."""
    values = (case.path_parameters or {}).values()
    return all(isinstance(value, int) and value >= 0 for value in values)


def _needs_account(case) -> bool:
    security = case.operation.definition.raw.get("security")
    return bool(security) and {} not in security


FUZZ = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def check_call(case, persona: str, world: dict) -> None:
    _real_ids(case, world)
    # The calls go straight to the WSGI app, where nothing undoes a Content-Encoding as an
    # HTTP client would: ask for the bodies as they are (stored answers come gzipped to
    # clients that take it; tests/test_published.py checks that).
    headers = {"Accept-Encoding": "identity"}
    if persona != "anonymous":
        headers["Authorization"] = f"Token {world['tokens'][persona]}"
    other = world["other_branch"].pk
    before_all, before_other = _fingerprint(), _fingerprint(other)

    excluded = list(HEURISTICS)
    if persona != "anonymous":
        # We send a real token; schemathesis' own guess at the cookie is then beside the
        # point. Anonymous calls keep the check: its made-up credentials must be refused.
        excluded.append(openapi_checks.ignored_auth)
    fmt = (case.query or {}).get("format")
    bad_format = (
        bool(case.query)
        and "format" in case.query
        and not (isinstance(fmt, str) and fmt in FORMATS | {""})
    )
    if bad_format:
        # DRF answers an unknown `?format=` with 404 before anything else (the format is
        # part of the resource's name, as in `/sites.AAA`); the schema cannot say so.
        excluded.append(openapi_checks.status_code_conformance)
    response = case.call_and_validate(headers=headers, excluded_checks=excluded)
    if bad_format:
        assert response.status_code == 404

    assert response.status_code < 500
    if persona == "anonymous":
        if _needs_account(case) and _resolves(case) and not bad_format:
            assert response.status_code in (401, 403), case.as_curl_command()
        assert _fingerprint() == before_all, f"anonymous changed data: {case.as_curl_command()}"
    elif persona == "volunteer":
        after = _fingerprint()
        for key in ("sites", "shifts", "corrections"):
            assert after[key] == before_all[key], f"volunteer changed {key}"
    elif persona == "coordinator":
        # A coordinator may claim a place anywhere, as any volunteer: sign-ups aside,
        # nothing of another branch changes.
        after_other = _fingerprint(other)
        for key in ("sites", "shifts", "corrections", "tallies"):
            assert after_other[key] == before_other[key], f"coordinator changed {key} elsewhere"


# One test per persona (schemathesis' lazy schema takes no parametrised fixture).


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_anonymous(case, api_world):
    check_call(case, "anonymous", api_world)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_volunteer(case, api_world):
    check_call(case, "volunteer", api_world)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_coordinator(case, api_world):
    check_call(case, "coordinator", api_world)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_organiser(case, api_world):
    check_call(case, "organiser", api_world)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_personal_data_export_and_erasure_by_persona(client, persona, api_world):
    """`/my/data.json` gives each persona their own data only; erasure needs an account
    and a POST with the confirmation, and then the token no longer opens the API."""
    from django.contrib.auth import get_user_model

    if persona == "anonymous":
        assert client.get("/my/data.json").status_code == 302
        assert client.post("/my/account/delete/").status_code == 302
        return
    user = Token.objects.get(key=api_world["tokens"][persona]).user
    client.force_login(user)
    export = client.get("/my/data.json")
    assert export.status_code == 200
    body = export.content.decode()
    assert user.email in body
    others = get_user_model().objects.exclude(pk=user.pk).exclude(email="")
    assert not any(other.email in body for other in others)

    client.get("/my/account/delete/")
    client.post("/my/account/delete/", {"confirm": "on", "password": "pw-for-tests-1"})
    user.refresh_from_db()
    assert not user.is_active and user.email.endswith("@anonymised.invalid")
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {api_world['tokens'][persona]}")
    assert me.status_code == 401


def test_every_route_of_the_api_is_in_the_schema():
    """Fuzzing covers only what the schema lists: no API route may be missing from it."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from drf_spectacular.generators import SchemaGenerator

    documented = set(SchemaGenerator().get_schema(request=None, public=True)["paths"])

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    def parameter(match) -> str:
        name = match.group(1)
        return "{id}" if name in {"pk", "id"} else "{" + name + "}"

    routes = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", parameter, route)
        for route in walk(get_resolver().url_patterns)
        if route.startswith("api/v1/")
    }
    assert routes - documented == set()
