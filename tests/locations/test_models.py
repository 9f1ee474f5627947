"""Location rules: checked in forms (the message names the field) and by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from locations.models import Location
from locations.postcodes import normalise_postcode


def valid_location(**overrides) -> Location:
    fields = {"name": "azc Budel", "city": "Budel", "latitude": 51.27, "longitude": 5.57}
    fields.update(overrides)
    return Location(**fields)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": 91}, "latitude"),
        ({"latitude": -90.5}, "latitude"),
        ({"longitude": 180.1}, "longitude"),
        ({"longitude": None}, "longitude"),
        ({"postcode": "1234ab"}, "postcode"),
        ({"postcode": "0123 AB"}, "postcode"),
        ({"postcode": "1234 SS"}, "postcode"),
    ],
)
def test_form_validation_names_the_field(db, overrides, field):
    with pytest.raises(ValidationError) as caught:
        valid_location(**overrides).full_clean()
    assert field in caught.value.message_dict


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": 91},
        {"longitude": -181},
        {"latitude": None},
        {"postcode": "0123 AB"},
        {"postcode": "1234 SA"},
        {"postcode": "1234AB"},
    ],
)
def test_database_refuses_a_bad_row_that_skips_validation(db, overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        valid_location(**overrides).save()


def test_a_valid_location_is_accepted(db):
    location = valid_location(postcode="6021 AB")
    location.full_clean()
    location.save()
    assert Location.objects.get().postcode == "6021 AB"


def test_position_is_optional_as_a_pair(db):
    location = valid_location(latitude=None, longitude=None)
    location.full_clean()
    location.save()
    assert not location.has_position


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1234ab", "1234 AB"), (" 3511 cd ", "3511 CD"), ("9501XA", "9501 XA")],
)
def test_postcode_normalisation(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["0123 AB", "1234 SA", "1234 sd", "1234SS", "12345", "AB 1234", ""])
def test_postcode_refused(raw):
    with pytest.raises(ValidationError):
        normalise_postcode(raw)


def test_address_line():
    location = Location(
        name="azc",
        street="Havenstraat",
        house_number=10,
        house_number_addition="A",
        postcode="9561 AA",
        city="Ter Apel",
    )
    assert location.address_line == "Havenstraat 10A, 9561 AA Ter Apel"
