"""A location belongs to the branch that looks after it (issue 14, items 1 and 2).

The attacks: as the Utrecht coordinator, `POST /locations/{id}/` for azc Ter Apel's
location with an Amsterdam address moved Ter Apel's published site on the public map, in
the feeds and in volunteers' calendars; `/locations/` showed street, number, postcode and
position of every location to any coordinator; and one branch could register another
branch's azc for an edition first, so that the real branch was refused.
"""

import pytest

from events import services
from events.models import Site
from locations.models import Branch, Location, Province
from tests.conftest import make_user, on_event_day
from tests.events.editions_helpers import upcoming_edition

TER_APEL = {"street": "Pagedijk", "house_number": 1, "postcode": "9561 ZZ"}


@pytest.fixture
def ter_apel_branch(db):
    return Branch.objects.create(name="Afdeling Ter Apel", slug="afdeling-ter-apel")


@pytest.fixture
def ter_apel(ter_apel_branch):
    return Location.objects.create(
        name="azc Ter Apel",
        kind=Location.Kind.AZC,
        city="Ter Apel",
        province=Province.GRONINGEN,
        latitude=52.8784,
        longitude=7.0685,
        position_precision=Location.Precision.ADDRESS,
        branch=ter_apel_branch,
        **TER_APEL,
    )


@pytest.fixture
def ter_apel_site(event, ter_apel, ter_apel_branch):
    return Site.objects.create(
        event=event,
        location=ter_apel,
        branch=ter_apel_branch,
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
        status=Site.Status.PUBLISHED,
        show_approximate_location=True,
    )


def edit_form(location: Location, **changes) -> dict:
    data = {
        "name": location.name,
        "kind": location.kind,
        "street": location.street,
        "house_number": str(location.house_number or ""),
        "postcode": location.postcode,
        "city": location.city,
        "province": location.province,
        "latitude": "",
        "longitude": "",
        "action": "save",
    }
    data.update(changes)
    return data


def test_another_branch_cannot_move_a_place(coordinator_client, ter_apel, ter_apel_site):
    response = coordinator_client.post(
        f"/locations/{ter_apel.pk}/",
        edit_form(ter_apel, street="Dam", house_number="1", postcode="1012 JS", city="Amsterdam"),
    )
    assert response.status_code == 404  # another branch's place is not theirs to see
    ter_apel.refresh_from_db()
    ter_apel_site.refresh_from_db()
    assert (ter_apel.city, ter_apel.latitude) == ("Ter Apel", 52.8784)
    assert ter_apel_site.sequence == 0


def test_a_place_no_branch_looks_after_is_the_national_offices(
    client, coordinator, organiser, location
):
    location.branch = None
    location.save()
    client.force_login(coordinator)
    # Any branch may register it (it is listed), none may move it.
    assert location.name in client.get("/locations/").content.decode()
    assert client.get(f"/locations/{location.pk}/").status_code == 403
    client.force_login(organiser)
    assert client.get(f"/locations/{location.pk}/").status_code == 200


def test_the_branch_edits_its_own_place(coordinator_client, location, branch):
    location.branch = branch
    location.save()
    assert coordinator_client.get(f"/locations/{location.pk}/").status_code == 200


def test_the_list_hides_other_branches_places_and_addresses(
    client, coordinator, organiser, ter_apel, location
):
    location.street, location.house_number = "Kerkweg", 7
    location.branch = None
    location.save()
    client.force_login(coordinator)
    page = client.get("/locations/").content.decode()
    assert "azc Ter Apel" not in page and "Pagedijk" not in page
    assert "Kerkweg" not in page  # an unowned place: its name and town only
    # Searching by another branch's street or postcode finds nothing either.
    for query in ("Pagedijk", "9561", "Kerkweg"):
        page = client.get("/locations/", {"q": query}).content.decode()
        assert "azc Ter Apel" not in page and "azc Utrecht" not in page, query
    client.force_login(organiser)
    organiser_page = client.get("/locations/").content.decode()
    assert "Pagedijk" in organiser_page and "Kerkweg" in organiser_page


def test_a_new_place_belongs_to_the_coordinators_branch(coordinator_client, branch):
    response = coordinator_client.post(
        "/locations/new/",
        edit_form(
            Location(name="Neude", kind=Location.Kind.PUBLIC_SPACE, city="Utrecht"),
        ),
    )
    assert response.status_code == 302
    assert Location.objects.get(name="Neude").branch == branch


