"""Attendance on the day: who turned up.

- A person with a confirmed place checks in on their shift from
  `settings.CHECK_IN_OPENS_MINUTES` before it starts until `CHECK_IN_CLOSES_MINUTES` after
  it ended (`check_in_window`), at a site that is public and not cancelled: themselves
  (from "My shifts" or their personal link: method `self`), with the site's QR code of the
  day (`code`), or by the hand of a coordinator of the site's branch or an organiser
  (`coordinator`). Checking in twice changes nothing.
- Coordinators (and organisers) also check people out, mark a person who did not come
  (only once the shift has begun), undo any of these (back to "not checked in"), and add
  walk-in helpers by name (people who came without signing up; checked in at once).
- A site's check-in code: one per site and day, created on first need, valid until the end
  of that day (Europe/Amsterdam); it can be renewed (a new link, the old one stops
  working) and withdrawn.
- Counts per shift and per edition: signed up (confirmed), turned up (checked in or out),
  did not come, walk-ins.

Concurrency: each change runs in one transaction under the shift's row lock
(`events.locking`, after the site's when the code is involved), so it sees the sign-up as
the sign-up services leave it (a release or a cancelled site take the same locks) and two
check-ins of one person never make two rows (a row per sign-up is also a constraint).

Every refusal is an `AttendanceError` with a stable `code` (409 unless stated).
"""

import datetime
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from common import clock
from common.errors import DomainError, InvalidInput
from common.text import plain_text_problem

from .. import locking
from ..models import Attendance, CheckInCode, Event, Shift, Signup, Site
from ..roles import site_days

CHECKED_IN = Attendance.Status.CHECKED_IN
CHECKED_OUT = Attendance.Status.CHECKED_OUT
NO_SHOW = Attendance.Status.NO_SHOW
CAME = (CHECKED_IN, CHECKED_OUT)
WALK_IN_NAME_LENGTH = Attendance._meta.get_field("walk_in_name").max_length
# A code's secret: 80 random bits, 14 characters, short enough to type from a printed
# page. Guessing one gains nothing: it checks in only people with a shift there now.
CODE_BYTES = 10
# What `secrets.token_urlsafe` makes (anything else is not a code; a NUL would not even
# reach PostgreSQL).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A walk-in form's one-time key (`new_form_key`): 32 characters.
FORM_KEY_BYTES = 24

# --- Errors ---------------------------------------------------------------------------------


class AttendanceError(DomainError):
    code = "attendance"
    default_message = _("This is not possible now.")


class CheckInTooEarly(AttendanceError):
    code = "check_in_too_early"
    default_message = _("Check-in for this shift opens at %(opens)s.")


class ShiftOver(AttendanceError):
    code = "shift_over"
    default_message = _("This shift is over; check-in has closed.")


class ShiftNotBegun(AttendanceError):
    code = "shift_not_begun"
    default_message = _("This shift has not begun yet: nobody can be marked as not come.")


class NotYourShift(AttendanceError):
    code = "not_your_shift"
    status_code = 403
    default_message = _(
        "This is not your shift: only its volunteer or its coordinators can do this."
    )


class NotConfirmed(AttendanceError):
    code = "not_confirmed"
    default_message = _(
        "You are on the waitlist of this shift, without a place: ask the coordinator at the site."
    )


class NoPlace(AttendanceError):
    code = "no_place"
    default_message = _("This person has no place on this shift (any more).")


class AttendanceCancelled(AttendanceError):
    code = "shift_cancelled"
    default_message = _("This shift or its site has been cancelled.")


class SiteNotPublished(AttendanceError):
    code = "site_not_published"
    default_message = _("This site is not published: nobody can check in there.")


class NotCheckedIn(AttendanceError):
    code = "not_checked_in"
    default_message = _("This person has not checked in.")


class AlreadyCheckedIn(AttendanceError):
    code = "already_checked_in"
    default_message = _("This person has checked in: undo the check-in first.")


