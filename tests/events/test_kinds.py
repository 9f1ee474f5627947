"""Kinds of action day and what is counted at them are data (`events.ActionKind`,
`tallies.Category`): the two kinds the app began with are rows with their old codes and
categories, and a kind an organiser adds is followed by the edition service, the map, the
API and its schema, the counter's categories and the stylesheet of the markers."""

import datetime
import re

import pytest
from django.utils import translation

from common.errors import InvalidInput
from events.kinds import action_kinds, kind_name
from events.models import ActionKind, Event
from events.services import event_create, event_update
from tallies.categories import categories_of, category_name
from tallies.models import Category
from tests.conftest import EVENT_DAY

from .map_factories import make_event, make_site

pytestmark = pytest.mark.django_db


def market_stall() -> ActionKind:
    kind = ActionKind.objects.create(
        slug="market_stall",
        names={"nl": "Marktkraam", "en": "Market stall", "ar": "كشك في السوق"},
        marker_colour="#2e7d32",
        marker_shape=ActionKind.Shape.DIAMOND,
        location_kind="public_space",
        default_opens_at=datetime.time(9, 0),
        default_closes_at=datetime.time(13, 0),
        shift_templates=[
            {"role": "setup", "starts_at": "08:30", "ends_at": "09:00", "capacity": 2},
            {"role": "conversation", "starts_at": "09:00", "ends_at": "13:00", "capacity": 3},
        ],
        position=3,
    )
    Category.objects.create(
        kind=kind,
        slug="stall_visitors",
        names={"nl": "bezoekers aan de kraam", "en": "visitors at the stall"},
        taps={"en": "one person who stops at the stall"},
        reached=True,
        position=1,
    )
    Category.objects.create(
        kind=kind,
        slug="flyers",
        names={"nl": "folders", "en": "flyers"},
        reached=False,
        position=2,
    )
    return kind


def test_the_two_kinds_the_app_began_with_are_rows_with_their_old_categories():
    kinds = action_kinds()
    assert list(kinds) == ["open_day", "coffee"]
    assert [c.slug for c in categories_of("open_day")] == ["visitors", "children"]
    # Bakkie Doen gained "passers-by reached", the figure the campaign reports.
    assert [c.slug for c in categories_of("coffee")] == [
        "coffees",
        "conversations",
        "passers_by",
    ]
    with translation.override("nl"):
        assert kind_name("open_day") == "Open azc dag"
        assert category_name("coffee", "passers_by") == "bereikte voorbijgangers"
    with translation.override("ar"):
        assert category_name("open_day", "visitors") == "زوار"
    assert [c.reached for c in categories_of("coffee")] == [False, False, True]


def test_a_name_missing_in_a_language_shows_in_english():
    market_stall()
    with translation.override("fa"):
        assert kind_name("market_stall") == "Market stall"
    with translation.override("ar"):
        assert kind_name("market_stall") == "كشك في السوق"
        assert category_name("market_stall", "flyers") == "flyers"


def test_a_new_edition_of_a_new_kind_starts_with_its_hours_and_shifts(organiser):
    market_stall()
    event = event_create(
        name="Marktdag", kind="market_stall", date=EVENT_DAY, by=organiser, is_published=True
    )
    assert (event.default_opens_at, event.default_closes_at) == (
        datetime.time(9, 0),
        datetime.time(13, 0),
    )
    assert [(t.role, t.starts_at, t.capacity) for t in event.shift_templates.all()] == [
        ("setup", datetime.time(8, 30), 2),
        ("conversation", datetime.time(9, 0), 3),
    ]


def test_an_unknown_or_retired_kind_is_refused_with_the_kinds_there_are(organiser):
    kind = market_stall()
    kind.is_active = False
    kind.save()
    for code in ("castle", "market_stall"):
        with pytest.raises(InvalidInput) as refused:
            event_create(name="Marktdag", kind=code, date=EVENT_DAY, by=organiser)
        [message] = refused.value.field_errors["kind"]
        assert "open_day" in message and "coffee" in message
        assert "market_stall" not in message
    assert not Event.objects.filter(name="Marktdag").exists()


