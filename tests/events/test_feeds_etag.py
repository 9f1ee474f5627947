"""The feeds' ETags are computed from the data without building the feed, so a poll that
matches costs almost nothing. The risk is a change that shows in the feed but leaves the
ETag alone (calendars would keep a stale copy): every change a user can make here must
change both."""

import pytest

from accounts.models import Volunteer
from accounts.services import volunteer_get_or_create
from events.models import Site
from events.services import (
    shift_create,
    shift_update,
    site_cancel,
    site_create,
    site_submit,
    site_update,
)
from locations.models import Location
from tests.conftest import YEAR, aware, on_event_day
from tests.factories import make_signup, set_signup_status


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"], response.content


def assert_change_reaches_calendars(client, url, change):
    etag, body = fetch(client, url)
    change()
    polled = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert polled.status_code == 200, "a poll with the old ETag got 304 after a change"
    new_etag, new_body = fetch(client, url)
    assert new_body != body, "the change does not show in the feed (a useless test)"
    assert new_etag != etag
    assert client.get(url, HTTP_IF_NONE_MATCH=new_etag).status_code == 304


def rename(obj, field, value):
    def change():
        setattr(obj, field, value)
        obj.save()

    return change


@pytest.fixture
def second_site(db, event, branch):
    return Site.objects.create(
        event=event,
        branch=branch,
        status=Site.Status.PUBLISHED,
        location=Location.objects.create(name="Neude", city="Utrecht"),
        opens_at=on_event_day(12),
        closes_at=on_event_day(17),
    )


EVENT_URL = f"/calendar/events/open-azc-dag-{YEAR}.ics"


def test_site_edits_reach_edition_and_site_feeds(client, site, second_site, organiser):
    for url in (EVENT_URL, f"/calendar/sites/{site.pk}.ics"):
        assert_change_reaches_calendars(
            client,
            url,
            lambda url=url: site_update(site=site, by=organiser, public_description=url),
        )
        assert_change_reaches_calendars(
            client,
            url,
            lambda url=url: site_update(
                site=site,
                by=organiser,
                closes_at=on_event_day(17 if url == EVENT_URL else 18),
            ),
        )


def test_place_branch_and_edition_edits_reach_the_feeds(client, site, branch, event):
    for url in (EVENT_URL, f"/calendar/sites/{site.pk}.ics"):
        assert_change_reaches_calendars(
            client, url, rename(site.location, "street", f"Straat {len(url)}")
        )
        assert_change_reaches_calendars(client, url, rename(branch, "name", f"Afdeling {url}"))
        assert_change_reaches_calendars(client, url, rename(event, "name", f"Editie {url}"))


def test_sites_joining_leaving_or_cancelled_reach_the_edition_feed(
    client, site, second_site, organiser, branch, event
):
    # Leaving: back to draft (as the admin would do it), then deleted.
    assert_change_reaches_calendars(client, EVENT_URL, rename(second_site, "status", "draft"))
    assert_change_reaches_calendars(client, EVENT_URL, rename(second_site, "status", "published"))
    assert_change_reaches_calendars(client, EVENT_URL, second_site.delete)
    # Joining.
    assert_change_reaches_calendars(
        client,
        EVENT_URL,
        lambda: Site.objects.create(
            event=event,
            branch=branch,
            status=Site.Status.PUBLISHED,
            location=Location.objects.create(name="Vismarkt", city="Utrecht"),
            opens_at=on_event_day(12),
            closes_at=on_event_day(17),
        ),
    )
    assert_change_reaches_calendars(client, EVENT_URL, lambda: site_cancel(site=site, by=organiser))


def test_drafts_leave_the_edition_feeds_etag_alone(
    client, site, organiser, coordinator, branch, other_branch, event
):
    # The ETag is public: it changed when any branch made or edited a draft, which told
    # anyone polling that a site was being prepared before it was published.
    etag, body = fetch(client, EVENT_URL)
    draft = site_create(
        event=event,
        location=Location.objects.create(
            name="Neude", city="Utrecht", latitude=52.09, longitude=5.12
        ),
        branch=other_branch,
        by=organiser,
    )
    assert client.get(EVENT_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    site_update(site=draft, by=organiser, public_description="Nog geheim")
    shift_create(
        site=draft,
        role="reception",
        starts_at=on_event_day(12),
        ends_at=on_event_day(13),
        capacity=2,
    )
    site_submit(site=draft, by=organiser)
    site_cancel(site=draft, by=organiser)  # never published: never in the feed
    assert client.get(EVENT_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert fetch(client, EVENT_URL) == (etag, body)


def test_language_and_settings_are_part_of_the_etag(client, settings, site):
    dutch, _ = fetch(client, EVENT_URL)
    english, _ = fetch(client, EVENT_URL + "?lang=en")
    assert dutch != english
    settings.SITE_URL = "https://elders.example.org"
    assert fetch(client, EVENT_URL)[0] != dutch


# --- Personal feeds ---------------------------------------------------------------------------


@pytest.fixture
def profile(volunteer):
    return Volunteer.objects.get(user=volunteer)


def test_changes_reach_the_volunteer_feed(client, profile, shift, site, organiser, event):
    url = f"/calendar/volunteer/{profile.calendar_token}.ics"
    signup = None

    def claim():
        nonlocal signup
        signup = make_signup(
            shift=shift, volunteer=profile, status="confirmed", confirmed_at=aware(YEAR, 9, 1)
        )

    def release():
        set_signup_status(signup, "cancelled")

    assert_change_reaches_calendars(client, url, claim)
    assert_change_reaches_calendars(client, url, lambda: shift_update(shift=shift, notes="Jas"))
    assert_change_reaches_calendars(
        client, url, lambda: site_update(site=site, by=organiser, name="Open huis")
    )
    assert_change_reaches_calendars(client, url, rename(site.location, "street", "Laan"))
    assert_change_reaches_calendars(client, url, rename(event, "name", "Open dag"))
    assert_change_reaches_calendars(client, url, release)


def test_changes_reach_the_coordinator_feed(
    client, coordinator, profile, shift, site, other_branch, event
):
    token = volunteer_get_or_create(user=coordinator).coordinator_calendar_token
    url = f"/calendar/branch/{token}.ics"
    assert_change_reaches_calendars(
        client,
        url,
        lambda: make_signup(shift=shift, volunteer=profile, status="waitlisted"),
    )
    assert_change_reaches_calendars(client, url, lambda: shift_update(shift=shift, capacity=5))
    # Becoming coordinator of a second branch changes no row's updated_at; the feed's
    # name changes even while that branch has no sites.
    assert_change_reaches_calendars(client, url, lambda: other_branch.coordinators.add(coordinator))
    zwolle = Site.objects.create(
        event=event,
        branch=other_branch,
        status=Site.Status.DRAFT,
        location=Location.objects.create(name="azc Zwolle", city="Zwolle"),
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
    )
    assert_change_reaches_calendars(client, url, rename(zwolle, "status", "submitted"))
    other_shift = zwolle.shifts.create(
        role="coffee", starts_at=on_event_day(11), ends_at=on_event_day(12), capacity=1
    )
    assert_change_reaches_calendars(client, url, other_shift.delete)
    assert_change_reaches_calendars(client, url, rename(event, "name", "Open azc dag (verzet)"))
