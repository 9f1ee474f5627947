"""PDOK Locatieserver and Nominatim through geopy, with answers shaped like theirs served by a
fake HTTP adapter: the real geopy request and parsing code runs, the network is never used."""

from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.adapters import AdapterHTTPError
from geopy.exc import GeocoderTimedOut

from locations.geocoding import AddressNotFound, GeocodingUnavailable, geocode
from locations.geocoding.providers import OfflineProvider, build_provider

from .fakes import FakeAdapter

USER_AGENT = "actiedagen-test (ops@example.org)"

# One document as Locatieserver v3.1 `free` returns it for an address (field names and
# formats as documented; the address itself is made up for the test).
PDOK_ADDRESS = {
    "response": {
        "numFound": 1,
        "start": 0,
        "maxScore": 17.2,
        "numFoundExact": True,
        "docs": [
            {
                "id": "adr-0000000000000000000000000000test",
                "type": "adres",
                "weergavenaam": "Havenstraat 10A-2, 9561AA Ter Apel",
                "straatnaam": "Havenstraat",
                "huisnummer": 10,
                "huisletter": "A",
                "huisnummertoevoeging": "2",
                "postcode": "9561AA",
                "woonplaatsnaam": "Ter Apel",
                "gemeentenaam": "Westerwolde",
                "provincienaam": "Groningen",
                "centroide_ll": "POINT(7.06011 52.87702)",
                "score": 17.2,
            }
        ],
    }
}


def pdok_doc(**fields):
    doc = {"id": "x", "score": 1.0, **fields}
    return {"response": {"numFound": 1, "start": 0, "docs": [doc]}}


PDOK_NOTHING = {"response": {"numFound": 0, "start": 0, "maxScore": 0.0, "docs": []}}

NOMINATIM_HOUSE = [
    {
        "place_id": 1,
        "lat": "52.0927",
        "lon": "5.1189",
        "class": "place",
        "type": "house",
        "addresstype": "place",
        "display_name": "11, Neude, Binnenstad, Utrecht, Nederland, 3512 AE, Nederland",
        "address": {
            "house_number": "11",
            "road": "Neude",
            "city": "Utrecht",
            "municipality": "Utrecht",
            "state": "Utrecht",
            "postcode": "3512 AE",
            "country_code": "nl",
        },
    }
]


def pdok(adapter):
    return build_provider(
        "pdok", user_agent=USER_AGENT, timeout=3, max_wait=1, adapter_factory=adapter.factory
    )


def nominatim(adapter, **options):
    return build_provider(
        "nominatim",
        user_agent=USER_AGENT,
        timeout=3,
        max_wait=1,
        adapter_factory=adapter.factory,
        options={"min_interval": 0, **options},
    )


def test_pdok_address_with_letter_and_addition(db):
    adapter = FakeAdapter([PDOK_ADDRESS])
    result = geocode("Havenstraat 10A-2, 9561 AA Ter Apel", providers=[pdok(adapter)])
    assert result.source == "pdok"
    assert result.precision == "address"
    assert (result.latitude, result.longitude) == (52.87702, 7.06011)
    address = result.address
    assert (address.street, address.house_number, address.house_number_addition) == (
        "Havenstraat",
        10,
        "A-2",
    )
    assert (address.postcode, address.city, address.municipality, address.province) == (
        "9561 AA",
        "Ter Apel",
        "Westerwolde",
        "GR",
    )
    url, headers = adapter.requests[0]
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "api.pdok.nl",
        "/bzk/locatieserver/search/v3_1/free",
    )
    params = parse_qs(parts.query)
    assert params["q"] == ["Havenstraat 10A-2, 9561 AA Ter Apel"]
    assert params["rows"] == ["1"]
    assert "adres" in params["fq"][0]
    assert headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize(
    ("doc", "precision"),
    [
        ({"type": "weg", "straatnaam": "Neude", "woonplaatsnaam": "Utrecht"}, "street"),
        ({"type": "postcode", "postcode": "3512AE", "woonplaatsnaam": "Utrecht"}, "postcode"),
        ({"type": "woonplaats", "woonplaatsnaam": "Utrecht"}, "town"),
        ({"type": "gemeente", "gemeentenaam": "Utrecht"}, "town"),
    ],
)
def test_pdok_precision_follows_the_kind_of_object(db, doc, precision):
    adapter = FakeAdapter([pdok_doc(centroide_ll="POINT(5.1189 52.0927)", **doc)])
    result = geocode("Neude, Utrecht", providers=[pdok(adapter)])
    assert result.precision == precision


