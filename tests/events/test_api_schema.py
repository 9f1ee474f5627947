"""The OpenAPI schema is valid, and real responses match what it says about them."""

import copy

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import make_user

from .map_factories import TOWNS, make_shift, make_site, sign_up


@pytest.mark.django_db  # the kinds and categories in the schema are data
def test_the_schema_validates_without_warnings(tmp_path):
    # Fails on any warning, e.g. an endpoint whose responses it cannot work out.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert "/api/v1/sites/" in (tmp_path / "s.yaml").read_text()


@pytest.fixture(scope="module")
def openapi(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():  # the kinds and categories in the schema are data
        return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable` becomes a null alternative,
    and objects refuse properties the schema does not describe."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def validate(openapi, component: str, instance) -> None:
    schemas = _json_schema(copy.deepcopy(openapi["components"]["schemas"]))
    root = {"$ref": f"#/components/schemas/{component}", "components": {"schemas": schemas}}
    jsonschema.Draft202012Validator(root).validate(instance)


def response_schema(openapi, path: str, method: str, status: str, media_type: str) -> dict:
    return openapi["paths"][path][method]["responses"][status]["content"][media_type]["schema"]


def test_the_schema_describes_the_geojson_and_the_filters(openapi):
    sites = openapi["paths"]["/api/v1/sites/"]["get"]
    names = {parameter["name"] for parameter in sites["parameters"]}
    assert {
        "event",
        "kind",
        "date_from",
        "date_to",
        "bbox",
        "near",
        "radius_km",
        "place",
        "open_spots",
        "page",
        "page_size",
    } <= names
    geojson = response_schema(openapi, "/api/v1/sites/", "get", "200", "application/geo+json")
    assert geojson == {"$ref": "#/components/schemas/SiteFeatureCollection"}
    error = response_schema(openapi, "/api/v1/sites/", "get", "400", "application/geo+json")
    assert error == {"$ref": "#/components/schemas/Error"}
    components = openapi["components"]["schemas"]

    def enum_of(component: str) -> list[str]:
        ref = components[component]["properties"]["type"]["$ref"]
        return components[ref.rsplit("/", 1)[1]]["enum"]

    assert enum_of("SiteFeatureCollection") == ["FeatureCollection"]
    assert enum_of("SiteFeature") == ["Feature"]
    assert enum_of("Point") == ["Point"]
    point = components["Point"]["properties"]["coordinates"]
    assert (point["minItems"], point["maxItems"]) == (2, 2)
    detail = openapi["paths"]["/api/v1/sites/{id}/"]["get"]["responses"]["200"]["content"]
    assert detail["application/geo+json"]["schema"] == {"$ref": "#/components/schemas/SiteFeature"}


def test_the_schema_lets_anyone_read_and_only_signed_in_users_write(openapi):
    assert {} in openapi["paths"]["/api/v1/sites/"]["get"]["security"]
    assert {} not in openapi["paths"]["/api/v1/sites/"]["post"]["security"]
    assert {} not in openapi["paths"]["/api/v1/shifts/{id}/"]["delete"]["security"]


def test_real_responses_match_the_schema(client, openapi, event, branch, django_user_model):
    hidden = make_site(event, "Zwolle", branch, show_approximate_location=True)
    shown = make_site(event, "Utrecht", branch)
    sign_up(make_shift(shown, capacity=2), make_user(django_user_model, "a@example.org"))
    lat, lon = TOWNS["Utrecht"]

    for query in ("", "?page=1&page_size=1", f"?near={lat},{lon}&radius_km=200", "?place=Zwolle"):
        body = client.get(f"/api/v1/sites/{query}").json()
        assert body["features"]
        validate(openapi, "SiteFeatureCollection", body)
    validate(openapi, "SiteFeature", client.get(f"/api/v1/sites/{hidden.pk}/").json())
    validate(openapi, "Error", client.get("/api/v1/sites/?bbox=1,2").json())
    validate(openapi, "Error", client.get("/api/v1/sites/999/").json())
    for shift in client.get(f"/api/v1/shifts/?site={shown.pk}").json():
        validate(openapi, "Shift", shift)
    for edition in client.get("/api/v1/events/").json():
        validate(openapi, "Event", edition)


def test_a_wrong_response_would_fail_the_check(openapi, client, site):
    feature = client.get(f"/api/v1/sites/{site.pk}/").json()
    feature["geometry"]["coordinates"] = [5.1]  # a point needs two numbers
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "SiteFeature", feature)
    feature = client.get(f"/api/v1/sites/{site.pk}/").json()
    feature["properties"]["undocumented"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "SiteFeature", feature)


def test_schema_and_docs_are_public_and_need_no_cdn(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"SiteFeatureCollection" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html