def test_a_coordinator_of_two_branches_chooses(coordinator_client, coordinator, other_branch):
    other_branch.coordinators.add(coordinator)
    data = edit_form(Location(name="Neude", kind=Location.Kind.PUBLIC_SPACE, city="Utrecht"))
    response = coordinator_client.post("/locations/new/", data)
    assert response.status_code == 200 and not Location.objects.filter(name="Neude").exists()
    assert "Kies de afdeling" in response.content.decode()
    response = coordinator_client.post("/locations/new/", {**data, "branch": other_branch.pk})
    assert response.status_code == 302
    assert Location.objects.get(name="Neude").branch == other_branch


def test_a_coordinator_cannot_give_a_place_to_another_branch(coordinator_client, ter_apel_branch):
    data = edit_form(Location(name="Neude", kind=Location.Kind.PUBLIC_SPACE, city="Utrecht"))
    response = coordinator_client.post("/locations/new/", {**data, "branch": ter_apel_branch.pk})
    assert response.status_code == 200
    assert not Location.objects.filter(name="Neude").exists()


def test_another_branch_cannot_register_the_place(coordinator, organiser, ter_apel, branch):
    edition = upcoming_edition()
    from common.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        services.site_create(event=edition, location=ter_apel, branch=branch, by=coordinator)
    assert "Afdeling Ter Apel" in caught.value.field_errors["location"][0]
    assert not Site.objects.filter(event=edition).exists()
    # The national office may, on a branch's behalf; its overview shows the difference.
    services.site_create(event=edition, location=ter_apel, branch=branch, by=organiser)


def test_organisers_see_who_looks_after_a_place_another_branch_registered(
    organiser_client, organiser, ter_apel, branch
):
    edition = upcoming_edition()
    services.site_create(event=edition, location=ter_apel, branch=branch, by=organiser)
    page = organiser_client.get(f"/manage/editions/{edition.slug}/").content.decode()
    assert "Afdeling Ter Apel" in page


def test_the_registration_form_offers_no_place_of_another_branch(
    coordinator_client, ter_apel, location
):
    edition = upcoming_edition()
    page = coordinator_client.get(
        f"/manage/editions/{edition.slug}/register/", {"q": "azc"}
    ).content.decode()
    assert "azc Utrecht" in page and "azc Ter Apel" not in page


def test_organisers_may_leave_a_place_to_the_national_office(organiser_client, django_user_model):
    data = edit_form(Location(name="Plein", kind=Location.Kind.PUBLIC_SPACE, city="Zwolle"))
    assert organiser_client.post("/locations/new/", data).status_code == 302
    assert Location.objects.get(name="Plein").branch is None
    assert (
        make_user(django_user_model, "x@example.org").has_perm(
            "locations.edit_location", Location.objects.get(name="Plein")
        )
        is False
    )


def test_registering_does_not_tell_whether_another_branchs_place_has_a_site(
    coordinator_client, organiser, ter_apel, ter_apel_branch
):
    edition = upcoming_edition()
    services.site_create(event=edition, location=ter_apel, branch=ter_apel_branch, by=organiser)
    page = coordinator_client.get(
        f"/manage/editions/{edition.slug}/register/", {"location": ter_apel.pk}
    ).content.decode()
    assert "al een locatie" not in page


def test_organisers_see_and_change_who_looks_after_a_place(organiser_client, ter_apel, branch):
    listing = organiser_client.get("/locations/").content.decode()
    assert "azc Ter Apel" in listing and "Afdeling Ter Apel" in listing
    data = edit_form(ter_apel, branch=str(branch.pk))
    assert organiser_client.post(f"/locations/{ter_apel.pk}/", data).status_code == 302
    ter_apel.refresh_from_db()
    assert ter_apel.branch == branch


def test_a_coordinator_cannot_hand_their_place_to_another_branch(
    coordinator_client, location, ter_apel_branch
):
    owner = location.branch
    data = edit_form(location, branch=str(ter_apel_branch.pk))
    coordinator_client.post(f"/locations/{location.pk}/", data)
    location.refresh_from_db()
    assert location.branch == owner
