"""Places needed against places filled, per edition, branch and site, and the languages a
site needs that no confirmed volunteer of a shift speaks. Cancelled sites and cancelled
shifts do not count."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from common.languages import language_names
from locations.models import Branch

from .models import Event, Shift, Signup, Site


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


def uncovered_languages(shifts: Iterable[Shift]) -> dict[int, list[str]]:
    """For each shift whose site needs languages (`Site.languages_needed`): the needed
    language codes that none of the shift's confirmed volunteers speaks, in the site's
    order. Shifts of sites that need no language are left out. One query; each shift's
    `site` must be loaded."""
    needing = {
        shift.pk: [code for code in shift.site.languages_needed or [] if code]
        for shift in shifts
        if shift.site.languages_needed
    }
    if not needing:
        return {}
    spoken: dict[int, set[str]] = defaultdict(set)
    # The languages a volunteer speaks, and their own language: a helper who joined in
    # Arabic speaks Arabic, whether or not they listed it.
    confirmed = Signup.objects.filter(
        shift_id__in=list(needing), status=Signup.Status.CONFIRMED
    ).values_list("shift_id", "volunteer__languages", "volunteer__user__language")
    for shift_id, languages, own in confirmed:
        spoken[shift_id].update(languages or [])
        if own:
            spoken[shift_id].add(own)
    return {
        pk: [code for code in needed if code not in spoken[pk]] for pk, needed in needing.items()
    }


def sites_uncovered_languages(site_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per site: the needed languages that at least one of its live shifts has no
    confirmed speaker for. Two queries (none for no sites)."""
    site_ids = list(site_ids)
    if not site_ids:
        return {}
    shifts = list(
        Shift.objects.filter(site_id__in=list(site_ids), is_cancelled=False)
        .exclude(site__languages_needed=[])
        .select_related("site")
        .only("site__languages_needed")
    )
    by_site: dict[int, list[str]] = {}
    gaps = uncovered_languages(shifts)
    for shift in shifts:
        for code in gaps.get(shift.pk, []):
            by_site.setdefault(shift.site_id, [])
            if code not in by_site[shift.site_id]:
                by_site[shift.site_id].append(code)
    return by_site


def _percent_filled(confirmed: int, needed: int) -> int:
    """Confirmed places as a whole percentage of those needed; 100 when none are needed."""
    return 100 if not needed else round(100 * confirmed / needed)


@dataclass
class SiteStaffing:
    site: Site
    needed: int
    confirmed: int
    # Names of the languages the site needs that a shift has no confirmed speaker for.
    languages_uncovered: list[str] = field(default_factory=list)

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
        .only("name", "status", "languages_needed", "location__name", "branch__name")
        .order_by()
    )
    if branch_ids is not None:
        sites = sites.filter(branch_id__in=list(branch_ids))
    rows = [
        SiteStaffing(site=site, needed=site.places_needed, confirmed=site.places_confirmed)
        for site in with_staffing(sites)
    ]
    # Two more queries when some sites need languages; none when no site does.
    gaps = sites_uncovered_languages(row.site.pk for row in rows if row.site.languages_needed)
    for row in rows:
        row.languages_uncovered = language_names(gaps.get(row.site.pk, []))
    rows.sort(key=lambda row: (*_shortest_first(row), row.site.display_name))
    per_branch: dict[int, BranchStaffing] = {}
    for row in rows:
        per_branch.setdefault(row.site.branch_id, BranchStaffing(branch=row.site.branch))
        per_branch[row.site.branch_id].sites.append(row)
    branches = sorted(per_branch.values(), key=lambda row: (*_shortest_first(row), row.branch.name))
    return EditionStaffing(event=event, sites=rows, branches=branches)
