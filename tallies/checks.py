"""A start-up check: the hourly totals (`TallyHour`) take an entry's hour in UTC, which is
its local hour only where the time zone is a whole number of hours from UTC, as
Europe/Amsterdam always is (+1 in winter, +2 in summer). A deployment set to another zone
is told at start-up rather than shown figures per hour that are off."""

import datetime

from django.conf import settings
from django.core import checks

from common import clock


@checks.register()
def whole_hour_time_zone(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    zone = clock.local_zone()
    year = clock.today().year
    offsets = {
        datetime.datetime(year + y, month, 15, 12, tzinfo=zone).utcoffset()
        for y in range(2)
        for month in range(1, 13)
    }
    if all(offset.total_seconds() % 3600 == 0 for offset in offsets if offset is not None):
        return []
    return [
        checks.Error(
            f"TIME_ZONE {settings.TIME_ZONE!r} is not a whole number of hours from UTC: the "
            "hourly tally totals would put entries in the wrong local hour.",
            id="tallies.E001",
        )
    ]
