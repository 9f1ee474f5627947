"""Hostile request bodies get the API's JSON error, never a 500 or an HTML page, and change
nothing: JSON nested a hundred thousand deep (it made the decoder raise RecursionError),
bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (Django's RequestDataTooBig, an HTML 400 page)."""

import json

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.parsers import MAX_JSON_DEPTH
from events.models import Site
from tallies.models import TallyEntry
from tests.tallies.conftest import tap

TOKEN = "/api/v1/auth/token/"
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organiser_api(organiser):
    api = APIClient()
    api.force_authenticate(organiser)
    return api


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] in ("application/json", "application/geo+json")
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body


def requests(site):
    """(method, URL, a valid body) of the three writes the attack used."""
    return [
        ("post", TOKEN, {"email": "volunteer@example.org", "password": "pw-for-tests-1"}),
        ("patch", f"/api/v1/sites/{site.pk}/", {"name": "Nieuwe naam"}),
        ("post", f"/api/v1/sites/{site.pk}/tallies/", {"entries": [tap()]}),
    ]


def nothing_changed(site) -> bool:
    site.refresh_from_db()
    return site.name == "" and not TallyEntry.objects.exists() and not Token.objects.exists()


@pytest.mark.parametrize("payload", [DEEP, DEEP_OBJECT])
def test_deeply_nested_json_is_a_400_in_the_api_format(organiser_api, volunteer, site, payload):
    for method, url, _valid in requests(site):
        response = getattr(organiser_api, method)(url, payload, content_type="application/json")
        assert_json_error(response, 400, "parse_error")
    assert nothing_changed(site)


def test_json_just_too_deep_is_refused_and_just_deep_enough_is_read(organiser_api, site):
    url = f"/api/v1/sites/{site.pk}/"

    def nested(depth: int) -> str:
        return json.dumps({"name": "Nieuwe naam"}) if depth == 1 else f"[{nested(depth - 1)}]"

    body = assert_json_error(
        organiser_api.patch(url, nested(MAX_JSON_DEPTH + 1), content_type="application/json"),
        400,
        "parse_error",
    )
    assert str(MAX_JSON_DEPTH) in body["detail"]
    # As deep as allowed: parsed, then refused for its shape like any other list.
    response = organiser_api.patch(url, nested(MAX_JSON_DEPTH), content_type="application/json")
    assert_json_error(response, 400, "invalid")
    assert nothing_changed(site)


def test_a_body_over_the_upload_limit_is_a_413_in_the_api_format(
    organiser_api, volunteer, site, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    for method, url, valid in requests(site):
        padded = {**valid, "padding": "x" * 20_000}
        call = getattr(organiser_api, method)
        assert_json_error(
            call(url, json.dumps(padded), content_type="application/json"),
            413,
            "request_too_large",
        )
        if "tallies" in url:
            continue  # JSON only (415 for a form)
        form = "&".join(f"{key}=x" for key in valid) + "&padding=" + "x" * 20_000
        assert_json_error(
            call(url, form, content_type="application/x-www-form-urlencoded"),
            413,
            "request_too_large",
        )
    assert nothing_changed(site)
    # Under the limit the same requests work.
    assert (
        organiser_api.patch(
            f"/api/v1/sites/{site.pk}/", {"name": "Nieuwe naam"}, format="json"
        ).status_code
        == 200
    )


def test_a_request_refused_before_any_view_answers_json_under_the_api(client, site):
    # DisallowedHost is raised by the middleware, before DRF: Django's handler400.
    response = client.get("/api/v1/events/", HTTP_HOST="evil.example")
    assert_json_error(response, 400, "bad_request")
    page = client.get("/", HTTP_HOST="evil.example")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_too_many_fields_is_a_400_in_the_api_format(organiser_api, site, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    form = "&".join(f"field{number}=x" for number in range(20))
    response = organiser_api.patch(
        f"/api/v1/sites/{site.pk}/", form, content_type="application/x-www-form-urlencoded"
    )
    assert_json_error(response, 400, "bad_request")
    assert Site.objects.get(pk=site.pk).name == ""
