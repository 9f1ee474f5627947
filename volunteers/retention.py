"""Retention: volunteers' personal data goes a set number of months after their last shift.

`volunteers_anonymise_inactive` is run by the management command
`anonymise_inactive_volunteers` (from cron, e.g. nightly). A volunteer is inactive when
their last shift (any sign-up, also cancelled or waitlisted), their last log-in and the
creation of their account all lie more than `VOLUNTEER_RETENTION_MONTHS` months
(default 24) back. Such a volunteer is anonymised exactly as when they delete their
account themselves (`services.account_delete`): name, e-mail address, phone, languages,
tokens go; the sign-ups stay, anonymous, so that the numbers of past editions stay true.

Never touched: organisers, staff and coordinators of a branch (people the organisation
still works with), and volunteers already anonymised.

Helpers without a log-in (`helpers`: added by a coordinator, or joined through a site's
invitation) agreed to a shorter time: `helpers_erase_after_shifts` erases their name,
phone, e-mail address and personal link `HELPER_RETENTION_DAYS` days (default 30) after
their last shift, the same way; the command runs both.

Safe to run often and twice at once: each volunteer is locked and checked again inside
its own transaction before anything changes, so a second run skips whoever the first one
did, and a volunteer who signed up or logged in meanwhile is left alone.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from accounts.models import Volunteer
from common import clock

from . import services


@dataclasses.dataclass
class RetentionRun:
    cutoff: datetime.datetime
    anonymised: int = 0
    skipped: int = 0  # done by another run, or active again, by the time we locked them


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter: 31 March minus one month is 28 or 29 February)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _erasable() -> QuerySet[Volunteer]:
    """Not anonymised yet, and no person the organisation still works with (organisers,
    staff, coordinators), with `last_shift`: the end of their last shift, any sign-up."""
    return (
        Volunteer.objects.filter(anonymised_at__isnull=True)
        .exclude(user__is_organiser=True)
        .exclude(user__is_staff=True)
        .exclude(user__is_superuser=True)
        .exclude(user__coordinated_branches__isnull=False)
        .annotate(last_shift=Max("signups__shift__ends_at"))
    )


def _erase_each(eligible: Callable[[], QuerySet[Volunteer]], *, dry_run: bool) -> tuple[int, int]:
    """Anonymise every volunteer `eligible()` holds, each in its own transaction: lock,
    then ask `eligible()` again (another run may have done it, or the person may have come
    back: a sign-up, a log-in, since the list was made). Returns (done, skipped)."""
    candidates = list(eligible().order_by("pk").values_list("pk", flat=True))
    if dry_run:
        return len(candidates), 0
    done = skipped = 0
    for pk in candidates:
        with transaction.atomic():
            locked = list(Volunteer.objects.select_for_update().filter(pk=pk).values("pk"))
            volunteer = eligible().filter(pk=pk).select_related("user").first()
            if not locked or volunteer is None:
                skipped += 1
                continue
            services.account_delete(user=volunteer.user)
        done += 1
    return done, skipped


def inactive_volunteers(*, cutoff: datetime.datetime) -> QuerySet[Volunteer]:
    return (
        _erasable()
        .filter(Q(last_shift__isnull=True) | Q(last_shift__lt=cutoff))
        .filter(Q(user__last_login__isnull=True) | Q(user__last_login__lt=cutoff))
        .filter(user__date_joined__lt=cutoff)
    )


def volunteers_anonymise_inactive(
    *, months: int | None = None, now: datetime.datetime | None = None, dry_run: bool = False
) -> RetentionRun:
    months = settings.VOLUNTEER_RETENTION_MONTHS if months is None else months
    if months < 1:
        raise ValueError("The retention period is at least one month.")
    cutoff = months_before(now or clock.now(), months)
    run = RetentionRun(cutoff=cutoff)
    run.anonymised, run.skipped = _erase_each(
        lambda: inactive_volunteers(cutoff=cutoff), dry_run=dry_run
    )
    return run


# --- Helpers without a log-in ---------------------------------------------------------------


@dataclasses.dataclass
class HelperRetentionRun:
    cutoff: datetime.datetime
    erased: int = 0
    skipped: int = 0  # done by another run, or signed up again, by the time we locked them


def helpers_past_retention(*, cutoff: datetime.datetime) -> QuerySet[Volunteer]:
    """Helpers without a log-in whose last shift (any sign-up, also a released one) ended
    before `cutoff`; one without any sign-up counts from when they were made."""
    return (
        _erasable()
        .filter(is_helper=True)
        .filter(Q(last_shift__lt=cutoff) | Q(last_shift__isnull=True, created_at__lt=cutoff))
    )


def helpers_erase_after_shifts(
    *, days: int | None = None, now: datetime.datetime | None = None, dry_run: bool = False
) -> HelperRetentionRun:
    """Erase the personal data of helpers without a log-in `days` (default
    `HELPER_RETENTION_DAYS`) after their last shift, as `volunteers_anonymise_inactive`
    does for accounts: their sign-ups stay, anonymous; their personal link stops working."""
    days = settings.HELPER_RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError("The retention period of helpers is at least one day.")
    cutoff = (now or clock.now()) - datetime.timedelta(days=days)
    run = HelperRetentionRun(cutoff=cutoff)
    run.erased, run.skipped = _erase_each(
        lambda: helpers_past_retention(cutoff=cutoff), dry_run=dry_run
    )
    return run