class CheckInCodeUnknown(AttendanceError):
    code = "check_in_code_unknown"
    status_code = 404
    default_message = _("This check-in code does not exist. Scan the code at the site again.")


class CheckInCodeExpired(AttendanceError):
    code = "check_in_code_expired"
    status_code = 410
    default_message = _("This check-in code is no longer valid. Ask the coordinator at the site.")


class CheckInCodeWithdrawn(CheckInCodeExpired):
    code = "check_in_code_withdrawn"
    default_message = _("This check-in code was withdrawn. Ask the coordinator at the site.")


class NoShiftHere(AttendanceError):
    code = "no_shift_here"
    default_message = _("You have no shift at this site that you can check in to now.")


class WalkInFormAlreadySent(AttendanceError):
    """The walk-in form's one-time key was used for another helper or shift."""

    code = "form_already_sent"
    default_message = _("This form was already sent. Load the page again to add a walk-in helper.")


class CheckInDayInvalid(InvalidInput):
    code = "check_in_day_invalid"
    field = "day"
    default_message = _("A check-in code is for one of the site's days, today or later.")


# --- Reads ----------------------------------------------------------------------------------


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j b H:i")


def check_in_window(shift: Shift) -> tuple[datetime.datetime, datetime.datetime]:
    """From when until when people check in on `shift`."""
    opens = shift.starts_at - datetime.timedelta(minutes=settings.CHECK_IN_OPENS_MINUTES)
    closes = shift.ends_at + datetime.timedelta(minutes=settings.CHECK_IN_CLOSES_MINUTES)
    return opens, closes


def refuse_check_in(shift: Shift, now: datetime.datetime | None = None) -> None:
    """Raise what a check-in on `shift` (with its site and edition) would get now for the
    shift's own state: cancelled, site not public, too early, over."""
    site = shift.site
    if shift.is_cancelled or site.is_cancelled:
        raise AttendanceCancelled()
    if not site.is_public:
        raise SiteNotPublished()
    now = now or clock.now()
    opens, closes = check_in_window(shift)
    if now < opens:
        raise CheckInTooEarly(opens=_local(opens))
    if now > closes:
        raise ShiftOver()


def may_check_in(shift: Shift, now: datetime.datetime | None = None) -> bool:
    """Whether check-in on `shift` is open now (for showing a button)."""
    try:
        refuse_check_in(shift, now)
    except AttendanceError:
        return False
    return True


def _flagged(row: Attendance) -> Attendance:
    """`row` with `is_in`, `is_out` and `is_no_show`, for pages (which name no status
    by its text)."""
    row.is_in = row.status == CHECKED_IN
    row.is_out = row.status == CHECKED_OUT
    row.is_no_show = row.status == NO_SHOW
    return row


def attendance_of(signups: list[Signup]) -> dict[int, Attendance]:
    """{sign-up id: its attendance row} for these sign-ups (those that have one), each
    with `is_in`, `is_out`, `is_no_show`."""
    ids = [s.pk for s in signups]
    if not ids:
        return {}
    return {a.signup_id: _flagged(a) for a in Attendance.objects.filter(signup_id__in=ids)}


def walk_ins(shift_ids: list[int]) -> dict[int, list[Attendance]]:
    """{shift id: its walk-in helpers} in the order they were added (flagged as
    `attendance_of`'s rows)."""
    found: dict[int, list[Attendance]] = {}
    for row in Attendance.objects.filter(shift_id__in=shift_ids, signup=None).order_by("pk"):
        found.setdefault(row.shift_id, []).append(_flagged(row))
    return found


@dataclass(frozen=True)
class AttendanceCounts:
    """Confirmed places, how many of them turned up (checked in or out), how many were
    marked as not come, and walk-in helpers (who came without signing up)."""

    signed_up: int = 0
    turned_up: int = 0
    no_shows: int = 0
    walk_ins: int = 0

    @property
    def not_yet(self) -> int:
        """Confirmed people neither checked in nor marked as not come."""
        return max(self.signed_up - self.turned_up - self.no_shows, 0)

    def __add__(self, other: "AttendanceCounts") -> "AttendanceCounts":
        return AttendanceCounts(
            self.signed_up + other.signed_up,
            self.turned_up + other.turned_up,
            self.no_shows + other.no_shows,
            self.walk_ins + other.walk_ins,
        )


