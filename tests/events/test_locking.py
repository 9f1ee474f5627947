"""Row locks (events/locking.py): a lock held too long by another transaction becomes a
clear answer ("busy, try again": 503 with the code `busy`), not a request that hangs, and
nothing is stored. PostgreSQL only: SQLite has no row locks (its writers queue for the
whole database, with their own busy timeout)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

from events import services
from events.errors import Busy
from events.models import Shift, Signup
from tests.factories import make_shift

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL row locks (SQLite queues whole transactions)",
    ),
]


def test_every_connection_has_a_lock_timeout(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "15s"


class RowHeld:
    """Another transaction holds the shift's row until the block ends."""

    def __init__(self, shift: Shift) -> None:
        self.shift = shift
        self.held = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        try:
            with transaction.atomic():
                list(Shift.objects.select_for_update().filter(pk=self.shift.pk))
                self.held.set()
                self.done.wait(timeout=30)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(timeout=30)


@pytest.fixture
def short_lock_timeout(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@pytest.mark.django_db(transaction=True)
def test_a_row_held_too_long_is_busy_and_stores_nothing(site, profile, short_lock_timeout):
    shift = make_shift(site)
    with RowHeld(shift):
        started = time.monotonic()
        with pytest.raises(Busy):
            services.signup_create(shift=shift, volunteer=profile)
        assert time.monotonic() - started < 5
    assert not Signup.objects.exists()
    # Once the row is free, the same claim goes through.
    assert services.signup_create(shift=shift, volunteer=profile).is_confirmed


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_busy_with_503(site, volunteer, short_lock_timeout):
    shift = make_shift(site)
    client = APIClient()
    client.force_authenticate(volunteer)
    with RowHeld(shift):
        response = client.post(f"/api/v1/shifts/{shift.pk}/claim/")
    assert response.status_code == 503
    assert response.json()["code"] == "busy"
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER)
    assert not Signup.objects.exists()
