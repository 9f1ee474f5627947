"""Reads of the counts: what is counted at a site, when a tap may have happened and until
when counting is open, totals per category and per hour (from the hourly totals kept
beside the entries, `TallyHour`: never a sum over the entries themselves)."""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, Min, OuterRef, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.roles import is_active_user
from common import clock
from events.models import Shift, Signup, Site
from events.roles import site_days
from events.selectors import site_for
from locations.models import Branch

from .categories import category_slugs
from .models import TallyHour, TallyRefusal

# A tap may lie this long before the site's first day or after its last.
DAY_MARGIN = datetime.timedelta(hours=6)


def site_for_counting(user, pk, *permissions: str) -> Site:
    """`events.selectors.site_for` (404 when `user` may not see the site, 403 when they may
    not act on it) for the counter and the tally API, in one query: the site comes with
    what the counting rules ask about the person (`tallies.rules`): whether they
    coordinate its branch, and whether they have a confirmed shift there on its day. So
    deciding whether someone may count costs no query of its own, on a path taken for
    every tap. The answers are the same as those of `events.roles.is_branch_coordinator`
    and `has_confirmed_shift_at_site` (tested side by side)."""
    sites = Site.objects.all()
    if is_active_user(user):
        zone = local_zone()
        confirmed_here = (
            Shift.objects.filter(
                site=OuterRef("pk"),
                signups__volunteer__user_id=user.pk,
                signups__status=Signup.Status.CONFIRMED,
            )
            .annotate(
                first_day=TruncDate("starts_at", tzinfo=zone),
                last_day=TruncDate("ends_at", tzinfo=zone),
            )
            .filter(
                first_day__lte=OuterRef("counting_last_day"),
                last_day__gte=OuterRef("counting_first_day"),
            )
        )
        coordinates = Branch.coordinators.through.objects.filter(
            branch_id=OuterRef("branch_id"), user_id=user.pk
        )
        sites = sites.annotate(
            counting_first_day=TruncDate("opens_at", tzinfo=zone),
            counting_last_day=TruncDate("closes_at", tzinfo=zone),
        ).annotate(
            counting_viewer_id=Value(user.pk),
            counting_viewer_coordinates=Exists(coordinates),
            counting_viewer_has_shift=Exists(confirmed_here),
        )
    return site_for(user, pk, *permissions, queryset=sites)


def known_about_viewer(user, site, question: str) -> bool | None:
    """What `site_for_counting` found out about `user` at `site` (`"coordinates"` or
    `"has_shift"`), or None when the site was loaded otherwise, or for someone else."""
    viewer_id = getattr(site, "counting_viewer_id", None)
    if viewer_id is None or viewer_id != getattr(user, "pk", None):
        return None
    return getattr(site, f"counting_viewer_{question}")


def categories_for(site: Site) -> tuple[str, ...]:
    """The codes of the categories counted at the site now (`tallies.categories`)."""
    return category_slugs(site.event.kind_id)


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


def counting_closes_at(site: Site) -> datetime.datetime:
    """When counting at `site` closes: `TALLY_CLOSES_AFTER_DAYS` days after the end of
    its (last) day in Amsterdam. Taps arriving later are refused, and only organisers
    still correct the figures."""
    return counting_closes_after(site_days(site)[1])


def counting_closes_after(last_day: datetime.date) -> datetime.datetime:
    """When counting closes at a site whose (last) day is `last_day`."""
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
        TallyHour.objects.filter(site=site)
        .values_list("category")
        .annotate(total=Sum("total"))
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
        # Step in UTC, so that a day with a clock change still gets every hour once
        # (the night the clocks go back has two hours called 02:00).
        hour = (hour.astimezone(datetime.UTC) + datetime.timedelta(hours=1)).astimezone(zone)


def utc(moment: datetime.datetime) -> datetime.datetime:
    """`moment` in UTC: the key of an hour in a dict of hours (an hour in local time
    compares and hashes by its wall clock, which repeats once a year)."""
    return moment.astimezone(datetime.UTC)


def tally_figures(site: Site) -> tuple[dict[str, int], list[dict]]:
    """The site's totals per category (`tally_totals`) and, per local hour
    (Europe/Amsterdam), the sum per category: every hour from the site's opening to its
    closing, widened to include hours with entries outside them. One query."""
    categories = categories_for(site)
    totals = dict.fromkeys(categories, 0)
    sums: dict[datetime.datetime, dict[str, int]] = {}
    rows = TallyHour.objects.filter(site=site).values_list("hour", "category", "total")
    for hour, category, total in rows.order_by():
        sums.setdefault(utc(hour), {})[category] = total
        totals[category] = totals.get(category, 0) + total
    first = min([site.opens_at, *sums])
    last = max([site.closes_at - datetime.timedelta(microseconds=1), *sums])
    hours = [
        {"hour": hour, **{c: sums.get(utc(hour), {}).get(c, 0) for c in categories}}
        for hour in hour_range(first, last)
    ]
    return totals, hours


def tally_hours(site: Site) -> list[dict]:
    """Per local hour (Europe/Amsterdam), the sum per category: every hour from the site's
    opening to its closing, widened to include hours with entries outside them."""
    return tally_figures(site)[1]


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
