"""Checking in under concurrency, on the database the suite runs on: a double tap, the QR
code and the coordinator's button at the same moment make one row and no error. The
control test takes away the transaction and the shift's lock: then the same taps collide
(the database's one-row-per-sign-up constraint refuses all but one, as errors)."""

import contextlib
import threading

import pytest
import time_machine
from django.db import IntegrityError

from events import locking
from events.models import Attendance
from events.services import attendance
from tests.conftest import on_event_day
from tests.events.test_signup_race import run_together
from tests.factories import make_signup, make_volunteer

pytestmark = pytest.mark.django_db(transaction=True)

TAPS = 12


def test_simultaneous_check_ins_make_one_row(site, shift, coordinator):
    signup = make_signup(shift, make_volunteer())
    user = signup.volunteer.user
    with time_machine.travel(on_event_day(10, 45), tick=False):
        code = attendance.check_in_code_for(site, day=on_event_day(0).date(), by=coordinator)

        def tap(index: int):
            if index % 3 == 0:
                return attendance.check_in_with_code(token=code.token, user=user)
            if index % 3 == 1:
                return attendance.check_in(
                    signup=signup, by=coordinator, method=Attendance.Method.COORDINATOR
                )
            return attendance.check_in(signup=signup, by=user, method=Attendance.Method.SELF)

        results = run_together(tap, list(range(TAPS)))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Attendance.objects.filter(signup=signup).count() == 1


def test_control_without_the_lock_the_taps_collide(shift, monkeypatch):
    signup = make_signup(shift, make_volunteer())
    user = signup.volunteer.user
    read = threading.Barrier(TAPS)

    def row_of_unlocked(found):
        row = Attendance.objects.filter(signup=found).first()
        read.wait(timeout=60)  # every tap reads before any writes
        return row

    monkeypatch.setattr(locking, "write_transaction", contextlib.nullcontext)
    monkeypatch.setattr(
        locking,
        "lock_shift",
        lambda pk: type(shift).objects.select_related("site__event").get(pk=pk),
    )
    monkeypatch.setattr(attendance, "row_of", row_of_unlocked)
    with time_machine.travel(on_event_day(10, 45), tick=False):
        results = run_together(
            lambda _i: attendance.check_in(signup=signup, by=user, method="self"),
            list(range(TAPS)),
        )
    collided = [r for r in results if isinstance(r, IntegrityError)]
    assert len(collided) == TAPS - 1  # the race is real; only the constraint held
    assert Attendance.objects.filter(signup=signup).count() == 1
