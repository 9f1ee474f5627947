"""At most one active signup per shift and volunteer, enforced by the database."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Volunteer
from accounts.tokens import new_calendar_token
from events.models import Signup
from tests.factories import make_signup


def test_one_active_signup_per_shift_and_volunteer(shift, volunteer):
    profile = volunteer.volunteer
    make_signup(shift=shift, volunteer=profile, status=Signup.Status.CONFIRMED)
    for status in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_signup(shift=shift, volunteer=profile, status=status)


def test_a_cancelled_signup_does_not_block_a_new_claim(shift, volunteer):
    profile = volunteer.volunteer
    make_signup(shift=shift, volunteer=profile, status=Signup.Status.CANCELLED)
    make_signup(shift=shift, volunteer=profile, status=Signup.Status.CANCELLED)
    make_signup(shift=shift, volunteer=profile, status=Signup.Status.CONFIRMED)
    assert shift.signups.filter(status=Signup.Status.CONFIRMED).count() == 1


def test_calendar_tokens_are_long_random_and_distinct(db, django_user_model):
    tokens = {new_calendar_token() for _ in range(100)}
    assert len(tokens) == 100
    # 32 random bytes, URL-safe base64: 43 characters, 256 bits.
    assert all(len(token) == 43 for token in tokens)
    user = django_user_model.objects.create_user(email="a@example.org", password="x")
    profile = Volunteer.objects.create(user=user)
    assert profile.calendar_token != profile.coordinator_calendar_token
