"""Nominatim's one request per second holds across processes, not just within one.

Two real processes (each a fresh interpreter with its own database connection) ask a fake provider
four times each, both starting at the same moment. With the shared limit, no two requests
are closer than the interval. The control runs the same with geopy's `RateLimiter`, which
holds within a process only: there the two processes' requests come closer together.
"""

import datetime
import itertools
import multiprocessing
import time

import pytest
from django.db import connections
from django.utils import timezone

from locations.geocoding import geocode
from locations.geocoding.throttle import RateLimitWaitTooLong, reserve_slot
from locations.models import GeocoderThrottle

from . import rate_limit_worker
from .fakes import fake_provider

INTERVAL = 1.0
CALLS_PER_PROCESS = 4
# Sleeping can only make a gap longer; this allows for the few milliseconds between a
# process taking its slot and the request leaving it, on a busy machine.
SLACK = 0.2


def _run_two(target) -> list[float]:
    context = multiprocessing.get_context("spawn")
    database = {"NAME": connections["default"].settings_dict["NAME"]}
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(
            target=target, args=(database, barrier, results, INTERVAL, CALLS_PER_PROCESS)
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    try:
        stamps = []
        for _ in processes:
            stamps.extend(results.get(timeout=120))
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert [process.exitcode for process in processes] == [0, 0]
    return sorted(stamps)


def _gaps(stamps: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(stamps)]


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_request_per_second():
    stamps = _run_two(rate_limit_worker.shared_limit)
    assert len(stamps) == 2 * CALLS_PER_PROCESS
    assert min(_gaps(stamps)) >= INTERVAL - SLACK


@pytest.mark.django_db(transaction=True)
def test_control_a_per_process_limiter_lets_two_processes_exceed_the_limit():
    stamps = _run_two(rate_limit_worker.per_process_limit)
    # Each process spaces its own calls by a second; started together, the two sets of
    # calls interleave, so some pair of calls is at most half a second apart.
    assert min(_gaps(stamps)) < INTERVAL - SLACK


def test_a_slot_too_far_away_is_refused_at_once_and_reserves_nothing(db):
    far = timezone.now() + datetime.timedelta(seconds=60)
    GeocoderThrottle.objects.create(provider="fake-nominatim", next_request_at=far)
    started = time.monotonic()
    with pytest.raises(RateLimitWaitTooLong):
        reserve_slot(provider="fake-nominatim", interval=1, max_wait=2)
    assert time.monotonic() - started < 2
    assert GeocoderThrottle.objects.get().next_request_at == far


def test_a_provider_waiting_too_long_falls_through_to_the_next(db):
    GeocoderThrottle.objects.create(
        provider="nominatim", next_request_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    busy = fake_provider("nominatim", {"Utrecht": (52.09, 5.12)}, min_interval=1, max_wait=1)
    offline = fake_provider("offline", {"Utrecht": (52.09083, 5.12222)})
    result = geocode("Utrecht", providers=[busy, offline])
    assert result.source == "offline"
    assert busy.geocoder.calls == []
    assert "rate limit" in result.failures[0].reason


def test_consecutive_slots_are_spaced_by_the_interval(db):
    first = reserve_slot(provider="p", interval=1.5, max_wait=10)
    second = reserve_slot(provider="p", interval=1.5, max_wait=10)
    third = reserve_slot(provider="p", interval=1.5, max_wait=10)
    assert first == 0
    assert second == pytest.approx(1.5, abs=0.2)
    assert third == pytest.approx(3.0, abs=0.2)
