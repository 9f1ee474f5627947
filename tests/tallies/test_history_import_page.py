"""The organisers' page that imports a past edition from a spreadsheet: who may use it,
check then import, the problems by row, and the link from the list of editions."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event, Site
from tallies.models import TallyEntry
from tests.branch_files import csv_bytes, xlsx_bytes
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGE = reverse("tallies:history_import")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HEADER = ["Location", "Town", "Branch", "Date", "Opens", "Closes", "Visitors", "Children"]
ROWS = [
    ["azc Zwolle", "Zwolle", "Afdeling Zwolle", "2018-09-22", "11:00", "16:00", "500", "120"],
    ["azc Utrecht", "Utrecht", "Afdeling Utrecht", "2018-09-22", "11:00", "16:00", "300", "40"],
]
OPTIONS = {"name": "Open azc dag 2018", "slug": "", "kind": "open_day"}


def check(client, data: bytes, name: str = "2018.csv", **options):
    return client.post(PAGE, {**OPTIONS, **options, "file": SimpleUploadedFile(name, data)}, **EN)


def token_in(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_only_organisers_open_the_page(
    client, organiser, coordinator, other_branch, volunteer, django_user_model
):
    other_coordinator = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(other_coordinator)
    client.force_login(organiser)
    assert client.get(PAGE).status_code == 200
    for user in (coordinator, other_coordinator, volunteer):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403, user
        response = check(client, csv_bytes([HEADER, *ROWS]))
        assert response.status_code == 403, user
    client.logout()
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Event.objects.exists()


def test_check_then_import_in_two_steps(organiser_client, branch, other_branch):
    response = check(organiser_client, csv_bytes([HEADER, *ROWS]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sites: 2 new, 0 unchanged" in page and "800 visitors" in page
    assert not Event.objects.exists()  # the check wrote nothing
    response = organiser_client.post(PAGE, {**OPTIONS, "token": token_in(response)}, **EN)
    assert response.status_code == 302
    assert response["Location"] == reverse("tallies:dashboard", args=["open-azc-dag-2018"])
    assert Site.objects.filter(event__slug="open-azc-dag-2018").count() == 2
    assert TallyEntry.objects.filter(imported=True).count() == 4
    # The same file again: checked, imported, and nothing changes.
    response = check(organiser_client, csv_bytes([HEADER, *ROWS]))
    assert "was imported before" in response.content.decode()
    response = organiser_client.post(
        PAGE, {**OPTIONS, "token": token_in(response)}, follow=True, **EN
    )
    assert "Nothing changed" in response.content.decode()
    assert TallyEntry.objects.count() == 4 and Site.objects.count() == 2


def test_a_used_token_is_not_used_again(organiser_client, branch, other_branch):
    token = token_in(check(organiser_client, csv_bytes([HEADER, *ROWS])))
    assert organiser_client.post(PAGE, {**OPTIONS, "token": token}, **EN).status_code == 302
    response = organiser_client.post(PAGE, {**OPTIONS, "token": token}, **EN)
    assert response.status_code == 400 and "no longer at hand" in response.content.decode()


def test_problems_are_listed_by_row_and_offer_no_import(organiser_client, branch):
    response = check(organiser_client, csv_bytes([HEADER, *ROWS]))
    page = response.content.decode()
    assert "1 row has problems: nothing was imported." in page
    assert "No branch is called “Afdeling Zwolle”" in page
    assert re.search(r'class="numbers">2<', page)
    assert 'name="token"' not in page
    response = check(organiser_client, csv_bytes([HEADER, *ROWS]), create_branches="on")
    assert "Branches: 1 new" in response.content.decode()
    assert not Event.objects.exists()


def test_an_excel_workbook_imports_too(organiser_client, branch, other_branch):
    data = xlsx_bytes([HEADER, *[[*row[:6], int(row[6]), int(row[7])] for row in ROWS]])
    response = check(organiser_client, data, "2018.xlsx")
    organiser_client.post(PAGE, {**OPTIONS, "token": token_in(response)}, **EN)
    assert Site.objects.count() == 2


def test_a_token_of_another_organiser_imports_nothing(
    organiser_client, client, branch, other_branch, django_user_model
):
    token = token_in(check(organiser_client, csv_bytes([HEADER, *ROWS])))
    client.force_login(make_user(django_user_model, "o2@example.org", is_organiser=True))
    assert client.post(PAGE, {**OPTIONS, "token": token}, **EN).status_code == 400
    assert client.post(PAGE, {**OPTIONS, "token": token[:-2] + "xx"}, **EN).status_code == 400
    assert not Event.objects.exists()


def test_bad_uploads_get_a_message_not_an_error(organiser_client):
    assert organiser_client.post(PAGE, {**OPTIONS}, **EN).status_code == 400
    assert organiser_client.post(PAGE, {}, **EN).status_code == 400
    response = check(organiser_client, b"PK\x03\x04 not really", "x.xlsx")
    assert response.status_code == 400 and "not an Excel workbook" in response.content.decode()
    response = check(organiser_client, csv_bytes([[*HEADER, "Coffees"], [*ROWS[0], "1"]]))
    assert response.status_code == 400 and "Unknown columns" in response.content.decode()


def test_the_list_of_editions_links_to_the_import_for_organisers(client, organiser, coordinator):
    manage = reverse("events:manage_index")
    client.force_login(organiser)
    assert PAGE in client.get(manage).content.decode()
    client.force_login(coordinator)
    assert PAGE not in client.get(manage).content.decode()
