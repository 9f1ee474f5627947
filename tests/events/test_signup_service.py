"""The claiming rule: places, waitlist, overlaps, closed shifts, release and its deadline."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from events import errors
from events.models import Event, Shift, Signup, Site
from events.selectors import waitlist_position
from events.services import signup_create, signup_release
from locations.models import Location
from tests.factories import make_shift, make_volunteer, make_volunteers

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"


def statuses(shift) -> list[str]:
    return list(shift.signups.order_by("created_at", "id").values_list("status", flat=True))


def test_places_are_confirmed_until_full_then_waitlisted(shift):
    people = make_volunteers(5)
    results = [signup_create(shift=shift, volunteer=person).status for person in people]
    assert results == [CONFIRMED] * 3 + [WAITLISTED] * 2
    last = Signup.objects.get(volunteer=people[-1])
    assert waitlist_position(last) == 2
    assert waitlist_position(Signup.objects.get(volunteer=people[0])) is None


def test_a_shift_without_places_waitlists_everyone(site):
    shift = make_shift(site, capacity=0)
    assert signup_create(shift=shift, volunteer=make_volunteer()).status == WAITLISTED


def test_claiming_twice_is_refused_and_changes_nothing(shift, profile):
    signup_create(shift=shift, volunteer=profile)
    with pytest.raises(errors.AlreadySignedUp) as caught:
        signup_create(shift=shift, volunteer=profile)
    assert caught.value.code == "already_signed_up"
    assert shift.signups.count() == 1


def test_an_overlapping_confirmed_shift_is_refused_with_its_description(site, profile):
    first = make_shift(site, starts_in_hours=72, hours=2)
    overlapping = make_shift(site, starts_in_hours=73, hours=2)
    signup_create(shift=first, volunteer=profile)
    with pytest.raises(errors.ShiftOverlap) as caught:
        signup_create(shift=overlapping, volunteer=profile)
    assert caught.value.code == "shift_overlap"
    assert "azc Utrecht" in caught.value.detail
    assert overlapping.signups.count() == 0


def test_back_to_back_shifts_do_not_overlap(site, profile):
    first = make_shift(site, starts_in_hours=72, hours=2)
    next_one = make_shift(site, starts_in_hours=74, hours=2)
    signup_create(shift=first, volunteer=profile)
    assert signup_create(shift=next_one, volunteer=profile).status == CONFIRMED


def test_overlap_refuses_the_waitlist_too(site, profile):
    first = make_shift(site, starts_in_hours=72, hours=2)
    full = make_shift(site, starts_in_hours=72.5, hours=1, capacity=0)
    signup_create(shift=first, volunteer=profile)
    with pytest.raises(errors.ShiftOverlap):
        signup_create(shift=full, volunteer=profile)


def test_a_cancelled_shift_does_not_count_as_overlap(site, profile):
    first = make_shift(site, starts_in_hours=72, hours=2)
    signup_create(shift=first, volunteer=profile)
    first.is_cancelled = True
    first.save()
    overlapping = make_shift(site, starts_in_hours=72, hours=2)
    assert signup_create(shift=overlapping, volunteer=profile).status == CONFIRMED


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        (lambda s: setattr(s, "is_cancelled", True), errors.ShiftCancelled, "shift_cancelled"),
        (
            lambda s: setattr(s.site, "status", Site.Status.CANCELLED),
            errors.ShiftCancelled,
            "shift_cancelled",
        ),
        (
            lambda s: setattr(s.site, "status", Site.Status.DRAFT),
            errors.SiteNotOpen,
            "site_not_open",
        ),
        (
            lambda s: setattr(s.site, "status", Site.Status.SUBMITTED),
            errors.SiteNotOpen,
            "site_not_open",
        ),
        (
            lambda s: setattr(s.site.event, "is_published", False),
            errors.SiteNotOpen,
            "site_not_open",
        ),
    ],
    ids=["shift-cancelled", "site-cancelled", "site-draft", "site-submitted", "event-hidden"],
)
def test_closed_shifts_are_refused_with_a_reason(shift, profile, change, error, code):
    change(shift)
    shift.save()
    shift.site.save()
    shift.site.event.save()
    with pytest.raises(error) as caught:
        signup_create(shift=shift, volunteer=profile)
    assert caught.value.code == code
    assert isinstance(caught.value, errors.SignupClosed)
    assert shift.signups.count() == 0


def test_claim_on_another_branchs_draft_site_is_refused(event, other_branch, profile):
    location = Location.objects.create(name="azc Zwolle", city="Zwolle")
    draft = Site.objects.create(
        event=event,
        location=location,
        branch=other_branch,
        opens_at=timezone.now() + datetime.timedelta(days=3),
        closes_at=timezone.now() + datetime.timedelta(days=3, hours=5),
    )
    shift = make_shift(draft)
    with pytest.raises(errors.SiteNotOpen) as caught:
        signup_create(shift=shift, volunteer=profile)
    assert "niet gepubliceerd" in caught.value.detail
    assert Signup.objects.count() == 0


@pytest.mark.parametrize("starts_in_hours", [-1, -5], ids=["started", "over"])
def test_started_or_past_shifts_are_refused(site, profile, starts_in_hours):
    shift = make_shift(site, starts_in_hours=starts_in_hours, hours=2)
    with pytest.raises(errors.ShiftStarted):
        signup_create(shift=shift, volunteer=profile)


def test_volunteers_may_claim_after_site_registration_closes(shift, profile):
    """The edition's registration window is for branches registering sites; a volunteer
    can still claim a place until the shift starts."""
    event: Event = shift.site.event
    event.registration_opens_at = timezone.now() - datetime.timedelta(days=30)
    event.registration_closes_at = timezone.now() - datetime.timedelta(days=1)
    event.save()
    signup = signup_create(shift=shift, volunteer=profile)
    assert signup.status == Signup.Status.CONFIRMED


def test_unverified_and_inactive_accounts_cannot_claim(shift):
    unverified = make_volunteer(verified=False)
    with pytest.raises(errors.EmailNotVerified) as caught:
        signup_create(shift=shift, volunteer=unverified)
    assert caught.value.status_code == 403
    inactive = make_volunteer(is_active=False)
    with pytest.raises(errors.EmailNotVerified):
        signup_create(shift=shift, volunteer=inactive)
    assert shift.signups.count() == 0


# --- Release --------------------------------------------------------------------------------


def test_release_moves_the_first_waitlisted_up_and_mails_them(
    site, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=2)
    first, second, third, fourth = make_volunteers(4)
    for person in (first, second, third, fourth):
        signup_create(shift=shift, volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        released = signup_release(shift=shift, volunteer=first)
    assert released.status == CANCELLED and released.cancelled_at is not None
    assert statuses(shift) == [CANCELLED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert Signup.objects.get(volunteer=third).confirmed_at is not None
    # The one who released is told so (`signup_released`); the one who moved up, of the place.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [first.user.email, third.user.email]
    )
    body = next(message.body for message in mail.outbox if message.to == [third.user.email])
    assert "bevestigd" in body and "confirmed" in body  # Dutch, then English
    assert "/my/shifts/" in body
    assert waitlist_position(Signup.objects.get(volunteer=fourth)) == 1


def test_the_mail_names_a_street_spot_once(site, django_capture_on_commit_callbacks):
    """A street spot is named after its address ("Neude, Utrecht"): the mail says where
    once, not "Neude, Utrecht, Neude, Utrecht"."""
    location = site.location
    location.name, location.street, location.house_number, location.postcode = (
        "Neude, Utrecht",
        "Neude",
        None,
        "",
    )
    location.save()
    shift = make_shift(site, capacity=1)
    holder, waiting = make_volunteers(2)
    signup_create(shift=shift, volunteer=holder)
    signup_create(shift=shift, volunteer=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        signup_release(shift=shift, volunteer=holder)
    body = next(message.body for message in mail.outbox if message.to == [waiting.user.email])
    assert body.count("Neude, Utrecht") == 2  # once in Dutch, once in English
    assert "Neude, Utrecht, Neude" not in body


def test_releasing_a_waitlisted_place_promotes_nobody(site, django_capture_on_commit_callbacks):
    shift = make_shift(site, capacity=1)
    first, second, third = make_volunteers(3)
    for person in (first, second, third):
        signup_create(shift=shift, volunteer=person)
    with django_capture_on_commit_callbacks(execute=True):
        signup_release(shift=shift, volunteer=second)
    assert statuses(shift) == [CONFIRMED, CANCELLED, WAITLISTED]
    # Only the one who left the waitlist hears of it: nobody moved up.
    assert [message.to for message in mail.outbox] == [[second.user.email]]


def test_promotion_passes_over_a_waitlisted_volunteer_with_an_overlapping_shift(site):
    shift = make_shift(site, capacity=1, starts_in_hours=72)
    elsewhere = make_shift(site, capacity=5, starts_in_hours=73)
    holder, busy, free = make_volunteers(3)
    signup_create(shift=shift, volunteer=holder)
    signup_create(shift=shift, volunteer=busy)
    signup_create(shift=shift, volunteer=free)
    signup_create(shift=elsewhere, volunteer=busy)  # waitlisted above, confirmed here
    signup_release(shift=shift, volunteer=holder)
    assert Signup.objects.get(shift=shift, volunteer=free).status == CONFIRMED
    assert Signup.objects.get(shift=shift, volunteer=busy).status == WAITLISTED


def test_release_until_the_deadline_of_the_edition(site, profile):
    site.event.release_deadline_hours = 24
    site.event.save()
    soon = make_shift(site, starts_in_hours=23)
    later = make_shift(site, starts_in_hours=26)
    signup_create(shift=soon, volunteer=profile)
    signup_create(shift=later, volunteer=profile)
    with pytest.raises(errors.ReleaseDeadlinePassed) as caught:
        signup_release(shift=soon, volunteer=profile)
    assert caught.value.code == "release_deadline_passed"
    assert "coördinator" in caught.value.detail
    assert soon.signups.get().status == CONFIRMED
    assert signup_release(shift=later, volunteer=profile).status == CANCELLED


def test_a_shorter_deadline_per_edition(site, profile):
    site.event.release_deadline_hours = 2
    site.event.save()
    shift = make_shift(site, starts_in_hours=5)
    signup_create(shift=shift, volunteer=profile)
    assert signup_release(shift=shift, volunteer=profile).status == CANCELLED


def test_a_waitlisted_place_can_be_left_after_the_deadline(site):
    shift = make_shift(site, starts_in_hours=3, capacity=0)
    person = make_volunteer()
    signup_create(shift=shift, volunteer=person)
    assert signup_release(shift=shift, volunteer=person).status == CANCELLED


def test_releasing_without_a_place_is_refused(shift, profile):
    with pytest.raises(errors.NotSignedUp):
        signup_release(shift=shift, volunteer=profile)


def test_after_releasing_one_can_claim_again(shift, profile):
    signup_create(shift=shift, volunteer=profile)
    signup_release(shift=shift, volunteer=profile)
    assert signup_create(shift=shift, volunteer=profile).status == CONFIRMED
    assert statuses(shift) == [CANCELLED, CONFIRMED]


def test_no_promotion_once_the_shift_has_started(site):
    shift = make_shift(site, capacity=1, starts_in_hours=30)
    first, second = make_volunteers(2)
    signup_create(shift=shift, volunteer=first)
    signup_create(shift=shift, volunteer=second)
    shift.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    shift.save()
    site.event.release_deadline_hours = 0
    site.event.save()
    with pytest.raises(errors.ReleaseDeadlinePassed):
        signup_release(shift=shift, volunteer=first)


def test_a_shift_deleted_while_the_claim_waited_is_refused_not_a_crash(site, profile):
    shift = make_shift(site)
    stale = Shift.objects.get(pk=shift.pk)
    shift.delete()
    with pytest.raises(errors.ShiftCancelled):
        signup_create(shift=stale, volunteer=profile)
    with pytest.raises(errors.ShiftCancelled):
        signup_release(shift=stale, volunteer=profile)
    assert not Signup.objects.exists()
