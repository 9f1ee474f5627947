"""The figures of a whole edition: national totals, per site, per branch and per hour.

Used by the live dashboard, its JSON, the CSV exports and the impact report, so that
they always agree. Every figure is a sum of tally entries, corrections included, read from
the hourly totals kept beside the entries (`TallyHour`): an edition's figures cost a few
queries over its tens of thousands of hourly rows, never a scan of its entries.

The sites taking part are the approved ones, and any other (not cancelled) site where
something was counted (counted before this rule, or sent back after its day) that the
viewer may see (`events.selectors.visible_sites`): another branch's draft never shows,
nor do its counts in the totals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from common import clock
from events.models import Event, Site
from events.selectors import visible_sites

from .categories import category_name, counted_at
from .models import TallyHour
from .selectors import hour_range, utc


@dataclass
class SiteFigures:
    """A site in an edition's figures: what the dashboard, its exports and the report
    show of it (plain values, not the models: an edition has thousands of sites)."""

    site_id: int
    name: str
    town: str
    branch: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    approximate: bool  # `Site.show_approximate_location`
    latitude: float | None
    longitude: float | None
    province: str  # `locations.Province` code, "" when not known
    totals: dict[str, int]

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
    # The categories that count towards "people reached" (`Category.reached`).
    reached_categories: tuple[str, ...] = ()

    def label(self, category: str) -> str:
        """The category's name in the active language."""
        return category_name(self.event.kind_id, category)

    @property
    def reached(self) -> int:
        """People reached: the sum of the categories that count towards it."""
        return sum(self.totals.get(category, 0) for category in self.reached_categories)

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
            name = row.branch
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
        editions.filter(kind_id=event.kind_id, date__lt=event.date)
        .exclude(pk=event.pk)
        .order_by("-date", "-pk")
        .first()
    )


def sites_taking_part(event: Event, viewer) -> QuerySet[Site]:
    """The sites of `event` in its figures for `viewer` (see the module docstring): the
    approved ones, and any other (not cancelled) site with counts, that they may see."""
    counted = TallyHour.objects.filter(site=OuterRef("pk"))
    return (
        Site.objects.filter(event=event)
        .filter(Q(status=Site.Status.PUBLISHED) | Exists(counted))
        .filter(visible_sites(viewer))
        .exclude(status=Site.Status.CANCELLED)
    )


# What the figures show of a site, its place and its branch, in the order of
# `SiteFigures` (no other column is loaded: an edition has thousands of sites).
SITE_VALUES = (
    "id",
    "name",
    "location__name",
    "location__city",
    "branch__name",
    "opens_at",
    "closes_at",
    "show_approximate_location",
    "location__latitude",
    "location__longitude",
    "location__province",
)