def test_the_map_and_the_api_filter_on_a_new_kind(client, branch):
    market_stall()
    stall = make_site(make_event("marktdag", "market_stall"), "Utrecht", branch)
    make_site(make_event("open-dag"), "Zwolle", branch)
    answer = client.get("/api/v1/sites/?kind=market_stall")
    assert answer.status_code == 200
    assert [f["id"] for f in answer.json()["features"]] == [stall.pk]
    assert answer.json()["features"][0]["properties"]["kind"] == "market_stall"
    page = client.get("/map/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="market_stall">' in page
    assert 'class="map-marker map-marker--market_stall map-marker--sample"' in page
    events = client.get("/api/v1/events/?kind=market_stall").json()
    assert [(e["slug"], e["kind"]) for e in events] == [("marktdag", "market_stall")]
    refused = client.get("/api/v1/sites/?kind=castle")
    assert refused.status_code == 400
    assert "market_stall" in refused.content.decode()


def test_the_markers_stylesheet_follows_the_kinds_and_changes_its_name(client):
    page = client.get("/").content.decode()
    first = re.search(r'href="(/kinds/[0-9a-f]+\.css)"', page).group(1)
    css = client.get(first)
    assert css["Content-Type"].startswith("text/css")
    assert "immutable" in css["Cache-Control"]
    assert ".map-marker--open_day .map-marker__dot { background: #005f99;" in css.content.decode()
    market_stall()
    page = client.get("/").content.decode()
    second = re.search(r'href="(/kinds/[0-9a-f]+\.css)"', page).group(1)
    assert second != first
    body = client.get(second).content.decode()
    assert ".map-marker--market_stall .map-marker__dot { background: #2e7d32;" in body
    assert "rotate(45deg)" in body  # the diamond
    # An old name still answers (a page cached before the change), briefly kept.
    old = client.get(first)
    assert old.status_code == 200 and "immutable" not in old["Cache-Control"]


def test_the_schema_and_the_kinds_api_list_the_kinds_and_categories_there_are(client):
    market_stall()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    sites = schema["paths"]["/api/v1/sites/"]["get"]["parameters"]
    kind = next(p for p in sites if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["coffee", "market_stall", "open_day"]
    enums = [component.get("enum", []) for component in schema["components"]["schemas"].values()]
    assert any("stall_visitors" in values and "passers_by" in values for values in enums)
    kinds = client.get("/api/v1/kinds/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [k["code"] for k in kinds] == ["open_day", "coffee", "market_stall"]
    stall = kinds[2]
    assert (stall["name"], stall["marker_colour"], stall["marker_shape"]) == (
        "Market stall",
        "#2e7d32",
        "diamond",
    )
    assert [(c["code"], c["reached"], c["tap"]) for c in stall["categories"]] == [
        ("stall_visitors", True, "one person who stops at the stall"),
        ("flyers", False, ""),
    ]


def test_a_changed_name_shows_at_once(client):
    kind = ActionKind.objects.get(slug="coffee")
    assert kind_name("coffee").startswith("Bakkie Doen")
    kind.names = {**kind.names, "nl": "Koffie op straat"}
    kind.save()
    with translation.override("nl"):
        assert kind_name("coffee") == "Koffie op straat"


def test_an_editions_kind_does_not_change_once_it_has_sites(organiser, branch):
    # Found by attacking it: the counts of the old kind's categories vanished from the
    # edition's figures.
    event = make_event("open-dag")
    make_site(event, "Utrecht", branch)
    with pytest.raises(InvalidInput) as refused:
        event_update(event=event, by=organiser, kind="coffee")
    assert "kind" in refused.value.field_errors
    event.refresh_from_db()
    assert event.kind_id == "open_day"
    empty = make_event("lege-dag")
    assert event_update(event=empty, by=organiser, kind="coffee").kind_id == "coffee"
