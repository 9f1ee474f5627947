"""The sign-up rules: claiming and releasing places.

- a verified, active account claims a place on a shift of a public site (published, of a
  published edition) before the shift starts. The edition's registration window is for
  branches registering sites, not for volunteers: claims stay open until the shift starts;
- when the shift is full the claim succeeds with status `waitlisted`;
- a volunteer never holds two confirmed shifts that overlap in time (a claim that would
  overlap is refused, also for the waitlist; a waitlisted volunteer who meanwhile took an
  overlapping shift is passed over when a place frees up, and stays on the waitlist);
- a confirmed place can be released until `Event.release_deadline_hours` before the start;
  a waitlisted one at any time. A freed place goes to the first waitlisted volunteer
  (`Signup.WAITLIST_ORDER`), who is told by e-mail.

Concurrency: each change runs in one transaction and takes its locks in the global order
of `events/locking.py` (volunteers, then the shift), and counts confirmed places only
after taking them.
"""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.utils import formats, timezone

from accounts.models import Volunteer
from accounts.roles import has_verified_email
from common import clock

from .. import locking, notifications, selectors
from ..errors import (
    AlreadySignedUp,
    EmailNotVerified,
    NotSignedUp,
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
    """ "Reception, 25 september 2027 11:00–13:30, azc Utrecht", for messages."""
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return "{role}, {day} {start}–{end}, {site}".format(
        role=shift.get_role_display(),
        day=formats.date_format(start, "DATE_FORMAT"),
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
        site=shift.site.display_name,
    )


def _overlapping_confirmed(volunteer_id: int, shift: Shift) -> Signup | None:
    """A confirmed sign-up of the volunteer for another live shift overlapping `shift`."""
    return (
        Signup.objects.confirmed()
        .filter(
            volunteer_id=volunteer_id,
            shift__is_cancelled=False,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .exclude(shift__site__status=Site.Status.CANCELLED)
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
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


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


def fill_places(shift: Shift, *, locked_volunteers: set[int], now: datetime.datetime) -> list[int]:
    """Move waitlisted volunteers up while `shift` has free places; returns their sign-ups.

    Call with `shift` locked and the volunteers in `locked_volunteers` locked before it.
    The first waitlisted volunteer (in the waitlist's order) without an overlapping
    confirmed shift moves up and is mailed. A waitlisted volunteer whose row we did not
    lock (they joined after we read the waitlist) cannot be checked safely: the whole
    change starts again (`WaitlistChanged`, see `retrying`).
    """
    try:
        check_open_for_claims(shift, now)
    except SignupClosed:
        return []
    free = shift.capacity - selectors.confirmed_count(shift)
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
        notifications.after_commit(notifications.mail_promoted, promoted)
    return promoted


# --- Volunteers' actions --------------------------------------------------------------------


def signup_create(*, shift: Shift, volunteer: Volunteer) -> Signup:
    """Claim a place on `shift`: confirmed while places are free, otherwise waitlisted.

    Raises a `SignupError` (nothing changed) when the account is not verified, the
    volunteer already has a place, the shift overlaps one of their confirmed shifts, or
    the shift is closed (cancelled, started, or its site not public).
    """
    if not has_verified_email(volunteer.user):
        raise EmailNotVerified()
    with locking.write_transaction():
        locking.lock_volunteers([volunteer.pk])
        # Checks that need only the volunteer's lock come before the shift's lock, which
        # every claimer of this shift queues for: the less done while holding it, the
        # more claims per second. The volunteer's own sign-ups change only under their
        # lock (claims, promotions, deletion all take it first).
        planned = (
            Shift.objects.select_related("site__event", "site__location")
            .filter(pk=shift.pk)
            .first()
        )
        if planned is None:  # deleted while this claim waited for the volunteer's lock
            raise ShiftCancelled()
        check_open_for_claims(planned)
        if Signup.objects.filter(shift=planned, volunteer=volunteer).active().exists():
            raise AlreadySignedUp()
        other = _overlapping_confirmed(volunteer.pk, planned)
        if other is not None:
            raise ShiftOverlap(other=describe(other.shift))

        shift = locking.lock_shift(shift.pk)
        # Taken after the locks, so the waitlist order is the order of the locks.
        now = clock.now()
        # The shift may have changed while we waited for it.
        check_open_for_claims(shift, now)
        if (shift.starts_at, shift.ends_at) != (planned.starts_at, planned.ends_at):
            other = _overlapping_confirmed(volunteer.pk, shift)
            if other is not None:
                raise ShiftOverlap(other=describe(other.shift))
        # Counted inside the lock: nobody else can confirm a place on this shift now.
        is_free = selectors.confirmed_count(shift) < shift.capacity
        return Signup.objects.create(
            shift=shift,
            volunteer=volunteer,
            status=CONFIRMED if is_free else WAITLISTED,
            created_at=now,
            confirmed_at=now if is_free else None,
        )


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
            signup.status = CANCELLED
            signup.cancelled_at = now
            signup.save(update_fields=["status", "cancelled_at", "updated_at"])
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
        signup.status = CANCELLED
        signup.cancelled_at = now
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        released += 1
        if was_confirmed:
            fill_places(locked, locked_volunteers=locked_volunteers, now=now)
    return released
