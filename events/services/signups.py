"""The sign-up rules: claiming and releasing places.

- a verified, active account (or a helper without a log-in, `accounts.roles.
  may_claim_places`) claims a place on a shift of a public site (published, of a
  published edition) before the shift starts. The edition's registration window is for
  branches registering sites, not for volunteers: claims stay open until the shift starts;
- when the shift is full the claim succeeds with status `waitlisted`;
- a volunteer never holds two confirmed shifts that overlap in time (a claim that would
  overlap is refused, also for the waitlist; a waitlisted volunteer who meanwhile took an
  overlapping shift is passed over when a place frees up, and stays on the waitlist);
- a site-lead shift (`Shift.Role.LEAD`: its volunteer sets the site's live state on the
  day) is never claimed by the volunteer themselves: a coordinator of the site's branch
  or an organiser appoints its volunteer (`signup_create(appointed_by=...)`,
  `lead_appoint`);
- a confirmed place can be released until `Event.release_deadline_hours` before the start;
  a waitlisted one at any time. A freed place goes to the first waitlisted volunteer
  (`Signup.WAITLIST_ORDER`), who is told by e-mail.

Concurrency: each change runs in one transaction and takes its locks in the global order
of `events/locking.py` (volunteers, then the shift). A shift stores its number of
confirmed places (`Shift.confirmed_count`); every change of a sign-up to or from
`confirmed` changes it in the same transaction, under the shift's lock. A claim takes
its place with one conditional UPDATE of that count (`take_place`): the UPDATE is the
shift's lock, the check and the count at once, held for that statement, the sign-up's
INSERT and the commit only. A claim on a full shift joins the waitlist under a shared
lock on the shift, so such claims do not wait for each other, while a release or a
change of places (which lock the shift alone) waits for them, and they for it.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import TypeVar

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone

from accounts.models import User, Volunteer
from accounts.roles import may_claim_places
from accounts.services import volunteer_get_or_create
from common import clock, published

from .. import locking, notifications
from ..errors import (
    AlreadySignedUp,
    EmailNotVerified,
    LeadAppointedOnly,
    LeadShiftFull,
    NotLeadShift,
    NotSignedUp,
    NoVolunteerWithAddress,
    ReleaseDeadlinePassed,
    ShiftCancelled,
    ShiftOverlap,
    ShiftStarted,
    SignupClosed,
    SiteNotOpen,
)
from ..models import Shift, Signup, Site

CONFIRMED = Signup.Status.CONFIRMED
WAITLISTED = Signup.Status.WAITLISTED
CANCELLED = Signup.Status.CANCELLED

# How often a change is tried again when someone joined the waitlist between reading it
# and locking it (see `fill_places`). One retry nearly always suffices.
_ATTEMPTS = 5

T = TypeVar("T")


class WaitlistChanged(Exception):
    """Someone joined the waitlist after we locked its volunteers: start again."""


def retrying(change: Callable[[], T]) -> T:
    """Run `change` (one transaction) again when the waitlist moved under it."""
    for _attempt in range(_ATTEMPTS - 1):
        try:
            return change()
        except WaitlistChanged:
            continue
    return change()


# --- Reads ----------------------------------------------------------------------------------


def describe(shift: Shift) -> str:
    """ "Reception, zaterdag 25 september 2027 11:00–13:30, azc Utrecht", for messages."""
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return "{role}, {day} {start}–{end}, {site}".format(
        role=shift.get_role_display(),
        day=formats.date_format(start, "l j F Y"),
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
        site=shift.site.display_name,
    )


def _overlapping(shift: Shift) -> Q:
    """The condition on a volunteer's sign-ups for a confirmed place on another live shift
    overlapping `shift` in time (the overlap rule)."""
    return (
        Q(
            status=CONFIRMED,
            shift__is_cancelled=False,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        & ~Q(shift=shift)
        & ~Q(shift__site__status=Site.Status.CANCELLED)
    )


def _overlapping_confirmed(volunteer_id: int, shift: Shift) -> Signup | None:
    """A confirmed sign-up of the volunteer for another live shift overlapping `shift`."""
    return (
        Signup.objects.filter(_overlapping(shift), volunteer_id=volunteer_id)
        .select_related("shift__site__location")
        .first()
    )


def waitlisted_volunteer_ids(shift_pk: int) -> set[int]:
    return set(
        Signup.objects.filter(shift_id=shift_pk).waitlist().values_list("volunteer_id", flat=True)
    )


def release_deadline(shift: Shift) -> datetime.datetime:
    """Until when a confirmed place on `shift` can be released."""
    return shift.starts_at - datetime.timedelta(hours=shift.site.event.release_deadline_hours)


def can_release(signup: Signup, now: datetime.datetime | None = None) -> bool:
    """Whether the volunteer may still release `signup` (for showing a button)."""
    if signup.is_waitlisted:
        return True
    if not signup.is_confirmed:
        return False
    return (now or clock.now()) < release_deadline(signup.shift)


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j b H:i")


def check_open_for_claims(shift: Shift, now: datetime.datetime | None = None) -> None:
    """Raise the `SignupClosed` that a claim on `shift` would get now for its state
    (cancelled, site not open, started); pages and appeals ask it before offering it."""
    site = shift.site
    if shift.is_cancelled or site.is_cancelled:
        raise ShiftCancelled()
    if not site.is_public:
        raise SiteNotOpen()
    if shift.starts_at <= (now or clock.now()):
        raise ShiftStarted()


# The volunteer's active sign-ups (on the index of sign-ups by volunteer and status).
_ACTIVE_OF_VOLUNTEER = (
    "SELECT shift_id, status FROM events_signup WHERE volunteer_id = %s AND status IN (%s, %s)"
)


def _refuse_taken_or_overlapping(volunteer_id: int, shift: Shift) -> None:
    """`AlreadySignedUp` when the volunteer has a place on `shift`; `ShiftOverlap` when
    they hold a confirmed place on another shift at the same time. One query on the
    volunteer's own active sign-ups when they hold no other confirmed place (a claim's
    usual case; in SQL, as it runs for every claim); the overlap rule's query only when
    they do."""
    with connection.cursor() as cursor:
        cursor.execute(_ACTIVE_OF_VOLUNTEER, [volunteer_id, CONFIRMED.value, WAITLISTED.value])
        active = dict(cursor.fetchall())
    if shift.pk in active:
        raise AlreadySignedUp()
    if CONFIRMED in active.values():
        other = _overlapping_confirmed(volunteer_id, shift)
        if other is not None:
            raise ShiftOverlap(other=describe(other.shift))


# --- The stored counts ----------------------------------------------------------------------


def _count(shift: Shift, confirmed: int) -> None:
    """Change the stored confirmed count of `shift` (whose lock we hold) by `confirmed`,
    in the database and in hand."""
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + confirmed)
    shift.confirmed_count += confirmed
    published.changed(published.SITES)  # open places show on the map


# A claim's two statements (`take_place`), one per outcome. Both require the shift to be
# as the claim checked it: not cancelled, of the same role (a site-lead shift is appointed
# only), at the same times, not started, its site public.
# The condition on the count is on the shift's row itself, so PostgreSQL checks it again
# on the row as it is once the lock is granted (a condition in a subquery would see the
# row as it was before).
_AS_CHECKED = (
    "id = %s AND NOT is_cancelled AND role = %s AND starts_at = %s AND ends_at = %s"
    " AND starts_at > %s"
    " AND EXISTS (SELECT 1 FROM events_site s JOIN events_event e ON e.id = s.event_id"
    " WHERE s.id = events_shift.site_id AND s.status = %s AND e.is_published)"
)
# Constant text (no value is formatted into it: the values are parameters).
_CONFIRM = (
    "UPDATE events_shift SET confirmed_count = confirmed_count + 1"  # noqa: S608
    f" WHERE confirmed_count < capacity AND {_AS_CHECKED}"
)
_WAITLIST = (
    "SELECT 1 FROM events_shift WHERE confirmed_count >= capacity AND "  # noqa: S608
    + _AS_CHECKED
)

_INSERT_SIGNUP = (
    "INSERT INTO events_signup (shift_id, volunteer_id, status, created_at, updated_at,"
    " confirmed_at) VALUES (%s, %s, %s, %s, %s, %s)"
)


def take_place(shift: Shift, now: datetime.datetime) -> str | None:
    """Take a place on `shift` for a claim: a confirmed one while places are free, else one
    on the waitlist. Returns the sign-up's status; the caller inserts the sign-up.

    A confirmed place is taken by a conditional UPDATE of the shift's confirmed count
    (`confirmed_count < capacity`): it waits for the shift's row lock and keeps it until
    the commit, and its condition is checked on the row as it is once the lock is granted,
    so no two claims take the same place. A waitlist place is taken under a shared lock
    on the shift (`FOR SHARE`) that finds it full: claims joining the waitlist do not wait
    for each other, but nobody can free a place (a release, more places) until they have
    committed, and the release then finds them on the waitlist. On SQLite the transaction
    itself holds the database's write lock.

    Both require the shift to be as the caller checked it. When it no longer is (or when
    a place freed or filled between the two tries) nothing is taken and None is returned:
    the caller decides on the shift locked and read afresh. The outcome the count in hand
    suggests is tried first. Written in SQL: these are the statements every claimer of a
    shift queues for.
    """
    ops = connection.ops
    params = [
        shift.pk,
        shift.role,
        ops.adapt_datetimefield_value(shift.starts_at),
        ops.adapt_datetimefield_value(shift.ends_at),
        ops.adapt_datetimefield_value(now),
        Site.Status.PUBLISHED.value,
    ]
    waitlist = _WAITLIST + (" FOR SHARE" if connection.features.has_select_for_update else "")
    order = [CONFIRMED, WAITLISTED]
    if shift.confirmed_count >= shift.capacity:
        order.reverse()
    with locking.timed(), connection.cursor() as cursor:
        for status in order:
            if status == CONFIRMED:
                cursor.execute(_CONFIRM, params)
                if cursor.rowcount == 1:
                    # The count in hand follows (at least) this claim, so that a next claim
                    # made with the same shift in hand tries the right outcome first.
                    shift.confirmed_count += 1
                    return status
            else:
                cursor.execute(waitlist, params)
                if cursor.fetchone() is not None:
                    shift.confirmed_count = max(shift.confirmed_count, shift.capacity)
                    return status
    return None


def shift_count_differences(*, shift_ids: Iterable[int] | None = None) -> list[tuple]:
    """Shifts (all, or these) whose stored confirmed count differs from their confirmed
    sign-ups: `(id, stored, counted)` each; empty when every count is exact."""
    shifts = Shift.objects.all() if shift_ids is None else Shift.objects.filter(pk__in=shift_ids)
    return list(
        shifts.annotate(counted=Count("signups", filter=Q(signups__status=CONFIRMED)))
        .exclude(confirmed_count=F("counted"))
        .values_list("pk", "confirmed_count", "counted")
    )


def shift_counts_refresh(*, shift_ids: Iterable[int] | None = None) -> int:
    """Set the stored confirmed count of these shifts (all when None) to a fresh count of
    their sign-ups, in one UPDATE; returns the number of shifts. For data written in bulk
    beside the services (benchmark and test data); the services keep the count themselves."""
    confirmed = (
        Signup.objects.filter(shift=OuterRef("pk"), status=CONFIRMED)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    shifts = Shift.objects.all() if shift_ids is None else Shift.objects.filter(pk__in=shift_ids)
    return shifts.update(
        confirmed_count=Coalesce(Subquery(confirmed, output_field=IntegerField()), 0)
    )


def fill_places(shift: Shift, *, locked_volunteers: set[int], now: datetime.datetime) -> list[int]:
    """Move waitlisted volunteers up while `shift` has free places; returns their sign-ups.

    Call with `shift` locked (and read under the lock, so its stored counts are current)
    and the volunteers in `locked_volunteers` locked before it. The first waitlisted
    volunteer (in the waitlist's order) without an overlapping confirmed shift moves up
    and is mailed; the counts change with them. A waitlisted volunteer whose row we did
    not lock (they joined after we read the waitlist) cannot be checked safely: the whole
    change starts again (`WaitlistChanged`, see `retrying`).
    """
    try:
        check_open_for_claims(shift, now)
    except SignupClosed:
        return []
    free = shift.capacity - shift.confirmed_count
    promoted: list[int] = []
    if free <= 0:
        return promoted
    for signup in Signup.objects.filter(shift=shift).waitlist():
        if signup.volunteer_id not in locked_volunteers:
            raise WaitlistChanged
        if _overlapping_confirmed(signup.volunteer_id, shift) is not None:
            continue
        signup.status = CONFIRMED
        signup.confirmed_at = now
        signup.save(update_fields=["status", "confirmed_at", "updated_at"])
        promoted.append(signup.pk)
        free -= 1
        if free == 0:
            break
    if promoted:
        _count(shift, len(promoted))
        notifications.mail_promoted(promoted)
    return promoted


# --- Volunteers' actions --------------------------------------------------------------------


def _has_state(shift: Shift) -> bool:
    """Whether `shift` came with its site and edition, as the checks of a claim read them."""
    site_field = Shift._meta.get_field("site")
    return site_field.is_cached(shift) and Site._meta.get_field("event").is_cached(shift.site)


def may_appoint_lead(user, shift: Shift) -> bool:
    """Whether `user` may give the site-lead place of `shift` to a volunteer: an organiser
    or a coordinator of the site's branch (who plan its shifts)."""
    return user is not None and user.has_perm("events.manage_shift", shift)


def _refuse_self_claimed_lead(shift: Shift, appointed_by) -> None:
    """`LeadAppointedOnly` for a site-lead shift claimed without an appointment by someone
    who may appoint its lead (`appointed_by` is checked here, not trusted)."""
    if shift.role == Shift.Role.LEAD and not may_appoint_lead(appointed_by, shift):
        raise LeadAppointedOnly()


def signup_create(*, shift: Shift, volunteer: Volunteer, appointed_by=None) -> Signup:
    """Claim a place on `shift`: confirmed while places are free, otherwise waitlisted.

    Raises a `SignupError` (nothing changed) when the account is not verified (a helper
    without a log-in needs no verified address: `may_claim_places`), the
    volunteer already has a place, the shift overlaps one of their confirmed shifts, or
    the shift is closed (cancelled, started, or its site not public). `shift` may come
    with its site and edition (`select_related("site__event")`), as a page read it: the
    claim then checks that state and `take_place` makes sure it still holds.

    A site-lead shift (`Shift.Role.LEAD`) is refused (`LeadAppointedOnly`) unless
    `appointed_by` is a coordinator of the site's branch or an organiser
    (`may_appoint_lead`): the person who puts the volunteer on it, not the volunteer.
    """
    if not may_claim_places(volunteer):
        raise EmailNotVerified()
    with locking.write_transaction():
        locking.lock_volunteers([volunteer.pk])
        # The checks need only the volunteer's lock (their own sign-ups change only under
        # it: claims, promotions, deletion all take it first); the shift's lock is taken
        # by the UPDATE of `take_place`, last, for the INSERT and the commit only: every
        # claimer of this shift queues for it.
        planned = shift
        if not _has_state(planned):
            planned = Shift.objects.select_related("site__event").filter(pk=shift.pk).first()
            if planned is None:  # deleted while this claim waited for the volunteer's lock
                raise ShiftCancelled()
        # The role as read (`take_place` requires it unchanged; under the lock below, it is
        # checked again on the shift as it is).
        _refuse_self_claimed_lead(planned, appointed_by)
        status = None
        try:
            check_open_for_claims(planned)
        except SignupClosed:
            pass  # perhaps an old state in hand: decided below on the shift as it is now
        else:
            _refuse_taken_or_overlapping(volunteer.pk, planned)
            status = take_place(planned, clock.now())
        if status is None:
            # The shift changed since it was read (cancelled, moved, started, its site
            # closed): lock it, read it afresh, and check again, with the same errors.
            planned = locking.lock_shift(shift.pk)
            _refuse_self_claimed_lead(planned, appointed_by)
            check_open_for_claims(planned, clock.now())
            _refuse_taken_or_overlapping(volunteer.pk, planned)
            status = CONFIRMED if planned.confirmed_count < planned.capacity else WAITLISTED
            if status == CONFIRMED:
                _count(planned, 1)
        # Taken after the shift's lock, so the waitlist order is the order of the lock.
        now = clock.now()
        signup = _insert_signup(shift=planned, volunteer=volunteer, status=status, now=now)
        notifications.mail_signup_made(signup)
        return signup


def lead_appoint(*, shift: Shift, email: str, by) -> Signup:
    """A coordinator of the site's branch or an organiser (`by`) gives the site-lead shift
    `shift` to the volunteer whose account has the address `email` (any case), confirmed
    and active; they get the usual confirmation mail. The claiming rules hold as for any
    claim (overlap, a place already held, the shift open).

    Raises `NotLeadShift` for another role, `LeadAppointedOnly` when `by` may not
    appoint, `NoVolunteerWithAddress` when no active account has that address confirmed
    (the same message whether or not an account exists), `LeadShiftFull` when every place
    is taken, or the claim's `SignupError`. Should the last place go between this check
    and the claim, the volunteer is waitlisted (the returned sign-up says so)."""
    if shift.role != Shift.Role.LEAD:
        raise NotLeadShift()
    if not may_appoint_lead(by, shift):
        raise LeadAppointedOnly()
    address = (email or "").strip()
    user = None
    if address:
        user = (
            User.objects.filter(email__iexact=address, is_active=True)
            .filter(
                pk__in=EmailAddress.objects.filter(email__iexact=address, verified=True).values(
                    "user_id"
                )
            )
            .order_by("pk")
            .first()
        )
    if user is None:
        raise NoVolunteerWithAddress()
    volunteer = volunteer_get_or_create(user=user)
    if volunteer.is_helper:
        raise NoVolunteerWithAddress()
    # The counts as they are now (the shift in hand may be older).
    counts = Shift.objects.filter(pk=shift.pk).values_list("confirmed_count", "capacity").first()
    if counts is not None and counts[0] >= counts[1]:
        if Signup.objects.filter(shift=shift, volunteer=volunteer).active().exists():
            raise AlreadySignedUp()
        raise LeadShiftFull()
    return signup_create(shift=shift, volunteer=volunteer, appointed_by=by)


def _insert_signup(*, shift: Shift, volunteer: Volunteer, status: str, now) -> Signup:
    """Write the claim's sign-up with one INSERT (under the shift's lock, which every
    claimer of the shift waits for: the model's `save()` does more work in Python)."""
    signup = Signup(
        shift=shift,
        volunteer=volunteer,
        status=status,
        created_at=now,
        updated_at=now,
        confirmed_at=now if status == CONFIRMED else None,
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    params = [
        shift.pk,
        volunteer.pk,
        status,
        moment,
        moment,
        moment if signup.confirmed_at else None,
    ]
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(_INSERT_SIGNUP + " RETURNING id", params)
            signup.pk = cursor.fetchone()[0]
        else:
            cursor.execute(_INSERT_SIGNUP, params)
            signup.pk = cursor.lastrowid
    signup._state.adding = False
    signup._state.db = connection.alias
    # Written without `save()`, so no signal tells the stored public answers (`events.published`).
    published.changed(published.SITES)
    return signup


def _cancel(signup: Signup, shift: Shift, now: datetime.datetime) -> None:
    """Cancel an active sign-up of `shift` (locked): a confirmed one no longer counts."""
    was_confirmed = signup.is_confirmed
    signup.status = CANCELLED
    signup.cancelled_at = now
    signup.save(update_fields=["status", "cancelled_at", "updated_at"])
    if was_confirmed:
        _count(shift, -1)


def signup_release(*, shift: Shift, volunteer: Volunteer) -> Signup:
    """Give up the volunteer's place (confirmed or waitlisted) on `shift`.

    A confirmed place can be released until the edition's deadline before the start
    (`ReleaseDeadlinePassed` after it); the first waitlisted volunteer then moves up and
    gets an e-mail. Raises `NotSignedUp` when the volunteer has no place on the shift.
    """

    def change() -> Signup:
        with locking.write_transaction():
            waiting = waitlisted_volunteer_ids(shift.pk)
            locked_volunteers = waiting | {volunteer.pk}
            locking.lock_volunteers(locked_volunteers)
            locked = locking.lock_shift(shift.pk)
            now = clock.now()
            signup = Signup.objects.filter(shift=locked, volunteer=volunteer).active().first()
            if signup is None:
                raise NotSignedUp()
            was_confirmed = signup.is_confirmed
            if was_confirmed and now >= release_deadline(locked):
                raise ReleaseDeadlinePassed(deadline=_local(release_deadline(locked)))
            _cancel(signup, locked, now)
            notifications.mail_released(signup, was_confirmed=was_confirmed)
            if was_confirmed:
                fill_places(locked, locked_volunteers=locked_volunteers, now=now)
            return signup

    return retrying(change)


def signups_release_coming(*, volunteer: Volunteer, now: datetime.datetime) -> int:
    """Release every place the volunteer holds on shifts that have not started, ignoring
    the release deadline (they will not come: their account is being deleted); each freed
    place goes to the waitlist. Call inside the caller's transaction, which `retrying`
    runs again on `WaitlistChanged`. Returns the number of places released."""

    def coming() -> set[int]:
        return set(
            Signup.objects.filter(volunteer=volunteer, shift__starts_at__gt=now)
            .active()
            .values_list("shift_id", flat=True)
        )

    shift_ids = coming()
    waiting: set[int] = set()
    for shift_id in shift_ids:
        waiting |= waitlisted_volunteer_ids(shift_id)
    locked_volunteers = waiting | {volunteer.pk}
    locking.lock_volunteers(locked_volunteers)
    # A claim committed between the read above and the lock would keep its place for an
    # account that is gone (and its waitlist would not be locked): start again.
    if not coming() <= shift_ids:
        raise WaitlistChanged
    released = 0
    for shift_id in sorted(shift_ids):
        locked = locking.lock_shift(shift_id)
        signup = Signup.objects.filter(shift=locked, volunteer=volunteer).active().first()
        if signup is None:
            continue
        was_confirmed = signup.is_confirmed
        _cancel(signup, locked, now)
        released += 1
        if was_confirmed:
            fill_places(locked, locked_volunteers=locked_volunteers, now=now)
    return released