def _rows_of_shift(condition: Q) -> Coalesce:
    """For a `Shift` queryset: the number of its attendance rows meeting `condition`."""
    rows = (
        Attendance.objects.filter(condition, shift=OuterRef("pk"))
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _counts(shifts) -> dict[int, AttendanceCounts]:
    """{shift id: counts} for a queryset of shifts, in one query: the confirmed places are
    the shifts' stored counts (`Shift.confirmed_count`, kept by the sign-up services), the
    rest counts of their attendance rows by kind. A row whose sign-up is no longer
    confirmed (released, cancelled) counts no more."""
    confirmed = Q(signup__status=Signup.Status.CONFIRMED)
    rows = (
        shifts.order_by()
        .annotate(
            n_turned_up=_rows_of_shift(confirmed & Q(status__in=CAME)),
            n_no_shows=_rows_of_shift(confirmed & Q(status=NO_SHOW)),
            n_walk_ins=_rows_of_shift(Q(signup__isnull=True)),
        )
        .values_list("pk", "confirmed_count", "n_turned_up", "n_no_shows", "n_walk_ins")
    )
    return {pk: AttendanceCounts(*numbers) for pk, *numbers in rows}


def shift_attendance(shift_ids) -> dict[int, AttendanceCounts]:
    """{shift id: its counts} for these shifts."""
    shift_ids = list(shift_ids)
    counts = _counts(Shift.objects.filter(pk__in=shift_ids))
    return {pk: counts.get(pk, AttendanceCounts()) for pk in shift_ids}


def _edition_shifts(event: Event):
    return Shift.objects.filter(site__event=event, is_cancelled=False).exclude(
        site__status=Site.Status.CANCELLED
    )


def edition_attendance(event: Event, *, branch=None) -> AttendanceCounts:
    """The counts of an edition's live shifts at its sites that are not cancelled (of one
    branch, when given)."""
    shifts = _edition_shifts(event)
    if branch is not None:
        shifts = shifts.filter(site__branch=branch)
    total = AttendanceCounts()
    for counts in _counts(shifts).values():
        total += counts
    return total


def branch_attendance(event: Event, *, branch_ids=None) -> dict[int, AttendanceCounts]:
    """{branch id: its counts in the edition} for the branches with shifts (of these
    branches, when given)."""
    shifts = _edition_shifts(event)
    if branch_ids is not None:
        shifts = shifts.filter(site__branch_id__in=list(branch_ids))
    branch_of = dict(shifts.values_list("pk", "site__branch_id"))
    totals: dict[int, AttendanceCounts] = {}
    for pk, counts in _counts(shifts).items():
        branch_id = branch_of[pk]
        totals[branch_id] = totals.get(branch_id, AttendanceCounts()) + counts
    return totals


# --- Permission --------------------------------------------------------------------------------


def _refuse_unless_coordinating(by, shift: Shift) -> None:
    if by is None or not by.has_perm("events.take_attendance", shift):
        raise NotYourShift()


def _refuse_unless_own_or_coordinating(by, signup: Signup) -> None:
    if by is not None and by.pk == signup.volunteer.user_id:
        return
    _refuse_unless_coordinating(by, signup.shift)


# --- Changes -----------------------------------------------------------------------------------


def row_of(signup: Signup) -> Attendance | None:
    """The sign-up's attendance row, read under the shift's lock (a seam for the race
    tests)."""
    return Attendance.objects.filter(signup=signup).first()


def _locked(signup: Signup) -> tuple[Shift, Signup]:
    """The sign-up's shift locked (with its site and edition), and the sign-up read afresh
    under that lock (a release or cancellation takes the same lock)."""
    shift = locking.lock_shift(signup.shift_id)
    fresh = Signup.objects.select_related("volunteer").get(pk=signup.pk)
    fresh.shift = shift
    return shift, fresh


def check_in(
    *, signup: Signup, by, method: str, now: datetime.datetime | None = None
) -> Attendance:
    """Check the person of `signup` in on its shift; returns their attendance row.

    `method` is `self` or `code` when `by` is the person themselves, `coordinator` when
    `by` checks someone in by hand (and must be a coordinator of the site's branch or an
    organiser). Refused (`AttendanceError`, nothing changed) when the sign-up is not
    confirmed, the shift or its site is cancelled, the site is not public, or check-in is
    not open (too early, shift over). A person already checked in (or out) stays as they
    were; a person marked as not come who turns up after all is checked in.
    """
    if method not in Attendance.Method.values:
        raise InvalidInput(field="method")
    with locking.write_transaction():
        shift, signup = _locked(signup)
        if method == Attendance.Method.COORDINATOR:
            _refuse_unless_coordinating(by, shift)
        elif by is None or by.pk != signup.volunteer.user_id:
            raise NotYourShift()
        if shift.is_cancelled or shift.site.is_cancelled:
            # Before the sign-up's status: cancelling a site cancels its sign-ups too.
            raise AttendanceCancelled()
        if signup.status == Signup.Status.WAITLISTED:
            raise NotConfirmed()
        if signup.status != Signup.Status.CONFIRMED:
            raise NoPlace()
        now = now or clock.now()
        refuse_check_in(shift, now)
        row = row_of(signup)
        if row is not None and row.status in CAME:
            return row
        if row is None:
            row = Attendance(shift=shift, signup=signup)
        row.status = CHECKED_IN
        row.method = method
        row.checked_in_at = now
        row.checked_in_by = by
        row.save()
        return row


def _locked_row(attendance: Attendance) -> tuple[Shift, Attendance | None]:
    shift = locking.lock_shift(attendance.shift_id)
    fresh = Attendance.objects.select_related("signup__volunteer").filter(pk=attendance.pk).first()
    return shift, fresh


def check_out(*, attendance: Attendance, by, now: datetime.datetime | None = None) -> Attendance:
    """Check a person (or a walk-in helper) out: by themselves or a coordinator. Only
    someone checked in; checking out twice changes nothing."""
    with locking.write_transaction():
        shift, row = _locked_row(attendance)
        if row is None:
            raise NotCheckedIn()
        if row.signup is not None:
            row.signup.shift = shift
            _refuse_unless_own_or_coordinating(by, row.signup)
        else:
            _refuse_unless_coordinating(by, shift)
        if row.status == CHECKED_OUT:
            return row
        if row.status != CHECKED_IN:
            raise NotCheckedIn()
        row.status = CHECKED_OUT
        row.checked_out_at = now or clock.now()
        row.checked_out_by = by
        row.save()
        return row


def mark_no_show(*, signup: Signup, by, now: datetime.datetime | None = None) -> Attendance:
    """A coordinator marks a confirmed person as not come, once the shift has begun. Someone
    checked in must be undone first (`AlreadyCheckedIn`)."""
    with locking.write_transaction():
        shift, signup = _locked(signup)
        _refuse_unless_coordinating(by, shift)
        if signup.status != Signup.Status.CONFIRMED:
            raise NotConfirmed() if signup.is_waitlisted else NoPlace()
        if shift.is_cancelled or shift.site.is_cancelled:
            raise AttendanceCancelled()
        now = now or clock.now()
        if now < shift.starts_at:
            raise ShiftNotBegun()
        row = Attendance.objects.filter(signup=signup).first()
        if row is not None:
            if row.status == NO_SHOW:
                return row
            raise AlreadyCheckedIn()
        return Attendance.objects.create(
            shift=shift, signup=signup, status=NO_SHOW, no_show_at=now, no_show_by=by
        )


def undo(*, attendance: Attendance, by) -> None:
    """A coordinator takes back a check-in, check-out or "did not come": the person is
    "not checked in" again. A walk-in helper added by mistake is removed."""
    with locking.write_transaction():
        shift, row = _locked_row(attendance)
        _refuse_unless_coordinating(by, shift)
        if row is not None:
            row.delete()


def new_form_key() -> str:
    """A one-time key for a walk-in form (a fresh one each time the form is shown)."""
    return secrets.token_urlsafe(FORM_KEY_BYTES)


def add_walk_in(
    *,
    shift: Shift,
    name: str,
    by,
    form_key: str = "",
    now: datetime.datetime | None = None,
) -> Attendance:
    """A coordinator adds a helper who came without signing up, by name, checked in at once
    (on a shift open for check-in). Walk-ins take no place: they count on their own.

    `form_key` (optional) is the one-time key of the form or API request: the same form
    sent again (a double tap, a resent request) returns the row it made, with `repeated`
    set to True on it, and adds no second row. The key used for another name or shift is
    `WalkInFormAlreadySent`."""
    form_key = (form_key or "").strip()
    if form_key and not TOKEN_SHAPE.fullmatch(form_key):
        raise InvalidInput(
            _("The form is incomplete: please load the page again."), field="form_key"
        )
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Give the helper's name."), field="name")
    problem = plain_text_problem(name, _("name"))
    if problem:
        raise InvalidInput(problem, field="name")
    if len(name) > WALK_IN_NAME_LENGTH:
        raise InvalidInput(
            _("A name has at most %(max)d characters."), field="name", max=WALK_IN_NAME_LENGTH
        )
    with locking.write_transaction():
        locked = locking.lock_shift(shift.pk)
        _refuse_unless_coordinating(by, locked)
        if form_key:
            # Asked under the shift's lock: a copy of the form sent at the same moment
            # waits here until the first is stored (and finds it).
            done = Attendance.objects.filter(form_key=form_key).first()
            if done is not None:
                if done.shift_id != locked.pk or done.walk_in_name != name:
                    raise WalkInFormAlreadySent()
                done.repeated = True
                return done
        now = now or clock.now()
        refuse_check_in(locked, now)
        try:
            row = Attendance.objects.create(
                shift=locked,
                walk_in_name=name,
                status=CHECKED_IN,
                method=Attendance.Method.COORDINATOR,
                checked_in_at=now,
                checked_in_by=by,
                form_key=form_key or None,
            )
        except IntegrityError:
            if not form_key:
                raise
            # The same key sent for another shift at the same moment (that shift's lock
            # is not ours): its unique index lets one through.
            raise WalkInFormAlreadySent() from None
        row.repeated = False
        return row


# --- The site's check-in code ----------------------------------------------------------------


def code_expiry(day: datetime.date) -> datetime.datetime:
    """The end of `day` in Europe/Amsterdam (midnight after it)."""
    return clock.at_local(day + datetime.timedelta(days=1), datetime.time(0, 0))


def _refuse_site(site: Site) -> None:
    """A code only for a site people can check in at: public and not cancelled."""
    if site.is_cancelled:
        raise AttendanceCancelled()
    if not site.is_public:
        raise SiteNotPublished()


def _refuse_day(site: Site, day: datetime.date) -> None:
    first, last = site_days(site)
    if not (first <= day <= last) or day < clock.today():
        raise CheckInDayInvalid()


def live_code(site: Site, day: datetime.date) -> CheckInCode | None:
    """The site's code of `day` that is not withdrawn (it may have expired)."""
    return CheckInCode.objects.filter(site=site, day=day, revoked_at=None).first()


def check_in_code_for(site: Site, *, day: datetime.date, by) -> CheckInCode:
    """The site's check-in code of `day`, made on first need (for a coordinator of the
    site's branch or an organiser, for one of the site's days, today or later)."""
    _refuse_unless_coordinating(by, site)
    with locking.write_transaction():
        locked = locking.lock_site(site.pk)
        _refuse_site(locked)
        code = live_code(locked, day)
        if code is not None:
            return code
        _refuse_day(locked, day)
        return _new_code(locked, day, by)


def _new_code(site: Site, day: datetime.date, by) -> CheckInCode:
    return CheckInCode.objects.create(
        site=site,
        day=day,
        token=secrets.token_urlsafe(CODE_BYTES),
        expires_at=code_expiry(day),
        created_by=by,
    )


def check_in_code_revoke(*, site: Site, day: datetime.date, by) -> CheckInCode | None:
    """Withdraw the site's code of `day`: its link stops working. Returns it (None when
    there was none)."""
    _refuse_unless_coordinating(by, site)
    with locking.write_transaction():
        locked = locking.lock_site(site.pk)
        code = live_code(locked, day)
        if code is not None:
            code.revoked_at = clock.now()
            code.save(update_fields=["revoked_at"])
        return code


def check_in_code_renew(*, site: Site, day: datetime.date, by) -> CheckInCode:
    """A new code for the site's `day`; the old one stops working at once."""
    _refuse_unless_coordinating(by, site)
    with locking.write_transaction():
        locked = locking.lock_site(site.pk)
        _refuse_site(locked)
        _refuse_day(locked, day)
        old = live_code(locked, day)
        if old is not None:
            old.revoked_at = clock.now()
            old.save(update_fields=["revoked_at"])
        return _new_code(locked, day, by)


def code_by_token(token: str, now: datetime.datetime | None = None) -> CheckInCode:
    """The working code of `token`, with its site and edition; raises
    `CheckInCodeUnknown`, `CheckInCodeWithdrawn` or `CheckInCodeExpired`."""
    token = str(token or "")
    code = None
    if TOKEN_SHAPE.fullmatch(token):
        code = (
            CheckInCode.objects.select_related("site__event", "site__location")
            .filter(token=token)
            .first()
        )
    if code is None:
        raise CheckInCodeUnknown()
    if code.revoked_at is not None:
        raise CheckInCodeWithdrawn()
    if (now or clock.now()) >= code.expires_at:
        raise CheckInCodeExpired()
    return code


def code_signups(code: CheckInCode, user, now: datetime.datetime | None = None) -> list[Signup]:
    """`user`'s confirmed sign-ups at the code's site on shifts open for check-in now, each
    with `attendance` (or None). Raises what checking in would answer when there are none:
    `CheckInTooEarly` for a shift there later that day, `AttendanceCancelled` for a
    cancelled site, `NoShiftHere` otherwise."""
    now = now or clock.now()
    site = code.site
    if site.is_cancelled:
        raise AttendanceCancelled()
    day_start = clock.at_local(code.day, datetime.time(0, 0))
    signups = list(
        Signup.objects.filter(
            volunteer__user_id=getattr(user, "pk", None),
            status=Signup.Status.CONFIRMED,
            shift__site=site,
            shift__is_cancelled=False,
            shift__starts_at__lt=code.expires_at,
            shift__ends_at__gt=day_start,
        )
        .select_related("shift__site__event", "shift__site__location", "volunteer")
        .order_by("shift__starts_at", "pk")
    )
    open_now = [s for s in signups if may_check_in(s.shift, now)]
    if not open_now:
        if signups:
            refuse_check_in(signups[0].shift, now)  # too early, or over
        raise NoShiftHere()
    rows = attendance_of(open_now)
    for signup in open_now:
        signup.attendance_row = rows.get(signup.pk)
    return open_now


def check_in_with_code(
    *, token: str, user, now: datetime.datetime | None = None
) -> list[Attendance]:
    """Check `user` in on each of their confirmed shifts at the code's site that are open
    for check-in now (method `code`). Refused for an unknown, withdrawn or expired code
    and for someone with no such shift there."""
    now = now or clock.now()
    code = code_by_token(token, now)
    return [
        check_in(signup=signup, by=user, method=Attendance.Method.CODE, now=now)
        for signup in code_signups(code, user, now)
    ]
