"""Sites whose day is today (so that real "now" is on the day), and counting personas."""

import datetime
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Volunteer
from events.models import Event, Shift, Signup, Site
from locations.models import Location
from tallies.summary import NewEntry, store_entries
from tests.conftest import AMSTERDAM, make_user
from tests.factories import make_signup


def today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        timezone.localdate(), datetime.time(hour, minute), tzinfo=AMSTERDAM
    )


def tap(category="visitors", delta=1, recorded_at=None, client_id=None) -> dict:
    """One entry as the counter page sends it."""
    return {
        "id": str(client_id or uuid.uuid4()),
        "category": category,
        "delta": delta,
        "recorded_at": (recorded_at or timezone.now()).isoformat(),
    }


def store_entry(
    site, category="visitors", delta=1, recorded_at=None, *, correction=False, by=None
) -> uuid.UUID:
    """An entry stored as the tally service stores it (the entry with the summaries beside
    it), without a tap's rules: counts stored before a rule existed (at a draft), or set
    out for a test (a past edition, a correction of any size)."""
    client_id = uuid.uuid4()
    with transaction.atomic():
        store_entries(
            site_id=site.pk,
            entries=[
                NewEntry(
                    client_id,
                    category,
                    delta,
                    recorded_at or site.opens_at,
                    correction,
                    "turflijst" if correction else "",
                )
            ],
            received_at=timezone.now(),
            by_id=by.pk if by is not None else None,
            device_id="",
            sync_id=uuid.uuid4(),
        )
    return client_id


def make_today_event() -> Event:
    return Event.objects.create(
        name="Open azc dag vandaag",
        slug="open-azc-dag-vandaag",
        kind_id="open_day",
        date=timezone.localdate(),
        is_published=True,
    )


def make_site(event, location, branch, days_ago: int = 0) -> Site:
    """A published site open 10:00–17:00, today or `days_ago` days before."""
    shift = datetime.timedelta(days=days_ago)
    return Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=today_at(10) - shift,
        closes_at=today_at(17) - shift,
        status=Site.Status.PUBLISHED,
    )


@pytest.fixture
def today_event(db):
    return make_today_event()


@pytest.fixture
def today_site(today_event, location, branch):
    return make_site(today_event, location, branch)


@pytest.fixture
def other_today_site(today_event, other_branch):
    location = Location.objects.create(
        name="azc Zwolle", kind=Location.Kind.AZC, city="Zwolle", latitude=52.51, longitude=6.09
    )
    return Site.objects.create(
        event=today_event,
        location=location,
        branch=other_branch,
        opens_at=today_at(10),
        closes_at=today_at(17),
        status=Site.Status.PUBLISHED,
    )


def confirm_shift(user, site, status=Signup.Status.CONFIRMED) -> Signup:
    shift = Shift.objects.create(
        site=site,
        role=Shift.Role.COUNTING,
        starts_at=site.opens_at,
        ends_at=site.opens_at + datetime.timedelta(hours=3),
        capacity=2,
    )
    volunteer, _ = Volunteer.objects.get_or_create(user=user)
    return make_signup(shift=shift, volunteer=volunteer, status=status)


@pytest.fixture
def counting_volunteer(volunteer, today_site):
    """The volunteer persona with a confirmed counting shift at today's site."""
    confirm_shift(volunteer, today_site)
    return volunteer


@pytest.fixture
def counting_client(client, counting_volunteer):
    client.force_login(counting_volunteer)
    return client


@pytest.fixture
def stranger(django_user_model):
    """A signed-in volunteer without any shift."""
    return make_user(django_user_model, "stranger@example.org")


@pytest.fixture
def yesterday_site(today_site):
    """Today's site moved to yesterday: every time of its day is in the past."""
    today_site.opens_at -= datetime.timedelta(days=1)
    today_site.closes_at -= datetime.timedelta(days=1)
    today_site.save()
    return today_site


def yesterday_at(hour: int, minute: int = 0) -> datetime.datetime:
    return today_at(hour, minute) - datetime.timedelta(days=1)
