"""The sign-up rules: claiming and releasing places, and coordinators' changes to shifts.

Every page, API view, admin action and command that changes a sign-up, or a shift that
has sign-ups, calls a function here. The rules:

- a verified, active account claims a place on a shift of a published site of a published
  edition, before the shift starts and within the edition's registration window;
- when the shift is full the claim succeeds with status `waitlisted`;
- a volunteer never holds two confirmed shifts that overlap in time (a claim that would
  overlap is refused, also for the waitlist; a waitlisted volunteer who meanwhile took an
  overlapping shift is passed over when a place frees up, and stays on the waitlist);
- a confirmed place can be released until `Event.release_deadline_hours` before the start;
  a waitlisted one at any time. A freed place goes to the first waitlisted volunteer, who
  is told by e-mail;
- a shift's places cannot go below the number of confirmed volunteers (refused, see
  `CapacityBelowConfirmed`); more places move waitlisted volunteers up;
- deleting a shift that has sign-ups cancels it instead (its volunteers are told); a
  shift that never had one is deleted.

Concurrency: each change runs in one transaction and locks what it uses, always in the
same order: volunteer rows (by primary key), then the shift row. It counts confirmed
places only after taking the locks. On PostgreSQL these are row locks
(`SELECT ... FOR UPDATE`); SQLite has none, but the project opens every transaction with
`BEGIN IMMEDIATE`, so writers run one at a time. Because every writer takes volunteers
before shifts, two writers cannot wait for each other in a circle (no deadlocks).

`_write_transaction`, `_lock_volunteers`, `_lock_shift` and `_confirmed_count` are the
seams the race tests use to show that without them the shift does overbook.
"""

import datetime
from collections.abc import Iterable
from contextlib import AbstractContextManager
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events import services as event_services
from events.models import Shift, Site

from .errors import (
    AlreadySignedUp,
    CapacityBelowConfirmed,
    EmailNotVerified,
    NotSignedUp,
    ReleaseDeadlinePassed,
    ShiftCancelled,
    ShiftOverlap,
    ShiftStarted,
    SiteNotOpen,
)
from .models import Signup, Volunteer
from .notifications import mail_promoted, mail_shift_cancelled, mail_shift_moved
from .roles import has_verified_email
from .tokens import new_calendar_token

CONFIRMED = Signup.Status.CONFIRMED
WAITLISTED = Signup.Status.WAITLISTED
CANCELLED = Signup.Status.CANCELLED
ACTIVE = [CONFIRMED, WAITLISTED]

# How often a change is tried again when someone joined the waitlist between reading it
# and locking it (see `_fill_places`). One retry nearly always suffices.
_ATTEMPTS = 5


class _WaitlistChanged(Exception):
    """Someone joined the waitlist after we locked its volunteers: start again."""


# --- Seams: the transaction and the locks -------------------------------------------------


def _write_transaction() -> AbstractContextManager:
    return transaction.atomic()


