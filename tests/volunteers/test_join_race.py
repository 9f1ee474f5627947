"""The join form sent several times at the same moment (a double tap on a slow phone, a
browser that resends) makes one helper and one sign-up, on SQLite and PostgreSQL; and
joins at once never overbook a shift."""

import pytest

from accounts.models import Volunteer
from events.models import Signup
from tests.events.test_signup_race import run_together
from tests.factories import make_shift
from volunteers.helpers import HelperDetails, helper_join, new_form_key
from volunteers.invitations import invitation_create
from volunteers.models import HelperOrigin

pytestmark = pytest.mark.django_db(transaction=True)


def details(number: int = 0) -> HelperDetails:
    return HelperDetails(name=f"Selam {number}", language="ti", phone="0612345678")


def test_the_same_form_sent_at_once_is_one_helper(site, coordinator):
    invitation = invitation_create(site=site, by=coordinator)
    shift = make_shift(site, capacity=3)
    key = new_form_key()
    results = run_together(
        lambda _n: helper_join(invitation=invitation, shift=shift, details=details(), form_key=key),
        list(range(6)),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert len({r.volunteer.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Volunteer.objects.filter(link_token__isnull=False).count() == 1
    assert HelperOrigin.objects.count() == 1
    assert Signup.objects.filter(shift=shift).count() == 1


def test_joins_at_once_never_overbook(site, coordinator):
    invitation = invitation_create(site=site, by=coordinator)
    shift = make_shift(site, capacity=2)
    results = run_together(
        lambda n: helper_join(
            invitation=invitation, shift=shift, details=details(n), form_key=new_form_key()
        ),
        list(range(8)),
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED).count() == 2
    assert Signup.objects.filter(shift=shift, status=Signup.Status.WAITLISTED).count() == 6
