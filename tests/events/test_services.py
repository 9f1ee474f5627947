"""Site and shift services: validation naming the field, and calendar sequence numbers."""

import datetime

import pytest

from common.errors import InvalidInput
from events.models import Site
from events.services import shift_create, shift_update, site_create, site_update
from locations.models import Location
from tests.conftest import on_event_day


def test_site_create_uses_the_edition_default_hours(event, location, branch, coordinator):
    site = site_create(event=event, location=location, branch=branch, by=coordinator)
    assert site.status == Site.Status.DRAFT
    assert site.opens_at == on_event_day(10)
    assert site.closes_at == on_event_day(16)
    assert site.created_by == coordinator


def test_site_create_refuses_a_second_site_at_the_same_location(site, other_branch, organiser):
    with pytest.raises(InvalidInput) as caught:
        site_create(event=site.event, location=site.location, branch=other_branch, by=organiser)
    assert "location" in caught.value.field_errors
    assert Site.objects.count() == 1


def test_site_update_raises_sequence_on_time_or_place_only(site, shift, organiser):
    site = site_update(site=site, by=organiser, public_description="Welkom!")
    assert site.sequence == 0
    site = site_update(site=site, by=organiser, closes_at=on_event_day(17))
    assert site.sequence == 1
    elsewhere = Location.objects.create(name="Neude", city="Utrecht")
    site = site_update(site=site, by=organiser, location=elsewhere)
    assert site.sequence == 2
    shift.refresh_from_db()
    assert shift.sequence == 1  # the shift moved with its site


def test_site_update_refuses_bad_hours_and_changes_nothing(site, organiser):
    with pytest.raises(InvalidInput) as caught:
        site_update(site=site, by=organiser, closes_at=on_event_day(9))
    assert "closes_at" in caught.value.field_errors
    site.refresh_from_db()
    assert site.closes_at == on_event_day(16) and site.sequence == 0


def test_site_update_refuses_fields_it_does_not_own(site, organiser):
    with pytest.raises(InvalidInput) as caught:
        site_update(site=site, by=organiser, status=Site.Status.CANCELLED)
    assert "status" in caught.value.field_errors


def test_shift_create_and_update(site):
    shift = shift_create(
        site=site,
        role="coffee",
        starts_at=on_event_day(11),
        ends_at=on_event_day(12),
        capacity=2,
    )
    shift = shift_update(shift=shift, capacity=4, notes="Neem een schort mee")
    assert shift.sequence == 0
    shift = shift_update(shift=shift, ends_at=shift.ends_at + datetime.timedelta(hours=1))
    assert shift.sequence == 1
    with pytest.raises(InvalidInput) as caught:
        shift_update(shift=shift, ends_at=shift.starts_at)
    assert "ends_at" in caught.value.field_errors


def test_a_cancelled_site_or_a_past_edition_cannot_be_edited(site, organiser):
    from common.errors import DomainError

    site.status = Site.Status.CANCELLED
    site.save()
    with pytest.raises(DomainError) as caught:
        site_update(site=site, by=organiser, public_description="Toch open")
    assert caught.value.code == "site_wrong_status"

    site.status = Site.Status.PUBLISHED
    site.save()
    site.event.date = datetime.date(2020, 9, 26)
    site.event.save()
    with pytest.raises(DomainError) as caught:
        site_update(site=site, by=organiser, public_description="Achteraf")
    assert caught.value.code == "edition_closed"
    site.refresh_from_db()
    assert site.public_description == ""
