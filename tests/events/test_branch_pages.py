"""The organisers' branch pages (`/manage/branches/`): the list with counts and search, a
branch's page, and the spreadsheet import in two steps; who may see which."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from locations.models import Branch, Location
from tests.branch_files import HEADER, csv_bytes, xlsx_bytes
from tests.conftest import make_user
from tests.factories import make_signup, make_volunteer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST = reverse("events:branch_list")
IMPORT = reverse("events:branch_import")


def detail(branch) -> str:
    return reverse("events:branch_detail", args=[branch.pk])


def upload(client, data: bytes, name: str = "afdelingen.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, **EN)


def token_in(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


# --- Who may see what ---------------------------------------------------------------------


def test_an_organiser_sees_every_branch_with_its_counts(
    organiser_client, coordinator, branch, other_branch, site, django_user_model
):
    invited = django_user_model.objects.create_user(email="nieuw@example.org")
    branch.coordinators.add(invited)
    page = organiser_client.get(LIST, **EN).content.decode()
    assert "Afdeling Utrecht" in page and "Afdeling Zwolle" in page
    row = page[page.index("Afdeling Utrecht") : page.index("Afdeling Zwolle")]
    # 2 coordinators (1 never logged in), 1 location, 1 site.
    numbers = re.findall(r'class="numbers">(\d+)', row)
    assert numbers == ["2", "1", "1"]
    assert "1 invited, not yet logged in" in row


def test_the_list_is_searched_by_name_or_town_and_province(organiser_client, branch, other_branch):
    Branch.objects.filter(pk=other_branch.pk).update(province="OV")
    page = organiser_client.get(LIST, {"q": "zwol"}, **EN).content.decode()
    assert "Afdeling Zwolle" in page and "Afdeling Utrecht" not in page
    page = organiser_client.get(LIST, {"province": "OV"}, **EN).content.decode()
    assert "Afdeling Zwolle" in page and "Afdeling Utrecht" not in page
    page = organiser_client.get(LIST, {"q": "\x00", "province": "XX"}, **EN)
    assert page.status_code == 200


def test_the_branch_list_takes_the_same_queries_for_many_branches(
    organiser_client, django_assert_max_num_queries, django_user_model
):
    for number in range(40):
        branch = Branch.objects.create(name=f"Afdeling {number:02d}", slug=f"a-{number}")
        branch.coordinators.add(django_user_model.objects.create_user(email=f"c{number}@e.org"))
        Location.objects.create(name=f"Plein {number}", city="Ede", branch=branch)
    with django_assert_max_num_queries(8):
        response = organiser_client.get(LIST, **EN)
    assert response.content.decode().count('href="/manage/branches/') >= 40


def test_a_branch_page_shows_coordinators_locations_and_sites(
    organiser_client, coordinator, branch, site, shift, django_user_model
):
    invited = django_user_model.objects.create_user(email="nieuw@example.org")
    branch.coordinators.add(invited)
    make_signup(shift, make_volunteer())
    page = organiser_client.get(detail(branch), **EN).content.decode()
    assert "coordinator@example.org" in page and "nieuw@example.org" in page
    # The new account is invited; the coordinator has a password (and no mark).
    assert page.count("invited, not yet logged in") == 1
    assert "azc Utrecht" in page and site.event.name in page
    assert reverse("events:site_manage", args=[site.pk]) in page
    assert reverse("locations:edit", args=[site.location.pk]) in page


def test_a_coordinator_sees_their_own_branch_only(coordinator_client, branch, other_branch):
    assert coordinator_client.get(detail(branch)).status_code == 200
    assert coordinator_client.get(detail(other_branch)).status_code == 403
    page = coordinator_client.get(LIST, **EN).content.decode()
    assert "Afdeling Utrecht" in page and "Afdeling Zwolle" not in page
    assert coordinator_client.get(IMPORT).status_code == 403


def test_volunteers_and_strangers_are_refused(volunteer_client, branch, client):
    for url in (LIST, detail(branch), IMPORT):
        assert volunteer_client.get(url).status_code == 403
    assert volunteer_client.post(IMPORT, {"token": "x"}).status_code == 403
    volunteer_client.logout()
    for url in (LIST, detail(branch), IMPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_management_index_links_to_the_branches(organiser_client, coordinator, branch, client):
    assert LIST in organiser_client.get(reverse("events:manage_index")).content.decode()
    client.force_login(coordinator)
    assert detail(branch) in client.get(reverse("events:manage_index")).content.decode()


# --- Importing --------------------------------------------------------------------------


FILE = [
    HEADER,
    ["Afdeling Assen", "Assen", "Drenthe", "anna@example.org"],
    ["Afdeling Gent", "Gent", "Oost-Vlaanderen", "g@example.org"],
]


def test_the_check_shows_the_bad_rows_and_changes_nothing(organiser_client):
    response = upload(organiser_client, csv_bytes(FILE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "“Oost-Vlaanderen” is no Dutch province." in page
    assert re.search(r'class="numbers">3<', page)  # the row
    assert "Import the good rows" in page
    assert not Branch.objects.exists() and not User.objects.exclude(is_organiser=True).exists()


def test_import_after_the_check_refuses_bad_rows_unless_skipped(
    organiser_client, django_capture_on_commit_callbacks
):
    token = token_in(upload(organiser_client, csv_bytes(FILE)))
    response = organiser_client.post(IMPORT, {"token": token}, **EN)
    assert response.status_code == 400 and "nothing was imported" in response.content.decode()
    assert not Branch.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(IMPORT, {"token": token, "skip_bad_rows": "on"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert list(Branch.objects.values_list("name", flat=True)) == ["Afdeling Assen"]
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    # The kept file is gone: the same token imports nothing twice.
    assert organiser_client.post(IMPORT, {"token": token}).status_code == 400


def test_an_xlsx_file_imports_in_two_steps(organiser_client, django_capture_on_commit_callbacks):
    data = xlsx_bytes([HEADER, ["Afdeling Ede", "Ede", "Gelderland", "e@example.org"]])
    response = upload(organiser_client, data, "afdelingen.xlsx")
    assert "1 new" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(IMPORT, {"token": token_in(response)})
    assert Branch.objects.get().coordinators.get().email == "e@example.org"


def test_a_token_of_another_organiser_or_tampered_with_imports_nothing(
    organiser_client, client, django_user_model
):
    token = token_in(upload(organiser_client, csv_bytes(FILE[:2])))
    other = make_user(django_user_model, "other-organiser@example.org", is_organiser=True)
    client.force_login(other)
    assert client.post(IMPORT, {"token": token}, **EN).status_code == 400
    assert client.post(IMPORT, {"token": token[:-2] + "xx"}, **EN).status_code == 400
    assert not Branch.objects.exists()


def test_bad_uploads_get_a_message_not_an_error(organiser_client):
    assert organiser_client.post(IMPORT, {}, **EN).status_code == 400
    response = upload(organiser_client, b"PK\x03\x04 not really", "x.xlsx")
    assert response.status_code == 400 and "not an Excel workbook" in response.content.decode()
    response = upload(organiser_client, "Naam\n".encode("utf-16"), "x.csv")
    assert response.status_code == 400 and "UTF-16" in response.content.decode()
    response = upload(organiser_client, b"Plaats\nEde\n", "x.csv")
    assert response.status_code == 400 and "is missing" in response.content.decode()
