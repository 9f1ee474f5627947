"""The figures of a whole edition: national totals, per site, per branch and per hour.

Used by the live dashboard, its JSON, the CSV exports and the impact report, so that
they always agree. Every figure is a sum of tally entries, corrections included.

The sites taking part are the approved ones, and any other (not cancelled) site where
something was counted (counted before this rule, or sent back after its day) that the
viewer may see (`events.selectors.visible_sites`): another branch's draft never shows,
nor do its counts in the totals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncHour

from events.models import Event, Site
from events.selectors import visible_sites

from .models import TallyEntry
from .selectors import CATEGORIES_BY_KIND, hour_range, local_zone


@dataclass
class SiteFigures:
    site: Site
    totals: dict[str, int]
    last_recorded_at: datetime.datetime | None = None

    @property
    def headline(self) -> int:
        return next(iter(self.totals.values()), 0)


@dataclass
class BranchFigures:
    name: str
    sites: int = 0
    sites_counting: int = 0
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class EditionFigures:
    event: Event
    categories: tuple[str, ...]
    totals: dict[str, int]
    sites: list[SiteFigures]
    hours: list[tuple[datetime.datetime, dict[str, int]]]
    entries: int = 0
    corrections: int = 0

    @property
    def headline_category(self) -> str:
        return self.categories[0]

    @property
    def headline(self) -> int:
        return self.totals[self.headline_category]

    @property
    def sites_counting(self) -> int:
        return sum(1 for row in self.sites if any(row.totals.values()))

    def branches(self) -> list[BranchFigures]:
        by_branch: dict[str, BranchFigures] = {}
        for row in self.sites:
            name = row.site.branch.name
            branch = by_branch.setdefault(
                name, BranchFigures(name=name, totals=dict.fromkeys(self.categories, 0))
            )
            branch.sites += 1
            branch.sites_counting += any(row.totals.values())
            for category, total in row.totals.items():
                branch.totals[category] += total
        return sorted(
            by_branch.values(),
            key=lambda b: (-b.totals[self.headline_category], b.name),
        )

    def hour_of_day(self) -> dict[int, int]:
        """The headline category per local hour of the day (0–23)."""
        result: dict[int, int] = defaultdict(int)
        for hour, counts in self.hours:
            result[hour.hour] += counts.get(self.headline_category, 0)
        return dict(result)


def previous_edition(event: Event, among=None) -> Event | None:
    """The latest earlier edition of the same kind (of the editions `among`, default
    all)."""
    editions = among if among is not None else Event.objects.all()
    return (
        editions.filter(kind=event.kind, date__lt=event.date)
        .exclude(pk=event.pk)
        .order_by("-date", "-pk")
        .first()
    )


def _sites_taking_part(event: Event, viewer, counted: set[int]):
    """The sites of `event` in its figures for `viewer` (see the module docstring)."""
    return (
        Site.objects.filter(event=event)
        .filter(Q(status=Site.Status.PUBLISHED) | Q(pk__in=sorted(counted)))
        .filter(visible_sites(viewer))
        .exclude(status=Site.Status.CANCELLED)
    )


def edition_figures(event: Event, *, viewer) -> EditionFigures:
    """All figures of `event` as `viewer` may see them, in four queries."""
    categories = CATEGORIES_BY_KIND[event.kind]
    entries = TallyEntry.objects.filter(site__event=event)

    per_site: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(categories, 0))
    last_at: dict[int, datetime.datetime] = {}
    # Per site: (entries, corrections).
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        entries.values_list("site_id", "category", "is_correction")
        .annotate(total=Sum("delta"), last=Max("recorded_at"), n=Count("id"))
        .order_by()
    )
    for site_id, category, is_correction, total, last, n in rows:
        if category in categories:
            per_site[site_id][category] += total
        last_at[site_id] = max(last, last_at.get(site_id, last))
        counts[site_id][0] += n
        if is_correction:
            counts[site_id][1] += n

    sites = _sites_taking_part(event, viewer, set(counts)).select_related("location", "branch")
    site_rows = [
        SiteFigures(
            site=site,
            totals=dict(per_site[site.pk]) if site.pk in per_site else dict.fromkeys(categories, 0),
            last_recorded_at=last_at.get(site.pk),
        )
        for site in sites
    ]
    site_rows.sort(key=lambda r: (-r.headline, r.site.display_name))

    totals = dict.fromkeys(categories, 0)
    for row in site_rows:
        for category, total in row.totals.items():
            totals[category] += total

    included = [row.site.pk for row in site_rows]
    entry_count = sum(counts[pk][0] for pk in included if pk in counts)
    correction_count = sum(counts[pk][1] for pk in included if pk in counts)

    zone = local_zone()
    hour_sums: dict[datetime.datetime, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(categories, 0)
    )
    hour_rows = (
        entries.filter(site_id__in=included, category__in=categories)
        .annotate(hour=TruncHour("recorded_at", tzinfo=zone))
        .values_list("hour", "category")
        .annotate(total=Sum("delta"))
        .order_by("hour")
    )
    for hour, category, total in hour_rows:
        hour_sums[hour][category] += total
    hours: list[tuple[datetime.datetime, dict[str, int]]] = []
    if hour_sums or site_rows:
        opening = [row.site.opens_at for row in site_rows]
        closing = [row.site.closes_at - datetime.timedelta(microseconds=1) for row in site_rows]
        first, last = min([*opening, *hour_sums]), max([*closing, *hour_sums])
        hours = [
            (hour, dict(hour_sums.get(hour, dict.fromkeys(categories, 0))))
            for hour in hour_range(first, last)
        ]
    return EditionFigures(
        event=event,
        categories=categories,
        totals=totals,
        sites=site_rows,
        hours=hours,
        entries=entry_count,
        corrections=correction_count,
    )


def site_hour_rows(
    event: Event, site_ids: list[int]
) -> list[tuple[datetime.datetime, int, dict[str, int]]]:
    """(local hour, site id, sums per category) for every hour with entries at the sites
    `site_ids` of `event` (those of its `edition_figures`), in order."""
    categories = CATEGORIES_BY_KIND[event.kind]
    rows = (
        TallyEntry.objects.filter(site__event=event, site_id__in=site_ids, category__in=categories)
        .annotate(hour=TruncHour("recorded_at", tzinfo=local_zone()))
        .values_list("hour", "site_id", "category")
        .annotate(total=Sum("delta"))
        .order_by("hour", "site_id")
    )
    result: dict[tuple[datetime.datetime, int], dict[str, int]] = {}
    for hour, site_id, category, total in rows:
        result.setdefault((hour, site_id), dict.fromkeys(categories, 0))[category] = total
    return [(hour, site_id, counts) for (hour, site_id), counts in result.items()]


def change_ratio(current: int, previous: int) -> float | None:
    """Relative change from `previous` to `current` (0.25 is 25% more); None from zero."""
    if not previous:
        return None
    return (current - previous) / previous
