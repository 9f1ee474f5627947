"""Rules that had drifted apart while they lived in two places, now answered once.

Each test failed before the rule got one home:

1. The registration page warned that a location "already has a site in this edition"
   when that site was cancelled, while `site_create` and the database accepted it.
2. A closed edition answered `409 edition_closed` for a site but `400 invalid` for a shift.
3. The staffing appeal was the one mail to volunteers written in Dutch only.
4. Claims stay open until the shift starts, whatever the registration window says (the
   sign-up rules' docstring said the opposite of the code).
"""

import datetime

from django.core import mail
from rest_framework.test import APIClient

from common import clock
from events import services
from events.models import Site
from events.services.editions import edition_is_closed
from tests.events.editions_helpers import draft_site, past_edition, place, upcoming_edition
from tests.factories import make_shift, make_volunteer


def test_a_cancelled_sites_location_is_offered_without_a_warning(coordinator_client, branch):
    edition = upcoming_edition()
    location = place()
    earlier = draft_site(edition, location, branch)
    services.site_cancel(site=earlier, by=None)

    page = coordinator_client.get(
        f"/manage/editions/{edition.slug}/register/?location={location.pk}"
    )
    assert location.pk not in page.context["taken"]
    assert "heeft al een locatie in deze editie" not in page.content.decode()
    assert "already has a site" not in page.content.decode()
    # ... and registering it works, as the page now says.
    response = coordinator_client.post(
        f"/manage/editions/{edition.slug}/register/",
        {
            "location": location.pk,
            "opens_at": "11:00",
            "closes_at": "16:00",
            "public_description": "Welkom.",
        },
    )
    assert response.status_code == 302
    assert Site.objects.filter(event=edition, location=location).live().count() == 1


def test_a_live_sites_location_is_still_pointed_out(coordinator_client, branch):
    edition = upcoming_edition()
    location = place()
    draft_site(edition, location, branch)
    page = coordinator_client.get(
        f"/manage/editions/{edition.slug}/register/?location={location.pk}"
    )
    assert location.pk in page.context["taken"]


def test_a_closed_edition_answers_the_same_for_sites_and_shifts(branch, organiser):
    site = draft_site(past_edition(), place(), branch, status=Site.Status.PUBLISHED)
    shift = site.shifts.get()
    client = APIClient()
    client.force_authenticate(organiser)

    answers = [
        client.patch(f"/api/v1/sites/{site.pk}/", {"name": "Nieuw"}, format="json"),
        client.patch(f"/api/v1/shifts/{shift.pk}/", {"capacity": 9}, format="json"),
        client.delete(f"/api/v1/shifts/{shift.pk}/"),
        client.post(
            "/api/v1/shifts/",
            {
                "site": site.pk,
                "role": "coffee",
                "starts_at": shift.starts_at.isoformat(),
                "ends_at": shift.ends_at.isoformat(),
                "capacity": 2,
            },
            format="json",
        ),
    ]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(409, "edition_closed")] * 4
    shift.refresh_from_db()
    assert shift.capacity == 2 and not shift.is_cancelled and site.shifts.count() == 1


def test_a_closed_edition_is_refused_on_the_shift_page_too(coordinator_client, branch):
    site = draft_site(past_edition(), place(), branch, status=Site.Status.PUBLISHED)
    shift = site.shifts.get()
    day = clock.today() - datetime.timedelta(days=30)
    page = coordinator_client.post(
        f"/coordinate/shifts/{shift.pk}/edit/",
        {
            "role": "reception",
            "date": day.isoformat(),
            "start": "11:00",
            "end": "12:00",
            "capacity": 5,
        },
    )
    assert page.status_code == 200
    assert "de locaties kunnen niet meer veranderen" in page.content.decode()
    shift.refresh_from_db()
    assert shift.capacity == 2


def test_the_staffing_appeal_is_written_in_dutch_and_english(
    branch, coordinator, django_capture_on_commit_callbacks
):
    from volunteers.appeals import staffing_appeal_send

    site = draft_site(upcoming_edition(), place(), branch, status=Site.Status.PUBLISHED)
    reader = make_volunteer("reader@example.org")
    reader.home_branch = branch
    reader.save()
    with django_capture_on_commit_callbacks(execute=True):
        staffing_appeal_send(site=site, by=coordinator, message="")
    (message,) = mail.outbox
    assert "zoekt nog vrijwilligers" in message.body  # Dutch first ...
    assert "still needs volunteers" in message.body  # ... then the same in English
    assert message.body.index("zoekt nog vrijwilligers") < message.body.index("still needs")


def test_every_mail_to_a_person_has_the_same_languages(
    branch, coordinator, organiser, django_capture_on_commit_callbacks
):
    """The coordinators' mails follow the one rule too (they were Dutch only)."""
    edition = upcoming_edition()
    site = draft_site(edition, place(), branch)
    with django_capture_on_commit_callbacks(execute=True):
        services.site_submit(site=site, by=coordinator)
        services.site_publish(site=site, by=organiser)
    (message,) = mail.outbox
    assert "Het landelijk bureau heeft" in message.body and "has approved" in message.body


def test_claims_stay_open_after_the_registration_window_closed(branch, profile):
    edition = upcoming_edition(window="closed")
    assert not edition_is_closed(edition)
    site = draft_site(edition, place(), branch, status=Site.Status.PUBLISHED, shifts=0)
    shift = make_shift(site, starts_in_hours=24 * 59)
    signup = services.signup_create(shift=shift, volunteer=profile)
    assert signup.is_confirmed
