"""Row locks for changes that use up or free a limited thing (places on a shift), always
taken in one global order, so that two changes never wait for each other in a circle:

    1. volunteers, by primary key      (a claim, a release, a promotion off the waitlist)
    2. the site                        (its workflow, cancelling it, planning its shifts)
    3. shifts, by primary key          (places; a cancelled site's shifts)
    4. sign-ups, by primary key        (a cancelled site's sign-ups)

An edition is locked only on its own (`event_update`). A service takes what it needs in
this order, late, for as few statements as possible, and counts places only after it
holds the locks; it never sends mail while holding them (mail goes out after the commit).

On PostgreSQL these are row locks (`SELECT … FOR UPDATE`). Every connection has a lock
timeout (`DATABASE_LOCK_TIMEOUT` seconds, default 15; see config/settings.py): a lock held
too long by a stuck transaction becomes `Busy` (503, "try again"), not a request that
hangs. SQLite has no row locks: every
transaction there begins with `BEGIN IMMEDIATE`, so writers run one at a time and these
functions only read.

The functions here are also the seams the race tests use to show that without them a
shift does overbook.
"""

from collections.abc import Iterable
from contextlib import AbstractContextManager, contextmanager

from django.db import OperationalError, transaction

from accounts.models import Volunteer

from .errors import Busy, ShiftCancelled
from .models import Shift, Signup, Site

# PostgreSQL's SQLSTATE for "could not obtain lock" (lock_timeout expired).
LOCK_NOT_AVAILABLE = "55P03"


def write_transaction() -> AbstractContextManager:
    """The transaction of one change (`transaction.atomic()`)."""
    return transaction.atomic()


@contextmanager
def timed():
    """A lock that was not granted within the lock timeout becomes `Busy` (also for a lock
    taken by an UPDATE elsewhere: a claim's `take_place`, services/signups.py)."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Busy() from error
        raise


def lock_volunteers(ids: Iterable[int]) -> None:
    """Lock volunteer rows in primary-key order."""
    with timed():
        list(
            Volunteer.objects.select_for_update()
            .filter(pk__in=sorted(set(ids)))
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def lock_site(pk: int, *, related: Iterable[str] = ("event",)) -> Site:
    """The site, locked (only its own row), with `related` read alongside."""
    with timed():
        return Site.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def lock_shift(pk: int) -> Shift:
    """The shift, locked, with its site and edition (which are read, not locked).

    A shift deleted meanwhile (by its coordinator, while this request waited) is
    `ShiftCancelled` for whoever asked, not a crash."""
    try:
        with timed():
            return (
                Shift.objects.select_for_update(of=("self",))
                .select_related("site__event", "site__location")
                .get(pk=pk)
            )
    except Shift.DoesNotExist:
        raise ShiftCancelled() from None


def lock_shifts_of_sites(site_ids: Iterable[int]) -> list[int]:
    """Lock every shift of these sites, in primary-key order; returns their ids."""
    with timed():
        return list(
            Shift.objects.select_for_update()
            .filter(site_id__in=list(site_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def lock_sites(ids: Iterable[int]) -> list[int]:
    """Lock these sites in primary-key order (several at once: a location that moved)."""
    with timed():
        return list(
            Site.objects.select_for_update()
            .filter(pk__in=list(ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def lock_active_signups(shift_ids: Iterable[int]) -> list[Signup]:
    """Lock the active (confirmed or waitlisted) sign-ups of these shifts, with their
    volunteers and shifts read alongside."""
    with timed():
        return list(
            Signup.objects.select_for_update(of=("self",))
            .filter(shift_id__in=list(shift_ids), status__in=Signup.ACTIVE_STATUSES)
            .select_related("volunteer__user", "shift")
            .order_by("pk")
        )
