"""A hidden address is not one sign-up away (issue 14, item 9).

The attack: anyone creates an account, confirms the mail, claims an open shift at an azc
shown approximately, reads its exact address (map, API, personal calendar, mail) and
releases the shift, in under a minute. Now the exact address reaches a volunteer only once
the site's coordinators have shared it with them, and every time it reaches someone it is
recorded; the roster shows who has it.
"""

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from events import services
from events.models import AddressDisclosure, Signup, Site
from tests.calendar_parsing import fetch_feed
from tests.conftest import make_user
from tests.factories import make_shift, make_volunteer
from volunteers.calendar import calendar_url_for

STREET = "Kerkweg"


@pytest.fixture
def hidden_site(site):
    location = site.location
    location.street, location.house_number, location.postcode = STREET, 12, "3511 AB"
    location.latitude, location.longitude = 52.090834, 5.122219
    location.save()
    site.show_approximate_location = True
    site.save()
    return site


@pytest.fixture
def stranger(db):
    """A fresh account with a confirmed address: all it takes to claim a shift."""
    return make_volunteer("stranger@example.org")


def site_feature(user, site) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/sites/{site.pk}/").json()


def calendar_location(client, volunteer, shift) -> str:
    feed = fetch_feed(client, calendar_url_for(volunteer))
    (uid,) = [uid for uid in feed.events if uid.startswith(f"shift-{shift.pk}@")]
    return str(feed.event(uid)["LOCATION"])


def test_claiming_a_shift_does_not_give_the_address(client, hidden_site, stranger):
    shift = make_shift(hidden_site, starts_in_hours=24 * 30)
    signup = services.signup_create(shift=shift, volunteer=stranger)
    assert signup.is_confirmed

    feature = site_feature(stranger.user, hidden_site)
    assert feature["properties"]["approximate"] is True
    assert feature["properties"]["address"] is None
    assert feature["geometry"]["coordinates"] == [5.12, 52.09]  # the 0.01° grid
    assert STREET not in calendar_location(client, stranger, shift)
    map_page = APIClient()
    map_page.force_authenticate(stranger.user)
    assert STREET not in map_page.get("/api/v1/sites/").content.decode()
    client.force_login(stranger.user)
    my_shifts = client.get("/my/shifts/").content.decode()
    assert STREET not in my_shifts and "niet openbaar" in my_shifts
    assert not AddressDisclosure.objects.exists()


def test_mail_about_the_shift_gives_only_the_town_until_shared(
    hidden_site, stranger, django_capture_on_commit_callbacks
):
    shift = make_shift(hidden_site, capacity=1, starts_in_hours=24 * 30)
    holder = make_volunteer()
    services.signup_create(shift=shift, volunteer=holder)
    services.signup_create(shift=shift, volunteer=stranger)  # waitlisted
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_release(shift=shift, volunteer=holder)  # the stranger moves up
    # The holder is told of their release; the stranger of the place.
    (promoted,) = [m for m in mail.outbox if m.to == ["stranger@example.org"]]
    assert promoted.to == ["stranger@example.org"]
    assert STREET not in promoted.body and "Utrecht" in promoted.body
    assert not AddressDisclosure.objects.exists()


def test_the_coordinator_shares_it_and_sees_who_has_it(
    client, coordinator_client, hidden_site, stranger, django_capture_on_commit_callbacks
):
    shift = make_shift(hidden_site, starts_in_hours=24 * 30)
    signup = services.signup_create(shift=shift, volunteer=stranger)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            f"/coordinate/sites/{hidden_site.pk}/roster/share-address/", {"signup": signup.pk}
        )
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.address_shared_at is not None and signup.address_shared_by.email == (
        "coordinator@example.org"
    )
    (message,) = mail.outbox
    assert message.to == ["stranger@example.org"] and f"{STREET} 12" in message.body
    # The exact pin too, for a place whose street alone does not lead to the door.
    assert "mlat=52.09083&mlon=5.12222" in message.body
    own = Client()  # `client` is the coordinator's
    own.force_login(stranger.user)
    assert f"{STREET} 12" in own.get("/my/shifts/").content.decode()

    # Now the exact place reaches the volunteer, and each channel is recorded.
    feature = site_feature(stranger.user, hidden_site)
    assert feature["properties"]["approximate"] is False
    assert feature["properties"]["address"].startswith(f"{STREET} 12")
    assert STREET in calendar_location(client, stranger, shift)
    channels = set(
        AddressDisclosure.objects.filter(site=hidden_site, user=stranger.user).values_list(
            "channel", flat=True
        )
    )
    assert channels == {"mail", "map", "calendar"}
    # The feed is stored now (`common.published`); each delivery is recorded all the same.
    AddressDisclosure.objects.filter(channel="calendar").delete()
    assert STREET in calendar_location(client, stranger, shift)
    assert AddressDisclosure.objects.filter(
        site=hidden_site, user=stranger.user, channel="calendar"
    ).exists()

    roster = coordinator_client.get(f"/coordinate/sites/{hidden_site.pk}/roster/")
    page = roster.content.decode()
    assert "Wie heeft het adres" in page and "stranger@example.org" in page
    # Releasing the shift does not take the knowledge back: it stays on the roster.
    services.signup_release(shift=shift, volunteer=stranger)
    page = coordinator_client.get(f"/coordinate/sites/{hidden_site.pk}/roster/").content
    assert "stranger@example.org" in page.decode()