def _lock_volunteers(ids: Iterable[int]) -> None:
    """Lock volunteer rows in primary-key order (a no-op on SQLite, see module doc)."""
    list(
        Volunteer.objects.select_for_update()
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _lock_shift(pk: int) -> Shift:
    """The shift, locked, with its site and edition (which are read, not locked).

    A shift deleted meanwhile (by its coordinator, while this request waited) is
    `ShiftCancelled` for whoever asked, not a crash."""
    try:
        return (
            Shift.objects.select_for_update(of=("self",))
            .select_related("site__event", "site__location")
            .get(pk=pk)
        )
    except Shift.DoesNotExist:
        raise ShiftCancelled() from None


def _confirmed_count(shift: Shift) -> int:
    return Signup.objects.filter(shift=shift, status=CONFIRMED).count()


# --- Reads ----------------------------------------------------------------------------------


def _describe(shift: Shift) -> str:
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
        Signup.objects.filter(
            volunteer_id=volunteer_id,
            status=CONFIRMED,
            shift__is_cancelled=False,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .exclude(shift__site__status=Site.Status.CANCELLED)
        .select_related("shift__site__location")
        .first()
    )


def _waitlisted_volunteer_ids(shift_pk: int) -> set[int]:
    return set(
        Signup.objects.filter(shift_id=shift_pk, status=WAITLISTED).values_list(
            "volunteer_id", flat=True
        )
    )


def release_deadline(shift: Shift) -> datetime.datetime:
    """Until when a confirmed place on `shift` can be released."""
    return shift.starts_at - datetime.timedelta(hours=shift.site.event.release_deadline_hours)


def can_release(signup: Signup, now: datetime.datetime | None = None) -> bool:
    """Whether the volunteer may still release `signup` (for showing a button)."""
    if signup.status == WAITLISTED:
        return True
    if signup.status != CONFIRMED:
        return False
    return (now or timezone.now()) < release_deadline(signup.shift)


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def check_open_for_claims(shift: Shift, now: datetime.datetime) -> None:
    """Raise the `SignupError` that a claim on `shift` would get now for its state
    (cancelled, site not open, started); pages ask it before offering the button."""
    site = shift.site
    event = site.event
    if shift.is_cancelled:
        raise ShiftCancelled()
    if site.status == Site.Status.CANCELLED:
        raise ShiftCancelled()
    if site.status != Site.Status.PUBLISHED or not event.is_published:
        raise SiteNotOpen()
    # The edition's registration window is for branches registering sites; volunteers
    # may claim a place on a published site until the shift starts.
    if shift.starts_at <= now:
        raise ShiftStarted()


def _after_commit(send, signup_ids: list[int]) -> None:
    """Send mail once the change is committed; a failing mail server never undoes it."""

    def send_mail_after_commit() -> None:
        send(signup_ids)

    transaction.on_commit(send_mail_after_commit, robust=True)


def _retrying(change):
    """Run `change` (one transaction) again when the waitlist moved under it."""
    for _attempt in range(_ATTEMPTS - 1):
        try:
            return change()
        except _WaitlistChanged:
            continue
    return change()


def _fill_places(shift: Shift, *, locked: set[int], now: datetime.datetime) -> list[int]:
    """Move waitlisted volunteers up while `shift` has free places; returns their sign-ups.

    Call with `shift` locked and the volunteers in `locked` locked before it. The first
    waitlisted volunteer (in order of sign-up) without an overlapping confirmed shift
    moves up. A waitlisted volunteer whose row we did not lock (they joined after we read
    the waitlist) cannot be checked safely: the whole change starts again.
    """
    site = shift.site
    if (
        shift.is_cancelled
        or site.status != Site.Status.PUBLISHED
        or not site.event.is_published
        or shift.starts_at <= now
    ):
        return []
    free = shift.capacity - _confirmed_count(shift)
    promoted: list[int] = []
    if free <= 0:
        return promoted
    waitlist = Signup.objects.filter(shift=shift, status=WAITLISTED).order_by("created_at", "id")
    for signup in waitlist:
        if signup.volunteer_id not in locked:
            raise _WaitlistChanged
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
        _after_commit(mail_promoted, promoted)
    return promoted


# --- Volunteers' actions --------------------------------------------------------------------


def volunteer_get_or_create(*, user) -> Volunteer:
    """The user's volunteer profile, made on first need."""
    volunteer, _created = Volunteer.objects.get_or_create(user=user)
    return volunteer


def signup_create(*, shift: Shift, volunteer: Volunteer) -> Signup:
    """Claim a place on `shift`: confirmed while places are free, otherwise waitlisted.

    Raises a `SignupError` (nothing changed) when the account is not verified, the
    volunteer already has a place, the shift overlaps one of their confirmed shifts, or
    the shift is closed (cancelled, started, or its site or edition not published).
    """
    if not has_verified_email(volunteer.user):
        raise EmailNotVerified()
    with _write_transaction():
        _lock_volunteers([volunteer.pk])
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
        check_open_for_claims(planned, timezone.now())
        if Signup.objects.filter(shift=planned, volunteer=volunteer, status__in=ACTIVE).exists():
            raise AlreadySignedUp()
        other = _overlapping_confirmed(volunteer.pk, planned)
        if other is not None:
            raise ShiftOverlap(other=_describe(other.shift))

        shift = _lock_shift(shift.pk)
        # Taken after the locks, so the waitlist order is the order of the locks.
        now = timezone.now()
        # The shift may have changed while we waited for it.
        check_open_for_claims(shift, now)
        if (shift.starts_at, shift.ends_at) != (planned.starts_at, planned.ends_at):
            other = _overlapping_confirmed(volunteer.pk, shift)
            if other is not None:
                raise ShiftOverlap(other=_describe(other.shift))
        # Counted inside the lock: nobody else can confirm a place on this shift now.
        is_free = _confirmed_count(shift) < shift.capacity
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
        with _write_transaction():
            waiting = _waitlisted_volunteer_ids(shift.pk)
            locked = waiting | {volunteer.pk}
            _lock_volunteers(locked)
            locked_shift = _lock_shift(shift.pk)
            now = timezone.now()
            signup = Signup.objects.filter(
                shift=locked_shift, volunteer=volunteer, status__in=ACTIVE
            ).first()
            if signup is None:
                raise NotSignedUp()
            was_confirmed = signup.status == CONFIRMED
            if was_confirmed and now >= release_deadline(locked_shift):
                raise ReleaseDeadlinePassed(deadline=_local(release_deadline(locked_shift)))
            signup.status = CANCELLED
            signup.cancelled_at = now
            signup.save(update_fields=["status", "cancelled_at", "updated_at"])
            if was_confirmed:
                _fill_places(locked_shift, locked=locked, now=now)
            return signup

    return _retrying(change)


def waitlist_position(signup: Signup) -> int | None:
    """1 for the first waitlisted volunteer of the shift, and so on."""
    if signup.status != WAITLISTED:
        return None
    ahead = Signup.objects.filter(shift_id=signup.shift_id, status=WAITLISTED).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk)
    )
    return ahead.count() + 1


