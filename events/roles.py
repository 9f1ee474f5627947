"""Roles that depend on a site, shift or sign-up, as `rules` predicates (the person-only
roles are in `accounts/roles.py`).

Predicates that take an object accept a branch, a site or a shift and answer for the
branch that runs it. Asked without an object, they answer no: a view that forgets the
object is refused, not let through.
"""

import datetime

import rules

from accounts.roles import coordinated_branch_ids, is_active_user
from common import clock
from locations.models import Branch

from .models import Shift, Signup, Site


def branch_id_of(obj) -> int | None:
    if isinstance(obj, Branch):
        return obj.pk
    if isinstance(obj, Site):
        return obj.branch_id
    if isinstance(obj, Shift):
        # `shift.site` is usually select_related; fall back to one query.
        return obj.site.branch_id
    return None


@rules.predicate
def is_branch_coordinator(user, obj) -> bool:
    """`user` coordinates the branch that runs `obj` (a branch, site or shift)."""
    branch_id = branch_id_of(obj)
    return branch_id is not None and branch_id in coordinated_branch_ids(user)


def site_days(site: Site) -> tuple[datetime.date, datetime.date]:
    """The first and last day of `site` in the app's time zone (Europe/Amsterdam)."""
    zone = clock.local_zone()
    return site.opens_at.astimezone(zone).date(), site.closes_at.astimezone(zone).date()


@rules.predicate
def has_confirmed_shift_at_site(user, site) -> bool:
    """A volunteer with a confirmed shift at `site` on the site's day, asked on any day
    (a phone that was offline delivers the day's taps later). Cached on the user object
    per site, like the person's roles (a request asks for counting and for seeing the
    counts)."""
    if not (is_active_user(user) and isinstance(site, Site)):
        return False
    cache = getattr(user, "_confirmed_shift_at_site", None)
    if cache is None:
        cache = user._confirmed_shift_at_site = {}
    if site.pk not in cache:
        first_day, last_day = site_days(site)
        cache[site.pk] = Shift.objects.filter(
            site=site,
            signups__volunteer__user=user,
            signups__status=Signup.Status.CONFIRMED,
            starts_at__date__lte=last_day,
            ends_at__date__gte=first_day,
        ).exists()
    return cache[site.pk]


@rules.predicate
def is_site_day(user, site) -> bool:
    """Today (`common.clock`, Europe/Amsterdam) is one of `site`'s days."""
    if not isinstance(site, Site):
        return False
    first_day, last_day = site_days(site)
    return first_day <= clock.today() <= last_day


# `has_confirmed_shift_at_site`, on the site's day.
has_confirmed_shift_at_site_today = is_site_day & has_confirmed_shift_at_site


@rules.predicate
def is_signup_owner(user, signup) -> bool:
    """`signup` is one of `user`'s own sign-ups."""
    return (
        is_active_user(user)
        and isinstance(signup, Signup)
        and Signup.objects.filter(pk=signup.pk, volunteer__user=user).exists()
    )


# A site lead's shift gives them the site's live state from this long before it starts
# until it ends (`events.services.day`).
SITE_LEAD_EARLY = datetime.timedelta(hours=1)


def leads_site_at(user, site, moment: datetime.datetime) -> bool:
    """`user` has a confirmed place on a site-lead shift (`Shift.Role.LEAD`, not cancelled)
    at `site` that is on at `moment`: from `SITE_LEAD_EARLY` before its start to its end."""
    if not (is_active_user(user) and isinstance(site, Site)):
        return False
    return Shift.objects.filter(
        site=site,
        role=Shift.Role.LEAD,
        is_cancelled=False,
        signups__volunteer__user=user,
        signups__status=Signup.Status.CONFIRMED,
        starts_at__lte=moment + SITE_LEAD_EARLY,
        ends_at__gt=moment,
    ).exists()


@rules.predicate
def is_site_lead_now(user, site) -> bool:
    """`leads_site_at` now (`common.clock`)."""
    return leads_site_at(user, site, clock.now())


def _places_at_site(user, site) -> frozenset[tuple[str, str]]:
    """The (role, status) of `user`'s active places on shifts (not cancelled) at `site`:
    one query per person and site, cached on the user object (a page asks for the host's
    conditions and for their contact person)."""
    cache = getattr(user, "_places_at_site", None)
    if cache is None:
        cache = user._places_at_site = {}
    if site.pk not in cache:
        cache[site.pk] = frozenset(
            Signup.objects.filter(
                shift__site=site,
                shift__is_cancelled=False,
                volunteer__user=user,
                status__in=Signup.ACTIVE_STATUSES,
            ).values_list("shift__role", "status")
        )
    return cache[site.pk]


@rules.predicate
def is_appointed_site_lead(user, site) -> bool:
    """`user` has a confirmed place on a site-lead shift (not cancelled) at `site`, at any
    time before or on the day (unlike `is_site_lead_now`)."""
    if not (is_active_user(user) and isinstance(site, Site)):
        return False
    return (Shift.Role.LEAD, Signup.Status.CONFIRMED) in _places_at_site(user, site)


@rules.predicate
def has_place_at_site(user, site) -> bool:
    """`user` has a confirmed or waitlisted place on a shift (not cancelled) at `site`."""
    if not (is_active_user(user) and isinstance(site, Site)):
        return False
    return bool(_places_at_site(user, site))