def _as_datetime(value) -> datetime.datetime:
    """A datetime from a hand-written query: aware on PostgreSQL, UTC text on SQLite."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value


def _edition_sums(taking_part: QuerySet[Site], categories: tuple[str, ...]):
    """Per site and category (total, entries, corrections), and per hour and category the
    total, of the sites `taking_part`: one pass over their hourly totals (GROUPING SETS;
    on SQLite, which has none, two)."""
    sites_sql, sites_params = taking_part.values("pk").query.sql_with_params()
    in_categories = ", ".join(["%s"] * len(categories))
    rows_sql = (
        f"FROM {TallyHour._meta.db_table} WHERE category IN ({in_categories}) "
        f"AND site_id IN ({sites_sql})"
    )
    params = [*categories, *sites_params]
    if connection.vendor == "postgresql":
        sql = (
            "SELECT site_id, hour, category, SUM(total), SUM(entries), SUM(corrections) "
            f"{rows_sql} GROUP BY GROUPING SETS ((site_id, category), (hour, category))"
        )
    else:
        sql = (
            "SELECT site_id, NULL, category, SUM(total), SUM(entries), SUM(corrections) "
            f"{rows_sql} GROUP BY site_id, category UNION ALL "
            f"SELECT NULL, hour, category, SUM(total), 0, 0 {rows_sql} GROUP BY hour, category"
        )
        params *= 2
    per_site: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(categories, 0))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_hour: dict[datetime.datetime, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(categories, 0)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for site_id, hour, category, total, entries, corrections in cursor.fetchall():
            if site_id is not None:
                per_site[site_id][category] = int(total)
                counts[site_id][0] += int(entries)
                counts[site_id][1] += int(corrections)
            else:
                per_hour[utc(_as_datetime(hour))][category] = int(total)
    return per_site, counts, per_hour


def edition_figures(event: Event, *, viewer) -> EditionFigures:
    """All figures of `event` as `viewer` may see them, in two queries: the sites taking
    part, and their sums per site and per hour."""
    counted = counted_at(event)
    categories = tuple(c.slug for c in counted)
    taking_part = sites_taking_part(event, viewer)
    sites = taking_part.values_list(*SITE_VALUES)
    per_site, counts, hour_sums = _edition_sums(taking_part, categories)
    site_rows = []
    totals = dict.fromkeys(categories, 0)
    for pk, name, place, *values in sites:
        row = SiteFigures(
            pk, name or place, *values, dict(per_site.get(pk) or dict.fromkeys(categories, 0))
        )
        site_rows.append(row)
        for category, total in row.totals.items():
            totals[category] += total
    site_rows.sort(key=lambda r: (-r.headline, r.name))
    # Sums of the sites shown (a site that left the figures between the two queries, by
    # a change just then, is in neither).
    shown = {row.site_id for row in site_rows}
    entry_count = sum(n for pk, (n, _) in counts.items() if pk in shown)
    correction_count = sum(n for pk, (_, n) in counts.items() if pk in shown)

    hours: list[tuple[datetime.datetime, dict[str, int]]] = []
    if hour_sums or site_rows:
        opening = [row.opens_at for row in site_rows]
        closing = [row.closes_at - datetime.timedelta(microseconds=1) for row in site_rows]
        first, last = min([*opening, *hour_sums]), max([*closing, *hour_sums])
        hours = [
            (hour, dict(hour_sums.get(utc(hour), dict.fromkeys(categories, 0))))
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
        reached_categories=tuple(c.slug for c in counted if c.reached),
    )


def site_hour_rows(
    event: Event, *, viewer
) -> tuple[dict[int, Site], list[tuple[datetime.datetime, int, tuple[int, ...]]]]:
    """The sites of `event` in its figures for `viewer` (with their locations), and for
    every hour with entries at one of them (hour, site id, sums in the order of the
    categories), in order of hour and site. Two queries."""
    categories = tuple(c.slug for c in counted_at(event))
    taking_part = sites_taking_part(event, viewer)
    sites = {
        site.pk: site
        for site in taking_part.select_related("location").only("id", "name", "location__name")
    }
    sums = {
        f"total_{index}": Coalesce(Sum("total", filter=Q(category=category)), 0)
        for index, category in enumerate(categories)
    }
    rows = (
        TallyHour.objects.filter(site__in=taking_part.values("pk"), category__in=categories)
        .values_list("hour", "site_id")
        .annotate(**sums)
        .order_by("hour", "site_id")
    )
    # A site that left the figures between the two queries (cancelled just then) is left
    # out of this answer too.
    return sites, [
        (hour, site_id, tuple(counts)) for hour, site_id, *counts in rows if site_id in sites
    ]


def change_ratio(current: int, previous: int) -> float | None:
    """Relative change from `previous` to `current` (0.25 is 25% more); None from zero."""
    if not previous:
        return None
    return (current - previous) / previous


def _change(current: int, previous: int | None, *, started: bool = True) -> dict:
    # Before the day there is nothing to compare yet: "-100%" would only alarm people.
    ratio = None if previous is None or not started else change_ratio(current, previous)
    change = None if ratio is None else round(ratio * 100)
    return {
        "current": current,
        "previous": previous,
        "change": change,
        "change_signed": None if change is None else f"{change:+d}",
    }


def comparison(figures: EditionFigures, previous: EditionFigures | None) -> list[dict]:
    """Per category, and for the number of sites counting: this edition, the previous
    one and the change in percent (None without a previous figure above zero, and before
    the edition's day). What the dashboard, the impact report and the public results
    show."""
    started = figures.event.date <= clock.today()
    rows = [
        {
            "label": figures.label(category),
            **_change(
                figures.totals[category],
                previous.totals.get(category, 0) if previous else None,
                started=started,
            ),
        }
        for category in figures.categories
    ]
    if len(figures.reached_categories) > 1:
        # Only when it adds to the rows above: the sum of the people counted.
        rows.append(
            {
                "label": _("people reached"),
                **_change(
                    figures.reached,
                    previous.reached if previous else None,
                    started=started,
                ),
            }
        )
    rows.append(
        {
            "label": _("sites counting"),
            **_change(
                figures.sites_counting,
                previous.sites_counting if previous else None,
                started=started,
            ),
        }
    )
    return rows