# --- Coordinators' changes to shifts ----------------------------------------------------------


def shift_edit(*, shift: Shift, **changes: Any) -> Shift:
    """Change a shift (role, times, places, notes) under the sign-up rules.

    Places below the number of confirmed volunteers are refused (`CapacityBelowConfirmed`,
    nothing changed); more places move waitlisted volunteers up (they get an e-mail).
    A cancelled shift cannot be changed (`ShiftCancelled`). Field errors come as
    `ValidationError` naming the field, from `events.services`. New times are not checked
    against the volunteers' other shifts: the coordinator decides, calendars follow the
    raised `sequence`, and every volunteer with a place or on the waitlist is mailed the
    old and the new time.
    """

    def change() -> Shift:
        with _write_transaction():
            waiting = _waitlisted_volunteer_ids(shift.pk)
            _lock_volunteers(waiting)
            locked_shift = _lock_shift(shift.pk)
            if locked_shift.is_cancelled:
                raise ShiftCancelled()
            capacity = changes.get("capacity")
            if isinstance(capacity, int) and capacity >= 0:
                confirmed = _confirmed_count(locked_shift)
                if capacity < confirmed:
                    raise CapacityBelowConfirmed(confirmed=confirmed)
            before = (locked_shift.starts_at, locked_shift.ends_at)
            event_services.shift_update(shift=locked_shift, **changes)
            updated = _lock_shift(shift.pk)
            if (updated.starts_at, updated.ends_at) != before:
                holders = list(
                    Signup.objects.filter(shift=updated, status__in=ACTIVE).values_list(
                        "pk", flat=True
                    )
                )
                if holders:
                    _after_commit(partial(mail_shift_moved, was=before), holders)
            _fill_places(updated, locked=waiting, now=timezone.now())
            return updated

    return _retrying(change)


def shift_delete(*, shift: Shift) -> bool:
    """Delete a shift nobody ever signed up for; cancel one that has sign-ups.

    A cancelled shift keeps its history (who had a place) and stays visible to its
    volunteers as cancelled; their active sign-ups are cancelled and they get an e-mail.
    Returns True when the shift was deleted, False when it was cancelled. A shift of an
    edition whose day has passed is history: `ValidationError`.
    """
    with _write_transaction():
        # Only the shift is locked: cancelling frees places and confirms nobody.
        locked_shift = _lock_shift(shift.pk)
        event_services.refuse_closed_edition(locked_shift.site.event)
        if not Signup.objects.filter(shift=locked_shift).exists():
            locked_shift.delete()
            return True
        now = timezone.now()
        affected = list(
            Signup.objects.filter(shift=locked_shift, status__in=ACTIVE).values_list(
                "pk", flat=True
            )
        )
        Signup.objects.filter(pk__in=affected).update(
            status=CANCELLED, cancelled_at=now, updated_at=now
        )
        if not locked_shift.is_cancelled:
            Shift.objects.filter(pk=locked_shift.pk).update(
                is_cancelled=True, sequence=F("sequence") + 1, updated_at=now
            )
        if affected:
            _after_commit(mail_shift_cancelled, affected)
        return False


MAX_SHIFTS_PER_SERIES = 200


