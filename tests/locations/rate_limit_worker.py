"""Worker processes of test_rate_limit.py, started with "spawn": a fresh interpreter that
sets Django up on the test database (a forked copy of the test process would inherit its
threads, such as the browser tests' Playwright driver, and may hang)."""

import os


def _setup(database: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict.update(database)


def shared_limit(database, barrier, results, interval, calls):
    _setup(database)
    from django.db import connections

    from tests.locations.fakes import fake_provider

    provider = fake_provider("fake-nominatim", {}, min_interval=interval, max_wait=60)
    barrier.wait()
    for number in range(calls):
        provider.lookup(f"query {number}")
    results.put(provider.geocoder.called_at)
    connections.close_all()


def per_process_limit(database, barrier, results, interval, calls):
    _setup(database)
    from geopy.extra.rate_limiter import RateLimiter

    from tests.locations.fakes import FakeGeocoder

    geocoder = FakeGeocoder({})
    limited = RateLimiter(geocoder.geocode, min_delay_seconds=interval)
    barrier.wait()
    for number in range(calls):
        limited(f"query {number}")
    results.put(geocoder.called_at)
