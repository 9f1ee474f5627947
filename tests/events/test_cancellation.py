"""Cancelling a site: volunteers told, places freed, history kept, calendars updated."""

import pytest

from accounts.models import Volunteer
from events.errors import EditionClosed, SiteWrongStatus
from events.models import Signup, Site
from events.services import site_cancel
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, past_edition, place, upcoming_edition
from tests.factories import make_signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(branch):
    return draft_site(upcoming_edition(), place(), branch, shifts=2, status=Site.Status.PUBLISHED)


def _volunteer(django_user_model, email, name):
    return Volunteer.objects.create(user=make_user(django_user_model, email, first_name=name))


def test_cancelling_frees_every_place_tells_each_volunteer_once_and_keeps_history(
    published,
    coordinator,
    django_user_model,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    anna = _volunteer(django_user_model, "anna@example.org", "Anna")
    bram = _volunteer(django_user_model, "bram@example.org", "Bram")
    first, second = published.shifts.order_by("starts_at")
    make_signup(shift=first, volunteer=anna, status=Signup.Status.CONFIRMED)
    make_signup(shift=second, volunteer=anna, status=Signup.Status.CONFIRMED)
    make_signup(shift=first, volunteer=bram, status=Signup.Status.WAITLISTED)
    old = make_signup(shift=second, volunteer=bram, status=Signup.Status.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        result = site_cancel(site=published, by=coordinator, comment="Het azc gaat verbouwen.")

    assert (result.signups_freed, result.volunteers_told) == (3, 2)
    published.refresh_from_db()
    assert published.status == Site.Status.CANCELLED
    assert published.sequence == 1
    assert not Site.objects.published().exists()
    assert all(s.is_cancelled and s.sequence == 1 for s in published.shifts.all())
    assert not Signup.objects.filter(status__in=Signup.ACTIVE_STATUSES).exists()
    assert Signup.objects.filter(cancelled_at__isnull=False).count() == 3
    old.refresh_from_db()
    assert old.cancelled_at is None  # an earlier cancellation is left as it was
    change = published.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        "published",
        "cancelled",
        coordinator,
        "Het azc gaat verbouwen.",
    )

    to_volunteers = {m.to[0]: m for m in mailoutbox if m.to[0] != coordinator.email}
    assert set(to_volunteers) == {"anna@example.org", "bram@example.org"}
    anna_mail = to_volunteers["anna@example.org"]
    assert anna_mail.subject.startswith("Geannuleerd: azc Zeist op ")
    assert anna_mail.body.startswith("Beste Anna,")
    assert anna_mail.body.count("- Ontvangst") == 2
    # The same in English below, as in every mail to volunteers.
    assert "Dear Anna," in anna_mail.body and anna_mail.body.count("- Reception") == 2
    assert "Het azc gaat verbouwen." in anna_mail.body
    assert "(wachtlijst)" in to_volunteers["bram@example.org"].body
    assert f"/map/?event={published.event.slug}&open_spots=true" in anna_mail.body
    # No volunteer's address is shown to another.
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    assert [m.to for m in mailoutbox if m.to[0] == coordinator.email] == [[coordinator.email]]


def test_cancelling_twice_is_refused_and_changes_nothing(published, coordinator):
    site_cancel(site=published, by=coordinator)
    with pytest.raises(SiteWrongStatus) as caught:
        site_cancel(site=published, by=coordinator)
    assert caught.value.detail == "Deze locatie is al geannuleerd."
    published.refresh_from_db()
    assert published.sequence == 1
    assert published.status_changes.count() == 1


def test_a_site_of_a_past_edition_cannot_be_cancelled(branch, organiser):
    site = draft_site(past_edition(), place(), branch, status=Site.Status.PUBLISHED)
    with pytest.raises(EditionClosed):
        site_cancel(site=site, by=organiser)
    site.refresh_from_db()
    assert site.status == Site.Status.PUBLISHED


def test_a_draft_can_be_cancelled_too(branch, coordinator, mailoutbox):
    site = draft_site(upcoming_edition(), place(), branch)
    result = site_cancel(site=site, by=coordinator)
    assert result.site.status == Site.Status.CANCELLED
    assert result.volunteers_told == 0
