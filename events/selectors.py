"""Reads used by several callers, each written once: which sites a person may see (and
how a page loads one for them), places on shifts, the shifts volunteers can claim, a
volunteer's sign-ups, rosters and waitlists."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from accounts.models import Volunteer
from accounts.roles import coordinated_branch_ids, is_organiser
from common import clock
from locations.models import Branch

from .models import AddressDisclosure, Event, Shift, Signup, Site, published_sites

CONFIRMED = Signup.Status.CONFIRMED
WAITLISTED = Signup.Status.WAITLISTED

# --- Who sees which site, and loading one for a person ----------------------------------


def visible_sites(user, prefix: str = "") -> Q:
    """The condition for sites `user` may see: published sites for everyone; a branch's
    own sites in any status for its coordinators; everything for organisers. `prefix`
    reaches the site through a relation (`"site__"`)."""
    if is_organiser(user):
        return Q()
    branch_ids = coordinated_branch_ids(user)
    if branch_ids:
        return published_sites(prefix) | Q(**{f"{prefix}branch_id__in": branch_ids})
    return published_sites(prefix)


def visibility_key(user) -> tuple:
    """What decides which sites `user` sees (`visible_sites`), as a key: viewers with the
    same key see the same sites, so figures built for one may be shown to the other."""
    if is_organiser(user):
        return ("all",)
    return ("published", *sorted(coordinated_branch_ids(user)))


def sites_visible_to(user) -> QuerySet[Site]:
    return Site.objects.filter(visible_sites(user))


def can_see(user, site: Site) -> bool:
    """`sites_visible_to` for a site in hand, without a query."""
    if site.is_public or is_organiser(user):
        return True
    return site.branch_id in coordinated_branch_ids(user)


def _load(user, obj, site: Site, permissions: tuple[str, ...]):
    if permissions and any(user.has_perm(permission, obj) for permission in permissions):
        return obj
    if not can_see(user, site):
        raise Http404
    if permissions:
        raise PermissionDenied
    return obj


def site_for(user, pk, *permissions: str, queryset: QuerySet[Site] | None = None) -> Site:
    """The site `pk` for `user`, by the one policy of every page and API view: 404 when
    the person may neither see it (it does not exist, or it is another branch's draft)
    nor act on it; 403 when they may see it but have none of `permissions` on it."""
    sites = queryset if queryset is not None else Site.objects.all()
    site = sites.select_related("event", "location", "branch").filter(pk=pk).first()
    if site is None:
        raise Http404
    return _load(user, site, site, permissions)


def shift_for(user, pk, *permissions: str, queryset: QuerySet[Shift] | None = None) -> Shift:
    """The shift `pk` for `user`, by the same policy as `site_for` (its site decides what
    the person may see; a cancelled shift is seen only by those who plan it)."""
    shifts = queryset if queryset is not None else Shift.objects.all()
    shift = (
        shifts.select_related("site__event", "site__location", "site__branch").filter(pk=pk).first()
    )
    if shift is None or (shift.is_cancelled and not user.has_perm("events.manage_shift", shift)):
        raise Http404
    return _load(user, shift, shift.site, permissions)


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


def sees_exact_location(user) -> Q | bool:
    """Who may see a site's exact position and street address, as a condition on `Site`
    rows: organisers (every site), the coordinators of the site's branch, and volunteers
    with a confirmed place there with whom its coordinators shared the address
    (`shared_address_sites`). Everyone sees it for sites that do not ask to be shown
    approximately. Answers `True` for organisers and `False` for anonymous users, so that
    callers can skip the condition."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_organiser(user):
        return True
    coordinated = Branch.coordinators.through.objects.filter(user_id=user.pk).values("branch_id")
    return Q(branch_id__in=coordinated) | Q(pk__in=shared_address_sites(user))


def shared_address_sites(user) -> QuerySet:
    """The ids of the sites whose exact address was shared with `user` as a volunteer with
    a confirmed place (a subquery)."""
    return (
        Signup.objects.confirmed()
        .filter(volunteer__user_id=user.pk, address_shared_at__isnull=False)
        .values("shift__site_id")
    )


def address_holders(site: Site) -> list[dict]:
    """Who has the exact address of `site` besides its coordinators and the organisers:
    each person with when it was shared with them (and by whom) and through which
    channels it reached them, first and last. For the site's roster."""
    holders: dict[int, dict] = {}
    shared = (
        Signup.objects.filter(shift__site=site, address_shared_at__isnull=False)
        .select_related("volunteer__user", "address_shared_by")
        .order_by("address_shared_at", "pk")
    )
    for signup in shared:
        user = signup.volunteer.user
        holders.setdefault(user.pk, {"user": user, "shared": signup, "channels": []})
    disclosures = (
        AddressDisclosure.objects.filter(site=site).select_related("user").order_by("first_at")
    )
    for disclosure in disclosures:
        entry = holders.setdefault(
            disclosure.user_id, {"user": disclosure.user, "shared": None, "channels": []}
        )
        entry["channels"].append(disclosure)
    return list(holders.values())


def shares_exact_place(signup: Signup) -> bool:
    """Whether the volunteer of `signup` may have its site's exact address: always, unless
    the site is shown approximately; then only with a confirmed place whose address the
    coordinators shared."""
    if not signup.shift.site.show_approximate_location:
        return True
    return signup.is_confirmed and signup.address_shared_at is not None


# --- Places on shifts --------------------------------------------------------------------


def shift_open_spots() -> Greatest:
    """For a `Shift` queryset: capacity minus confirmed sign-ups, never below zero (a
    capacity lowered below the confirmed count leaves no open spot, not a negative one).
    Read from the shift's stored count: no sign-ups are counted. Cancelled shifts are not
    excluded here; callers filter them."""
    return Greatest(F("capacity") - F("confirmed_count"), 0)


def _waitlisted() -> Coalesce:
    waiting = (
        Signup.objects.filter(shift=OuterRef("pk"), status=WAITLISTED)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), 0)


