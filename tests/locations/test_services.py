"""Saving a location: looked up or placed by hand, never moved by a later lookup, in NL."""

import pytest

from common.errors import InvalidInput
from locations.geocoding import AddressNotFound
from locations.models import Location
from locations.services import LocationInput, location_input_from, location_save


def ter_apel(**changes) -> LocationInput:
    fields = {
        "name": "azc Ter Apel",
        "kind": Location.Kind.AZC,
        "street": "Havenstraat",
        "house_number": 10,
        "postcode": "9561 AA",
        "city": "Ter Apel",
    }
    fields.update(changes)
    return LocationInput(**fields)


def test_a_new_location_is_looked_up_and_told_its_precision(db, coordinator):
    outcome = location_save(location=None, data=ter_apel(), by=coordinator)
    location = Location.objects.get()
    assert outcome.created
    assert (location.latitude, location.longitude) == pytest.approx((52.8767, 7.0597), abs=1e-3)
    assert location.position_precision == "town"
    assert location.position_source == "offline"
    assert location.province == "GR"  # filled in from the lookup
    assert location.geocoded_at is not None
    assert "town" in outcome.geocoded.describe() or "plaats" in outcome.geocoded.describe()


def test_an_address_nothing_knows_is_an_error_and_saves_nothing(db, coordinator):
    with pytest.raises(AddressNotFound):
        location_save(
            location=None, data=ter_apel(city="Nergenshuizen", postcode=""), by=coordinator
        )
    assert not Location.objects.exists()


def test_a_pin_placed_by_hand_is_kept(db, coordinator):
    location_save(
        location=None,
        data=ter_apel(latitude=52.8801, longitude=7.0712, position_is_manual=True),
        by=coordinator,
    )
    location = Location.objects.get()
    assert (location.latitude, location.longitude) == (52.8801, 7.0712)
    assert location.position_precision == "manual"
    assert location.position_is_manual


def test_a_hand_placed_pin_is_never_overwritten_by_a_later_lookup(db, coordinator):
    location_save(
        location=None,
        data=ter_apel(latitude=52.8801, longitude=7.0712, position_is_manual=True),
        by=coordinator,
    )
    location = Location.objects.get()
    # A later save that does not speak about the position (the import) changes the address;
    # the lookup would put the pin at the town centre, but the hand-placed pin stays.
    location_save(location=location, data=ter_apel(street="Sportlaan", house_number=1), by=None)
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (52.8801, 7.0712)
    assert location.position_is_manual
    assert location.street == "Sportlaan"


def test_the_person_can_drop_the_hand_placed_pin_explicitly(db, coordinator):
    location_save(
        location=None,
        data=ter_apel(latitude=52.8801, longitude=7.0712, position_is_manual=True),
        by=coordinator,
    )
    location = Location.objects.get()
    location_save(location=location, data=ter_apel(position_is_manual=False), by=coordinator)
    location.refresh_from_db()
    assert not location.position_is_manual
    assert location.position_precision == "town"


def test_hand_placed_pin_needs_coordinates(db, coordinator):
    with pytest.raises(InvalidInput) as caught:
        location_save(location=None, data=ter_apel(position_is_manual=True), by=coordinator)
    assert "latitude" in caught.value.field_errors


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(50.776, 6.084), (51.35, 3.29), (5.12, 52.09)],  # Aachen, Knokke, swapped
)
def test_a_pin_outside_the_netherlands_is_refused(db, coordinator, latitude, longitude):
    data = ter_apel(latitude=latitude, longitude=longitude, position_is_manual=True)
    with pytest.raises(InvalidInput) as caught:
        location_save(location=None, data=data, by=coordinator)
    assert "latitude" in caught.value.field_errors
    assert not Location.objects.exists()


def test_an_organiser_may_allow_a_location_abroad(db, organiser):
    data = ter_apel(
        city="Aken",
        latitude=50.776,
        longitude=6.084,
        position_is_manual=True,
        outside_netherlands_allowed=True,
    )
    location_save(location=None, data=data, by=organiser)
    assert Location.objects.get().outside_netherlands_allowed


def test_a_coordinator_may_not_allow_a_location_abroad(db, coordinator):
    data = ter_apel(
        latitude=50.776, longitude=6.084, position_is_manual=True, outside_netherlands_allowed=True
    )
    with pytest.raises(InvalidInput) as caught:
        location_save(location=None, data=data, by=coordinator)
    assert "outside_netherlands_allowed" in caught.value.field_errors


def test_saving_unchanged_input_changes_nothing(db, coordinator):
    location = location_save(location=None, data=ter_apel(), by=coordinator).location
    before = Location.objects.get().updated_at
    outcome = location_save(location=location, data=location_input_from(location), by=coordinator)
    assert not outcome.changed
    assert Location.objects.get().updated_at == before


def test_commit_false_writes_nothing(db, coordinator):
    outcome = location_save(location=None, data=ter_apel(), by=coordinator, commit=False)
    assert outcome.created
    assert not Location.objects.exists()


def test_bad_postcode_names_the_field(db, coordinator):
    with pytest.raises(InvalidInput) as caught:
        location_save(location=None, data=ter_apel(postcode="1234 SS"), by=coordinator)
    assert "postcode" in caught.value.field_errors
