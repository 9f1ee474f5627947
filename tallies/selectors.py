"""Reads of the counts: what is counted at a site, when a tap may have happened and until
when counting is open, totals per category and per hour."""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Min, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from common import clock
from events.models import Event, Site

from .models import TallyEntry, TallyRefusal

Category = TallyEntry.Category

# What is counted at each kind of event; the first is the headline figure.
CATEGORIES_BY_KIND: dict[str, tuple[str, ...]] = {
    Event.Kind.OPEN_DAY: (Category.VISITORS, Category.CHILDREN),
    Event.Kind.COFFEE: (Category.COFFEES, Category.CONVERSATIONS),
}

# A tap may lie this long before the site's first day or after its last.
DAY_MARGIN = datetime.timedelta(hours=6)


def categories_for(site: Site) -> tuple[str, ...]:
    return CATEGORIES_BY_KIND[site.event.kind]


def local_zone() -> ZoneInfo:
    return clock.local_zone()


def tally_window(site: Site) -> tuple[datetime.datetime, datetime.datetime]:
    """The times a tap at `site` may carry: the site's day(s) in Amsterdam, widened by
    `DAY_MARGIN` on both sides."""
    zone = local_zone()
    first_day, last_day = site_days(site)
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start - DAY_MARGIN, end + DAY_MARGIN


def site_days(site: Site) -> tuple[datetime.date, datetime.date]:
    """The first and last day of `site` in Amsterdam (the same day for most sites)."""
    zone = local_zone()
    return (
        timezone.localtime(site.opens_at, zone).date(),
        timezone.localtime(site.closes_at, zone).date(),
    )


def counting_closes_at(site: Site) -> datetime.datetime:
    """When counting at `site` closes: `TALLY_CLOSES_AFTER_DAYS` days after the end of
    its (last) day in Amsterdam. Taps arriving later are refused, and only organisers
    still correct the figures."""
    last_day = site_days(site)[1]
    days = settings.TALLY_CLOSES_AFTER_DAYS + 1
    return datetime.datetime.combine(
        last_day + datetime.timedelta(days=days), datetime.time.min, tzinfo=local_zone()
    )


def counting_is_open(site: Site, now: datetime.datetime | None = None) -> bool:
    return (now or clock.now()) < counting_closes_at(site)


def tally_totals(site: Site) -> dict[str, int]:
    """The site's total per category of its kind of event (zero when nothing counted)."""
    totals = dict.fromkeys(categories_for(site), 0)
    rows = (
        TallyEntry.objects.filter(site=site)
        .values_list("category")
        .annotate(total=Sum("delta"))
        .order_by()
    )
    for category, total in rows:
        totals[category] = total
    return totals


def hour_range(first: datetime.datetime, last: datetime.datetime) -> Iterable[datetime.datetime]:
    """Every whole local hour from `first` to `last` (both truncated to the hour)."""
    zone = local_zone()
    hour = timezone.localtime(first, zone).replace(minute=0, second=0, microsecond=0)
    end = timezone.localtime(last, zone)
    while hour <= end:
        yield hour
        # Step in UTC so that a day with a clock change still gets every hour once.
        hour = timezone.localtime(hour + datetime.timedelta(hours=1), zone)


def tally_hours(site: Site) -> list[dict]:
    """Per local hour (Europe/Amsterdam), the sum per category: every hour from the site's
    opening to its closing, widened to include hours with entries outside them."""
    zone = local_zone()
    categories = categories_for(site)
    rows = (
        TallyEntry.objects.filter(site=site)
        .annotate(hour=TruncHour("recorded_at", tzinfo=zone))
        .values_list("hour", "category")
        .annotate(total=Sum("delta"))
        .order_by("hour")
    )
    sums: dict[datetime.datetime, dict[str, int]] = {}
    for hour, category, total in rows:
        sums.setdefault(hour, {})[category] = total
    first = min([site.opens_at, *sums])
    last = max([site.closes_at - datetime.timedelta(microseconds=1), *sums])
    return [
        {"hour": hour, **{c: sums.get(hour, {}).get(c, 0) for c in categories}}
        for hour in hour_range(first, last)
    ]


def tally_refusals(site: Site) -> list[dict]:
    """The taps refused at `site`, summed per reason, person and device, latest first:
    `code`, `recorded_by` (a user or None), `device_id`, `taps`, `counted` (what they
    would have added), `first` and `last` (received)."""
    rows = list(
        TallyRefusal.objects.filter(site=site)
        .values("code", "recorded_by", "device_id")
        .annotate(
            taps=Sum("taps"),
            counted=Sum("counted"),
            first=Min("received_at"),
            last=Max("received_at"),
        )
        .order_by("-last", "code")
    )
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(pk__in={r["recorded_by"] for r in rows})
    }
    for row in rows:
        row["recorded_by"] = users.get(row["recorded_by"])
    return rows
