"""Reminders of coming shifts: some days before, and on the morning of the day.

`reminders_send` is safe to run every few minutes, also as two copies at once: a reminder
is recorded (`ReminderSent`, unique per sign-up and kind) in its own committed transaction
before its e-mail goes out, and only the run whose insert succeeded sends it. If sending
fails, the record is removed again so that the next run tries once more. (A crash between
recording and sending loses that one reminder: we prefer that to sending it twice.)

Timing, in the site's time zone (Europe/Amsterdam):

- "days before" is due from `REMINDER_DAYS_BEFORE` × 24 hours before the start, until the
  morning reminder is due (a volunteer who signs up on the morning itself gets only that);
- "morning" is due from `REMINDER_MORNING_HOUR` o'clock on the day of the shift (or one hour
  before the start, if that is earlier), until the shift starts.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from common import clock
from events.models import Signup, published_sites
from events.notifications import record_mail_disclosure, shift_mail

from .models import ReminderSent

logger = logging.getLogger(__name__)

DAYS_BEFORE = ReminderSent.Kind.DAYS_BEFORE
MORNING = ReminderSent.Kind.MORNING


@dataclass
class ReminderRun:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0


def _settings() -> tuple[int, int | None]:
    days = int(getattr(settings, "REMINDER_DAYS_BEFORE", 2))
    hour = getattr(settings, "REMINDER_MORNING_HOUR", 7)
    return days, (None if hour is None else int(hour))


def _morning_moment(starts_at: datetime.datetime, hour: int) -> datetime.datetime:
    local_start = timezone.localtime(starts_at)
    morning = local_start.replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(morning, starts_at - datetime.timedelta(hours=1))


def reminders_due(now: datetime.datetime) -> list[tuple[Signup, str]]:
    """The (sign-up, kind) pairs due at `now` that have not been recorded as sent."""
    days, hour = _settings()
    horizon = datetime.timedelta(days=max(days, 1) + 1)
    signups = (
        Signup.objects.confirmed()
        .filter(
            published_sites("shift__site__"),
            shift__is_cancelled=False,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + horizon,
            volunteer__user__is_active=True,
        )
        .select_related("volunteer__user", "shift__site__event", "shift__site__location")
        .prefetch_related("reminders")
        .order_by("shift__starts_at", "id")
    )
    due = []
    for signup in signups:
        done = {reminder.kind for reminder in signup.reminders.all()}
        starts_at = signup.shift.starts_at
        morning_at = _morning_moment(starts_at, hour) if hour is not None else None
        if hour is not None and now >= morning_at:
            if MORNING not in done:
                due.append((signup, MORNING))
        elif days and now >= starts_at - datetime.timedelta(days=days) and DAYS_BEFORE not in done:
            due.append((signup, DAYS_BEFORE))
    return due


def _claim(signup: Signup, kind: str, now: datetime.datetime) -> bool:
    """Record the reminder; False when another run recorded it first."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(signup=signup, kind=kind, sent_at=now)
    except IntegrityError:
        return False
    return True


def mail_reminder(signup: Signup, kind: str) -> None:
    """A reminder of a coming shift (`kind` is a `ReminderSent.Kind`); a failure goes up,
    so that the caller un-records the reminder."""
    message = shift_mail("volunteers/email/reminder", signup, kind=kind)
    if message is not None:
        message.send()
        record_mail_disclosure(signup)


def reminders_send(*, now: datetime.datetime | None = None) -> ReminderRun:
    """Send every reminder that is due and not sent yet. Call outside a transaction."""
    now = now or clock.now()
    run = ReminderRun()
    for signup, kind in reminders_due(now):
        if not _claim(signup, kind, now):
            run.already_sent += 1
            continue
        try:
            mail_reminder(signup, kind)
        except Exception:
            logger.exception("Reminder %s for sign-up %s failed; will try again", kind, signup.pk)
            ReminderSent.objects.filter(signup=signup, kind=kind).delete()
            run.failed += 1
        else:
            run.sent += 1
    return run
