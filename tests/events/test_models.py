"""Event, site, shift and tally rules: in forms (naming the field) and in the database."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Event, Shift, ShiftTemplate, Site
from locations.models import Location
from tallies.models import TallyEntry
from tallies.summary import refill
from tests.conftest import YEAR, aware
from tests.events.editions_helpers import NEXT_EVENT_DAY


def test_shift_must_end_after_start(shift):
    shift.ends_at = shift.starts_at
    with pytest.raises(ValidationError) as caught:
        shift.full_clean()
    assert "ends_at" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        shift.save()


def test_shift_capacity_cannot_be_negative(shift):
    shift.capacity = -1
    with pytest.raises(ValidationError) as caught:
        shift.full_clean()
    assert "capacity" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(capacity=-1)


def test_shift_capacity_zero_is_allowed(shift):
    shift.capacity = 0
    shift.full_clean()
    shift.save()


def test_site_must_close_after_it_opens(site):
    site.closes_at = site.opens_at - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        site.full_clean()
    assert "closes_at" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        site.save()


def test_one_site_per_event_and_location(site, other_branch):
    duplicate = Site(
        event=site.event,
        location=site.location,
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
    )
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "location" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_same_location_in_another_edition_is_fine(site):
    day = NEXT_EVENT_DAY
    next_year = Event.objects.create(
        name=f"Open azc dag {day.year}",
        slug=f"oad-{day.year}",
        kind_id="open_day",
        date=day,
    )
    Site.objects.create(
        event=next_year,
        location=site.location,
        branch=site.branch,
        opens_at=aware(day.year, day.month, day.day, 11),
        closes_at=aware(day.year, day.month, day.day, 16),
    )
    assert Site.objects.filter(location=site.location).count() == 2


def test_registration_window_order(event):
    event.registration_opens_at = aware(YEAR, 5, 1)
    event.registration_closes_at = aware(YEAR, 4, 1)
    with pytest.raises(ValidationError) as caught:
        event.full_clean()
    assert "registration_closes_at" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_shift_template_rules(event):
    template = ShiftTemplate(
        event=event, role="reception", starts_at=datetime.time(13), ends_at=datetime.time(11)
    )
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert "ends_at" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        template.save()


def tally(site, **overrides) -> TallyEntry:
    fields = {
        "site": site,
        "category": "visitors",
        "delta": 1,
        "client_id": uuid.uuid4(),
        "recorded_at": timezone.now(),
    }
    fields.update(overrides)
    return TallyEntry(**fields)


def test_tally_client_id_is_unique(site):
    client_id = uuid.uuid4()
    tally(site, client_id=client_id).save()
    with pytest.raises(ValidationError) as caught:
        tally(site, client_id=client_id).full_clean()
    assert "client_id" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        tally(site, client_id=client_id).save()
    assert TallyEntry.objects.count() == 1
    refill([site.pk])  # written beside the tally service: its summaries made here


def test_resent_entries_are_stored_once_with_ignore_conflicts(site):
    batch = [tally(site, client_id=uuid.UUID(int=n)) for n in range(1, 6)]
    TallyEntry.objects.bulk_create(batch, ignore_conflicts=True)
    again = [tally(site, client_id=uuid.UUID(int=n)) for n in range(1, 6)]
    TallyEntry.objects.bulk_create(again, ignore_conflicts=True)
    assert TallyEntry.objects.count() == 5
    refill([site.pk])  # written beside the tally service: its summaries made here


@pytest.mark.parametrize("delta", [-2, 51, 0])
def test_tap_delta_outside_range_is_refused(site, delta):
    entry = tally(site, delta=delta)
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert "delta" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_correction_may_be_large_but_needs_a_reason(site):
    with pytest.raises(IntegrityError), transaction.atomic():
        tally(site, delta=120, is_correction=True).save()
    tally(site, delta=120, is_correction=True, reason="counter reset at 14:00").save()
    assert TallyEntry.objects.get().delta == 120
    refill([site.pk])  # written beside the tally service: its summaries made here


def test_published_sites_need_a_published_event(site):
    assert list(Site.objects.published()) == [site]
    site.event.is_published = False
    site.event.save()
    assert list(Site.objects.published()) == []


def test_location_is_protected_while_a_site_uses_it(site):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Location.objects.filter(pk=site.location_id).delete()
