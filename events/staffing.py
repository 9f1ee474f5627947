"""Places needed against places filled, per edition, branch and site. Cancelled sites
and cancelled shifts do not count."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from locations.models import Branch

from .models import Event, Shift, Site


def _subquery(queryset, aggregate) -> Coalesce:
    totals = queryset.order_by().values("site").annotate(total=aggregate).values("total")
    return Coalesce(Subquery(totals, output_field=IntegerField()), Value(0))


def with_staffing(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Annotate `places_needed` and `places_confirmed` (each one subquery over the site's
    shifts, no row blow-up; confirmed places are the shifts' stored counts, so no sign-up
    is read)."""
    shifts = Shift.objects.filter(site=OuterRef("pk"), is_cancelled=False)
    return sites.annotate(
        places_needed=_subquery(shifts, Sum("capacity")),
        places_confirmed=_subquery(shifts, Sum("confirmed_count")),
    )


def _percent_filled(confirmed: int, needed: int) -> int:
    """Confirmed places as a whole percentage of those needed; 100 when none are needed."""
    return 100 if not needed else round(100 * confirmed / needed)


@dataclass
class SiteStaffing:
    site: Site
    needed: int
    confirmed: int

    @property
    def open_places(self) -> int:
        return max(self.needed - self.confirmed, 0)

    @property
    def percent_filled(self) -> int:
        return _percent_filled(self.confirmed, self.needed)


class _SitesTotal:
    """The staffing of several sites (`self.sites`) added up, for a branch or an edition.

    Open places are added site by site, so that one site's extra volunteers never hide
    another site's gap."""

    sites: list[SiteStaffing]

    @property
    def needed(self) -> int:
        return sum(s.needed for s in self.sites)

    @property
    def confirmed(self) -> int:
        return sum(s.confirmed for s in self.sites)

    @property
    def open_places(self) -> int:
        return sum(s.open_places for s in self.sites)

    @property
    def percent_filled(self) -> int:
        return _percent_filled(self.confirmed, self.needed)


@dataclass
class BranchStaffing(_SitesTotal):
    branch: Branch
    sites: list[SiteStaffing] = field(default_factory=list)


@dataclass
class EditionStaffing(_SitesTotal):
    event: Event
    sites: list[SiteStaffing]
    branches: list[BranchStaffing]


def _shortest_first(item) -> tuple:
    """Sites (or branches) with no places planned at all come first: nobody can even sign
    up there yet. Then the most open places, then the lowest share filled."""
    return (item.needed > 0, -item.open_places, item.percent_filled)


def edition_staffing(event: Event, *, branch_ids: Iterable[int] | None = None) -> EditionStaffing:
    """Staffing of `event`'s sites that are not cancelled (of `branch_ids` only, if given),
    the sites and branches most short of volunteers first. Two queries."""
    # Only what the rows show, and no ORDER BY (they are sorted below): an edition has
    # thousands of sites, and loading whole rows took longer than the page's template.
    sites = (
        Site.objects.filter(event=event)
        .live()
        .select_related("location", "branch")
        .only("name", "status", "location__name", "branch__name")
        .order_by()
    )
    if branch_ids is not None:
        sites = sites.filter(branch_id__in=list(branch_ids))
    rows = [
        SiteStaffing(site=site, needed=site.places_needed, confirmed=site.places_confirmed)
        for site in with_staffing(sites)
    ]
    rows.sort(key=lambda row: (*_shortest_first(row), row.site.display_name))
    per_branch: dict[int, BranchStaffing] = {}
    for row in rows:
        per_branch.setdefault(row.site.branch_id, BranchStaffing(branch=row.site.branch))
        per_branch[row.site.branch_id].sites.append(row)
    branches = sorted(per_branch.values(), key=lambda row: (*_shortest_first(row), row.branch.name))
    return EditionStaffing(event=event, sites=rows, branches=branches)
