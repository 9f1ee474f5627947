"""A NUL character in a query parameter is bad input, never a 500.

PostgreSQL refuses NUL in a string ("A string literal cannot contain NUL (0x00)
characters"), so a parameter that reaches a query unchecked crashes there only; SQLite
takes it. These pages answered 500 on PostgreSQL before. CI runs this file on both.
"""

import pytest

NUL = "%00"

PUBLIC = [
    "/map/?event=",
    "/map/?place=",
    "/map/embed/?place=",
    "/api/v1/sites/?event=",
    "/api/v1/sites/?place=",
    "/shifts/?town=",
    "/shifts/?event=",
]
COORDINATOR = [
    "/coordinate/understaffed/?event=",
    "/locations/?q=",
    "/locations/?near=",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_and_api(anonymous_client, site, url):
    response = anonymous_client.get(url + NUL)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("url", ["/map/?place=", "/map/embed/?place=", "/map/?event="])
def test_the_map_never_writes_the_nul_into_its_page(anonymous_client, site, url):
    response = anonymous_client.get(url + "Utrecht" + NUL)
    assert b"\x00" not in response.content
    assert b"&#x0;" not in response.content


def test_the_api_names_the_parameter(anonymous_client, site):
    response = anonymous_client.get("/api/v1/sites/?event=" + NUL)
    assert response.status_code == 400
    assert response.json()["parameter"] == "event"
    response = anonymous_client.get("/api/v1/sites/?place=" + NUL)
    assert response.status_code == 400
    assert response.json()["parameter"] == "place"


@pytest.mark.parametrize("url", COORDINATOR)
def test_coordinator_pages(coordinator_client, site, url):
    response = coordinator_client.get(url + NUL)
    assert response.status_code == 200


def test_locations_search_ignores_the_nul(coordinator_client, location):
    response = coordinator_client.get("/locations/?q=azc%00")
    assert response.status_code == 200
    assert "azc Utrecht" in response.content.decode()
