"""The geocoding chain: order, cache, failures that fall through, and no guesses."""

import pytest
from geopy.exc import GeocoderTimedOut, GeocoderUnavailable

from locations.geocoding import (
    AddressNotFound,
    GeocodingUnavailable,
    InvalidQuery,
    geocode,
    normalise_query,
)
from locations.geocoding.providers import OfflineProvider
from locations.models import GeocodeCacheEntry

from .fakes import fake_provider

UTRECHT = (52.09083, 5.12222)
NEUDE = (52.0927, 5.1189)


def test_first_provider_that_knows_the_address_answers_and_later_ones_are_not_asked(db):
    first = fake_provider("first", {"Neude 11, Utrecht": NEUDE}, precision="address")
    second = fake_provider("second", {"Neude 11, Utrecht": UTRECHT})
    result = geocode("Neude 11, Utrecht", providers=[first, second])
    assert (result.latitude, result.longitude) == NEUDE
    assert result.source == "first"
    assert result.precision == "address"
    assert second.geocoder.calls == []


def test_a_provider_that_does_not_know_passes_the_question_on(db):
    first = fake_provider("first", {})
    second = fake_provider("second", {"Ter Apel": (52.87667, 7.05972)})
    result = geocode("Ter Apel", providers=[first, second])
    assert result.source == "second"
    assert first.geocoder.calls == ["Ter Apel"]
    assert result.failures == ()


def test_second_lookup_is_answered_by_the_cache_without_asking_any_provider(db):
    provider = fake_provider("first", {"Neude 11, Utrecht": NEUDE})
    geocode("Neude 11, Utrecht", providers=[provider])
    again = geocode("  neude 11 ,  UTRECHT ", providers=[provider])
    assert provider.geocoder.calls == ["Neude 11, Utrecht"]
    assert again.cached is True
    assert (again.latitude, again.longitude) == NEUDE
    assert GeocodeCacheEntry.objects.count() == 1


def test_cache_answers_only_for_providers_still_in_the_chain(db):
    old = fake_provider("old", {"Utrecht": UTRECHT})
    geocode("Utrecht", providers=[old])
    new = fake_provider("new", {"Utrecht": NEUDE})
    result = geocode("Utrecht", providers=[new])
    assert result.source == "new"
    assert new.geocoder.calls == ["Utrecht"]


def test_timeout_falls_through_to_the_next_provider_and_says_so(db):
    failing = fake_provider("pdok", error=GeocoderTimedOut("read timed out"))
    offline = fake_provider("offline", {"Utrecht": UTRECHT})
    result = geocode("Utrecht", providers=[failing, offline])
    assert result.source == "offline"
    assert [f.provider for f in result.failures] == ["pdok"]
    assert "timed out" in result.failures[0].reason
    assert "pdok" in result.describe()
    assert "town" in result.describe() or "plaats" in result.describe()


def test_an_answer_after_a_failure_is_cached_only_briefly(db, settings):
    settings.GEOCODING_RETRY_MINUTES = 60
    settings.GEOCODING_CACHE_DAYS = 365
    failing = fake_provider("pdok", error=GeocoderTimedOut("slow"))
    offline = fake_provider("offline", {"Utrecht": UTRECHT})
    geocode("Utrecht", providers=[failing, offline])
    entry = GeocodeCacheEntry.objects.get()
    assert (entry.expires_at - entry.created_at).total_seconds() == 3600
    geocode("Amersfoort", providers=[fake_provider("offline", {"Amersfoort": (52.15, 5.38)})])
    kept = GeocodeCacheEntry.objects.get(query="amersfoort")
    assert (kept.expires_at - kept.created_at).days == 365


def test_every_provider_failing_is_an_error_not_none(db):
    chain = [
        fake_provider("pdok", error=GeocoderTimedOut("slow")),
        fake_provider("nominatim", error=GeocoderUnavailable("HTTP 503 from the service")),
    ]
    with pytest.raises(GeocodingUnavailable) as caught:
        geocode("Utrecht", providers=chain)
    assert [f.provider for f in caught.value.failures] == ["pdok", "nominatim"]
    assert caught.value.status_code == 503
    assert not GeocodeCacheEntry.objects.exists()


