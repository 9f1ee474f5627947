"""Planning shifts: adding one or a series, changing one, deleting or cancelling one.

A change to a shift that has sign-ups is a change to its volunteers too, so the rules are
here together: places cannot go below the number of confirmed volunteers
(`CapacityBelowConfirmed`); more places move waitlisted volunteers up (they are mailed);
a new time is mailed to everyone with a place or on the waitlist; a shift that had
sign-ups is cancelled instead of deleted, and its volunteers are told.
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from common import clock, published
from common.errors import InvalidInput, full_clean

from .. import locking, notifications
from ..errors import CapacityBelowConfirmed, ShiftCancelled, ShiftExists, SiteWrongStatus
from ..models import Shift, Signup, Site
from .editions import refuse_closed_edition
from .signups import fill_places, retrying, waitlisted_volunteer_ids
from .sites import apply_changes

SHIFT_FIELDS = {"role", "starts_at", "ends_at", "capacity", "notes"}
SHIFT_TIME = {"starts_at", "ends_at"}

# Set-up the evening before or clearing up the morning after is fine; a shift weeks or
# years away from its site's day is a mistyped date.
SHIFT_DAYS_AROUND_SITE = 1
MAX_SHIFTS_PER_SERIES = 200


def _check_near_site_day(shift: Shift) -> None:
    """A shift lies on its site's day, or at most a day before or after; `InvalidInput`
    on `starts_at` otherwise."""
    site = shift.site
    zone = clock.local_zone()
    margin = datetime.timedelta(days=SHIFT_DAYS_AROUND_SITE)
    first = timezone.localtime(site.opens_at, zone).date() - margin
    last = timezone.localtime(site.closes_at, zone).date() + margin
    start = timezone.localtime(shift.starts_at, zone).date()
    # A shift ending at midnight ends on the day it started.
    end = timezone.localtime(shift.ends_at - datetime.timedelta(microseconds=1), zone).date()
    if not (first <= start and end <= last):
        raise InvalidInput(
            _(
                "A shift takes place on its site's day (%(day)s), or at most a day before or "
                "after it."
            )
            % {"day": formats.date_format(timezone.localtime(site.opens_at, zone), "l j F Y")},
            field="starts_at",
        )


def _refuse_cancelled_site(site: Site) -> None:
    # Its shifts were cancelled with it; a new one there would be a live shift nobody
    # can claim.
    if site.is_cancelled:
        raise SiteWrongStatus(status=site.get_status_display(), field="site")


@transaction.atomic
def shift_create(
    *,
    site: Site,
    role: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    notes: str = "",
) -> Shift:
    """Plan a new shift at `site`. Refused for a cancelled site (`SiteWrongStatus`), an
    edition whose day has passed (`EditionClosed`), and a shift the site has already
    (`ShiftExists`); `InvalidInput` naming the field for bad times or places."""
    # Locked, so that the same shift sent twice at once (a double tap) is made once.
    site = locking.lock_site(site.pk)
    _refuse_cancelled_site(site)
    refuse_closed_edition(site.event)
    if site.shifts.filter(
        role=role, starts_at=starts_at, ends_at=ends_at, is_cancelled=False
    ).exists():
        raise ShiftExists()
    shift = Shift(
        site=site, role=role, starts_at=starts_at, ends_at=ends_at, capacity=capacity, notes=notes
    )
    full_clean(shift)
    _check_near_site_day(shift)
    shift.save()
    return shift


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
    Raises `InvalidInput` naming the field; either all shifts are made or none.
    """
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if slot_minutes < 15:
        errors["slot_hours"] = [_("A slot lasts at least a quarter of an hour.")]
    if capacity < 0:
        errors["capacity"] = [_("Places cannot be negative.")]
    valid_roles = set(Shift.Role.values)
    if not roles or any(role not in valid_roles for role in roles):
        errors["roles"] = [_("Choose at least one role.")]
    if errors:
        raise InvalidInput(fields=errors)

    slot = datetime.timedelta(minutes=slot_minutes)
    slots = []
    start = starts_at
    while start < ends_at:
        slots.append((start, min(start + slot, ends_at)))
        start += slot
    if len(slots) * len(roles) > MAX_SHIFTS_PER_SERIES:
        raise InvalidInput(
            _("This would make more than %(max)s shifts. Choose longer slots or fewer roles.")
            % {"max": MAX_SHIFTS_PER_SERIES},
            field="slot_hours",
        )
    created: list[Shift] = []
    skipped = 0
    with transaction.atomic():
        # Lock the site before reading what it has, so that the same pattern sent twice at
        # once (a double tap on a slow connection) waits here and then skips every slot.
        site = locking.lock_site(site.pk)
        existing = set(
            site.shifts.filter(is_cancelled=False).values_list("role", "starts_at", "ends_at")
        )
        for slot_start, slot_end in slots:
            for role in roles:
                if (role, slot_start, slot_end) in existing:
                    skipped += 1
                    continue
                created.append(
                    shift_create(
                        site=site,
                        role=role,
                        starts_at=slot_start,
                        ends_at=slot_end,
                        capacity=capacity,
                        notes=notes,
                    )
                )
    return created, skipped