def shifts_with_counts(shifts: QuerySet[Shift], *, waitlisted: bool = True) -> QuerySet[Shift]:
    """Shifts annotated with `confirmed` and `open_spots`, from the count each shift stores
    (`Shift.confirmed_count`, kept by the sign-up services: no sign-up is read, so a list
    of any length costs one query), and `waitlisted`: a count of the shift's waitlist (one
    correlated subquery on the index of sign-ups by shift and status, for the rows shown
    only). Lists that do not show the waitlist pass `waitlisted=False`."""
    shifts = shifts.annotate(confirmed=F("confirmed_count"), open_spots=shift_open_spots())
    if waitlisted:
        shifts = shifts.annotate(waitlisted=_waitlisted())
    return shifts


def confirmed_count(shift: Shift) -> int:
    """The confirmed sign-ups of `shift`, counted afresh (the stored `confirmed_count`
    is what the services and lists use; this is the check of it)."""
    return Signup.objects.filter(shift=shift).confirmed().count()


def site_open_spots() -> Coalesce:
    """For a `Site` queryset: the open spots over the site's shifts that can still be
    claimed (not cancelled, not yet started), each shift counted as `shift_open_spots()`:
    "where can I still help?". One correlated subquery, so a list of any length costs no
    extra queries."""
    per_site = (
        Shift.objects.filter(site=OuterRef("pk"), is_cancelled=False, starts_at__gt=clock.now())
        .order_by()
        .values("site")
        .annotate(total=Sum(shift_open_spots()))
        .values("total")
    )
    return Coalesce(Subquery(per_site, output_field=IntegerField()), 0)