def test_only_a_confirmed_place_gets_the_address(coordinator, hidden_site, stranger):
    shift = make_shift(hidden_site, capacity=0, starts_in_hours=24 * 30)
    waiting = services.signup_create(shift=shift, volunteer=stranger)
    assert waiting.is_waitlisted
    from common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.address_share(signup=waiting, by=coordinator)
    assert Signup.objects.get(pk=waiting.pk).address_shared_at is None


def test_share_all_shares_with_every_confirmed_volunteer(coordinator_client, hidden_site):
    shift = make_shift(hidden_site, capacity=2, starts_in_hours=24 * 30)
    people = [make_volunteer() for _ in range(3)]
    for person in people:
        services.signup_create(shift=shift, volunteer=person)
    coordinator_client.post(
        f"/coordinate/sites/{hidden_site.pk}/roster/share-address/", {"signup": "all"}
    )
    shared = Signup.objects.filter(shift=shift, address_shared_at__isnull=False)
    assert shared.count() == 2 and all(s.is_confirmed for s in shared)


def test_share_all_names_how_many_and_goes_once_all_have_it(coordinator_client, hidden_site):
    shift = make_shift(hidden_site, capacity=3, starts_in_hours=24 * 30)
    first, second = make_volunteer(), make_volunteer()
    for person in (first, second):
        services.signup_create(shift=shift, volunteer=person)
    roster_url = f"/coordinate/sites/{hidden_site.pk}/roster/"
    share_url = f"{roster_url}share-address/"
    coordinator_client.post(share_url, {"signup": Signup.objects.get(volunteer=first).pk})
    page = coordinator_client.get(roster_url).content.decode()
    assert "Adres delen met de bevestigde vrijwilliger die het nog niet heeft" in page
    coordinator_client.post(share_url, {"signup": "all"})
    page = coordinator_client.get(roster_url).content.decode()
    assert "Adres delen met" not in page  # nobody is left without it
    # Pressed again from an old page: it says so rather than nothing.
    answer = coordinator_client.post(share_url, {"signup": "all"}, follow=True)
    assert "Elke bevestigde vrijwilliger heeft het adres al." in answer.content.decode()


def test_a_place_without_street_or_position_has_nothing_to_share(coordinator_client, hidden_site):
    location = hidden_site.location
    location.street, location.house_number, location.postcode = "", None, ""
    location.latitude = location.longitude = None
    location.save()
    shift = make_shift(hidden_site, starts_in_hours=24 * 30)
    services.signup_create(shift=shift, volunteer=make_volunteer())
    page = coordinator_client.get(f"/coordinate/sites/{hidden_site.pk}/roster/").content
    page = page.decode()
    assert "nog geen adres of positie op de kaart" in page
    assert 'name="signup"' not in page


def test_others_may_not_share(django_user_model, hidden_site, stranger, other_branch, client):
    shift = make_shift(hidden_site, starts_in_hours=24 * 30)
    signup = services.signup_create(shift=shift, volunteer=stranger)
    other = make_user(django_user_model, "other@example.org")
    other_branch.coordinators.add(other)
    for user in (other, stranger.user):
        client.force_login(user)
        response = client.post(
            f"/coordinate/sites/{hidden_site.pk}/roster/share-address/", {"signup": signup.pk}
        )
        assert response.status_code == 403
    assert Signup.objects.get(pk=signup.pk).address_shared_at is None


def test_a_site_with_a_public_address_needs_no_sharing(client, site, stranger):
    assert site.show_approximate_location is False
    shift = make_shift(site, starts_in_hours=24 * 30)
    services.signup_create(shift=shift, volunteer=stranger)
    assert site_feature(stranger.user, site)["properties"]["approximate"] is False
    assert not AddressDisclosure.objects.exists()
    assert Site.objects.get(pk=site.pk).status == Site.Status.PUBLISHED
