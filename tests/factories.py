"""Factories for sign-up tests: many volunteers, shifts relative to now."""

import datetime
import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Volunteer
from events.models import Shift, Signup
from events.services.signups import shift_counts_refresh

_numbers = itertools.count(1)


def make_volunteer(email: str | None = None, *, verified: bool = True, **user_fields):
    """A user with a volunteer profile (and a verified address unless told otherwise)."""
    email = email or f"helper{next(_numbers)}@example.org"
    user = get_user_model().objects.create_user(
        email=email, password="pw-for-tests-1", **user_fields
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return Volunteer.objects.create(user=user)


def make_volunteers(count: int) -> list[Volunteer]:
    return [make_volunteer() for _ in range(count)]


def make_shift(site, *, starts_in_hours: float = 72, hours: float = 2, capacity: int = 3, **kw):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=starts_in_hours)
    return Shift.objects.create(
        site=site,
        role=kw.pop("role", Shift.Role.RECEPTION),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        capacity=capacity,
        **kw,
    )


def make_signup(shift: Shift, volunteer: Volunteer, status: str = "confirmed", **fields) -> Signup:
    """A sign-up written directly, not claimed (a state set up for a test: a place on a
    full shift, a past shift, a given status), with the shift's stored counts kept equal
    to its sign-ups, as the services keep them."""
    signup = Signup.objects.create(shift=shift, volunteer=volunteer, status=status, **fields)
    shift_counts_refresh(shift_ids=[shift.pk])
    return signup


def set_signup_status(signup: Signup, status: str, **fields) -> Signup:
    """Change a sign-up's status directly, not through a service (a state set up for a
    test), keeping the shift's stored counts equal to its sign-ups."""
    signup.status = status
    for name, value in fields.items():
        setattr(signup, name, value)
    signup.save()
    shift_counts_refresh(shift_ids=[signup.shift_id])
    return signup


def aware_local(year, month, day, hour=0, minute=0) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Amsterdam"))