def shift_update(*, shift: Shift, **changes: Any) -> Shift:
    """Change a shift (role, times, places, notes).

    Refused, with nothing changed: a shift of an edition whose day has passed
    (`EditionClosed`), a cancelled shift (`ShiftCancelled`), places below the number of
    confirmed volunteers (`CapacityBelowConfirmed`), and bad input (`InvalidInput` naming
    the field). A new time raises the shift's calendar `sequence`; it is not checked
    against the volunteers' other shifts (the coordinator decides), but every volunteer
    with a place or on the waitlist is mailed the old and the new time. More places move
    waitlisted volunteers up (they are mailed).
    """

    def change() -> Shift:
        with locking.write_transaction():
            waiting = waitlisted_volunteer_ids(shift.pk)
            # Volunteers before the shift (the global lock order). The site is read, not
            # locked: site_cancel locks the site and then its shifts.
            locking.lock_volunteers(waiting)
            locked = locking.lock_shift(shift.pk)
            refuse_closed_edition(locked.site.event)
            if locked.is_cancelled:
                raise ShiftCancelled()
            before = (locked.starts_at, locked.ends_at)
            changed = apply_changes(locked, changes, SHIFT_FIELDS)
            if not changed:
                return locked
            full_clean(locked)
            # The count was read under the shift's lock: nobody can confirm a place meanwhile.
            if "capacity" in changed and locked.capacity < locked.confirmed_count:
                raise CapacityBelowConfirmed(confirmed=locked.confirmed_count)
            if changed & SHIFT_TIME:
                _check_near_site_day(locked)
                locked.sequence += 1
            locked.save()
            if (locked.starts_at, locked.ends_at) != before:
                holders = list(
                    Signup.objects.filter(shift=locked).active().values_list("pk", flat=True)
                )
                if holders:
                    notifications.mail_shift_moved(
                        holders, was=before, now=(locked.starts_at, locked.ends_at)
                    )
            fill_places(locked, locked_volunteers=waiting, now=clock.now())
            return locked

    return retrying(change)


def shift_delete(*, shift: Shift) -> bool:
    """Delete a shift nobody ever signed up for; cancel one that has sign-ups.

    A cancelled shift keeps its history (who had a place) and stays visible to its
    volunteers as cancelled; their active sign-ups are cancelled and they get an e-mail.
    Returns True when the shift was deleted, False when it was cancelled. A shift of an
    edition whose day has passed is history: `EditionClosed`.
    """
    with locking.write_transaction():
        # Only the shift is locked: cancelling frees places and confirms nobody.
        locked = locking.lock_shift(shift.pk)
        refuse_closed_edition(locked.site.event)
        if not Signup.objects.filter(shift=locked).exists():
            locked.delete()
            return True
        now = clock.now()
        affected = list(Signup.objects.filter(shift=locked).active().values_list("pk", flat=True))
        Signup.objects.filter(pk__in=affected).update(
            status=Signup.Status.CANCELLED, cancelled_at=now, updated_at=now
        )
        if not locked.is_cancelled:
            # Its sign-ups were cancelled above: it holds no places.
            Shift.objects.filter(pk=locked.pk).update(
                is_cancelled=True,
                sequence=F("sequence") + 1,
                updated_at=now,
                confirmed_count=0,
            )
            published.changed(published.SITES)  # an update(): no signal
        if affected:
            notifications.mail_shift_cancelled(affected)
        return False
