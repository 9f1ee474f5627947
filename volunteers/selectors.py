"""Reads used by several pages and the API: open shifts, a volunteer's sign-ups, rosters."""

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from events.models import Event, Shift, Site

from .models import Signup, Volunteer
from .roles import coordinated_branch_ids, is_organiser

CONFIRMED = Signup.Status.CONFIRMED
WAITLISTED = Signup.Status.WAITLISTED


def with_counts(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Adds `confirmed_count` and `waitlisted_count` to each shift."""
    return shifts.annotate(
        confirmed_count=Count("signups", filter=Q(signups__status=CONFIRMED), distinct=True),
        waitlisted_count=Count("signups", filter=Q(signups__status=WAITLISTED), distinct=True),
    )


def open_shifts(
    *,
    event: Event | None = None,
    site: Site | None = None,
    town: str = "",
    date: datetime.date | None = None,
    only_free: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Shift]:
    """Shifts volunteers can claim: at published sites of published editions, not
    cancelled, not started; filtered by edition, site, town (part of the name) and day."""
    shifts = Shift.objects.filter(
        is_cancelled=False,
        starts_at__gt=now or timezone.now(),
        site__status=Site.Status.PUBLISHED,
        site__event__is_published=True,
    )
    if event is not None:
        shifts = shifts.filter(site__event=event)
    if site is not None:
        shifts = shifts.filter(site=site)
    if town:
        shifts = shifts.filter(site__location__city__icontains=town.strip())
    if date is not None:
        shifts = shifts.filter(starts_at__date=date)
    shifts = with_counts(shifts)
    if only_free:
        # Free places exist when fewer volunteers are confirmed than there are places.
        shifts = shifts.filter(confirmed_count__lt=F("capacity"))
    return shifts.select_related("site__event", "site__location").order_by(
        "starts_at", "site__location__city", "role", "id"
    )


def signups_of(volunteer: Volunteer) -> QuerySet[Signup]:
    """A volunteer's sign-ups with their shifts, sites and editions, soonest first."""
    return (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__site__event", "shift__site__location", "shift__site__branch")
        .order_by("shift__starts_at", "shift__id", "-created_at")
    )


def sites_planned_by(user) -> QuerySet[Site]:
    """The sites whose shifts `user` plans: all for organisers, their branches' for
    coordinators, none for others."""
    sites = Site.objects.select_related("event", "location", "branch")
    if is_organiser(user):
        return sites
    branch_ids = coordinated_branch_ids(user)
    if not branch_ids:
        return sites.none()
    return sites.filter(branch_id__in=branch_ids)


def understaffed_shifts(user, *, event: Event | None = None, now=None) -> QuerySet[Shift]:
    """Coming, not cancelled shifts of the sites `user` plans with free places."""
    shifts = Shift.objects.filter(
        site__in=sites_planned_by(user).exclude(status=Site.Status.CANCELLED),
        is_cancelled=False,
        starts_at__gt=now or timezone.now(),
    )
    if event is not None:
        shifts = shifts.filter(site__event=event)
    return (
        with_counts(shifts)
        .filter(confirmed_count__lt=F("capacity"))
        .select_related("site__event", "site__location", "site__branch")
        .order_by("starts_at", "site__location__city", "role", "id")
    )


def roster(site: Site) -> list[Shift]:
    """The site's shifts, each with `roster_signups`: its active sign-ups with the
    volunteers' names and contact details (for coordinators only)."""
    shifts = list(with_counts(site.shifts.all()).order_by("starts_at", "role", "id"))
    signups = (
        Signup.objects.filter(shift__site=site, status__in=[CONFIRMED, WAITLISTED])
        .select_related("volunteer__user")
        .order_by("shift_id", "-status", "created_at", "id")
    )
    by_shift: dict[int, list[Signup]] = {}
    for signup in signups:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    for shift in shifts:
        # Confirmed first, then the waitlist in its order.
        active = by_shift.get(shift.pk, [])
        shift.roster_signups = [s for s in active if s.status == CONFIRMED] + [
            s for s in active if s.status == WAITLISTED
        ]
    return shifts


def waitlist_positions(signups: list[Signup]) -> dict[int, int]:
    """{signup id: place on its shift's waitlist (1 = first)} for the waitlisted ones,
    in one query."""
    shift_ids = {s.shift_id for s in signups if s.status == WAITLISTED}
    if not shift_ids:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    for signup_id, shift_id in (
        Signup.objects.filter(shift_id__in=shift_ids, status=WAITLISTED)
        .order_by("shift_id", "created_at", "id")
        .values_list("id", "shift_id")
    ):
        counters[shift_id] = counters.get(shift_id, 0) + 1
        positions[signup_id] = counters[shift_id]
    wanted = {s.pk for s in signups}
    return {pk: place for pk, place in positions.items() if pk in wanted}