def test_not_found_is_an_error_and_remembered_briefly(db):
    provider = fake_provider("offline", {})
    with pytest.raises(AddressNotFound) as caught:
        geocode("Nergenshuizen", providers=[provider])
    assert caught.value.code == "address_not_found"
    assert "speld" in caught.value.detail  # "place the pin by hand", in Dutch
    with pytest.raises(AddressNotFound):
        geocode("nergenshuizen", providers=[provider])
    assert provider.geocoder.calls == ["Nergenshuizen"]


def test_not_found_after_a_failure_is_not_remembered(db):
    failing = fake_provider("pdok", error=GeocoderTimedOut("slow"))
    offline = fake_provider("offline", {})
    with pytest.raises(AddressNotFound):
        geocode("Nergenshuizen", providers=[failing, offline])
    assert not GeocodeCacheEntry.objects.exists()


def test_an_answer_outside_the_netherlands_counts_as_not_found(db):
    # Aachen, just across the border: a provider's mistake must not place a site there.
    abroad = fake_provider("generic", {"Vaals": (50.776, 6.084)})
    with pytest.raises(AddressNotFound):
        geocode("Vaals", providers=[abroad])


@pytest.mark.parametrize("query", ["", "   ", "x" * 201])
def test_empty_or_overlong_query_is_refused_before_asking(db, query):
    provider = fake_provider("offline", {})
    with pytest.raises(InvalidQuery):
        geocode(query, providers=[provider])
    assert provider.geocoder.calls == []


def test_normalised_query():
    assert (
        normalise_query("  Havenstraat 10,9561aa  TER-APEL ") == "havenstraat 10, 9561 aa ter apel"
    )
    assert normalise_query("Sûdwest-Fryslân") == normalise_query("sudwest fryslan")


def test_configured_chain_defaults_to_offline(db, settings):
    from locations.geocoding import configured_providers

    assert [p.name for p in configured_providers()] == ["offline"]
    result = geocode("Ter Apel")
    assert result.source == "offline"
    assert result.precision == "town"


@pytest.mark.parametrize(
    ("query", "town", "province"),
    [
        ("Ter Apel", "Ter Apel", "GR"),
        ("Budel", "Budel", "NB"),
        ("Musselkanaal", "Musselkanaal", "GR"),
        ("Den Haag", "Den Haag", "ZH"),
        ("Almere", "Almere", "FL"),
        ("Katwijk", "Katwijk", "ZH"),
        ("Hengelo (Gld)", "Hengelo", "GE"),
        ("Havenstraat 10, 9561 AA Ter Apel", "Ter Apel", "GR"),
        ("Markt 1 Budel", "Budel", "NB"),
        ("3511", "Utrecht", "UT"),
        ("2512 AB", "'s-Gravenhage", "ZH"),
        ("Utrecht", "Utrecht", "UT"),
        ("Groningen, Nederland", "Groningen", "GR"),
    ],
)
def test_offline_provider_places_dutch_towns_and_postcodes(db, query, town, province):
    result = geocode(query, providers=[OfflineProvider()])
    assert result.precision == "town"
    assert result.address.city == town
    assert result.address.province == province


@pytest.mark.parametrize(
    "query",
    [
        "Kerkstraat 1, Etten-Leur",  # not in GeoNames' list: not found, not guessed
        "9561 AA Utrecht",  # the postcode is Ter Apel's: which is wrong? neither is guessed
        "1000",  # no such postcode area
        "Nergenshuizen",
    ],
)
def test_offline_provider_does_not_guess(db, query):
    with pytest.raises(AddressNotFound):
        geocode(query, providers=[OfflineProvider()])


@pytest.mark.parametrize(
    ("query", "province"),
    [
        ("Dorpsstraat 12, Groningen", "GR"),
        ("Neude 11, Utrecht", "UT"),
        ("Zeeland, Noord-Brabant", "NB"),
    ],
)
def test_offline_town_named_like_a_province(db, query, province):
    result = geocode(query, providers=[OfflineProvider()])
    assert result.address.province == province


@pytest.mark.parametrize(
    ("query", "written"),
    [
        ("zwolle", "Zwolle"),
        ("den haag", "Den Haag"),
        ("'s-Gravenhage", "'s-Gravenhage"),
        ("TER APEL", "Ter Apel"),
    ],
)
def test_offline_writes_the_town_properly(db, query, written):
    assert geocode(query, providers=[OfflineProvider()]).address.city == written
