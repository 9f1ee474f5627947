"""The app's one clock. Services, selectors and views ask it for the time; nothing else
reads the system clock.

`now()` is an aware UTC datetime, `today()` the date in the app's time zone
(Europe/Amsterdam), which is what "the edition's day has passed" is measured in. The test
suite moves this clock with time-machine (see tests/conftest.py and `TEST_CLOCK`): the
same suite passes in any year.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate(now(), timezone=local_zone())


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def at_local(date: datetime.date, time: datetime.time) -> datetime.datetime:
    """A wall-clock time on a date in the app's time zone."""
    return datetime.datetime.combine(date, time, tzinfo=local_zone())
