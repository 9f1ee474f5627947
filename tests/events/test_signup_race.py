"""The claiming rule under concurrency, on the database the suite runs on.

Threads start together behind a barrier and each uses its own database connection.
The control test removes the guard (the conditional UPDATE of the shift's stored counts),
the volunteer's lock and the transaction through the service's seams, and shows that the
same check then fails: the shift overbooks.
"""

import contextlib
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.db.models import F

from events import locking, selectors, services
from events.errors import ShiftOverlap
from events.models import Shift, Signup
from events.services import signups
from tests.conftest import on_event_day
from tests.factories import make_shift, make_volunteers

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 32
CAPACITY = 5
ROUNDS = 3


def run_together(work, items, *, timeout: float = 120) -> list:
    """Run `work(item)` for every item, each in its own thread, started at once.
    Returns the results in order; an exception raised by `work` is returned as is."""
    barrier = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def worker(index: int, item) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = work(item)
        except Exception as error:  # the caller inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def claim_all_at_once(shift, people) -> list:
    return run_together(
        lambda person: services.signup_create(shift=shift, volunteer=person), people
    )


def assert_never_overbooked(shift, claims: int) -> None:
    counts = {
        status: shift.signups.filter(status=status).count()
        for status in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED)
    }
    assert counts[Signup.Status.CONFIRMED] == shift.capacity, counts
    assert counts[Signup.Status.WAITLISTED] == claims - shift.capacity, counts
    # The count the shift stores (what lists show and claims decide on) agrees.
    shift.refresh_from_db()
    assert shift.confirmed_count == counts[Signup.Status.CONFIRMED]


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_many_simultaneous_claims_never_overbook(site, round_number):
    shift = make_shift(site, capacity=CAPACITY)
    people = make_volunteers(THREADS)
    results = claim_all_at_once(shift, people)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sorted(r.status for r in results).count("confirmed") == CAPACITY
    assert_never_overbooked(shift, THREADS)
    # The waitlist has one clear order: positions 1..27, each once.
    waitlisted = Signup.objects.filter(shift=shift, status="waitlisted")
    assert sorted(selectors.waitlist_position(s) for s in waitlisted) == list(
        range(1, THREADS - CAPACITY + 1)
    )


def test_control_without_the_guard_the_shift_does_overbook(site, monkeypatch):
    """Bypass the transaction, the volunteer's lock and the conditional UPDATE: each
    claimer reads the shift's count and then writes its place, as a check-then-write
    would. Every claimer reads before anyone writes (a barrier makes that certain), so
    all of them see free places."""
    shift = make_shift(site, capacity=CAPACITY)
    people = make_volunteers(THREADS)
    counted = threading.Barrier(THREADS)

    def take_place_unguarded(planned, now):
        current = Shift.objects.get(pk=planned.pk)
        counted.wait(timeout=60)
        if current.confirmed_count < current.capacity:
            Shift.objects.filter(pk=planned.pk).update(confirmed_count=F("confirmed_count") + 1)
            return Signup.Status.CONFIRMED
        return Signup.Status.WAITLISTED

    monkeypatch.setattr(locking, "write_transaction", contextlib.nullcontext)
    monkeypatch.setattr(locking, "lock_volunteers", lambda ids: None)
    monkeypatch.setattr(signups, "take_place", take_place_unguarded)

    results = claim_all_at_once(shift, people)
    assert [r for r in results if isinstance(r, Exception)] == []
    confirmed = shift.signups.filter(status="confirmed").count()
    assert confirmed > CAPACITY  # overbooked: the race is real
    with pytest.raises(AssertionError):
        assert_never_overbooked(shift, THREADS)


def test_simultaneous_releases_promote_exactly_one_waitlisted_per_freed_place(site):
    shift = make_shift(site, capacity=CAPACITY)
    holders = make_volunteers(CAPACITY)
    waiting = make_volunteers(10)
    for person in holders + waiting:
        services.signup_create(shift=shift, volunteer=person)
    mail.outbox.clear()

    results = run_together(
        lambda person: services.signup_release(shift=shift, volunteer=person), holders
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    confirmed = set(shift.signups.filter(status="confirmed").values_list("volunteer_id", flat=True))
    still_waiting = set(
        shift.signups.filter(status="waitlisted").values_list("volunteer_id", flat=True)
    )
    # The first five on the waitlist moved up, in order; the other five still wait.
    assert confirmed == {person.pk for person in waiting[:CAPACITY]}
    assert still_waiting == {person.pk for person in waiting[CAPACITY:]}
    # Each promoted volunteer got exactly one e-mail, and each who released one.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.user.email for p in waiting[:CAPACITY] + holders
    )