def test_pdok_nothing_found_falls_through_to_offline(db):
    adapter = FakeAdapter([PDOK_NOTHING])
    result = geocode("Ter Apel", providers=[pdok(adapter), OfflineProvider()])
    assert result.source == "offline"
    assert result.failures == ()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (GeocoderTimedOut("read timed out"), "timed out"),
        (AdapterHTTPError("HTTP 500", status_code=500, headers={}, text="oops"), "HTTP 500"),
        (AdapterHTTPError("HTTP 429", status_code=429, headers={}, text=""), "RateLimited"),
    ],
)
def test_pdok_failure_falls_through_and_is_reported(db, error, reason):
    adapter = FakeAdapter([error])
    result = geocode("Ter Apel", providers=[pdok(adapter), OfflineProvider()])
    assert result.source == "offline"
    assert result.precision == "town"
    assert result.failures[0].provider == "pdok"
    assert reason in result.failures[0].reason


def test_pdok_answer_without_a_position_is_a_failure_not_a_point_at_zero(db):
    adapter = FakeAdapter([pdok_doc(type="adres", weergavenaam="?", centroide_ll="")])
    with pytest.raises(GeocodingUnavailable):
        geocode("Ergens 1, Utrecht", providers=[pdok(adapter)])


def test_nominatim_sends_a_real_user_agent_and_stays_in_the_netherlands(db):
    adapter = FakeAdapter([NOMINATIM_HOUSE])
    result = geocode("Neude 11, Utrecht", providers=[nominatim(adapter)])
    assert result.source == "nominatim"
    assert result.precision == "address"
    assert (result.address.street, result.address.house_number) == ("Neude", 11)
    assert (result.address.postcode, result.address.province) == ("3512 AE", "UT")
    url, headers = adapter.requests[0]
    params = parse_qs(urlsplit(url).query)
    assert headers["User-Agent"] == USER_AGENT
    assert params["countrycodes"] == ["nl"]
    assert params["addressdetails"] == ["1"]


@pytest.mark.parametrize(
    ("raw", "precision"),
    [
        ({"class": "highway", "type": "pedestrian", "addresstype": "road"}, "street"),
        ({"class": "place", "type": "postcode", "addresstype": "postcode"}, "postcode"),
        ({"class": "place", "type": "city", "addresstype": "city"}, "town"),
        ({"class": "boundary", "type": "administrative", "addresstype": "town"}, "town"),
        ({"class": "amenity", "type": "social_facility", "addresstype": "amenity"}, "address"),
    ],
)
def test_nominatim_precision(db, raw, precision):
    answer = [{"lat": "52.09", "lon": "5.12", "display_name": "x", "address": {}, **raw}]
    result = geocode("Utrecht iets", providers=[nominatim(FakeAdapter([answer]))])
    assert result.precision == precision


def test_nominatim_empty_answer_is_not_found(db):
    with pytest.raises(AddressNotFound):
        geocode("Nergenshuizen", providers=[nominatim(FakeAdapter([[]]))])


def test_settings_choose_the_chain(db, settings):
    from locations.geocoding import configured_providers

    settings.GEOCODING_PROVIDERS = ["pdok", "nominatim", "offline"]
    settings.GEOCODING_OPTIONS = {"nominatim": {"domain": "nominatim.example.org"}}
    chain = configured_providers()
    assert [p.name for p in chain] == ["pdok", "nominatim", "offline"]
    assert chain[1].min_interval == 1.0
    assert chain[1].geocoder.domain == "nominatim.example.org"
    assert chain[1].geocoder.headers["User-Agent"] == settings.GEOCODING_USER_AGENT


def test_another_geopy_geocoder_can_be_configured(db):
    provider = build_provider(
        "photon",
        user_agent=USER_AGENT,
        timeout=3,
        max_wait=1,
        options={"domain": "photon.example.org"},
    )
    assert provider.name == "photon"
    assert provider.geocoder.domain == "photon.example.org"
    assert provider.precision == "town"


def test_unknown_provider_name_is_refused():
    with pytest.raises(ValueError, match="unknown geocoding provider"):
        build_provider("no-such-geocoder", user_agent=USER_AGENT, timeout=3, max_wait=1)


def test_production_with_nominatim_needs_an_identifying_user_agent():
    import os
    import subprocess
    import sys
    from pathlib import Path

    def settings_with(extra):
        env = {"PATH": os.environ["PATH"], "ENV_FILE": os.devnull, "DEBUG": "false"}
        env.update({"SECRET_KEY": "k" * 50, "GEOCODING_PROVIDERS": "pdok,nominatim,offline"})
        env.update(extra)
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "from config import settings as s; print(s.GEOCODING_USER_AGENT)",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    refused = settings_with({})
    assert refused.returncode != 0
    assert "GEOCODING_USER_AGENT" in refused.stderr
    accepted = settings_with({"GEOCODING_USER_AGENT": "actiedagen.example.org (ops@example.org)"})
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == "actiedagen.example.org (ops@example.org)"
