"""Dutch address parts and the border of the Netherlands."""

import pytest
from django.core.exceptions import ValidationError

from locations.addresses import (
    format_house_number,
    parse_house_number,
    province_code,
    split_street_and_number,
)
from locations.borders import is_in_netherlands


@pytest.mark.parametrize(
    ("raw", "addition", "number", "suffix", "written"),
    [
        ("10", "", 10, "", "10"),
        ("10A", "", 10, "A", "10A"),
        ("10 a", "", 10, "A", "10A"),
        ("10-2", "", 10, "-2", "10-2"),
        ("10A-2", "", 10, "A-2", "10A-2"),
        ("10 hs", "", 10, "-HS", "10-HS"),
        ("10", "A", 10, "A", "10A"),
        ("10", "bis", 10, "-BIS", "10-BIS"),
        ("10A", "2", 10, "A-2", "10A-2"),
        (99999, "", 99999, "", "99999"),
    ],
)
def test_house_number_with_letter_and_addition(raw, addition, number, suffix, written):
    house = parse_house_number(raw, addition)
    assert (house.number, house.suffix, str(house)) == (number, suffix, written)
    assert format_house_number(house.number, house.suffix) == written


@pytest.mark.parametrize("raw", ["0", "100000", "abc", "10 ABCDE", "-5", "10!"])
def test_bad_house_numbers_are_refused(raw):
    with pytest.raises(ValidationError) as caught:
        parse_house_number(raw)
    assert caught.value.code == "invalid_house_number"


def test_older_additions_without_a_hyphen_are_still_written_well():
    assert format_house_number(10, "2") == "10-2"
    assert format_house_number(10, "bis") == "10-bis"
    assert format_house_number(None, "A") == ""


@pytest.mark.parametrize(
    ("text", "street", "number"),
    [
        ("Havenstraat 10A", "Havenstraat", "10A"),
        ("Plein 1944 12", "Plein 1944", "12"),
        ("Laan 1940-1945 3-hs", "Laan 1940-1945", "3-hs"),
        ("2e Hugo de Grootstraat 4", "2e Hugo de Grootstraat", "4"),
        ("Dam", "Dam", ""),
    ],
)
def test_split_street_and_number(text, street, number):
    assert split_street_and_number(text) == (street, number)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Fryslân", "FR"),
        ("Friesland", "FR"),
        ("noord-holland", "NH"),
        ("North Brabant", "NB"),
        ("ZE", "ZE"),
        ("Limburg", "LI"),
        ("", ""),
        ("Bavaria", ""),
    ],
)
def test_province_by_name_or_code(name, code):
    assert province_code(name) == code


# (what, latitude, longitude): all inside, from every corner of the country.
INSIDE = [
    ("Schiermonnikoog", 53.478, 6.162),
    ("Oost-Vlieland", 53.296, 5.072),
    ("Den Burg, Texel", 53.054, 4.797),
    ("Eemshaven", 53.446, 6.831),
    ("Bad Nieuweschans", 53.184, 7.205),
    ("Ter Apel", 52.877, 7.060),
    ("Cadzand-Bad", 51.371, 3.381),
    ("Sluis", 51.309, 3.386),
    ("Vlissingen boulevard", 51.441, 3.573),
    ("Hulst", 51.280, 4.052),
    ("Eijsden", 50.778, 5.710),
    ("Vaals", 50.771, 6.018),
    ("Vaalserberg, 200 m from the tripoint", 50.7560, 6.0200),
    ("Kerkrade", 50.866, 6.063),
    ("Baarle-Nassau", 51.445, 4.929),
    ("Scheveningen beach", 52.111, 4.276),
    ("IJsselmeer by Urk", 52.660, 5.550),
    ("Wadden Sea", 53.300, 5.500),
]
# Just across the border, a few hundred metres to a few km out.
OUTSIDE = [
    ("Aachen", 50.776, 6.084),
    ("Herzogenrath", 50.870, 6.095),
    ("Emmerich am Rhein", 51.835, 6.245),
    ("Gronau", 52.212, 7.024),
    ("Borkum", 53.589, 6.670),
    ("Knokke", 51.350, 3.290),
    ("Lommel", 51.230, 5.313),
    ("Baarle-Hertog (Belgian enclave)", 51.4415, 4.9292),
    ("Lanaken", 50.893, 5.647),
    ("Kelmis", 50.716, 6.010),
    ("North Sea, 40 km out", 52.50, 3.90),
    ("latitude and longitude swapped", 5.12, 52.09),
    ("(0, 0)", 0.0, 0.0),
]


@pytest.mark.parametrize(("what", "latitude", "longitude"), INSIDE)
def test_inside_the_netherlands(what, latitude, longitude):
    assert is_in_netherlands(latitude, longitude), what


@pytest.mark.parametrize(("what", "latitude", "longitude"), OUTSIDE)
def test_outside_the_netherlands(what, latitude, longitude):
    assert not is_in_netherlands(latitude, longitude), what


def test_nan_is_outside():
    assert not is_in_netherlands(float("nan"), 5.0)