def open_shifts(
    *,
    event: Event | None = None,
    site: Site | None = None,
    site_ids: list[int] | None = None,
    date: datetime.date | None = None,
    only_free: bool = False,
    language: str = "",
) -> QuerySet[Shift]:
    """Shifts volunteers can claim: at public sites, not cancelled, not started; filtered
    by edition, site, sites (`site_ids`, e.g. those near a place:
    `events.search.site_ids_near`), day and a language the site needs."""
    shifts = Shift.objects.filter(
        is_cancelled=False,
        starts_at__gt=clock.now(),
    ).filter(published_sites("site__"))
    if event is not None:
        shifts = shifts.filter(site__event=event)
    if site is not None:
        shifts = shifts.filter(site=site)
    if site_ids is not None:
        shifts = shifts.filter(site_id__in=site_ids)
    if date is not None:
        shifts = shifts.filter(starts_at__date=date)
    if language:
        # The JSON list's text holds the code in quotes ('["ar", "ti"]'): one lookup that
        # SQLite and PostgreSQL both answer (JSON `contains` SQLite has not). Only codes
        # of LANGUAGE_CHOICES come here (the form), so no code is part of another.
        shifts = shifts.filter(site__languages_needed__icontains=f'"{language}"')
    shifts = shifts_with_counts(shifts, waitlisted=False)
    if only_free:
        shifts = shifts.filter(open_spots__gt=0)
    return shifts.select_related("site__event", "site__location").order_by(
        "starts_at", "site__location__city", "role", "id"
    )


def understaffed_shifts(
    user, *, event: Event | None = None, branch_id: int | None = None
) -> QuerySet[Shift]:
    """Coming, not cancelled shifts with free places of the published sites `user` plans
    (of one edition and one branch, when given). Drafts and sites waiting for review are
    left out: volunteers cannot claim their shifts yet."""
    shifts = Shift.objects.filter(
        site__in=sites_planned_by(user).filter(status=Site.Status.PUBLISHED),
        is_cancelled=False,
        starts_at__gt=clock.now(),
    )
    if event is not None:
        shifts = shifts.filter(site__event=event)
    if branch_id is not None:
        shifts = shifts.filter(site__branch_id=branch_id)
    return (
        shifts_with_counts(shifts)
        .filter(open_spots__gt=0)
        .select_related("site__event", "site__location", "site__branch")
        .order_by("starts_at", "site__location__city", "role", "id")
    )


# --- Sign-ups ----------------------------------------------------------------------------


def signups_of(volunteer: Volunteer) -> QuerySet[Signup]:
    """A volunteer's sign-ups with their shifts, sites and editions, soonest first."""
    return (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__site__event", "shift__site__location", "shift__site__branch")
        .order_by("shift__starts_at", "shift__id", "-created_at")
    )


def roster(site: Site) -> list[Shift]:
    """The site's shifts, each with `roster_signups`: its active sign-ups with the
    volunteers' names and contact details (for coordinators only), confirmed first, then
    the waitlist in its order."""
    shifts = list(shifts_with_counts(site.shifts.all()).order_by("starts_at", "role", "id"))
    signups = (
        Signup.objects.filter(shift__site=site)
        .active()
        .select_related("volunteer__user")
        .order_by("shift_id", *Signup.WAITLIST_ORDER)
    )
    by_shift: dict[int, list[Signup]] = {}
    for signup in signups:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    for shift in shifts:
        active = by_shift.get(shift.pk, [])
        shift.roster_signups = [s for s in active if s.is_confirmed] + [
            s for s in active if s.is_waitlisted
        ]
    return shifts


def waitlist_position(signup: Signup) -> int | None:
    """1 for the first waitlisted volunteer of the shift, and so on."""
    return waitlist_positions([signup]).get(signup.pk)


def waitlist_positions(signups: list[Signup]) -> dict[int, int]:
    """{signup id: place on its shift's waitlist (1 = first)} for the waitlisted ones,
    in one query."""
    shift_ids = {s.shift_id for s in signups if s.is_waitlisted}
    if not shift_ids:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    for signup_id, shift_id in (
        Signup.objects.filter(shift_id__in=shift_ids)
        .waitlist()
        .order_by("shift_id", *Signup.WAITLIST_ORDER)
        .values_list("id", "shift_id")
    ):
        counters[shift_id] = counters.get(shift_id, 0) + 1
        positions[signup_id] = counters[shift_id]
    wanted = {s.pk for s in signups}
    return {pk: place for pk, place in positions.items() if pk in wanted}