def test_releases_and_new_claims_at_once_keep_the_waitlist_order(site):
    shift = make_shift(site, capacity=CAPACITY)
    holders = make_volunteers(CAPACITY)
    waiting = make_volunteers(CAPACITY)
    newcomers = make_volunteers(15)
    for person in holders + waiting:
        services.signup_create(shift=shift, volunteer=person)

    def act(item):
        action, person = item
        if action == "release":
            return services.signup_release(shift=shift, volunteer=person)
        return services.signup_create(shift=shift, volunteer=person)

    items = [("release", p) for p in holders] + [("claim", p) for p in newcomers]
    results = run_together(act, items)
    assert [r for r in results if isinstance(r, Exception)] == []
    confirmed = set(shift.signups.filter(status="confirmed").values_list("volunteer_id", flat=True))
    # A freed place goes to the waitlist in the same transaction: newcomers never jump it.
    assert confirmed == {person.pk for person in waiting}
    assert shift.signups.filter(status="waitlisted").count() == len(newcomers)


def test_promotion_and_a_claim_of_an_overlapping_shift_never_give_two_places(site):
    """Waitlisted volunteers claim an overlapping shift while a place on the first frees
    up. The release locks their rows before promoting, so each either moves up or gets
    the other shift, never both."""
    first = make_shift(site, capacity=1, starts_in_hours=72)
    overlapping = make_shift(site, capacity=20, starts_in_hours=73)
    holder, *waiting = make_volunteers(11)
    for person in [holder, *waiting]:
        services.signup_create(shift=first, volunteer=person)

    def act(item):
        if item is holder:
            return services.signup_release(shift=first, volunteer=holder)
        return services.signup_create(shift=overlapping, volunteer=item)

    results = run_together(act, [holder, *waiting])
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ShiftOverlap)
    ]
    assert unexpected == []
    on_first = set(first.signups.filter(status="confirmed").values_list("volunteer_id", flat=True))
    on_other = set(
        overlapping.signups.filter(status="confirmed").values_list("volunteer_id", flat=True)
    )
    assert on_first & on_other == set()
    refused = sum(isinstance(r, ShiftOverlap) for r in results)
    # Whoever moved up on the first shift was refused the overlapping one, and only they.
    assert refused == len(on_first) <= 1
    assert len(on_other) == len(waiting) - refused


def test_the_same_series_sent_at_once_makes_each_shift_once(site):
    """A coordinator on a slow connection taps "add shifts" again, or two coordinators
    plan the same pattern: each slot and role exists once afterwards."""
    senders = 6

    def plan(_):
        return services.shift_create_series(
            site=site,
            starts_at=on_event_day(10),
            ends_at=on_event_day(16),
            slot_minutes=120,
            roles=["reception", "tour_guide"],
            capacity=3,
        )

    results = run_together(plan, range(senders))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(len(created) for created, _ in results) == [0] * (senders - 1) + [6]
    assert sorted(skipped for _, skipped in results) == [0] + [6] * (senders - 1)
    slots = list(site.shifts.values_list("role", "starts_at"))
    assert len(slots) == len(set(slots)) == 6


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL row locks (SQLite queues whole transactions)",
)
def test_editing_a_shift_while_its_site_is_cancelled_does_not_deadlock(
    site, organiser, monkeypatch
):
    """Cancelling locks the site and then its shifts; editing a shift must lock only the
    shift, or the two wait for each other ("deadlock detected", shown as a 503). Both
    take their first lock before either goes on (a barrier makes that certain)."""
    from events.services import shifts as shift_services
    from events.services import workflow

    shift = make_shift(site, capacity=2)
    (person,) = make_volunteers(1)
    services.signup_create(shift=shift, volunteer=person)
    both_hold = threading.Barrier(2)
    real_refuse = workflow.refuse_closed_edition

    # Each service checks the edition right after taking its first lock (the shift; the
    # site): wait there until the other holds its own.
    def refuse_when_both_hold(event):
        both_hold.wait(timeout=30)
        return real_refuse(event)

    monkeypatch.setattr(shift_services, "refuse_closed_edition", refuse_when_both_hold)
    monkeypatch.setattr(workflow, "refuse_closed_edition", refuse_when_both_hold)

    def work(which):
        if which == "edit":
            return services.shift_update(shift=shift, notes="Ingang aan de achterkant")
        return services.site_cancel(site=site, by=organiser)

    results = run_together(work, ["edit", "cancel"], timeout=90)
    assert [r for r in results if isinstance(r, Exception)] == []
    shift.refresh_from_db()
    assert shift.is_cancelled and shift.notes == "Ingang aan de achterkant"
