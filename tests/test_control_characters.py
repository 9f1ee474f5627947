"""Names of sites, locations and people refuse control characters and the Unicode bidi
embeddings, overrides and isolates, with a message naming the field, on every form, API
serializer and import that takes them; descriptions and notes may have several lines but
no other control characters, and a site's public description has a length limit.

A line break in a site's name once broke its public calendar feed for every subscriber;
a right-to-left override makes a name read differently from what it is. Nothing is stored
when the input is refused. Messages are checked in English, so that a translation does not
break the tests.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from common.text import PUBLIC_DESCRIPTION_MAX_LENGTH
from events.models import Shift, Site
from locations.importing import location_import
from locations.models import Location
from tests.conftest import EVENT_DAY

# Line breaks (CR LF, CR, LF, the Unicode separators, NEL), a tab, escape, DEL, a C1 control,
# and each bidi embedding, override and isolate.
ONE_LINE_REFUSED = [
    "\r\n",
    "\r",
    "\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\t",
    "\x1b",
    "\x7f",
    "\x9b",
    *(chr(code) for code in range(0x202A, 0x202F)),
    *(chr(code) for code in range(0x2066, 0x206A)),
]
MULTILINE_REFUSED = ["\x1b", "\x07", "\x7f", "\x9b", "\u2028", "\u202e", "\u2067"]
# Text of several lines keeps its line breaks and tabs; names keep their accents, scripts
# and the direction marks LRM and RLM (which change no other character's direction).
ALLOWED_NAMES = ["Café ’s-Hertogenbosch", "Koffie bij مسجد السلام", "azc Ter Apel\u200f (noord)"]


def hostile(character: str) -> str:
    return f"azc{character}Ter Apel"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- Sites ----------------------------------------------------------------------------------


def register_data(location, **extra):
    return {
        "location": location.pk,
        "opens_at": "11:00",
        "closes_at": "16:00",
        **extra,
    }


@pytest.mark.parametrize("character", ONE_LINE_REFUSED, ids=ascii)
def test_the_site_form_refuses_a_name_with_control_characters(
    coordinator_client, english, event, location, character
):
    url = reverse("events:site_register", args=[event.slug])
    response = coordinator_client.post(url, register_data(location, name=hostile(character)))
    assert response.status_code == 200
    (message,) = response.context["form"].errors["name"]
    assert message.startswith("Name on the map may not contain line breaks")
    assert f"(found U+{ord(character[0]):04X})" in message
    assert not Site.objects.exists()


@pytest.mark.parametrize("name", ALLOWED_NAMES)
def test_the_site_form_takes_names_in_any_script(coordinator_client, event, location, name):
    url = reverse("events:site_register", args=[event.slug])
    response = coordinator_client.post(url, register_data(location, name=name))
    assert response.status_code == 302, response.context["form"].errors
    assert Site.objects.get().name == name


@pytest.mark.parametrize("character", MULTILINE_REFUSED, ids=ascii)
def test_the_site_form_refuses_control_characters_in_the_description(
    coordinator_client, english, site, character
):
    url = reverse("events:site_edit", args=[site.pk])
    response = coordinator_client.post(
        url, register_data(site.location, public_description=f"Koffie{character} en thee")
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["public_description"]
    assert message.startswith("Public description may not contain control characters")
    assert Site.objects.get(pk=site.pk).public_description == ""


def test_the_site_form_limits_the_public_description(coordinator_client, english, site):
    url = reverse("events:site_edit", args=[site.pk])
    start = "Koffie.\r\n\tThee."
    longest = start + "x" * (PUBLIC_DESCRIPTION_MAX_LENGTH - len(start))
    response = coordinator_client.post(
        url, register_data(site.location, public_description=longest + "x")
    )
    assert response.context["form"].errors["public_description"] == [
        "Public description may be at most 5000 characters long (it has 5001)."
    ]
    assert Site.objects.get(pk=site.pk).public_description == ""
    response = coordinator_client.post(
        url, register_data(site.location, public_description=longest)
    )
    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).public_description == longest


def api_patch(client, site, **body):
    return client.patch(
        f"/api/v1/sites/{site.pk}/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize("character", ONE_LINE_REFUSED, ids=ascii)
def test_the_api_refuses_a_site_name_with_control_characters(
    coordinator_client, site, event, branch, character
):
    response = api_patch(coordinator_client, site, name=hostile(character))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["name"][0].startswith("Name may not contain line breaks")
    assert Site.objects.get(pk=site.pk).name == ""
    new = Location.objects.create(name="Buurthuis", city="Utrecht")
    response = coordinator_client.post(
        "/api/v1/sites/",
        {
            "event": event.slug,
            "branch": branch.slug,
            "location": new.pk,
            "name": hostile(character),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["name"]
    assert Site.objects.count() == 1


def test_the_api_checks_and_limits_the_public_description(coordinator_client, site):
    response = api_patch(coordinator_client, site, public_description="Koffie\u202e en thee")
    assert response.status_code == 400
    assert response.json()["fields"]["public_description"][0].startswith(
        "Public description may not contain control characters"
    )
    response = api_patch(
        coordinator_client, site, public_description="x" * (PUBLIC_DESCRIPTION_MAX_LENGTH + 1)
    )
    assert response.status_code == 400
    assert response.json()["fields"]["public_description"] == [
        "Public description may be at most 5000 characters long (it has 5001)."
    ]
    assert Site.objects.get(pk=site.pk).public_description == ""
    start = "Koffie.\nThee.\tTaart."
    text = start + "x" * (PUBLIC_DESCRIPTION_MAX_LENGTH - len(start))
    assert api_patch(coordinator_client, site, public_description=text).status_code == 200
    assert Site.objects.get(pk=site.pk).public_description == text


# --- Shift notes ------------------------------------------------------------------------------


def test_shift_notes_keep_their_lines_but_no_other_control_characters(
    coordinator_client, english, site
):
    url = reverse("events:site_shifts", args=[site.pk])
    data = {
        "role": "coffee",
        "date": EVENT_DAY.isoformat(),
        "start": "12:00",
        "end": "14:00",
        "capacity": 4,
    }
    response = coordinator_client.post(url, {**data, "notes": "Meld je\x1b bij de poort."})
    assert (
        response.context["form"]
        .errors["notes"][0]
        .startswith("Notes for volunteers may not contain control characters")
    )
    assert not Shift.objects.exists()
    response = coordinator_client.post(
        "/api/v1/shifts/",
        {
            "site": site.pk,
            "role": "coffee",
            "starts_at": f"{EVENT_DAY.isoformat()}T12:00:00+02:00",
            "ends_at": f"{EVENT_DAY.isoformat()}T14:00:00+02:00",
            "capacity": 4,
            "notes": "Meld je\u2066 bij de poort.",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["notes"][0].startswith("Notes may not contain")
    assert not Shift.objects.exists()
    response = coordinator_client.post(url, {**data, "notes": "Meld je\r\n\tbij de poort."})
    assert response.status_code == 302
    assert Shift.objects.get().notes == "Meld je\r\n\tbij de poort."


# --- Locations --------------------------------------------------------------------------------


def location_data(**changes):
    return {
        "name": "azc Ter Apel",
        "kind": "azc",
        "street": "Havenstraat",
        "house_number": "10",
        "postcode": "9561 AA",
        "city": "Ter Apel",
        "municipality": "Westerwolde",
        "province": "",
        "reference": "",
        "latitude": "52.87",
        "longitude": "7.07",
        "position_is_manual": "on",
        "looked_up_latitude": "",
        "looked_up_longitude": "",
        "action": "save",
        **changes,
    }


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("name", "Name"),
        ("street", "Street"),
        ("house_number", "House number"),
        ("postcode", "Postcode"),
        ("city", "Town"),
        ("municipality", "Municipality"),
        ("reference", "Reference"),
    ],
)
@pytest.mark.parametrize("character", ["\r\n", "\x1b", "\u202e", "\u2068"], ids=ascii)
def test_the_location_form_refuses_control_characters(
    coordinator_client, english, field, label, character
):
    data = location_data()
    data[field] = f"{data[field] or 'x'}{character}1"
    response = coordinator_client.post(reverse("locations:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        f"{label} may not contain line breaks, tabs, other control characters or characters "
        f"that change the direction of the text (found U+{ord(character[0]):04X})."
    ]
    assert not Location.objects.exists()


def test_the_location_import_reports_control_characters_by_row_and_column(db, settings):
    settings.LANGUAGE_CODE = "en"
    data = (
        "reference;name;kind;street;huisnummer;postcode;plaats;breedtegraad;lengtegraad\r\n"
        "a1;azc Ter Apel;azc;Havenstraat;10;9561 AA;Ter Apel;52,87;7,07\r\n"
        'a2;"Koffie\u202e terras";other;;;;Utrecht;52,09;5,12\r\n'
        'a3;Buurthuis;other;"Dorps\r\nstraat";1;;Utrecht;52,09;5,12\r\n'
        'a4;Plein;other;;;;"Zwolle\x1b";52,51;6,09\r\n'
    ).encode()
    report = location_import(data=data)
    problems = [(p.row, p.field, p.message.split(" may not")[0]) for p in report.problems]
    assert problems == [(3, "name", "Name"), (4, "street", "Street"), (5, "city", "Town")]
    assert list(Location.objects.values_list("reference", flat=True)) == ["a1"]


# --- People -----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("character", ["\r\n", "\x00", "\x1b", "\u202e", "\u2066"], ids=ascii)
def test_the_profile_refuses_control_characters_in_a_name(
    volunteer_client, english, volunteer, field, character
):
    data = {"first_name": "Vera", "last_name": "de Vries", "phone": "", "languages": ["nl"]}
    data[field] = f"Ve{character}ra"
    response = volunteer_client.post(reverse("volunteers:profile"), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    volunteer.refresh_from_db()
    assert (volunteer.first_name, volunteer.last_name) == ("Vera", "")


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("character", ["\n", "\x1b", "\u202e"], ids=ascii)
def test_sign_up_refuses_control_characters_in_a_name(client, english, db, field, character):
    data = {
        "email": "nieuw@example.org",
        "first_name": "Noor",
        "last_name": "Haddad",
        "password1": "een-lang-wachtwoord-42",
        "password2": "een-lang-wachtwoord-42",
    }
    data[field] = f"No{character}or"
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    label = "First name" if field == "first_name" else "Last name"
    (message,) = response.context["form"].errors[field]
    assert message.startswith(f"{label} may not contain line breaks")
    assert not get_user_model().objects.exists()
