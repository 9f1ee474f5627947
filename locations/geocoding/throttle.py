"""A rate limit that holds across processes and servers: one row per provider in the database.

geopy's `RateLimiter` spaces calls within one process only; with several workers (and a
management command running beside them) Nominatim would see more than one request per
second. Here each caller reserves the next free slot in a short transaction
(`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers),
commits, and only then sleeps until its slot: no lock is held while waiting or while the
request runs. A caller whose slot lies further away than `max_wait` gives up at once and
reserves nothing, so the chain can fall through to the next provider.

Clocks: the slots are wall-clock times of the app servers; keep them in sync (NTP).
"""

import datetime
import time

from django.db import transaction

from common import clock

from ..models import GeocoderThrottle
from .errors import ProviderError

_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class RateLimitWaitTooLong(ProviderError):
    pass


def reserve_slot(*, provider: str, interval: float, max_wait: float) -> float:
    """Reserve the next request slot of `provider`; return how many seconds to wait for it.

    Raises `RateLimitWaitTooLong` (reserving nothing) when that is more than `max_wait`.
    """
    with transaction.atomic():
        throttle, _ = GeocoderThrottle.objects.select_for_update().get_or_create(
            provider=provider, defaults={"next_request_at": _EPOCH}
        )
        now = clock.now()
        slot = max(now, throttle.next_request_at)
        wait = (slot - now).total_seconds()
        if wait > max_wait:
            raise RateLimitWaitTooLong(
                f"rate limit: the next free moment is {wait:.0f} s away (more than {max_wait:g} s)"
            )
        throttle.next_request_at = slot + datetime.timedelta(seconds=interval)
        throttle.save(update_fields=["next_request_at"])
    return wait


def wait_for_slot(*, provider: str, interval: float, max_wait: float) -> float:
    """Reserve a slot and sleep until it; return the seconds slept."""
    wait = reserve_slot(provider=provider, interval=interval, max_wait=max_wait)
    if wait > 0:
        time.sleep(wait)
    return wait