def shift_create_series(
    *,
    site: Site,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    slot_minutes: int,
    roles: list[str],
    capacity: int,
    notes: str = "",
) -> tuple[list[Shift], int]:
    """Plan many shifts at once: the period from `starts_at` to `ends_at` cut into slots
    of `slot_minutes` (the last slot ends at `ends_at` and may be shorter), one shift per
    slot and role, each with `capacity` places.

    A shift that already exists with the same role and times is skipped, so submitting
    the same pattern twice adds nothing. Returns the new shifts and the number skipped.
    Raises `ValidationError` naming the field; either all shifts are made or none.
    """
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if slot_minutes < 15:
        errors["slot_hours"] = _("A slot lasts at least a quarter of an hour.")
    if capacity < 0:
        errors["capacity"] = _("Places cannot be negative.")
    valid_roles = set(Shift.Role.values)
    if not roles or any(role not in valid_roles for role in roles):
        errors["roles"] = _("Choose at least one role.")
    if errors:
        raise ValidationError(errors)

    slot = datetime.timedelta(minutes=slot_minutes)
    slots = []
    start = starts_at
    while start < ends_at:
        slots.append((start, min(start + slot, ends_at)))
        start += slot
    if len(slots) * len(roles) > MAX_SHIFTS_PER_SERIES:
        raise ValidationError(
            {
                "slot_hours": _(
                    "This would make more than %(max)s shifts. Choose longer slots or fewer roles."
                )
                % {"max": MAX_SHIFTS_PER_SERIES}
            }
        )
    created: list[Shift] = []
    skipped = 0
    with transaction.atomic():
        # Lock the site before reading what it has, so that the same pattern sent twice at
        # once (a double tap on a slow connection) waits here and then skips every slot.
        site = Site.objects.select_for_update().get(pk=site.pk)
        existing = set(
            site.shifts.filter(is_cancelled=False).values_list("role", "starts_at", "ends_at")
        )
        for slot_start, slot_end in slots:
            for role in roles:
                if (role, slot_start, slot_end) in existing:
                    skipped += 1
                    continue
                created.append(
                    event_services.shift_create(
                        site=site,
                        role=role,
                        starts_at=slot_start,
                        ends_at=slot_end,
                        capacity=capacity,
                        notes=notes,
                    )
                )
    return created, skipped


# --- Profile and privacy --------------------------------------------------------------------


def volunteer_update_profile(
    *,
    volunteer: Volunteer,
    first_name: str,
    last_name: str,
    phone: str,
    languages: list[str],
    home_branch=None,
) -> Volunteer:
    """Change a volunteer's name, phone, languages and home branch (validated by the form)."""
    with transaction.atomic():
        user = volunteer.user
        user.first_name, user.last_name = first_name.strip(), last_name.strip()
        user.save(update_fields=["first_name", "last_name"])
        volunteer.phone = phone.strip()
        volunteer.languages = sorted(set(languages))
        volunteer.home_branch = home_branch
        volunteer.save(update_fields=["phone", "languages", "home_branch", "updated_at"])
    return volunteer


def account_delete(*, user) -> None:
    """Delete a person's account: personal data goes, the counts stay.

    The person can no longer log in; their name, e-mail address, phone, languages,
    calendar tokens, API tokens and e-mail addresses are removed. Their sign-ups stay,
    anonymous, so that the numbers per shift and site remain true; places on shifts that
    have not started are released (ignoring the release deadline: they will not come) and
    go to the waitlist. They stop being a coordinator.
    """
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    volunteer = Volunteer.objects.filter(user=user).first()

    def coming_shift_ids(now: datetime.datetime) -> set[int]:
        return set(
            Signup.objects.filter(
                volunteer=volunteer, status__in=ACTIVE, shift__starts_at__gt=now
            ).values_list("shift_id", flat=True)
        )

    def release_coming(now: datetime.datetime) -> None:
        coming = coming_shift_ids(now)
        waiting: set[int] = set()
        for shift_id in coming:
            waiting |= _waitlisted_volunteer_ids(shift_id)
        locked = waiting | {volunteer.pk}
        _lock_volunteers(locked)
        # A claim committed between the read above and the lock would keep its place for
        # an account that is gone (and its waitlist would not be locked): start again.
        if not coming_shift_ids(now) <= coming:
            raise _WaitlistChanged
        for shift_id in sorted(coming):
            locked_shift = _lock_shift(shift_id)
            signup = Signup.objects.filter(
                shift=locked_shift, volunteer=volunteer, status__in=ACTIVE
            ).first()
            if signup is None:
                continue
            was_confirmed = signup.status == CONFIRMED
            signup.status = CANCELLED
            signup.cancelled_at = now
            signup.save(update_fields=["status", "cancelled_at", "updated_at"])
            if was_confirmed:
                _fill_places(locked_shift, locked=locked, now=now)

    def change() -> None:
        with _write_transaction():
            now = timezone.now()
            if volunteer is not None:
                release_coming(now)
                volunteer.phone = ""
                volunteer.languages = []
                volunteer.home_branch = None
                volunteer.calendar_token = new_calendar_token()
                volunteer.coordinator_calendar_token = new_calendar_token()
                volunteer.anonymised_at = now
                volunteer.save()
            EmailAddress.objects.filter(user=user).delete()
            Token.objects.filter(user=user).delete()
            user.coordinated_branches.clear()
            user.groups.clear()
            user.user_permissions.clear()
            user.email = f"deleted-{user.pk}@anonymised.invalid"
            user.first_name = ""
            user.last_name = ""
            user.is_active = False
            user.is_staff = False
            user.is_superuser = False
            user.is_organiser = False
            user.set_unusable_password()
            user.save()

    _retrying(change)
