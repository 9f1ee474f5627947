"""Organisers define kinds of action day and what is counted at them
(`tallies.kinds_editing`): every rule refuses with a message on the field it is about,
and nothing is saved when anything is refused."""

import datetime

import pytest
from django.utils import translation

from common.errors import InvalidInput
from events.kinds import kind_choices, kind_of
from events.models import ActionKind, Event
from events.services.editions import TemplateSpec, event_create
from tallies.categories import categories_of, category_slugs, counted_at
from tallies.kinds_editing import (
    CategorySpec,
    category_add,
    category_delete,
    category_retire,
    contrast_with_white,
    kind_create,
    kind_update,
)
from tallies.models import Category
from tests.conftest import EVENT_DAY
from tests.tallies.conftest import store_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def visitors_at_the_stall(**changes) -> CategorySpec:
    fields = {
        "slug": "stall_visitors",
        "names": {"nl": "bezoekers bij de kraam", "en": "visitors at the stall", "ar": "زوار"},
        "taps": {"nl": "één bezoeker", "en": "one visitor"},
    }
    return CategorySpec(**{**fields, **changes})


def flyers(**changes) -> CategorySpec:
    fields = {
        "slug": "flyers",
        "names": {"nl": "folders", "en": "flyers handed out"},
        "reached": False,
    }
    return CategorySpec(**{**fields, **changes})


def market_stall(organiser, **changes) -> ActionKind:
    fields = {
        "by": organiser,
        "slug": "market_stall",
        "names": {"nl": "Marktkraam", "en": "Market stall", "fa": "غرفه بازار"},
        "categories": [visitors_at_the_stall(), flyers()],
        "templates": [
            TemplateSpec("setup", datetime.time(9, 0), datetime.time(10, 0), 2),
            TemplateSpec("other", datetime.time(10, 0), datetime.time(14, 0), 3),
        ],
        "marker_colour": "#6B2C91",
        "marker_shape": ActionKind.Shape.DIAMOND,
        "default_opens_at": datetime.time(10, 0),
        "default_closes_at": datetime.time(14, 0),
    }
    return kind_create(**{**fields, **changes})


def refusal(call) -> dict[str, list[str]]:
    kinds, categories = ActionKind.objects.count(), Category.objects.count()
    with pytest.raises(InvalidInput) as caught:
        call()
    assert (ActionKind.objects.count(), Category.objects.count()) == (kinds, categories)
    return caught.value.field_errors


# --- Creating a kind ----------------------------------------------------------------------


def test_a_new_kind_with_its_categories_is_offered_for_new_editions(organiser):
    kind = market_stall(organiser)

    assert kind.marker_colour == "#6b2c91"  # as the map's stylesheet writes colours
    assert ("market_stall", "Market stall") in kind_choices()
    assert kind_of("market_stall").names["fa"] == "غرفه بازار"
    assert category_slugs("market_stall") == ("stall_visitors", "flyers")
    assert [c.reached for c in categories_of("market_stall")] == [True, False]
    assert categories_of("market_stall")[0].tap == "one visitor"
    with translation.override("ar"):
        # Arabic given; Farsi not, and falls back to English.
        assert categories_of("market_stall")[0].name == "زوار"
        assert categories_of("market_stall")[1].name == "flyers handed out"
    edition = event_create(name="Marktkraam 2030", kind="market_stall", date=EVENT_DAY, by=None)
    assert [(t.role, t.capacity) for t in edition.shift_templates.order_by("starts_at")] == [
        ("setup", 2),
        ("other", 3),
    ]


@pytest.mark.parametrize(
    "code", ["Market", "1stall", "m", "market-stall", "markt kraam", "a" * 21, "", "kraam!"]
)
def test_a_code_that_cannot_be_a_css_class_or_api_value_is_refused(organiser, code):
    errors = refusal(lambda: market_stall(organiser, slug=code))
    assert "small letters a–z" in errors["slug"][0]


def test_codes_are_unique(organiser):
    errors = refusal(lambda: market_stall(organiser, slug="open_day"))
    assert errors["slug"] == ["Another kind already has the code open_day."]
    errors = refusal(
        lambda: market_stall(organiser, categories=[flyers(), flyers(names={"nl": "x", "en": "y"})])
    )
    assert errors["categories-1-slug"] == ["Two categories have the code flyers."]
    errors = refusal(lambda: market_stall(organiser, categories=[flyers(slug="Flyers!")]))
    assert "categories-0-slug" in errors


def test_names_are_required_in_dutch_and_english(organiser):
    errors = refusal(lambda: market_stall(organiser, names={"nl": "Marktkraam", "ar": "سوق"}))
    assert errors == {"name_en": ["Give it in English."]}
    errors = refusal(
        lambda: market_stall(organiser, categories=[flyers(names={"en": "flyers", "nl": "  "})])
    )
    assert errors == {"categories-0-name_nl": ["Give it in Dutch."]}


def test_a_name_is_one_line_of_plain_text(organiser):
    names = {"nl": "Markt\u202ekraam", "en": "Market stall"}
    errors = refusal(lambda: market_stall(organiser, names=names))
    assert "name_nl" in errors


def test_contrast_against_white_is_computed_as_wcag_does():
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#ffffff") == pytest.approx(1)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast_with_white("#949494") == pytest.approx(3.03, abs=0.01)  # just enough
    assert contrast_with_white("#959595") == pytest.approx(2.995, abs=0.001)  # just too light


@pytest.mark.parametrize("colour", ["#ffff00", "#959595", "#7fdbff", "#ffcc00"])
def test_a_marker_colour_too_light_to_see_on_the_map_is_refused(organiser, colour):
    errors = refusal(lambda: market_stall(organiser, marker_colour=colour))
    assert "too light to see on the map" in errors["marker_colour"][0]
    assert "at least 3:1" in errors["marker_colour"][0]


@pytest.mark.parametrize("colour", ["#949494", "#0074d9", "#b10dc9"])
def test_a_marker_colour_with_3_to_1_contrast_is_accepted(organiser, colour):
    assert market_stall(organiser, marker_colour=colour).marker_colour == colour


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", ""])
def test_a_marker_colour_is_given_as_rrggbb(organiser, colour):
    errors = refusal(lambda: market_stall(organiser, marker_colour=colour))
    assert errors["marker_colour"] == ["Give a colour as #rrggbb, e.g. #6b2c91."]


def test_hours_close_after_they_open(organiser):
    errors = refusal(
        lambda: market_stall(
            organiser, default_opens_at=datetime.time(14), default_closes_at=datetime.time(14)
        )
    )
    assert errors == {"default_closes_at": ["The closing time must be after the opening time."]}


def test_default_shifts_have_known_roles_and_end_after_they_start(organiser):
    templates = [
        TemplateSpec("juggler", datetime.time(9), datetime.time(10), 2),
        TemplateSpec("setup", datetime.time(11), datetime.time(10), 2),
    ]
    errors = refusal(lambda: market_stall(organiser, templates=templates))
    assert errors == {
        "templates": ["Row 1: unknown role.", "Row 2: a shift must end after it starts."]
    }


def test_a_kind_in_use_counts_something(organiser):
    errors = refusal(lambda: market_stall(organiser, categories=[]))
    assert "at least one category" in errors["categories"][0]
    errors = refusal(lambda: market_stall(organiser, categories=[flyers(is_retired=True)]))
    assert "at least one category" in errors["categories"][0]


def test_unknown_shape_location_kind_and_language_are_refused(organiser):
    errors = refusal(
        lambda: market_stall(
            organiser,
            marker_shape="star",
            location_kind="castle",
            names={"nl": "Marktkraam", "en": "Market stall", "xx": "?"},
        )
    )
    assert set(errors) == {"marker_shape", "location_kind", "name"}


# --- Changing a kind ----------------------------------------------------------------------


def test_the_code_never_changes(organiser):
    kind = market_stall(organiser)
    with pytest.raises(InvalidInput) as caught:
        kind_update(kind=kind, by=organiser, slug="stall")
    assert caught.value.field == "slug"
    assert ActionKind.objects.filter(slug="market_stall").exists()


def test_a_retired_kind_gets_no_new_editions_but_keeps_its_own(organiser):
    kind = market_stall(organiser)
    edition = event_create(name="Marktkraam 2030", kind="market_stall", date=EVENT_DAY, by=None)
    kind_update(kind=kind, by=organiser, is_active=False)

    assert "market_stall" not in dict(kind_choices())
    assert "market_stall" in dict(kind_choices(keep="market_stall"))
    with pytest.raises(InvalidInput) as caught:
        event_create(name="Marktkraam 2031", kind="market_stall", date=EVENT_DAY, by=None)
    assert caught.value.field == "kind"
    assert Event.objects.get(pk=edition.pk).kind_id == "market_stall"


def test_a_change_refused_anywhere_saves_nothing(organiser):
    kind = market_stall(organiser)
    with pytest.raises(InvalidInput) as caught:
        kind_update(
            kind=kind,
            by=organiser,
            names={"nl": "Kraam", "en": "Stall"},
            marker_colour="#004400",
            categories=[visitors_at_the_stall(), flyers(names={"nl": "folders"})],
        )
    assert caught.value.field_errors == {"categories-1-name_en": ["Give it in English."]}
    kind.refresh_from_db()
    assert (kind.names["en"], kind.marker_colour) == ("Market stall", "#6b2c91")


def test_categories_are_changed_added_and_reordered_by_code(organiser):
    kind = market_stall(organiser)
    kind_update(
        kind=kind,
        by=organiser,
        categories=[
            flyers(names={"nl": "flyers", "en": "leaflets"}, reached=False),
            CategorySpec("talks", {"nl": "gesprekken", "en": "talks"}),
            visitors_at_the_stall(),
        ],
    )
    assert category_slugs(kind) == ("flyers", "talks", "stall_visitors")
    assert categories_of(kind)[0].name == "leaflets"


def test_a_kind_cannot_retire_its_last_category_in_use(organiser):
    kind = market_stall(organiser)
    errors = refusal(
        lambda: kind_update(
            kind=kind,
            by=organiser,
            categories=[visitors_at_the_stall(is_retired=True), flyers(is_retired=True)],
        )
    )
    assert "at least one category" in errors["categories"][0]
    category_retire(category=Category.objects.get(kind=kind, slug="flyers"), by=organiser)
    with pytest.raises(InvalidInput):
        category_retire(
            category=Category.objects.get(kind=kind, slug="stall_visitors"), by=organiser
        )
    # A retired kind may have none in use.
    kind_update(kind=kind, by=organiser, is_active=False)
    category_retire(category=Category.objects.get(kind=kind, slug="stall_visitors"), by=organiser)
    assert category_slugs(kind) == ()
    # ... but cannot come back into use without one.
    with pytest.raises(InvalidInput) as caught:
        kind_update(kind=kind, by=organiser, is_active=True)
    assert "categories" in caught.value.field_errors


def test_a_category_is_added_after_the_others(organiser):
    kind = market_stall(organiser)
    category_add(
        kind=kind, spec=CategorySpec("talks", {"nl": "gesprekken", "en": "talks"}), by=organiser
    )
    assert category_slugs(kind) == ("stall_visitors", "flyers", "talks")
    with pytest.raises(InvalidInput) as caught:
        category_add(kind=kind, spec=flyers(), by=organiser)
    assert caught.value.field == "slug"
    with pytest.raises(InvalidInput) as caught:
        category_add(kind=kind, spec=CategorySpec("dogs", {"nl": "honden"}), by=organiser)
    assert caught.value.field_errors == {"name_en": ["Give it in English."]}


# --- Deleting and retiring categories ------------------------------------------------------


def test_a_category_without_counts_can_be_deleted(organiser):
    kind = market_stall(organiser)
    category_delete(category=Category.objects.get(kind=kind, slug="flyers"), by=organiser)
    assert category_slugs(kind) == ("stall_visitors",)
    # Not the last one counted at a kind in use.
    with pytest.raises(InvalidInput) as caught:
        category_delete(category=Category.objects.get(kind=kind, slug="stall_visitors"), by=None)
    assert "last category" in caught.value.detail


def test_a_category_with_counts_is_retired_not_deleted_and_stays_in_old_figures(
    organiser, location, branch, counting_client, today_site
):
    """`children` was counted at an open day; retired, new taps in it are refused, while
    the edition that counted it still shows it."""
    from tests.tallies.conftest import make_site, tap

    past = Event.objects.create(
        name="Open azc dag toen",
        slug="open-azc-dag-toen",
        kind_id="open_day",
        date=today_site.event.date - datetime.timedelta(days=365),
        is_published=True,
    )
    past_site = make_site(past, location, branch, days_ago=365)
    store_entry(past_site, "children", 7)
    children = Category.objects.get(kind_id="open_day", slug="children")

    with pytest.raises(InvalidInput) as caught:
        category_delete(category=children, by=organiser)
    assert caught.value.detail == "children has counts: retire it instead."
    assert Category.objects.filter(pk=children.pk).exists()

    category_retire(category=children, by=organiser)
    assert "children" not in category_slugs("open_day")
    answer = counting_client.post(
        f"/api/v1/sites/{today_site.pk}/tallies/",
        {"entries": [tap("children"), tap("visitors")]},
        content_type="application/json",
        headers={"accept-language": "en"},
    ).json()
    assert answer["accepted"] == 1
    assert [r["code"] for r in answer["refused"]] == ["category_not_counted"]
    assert "children" not in answer["totals"]

    assert "children" in [c.slug for c in counted_at(past)]
    assert "children" not in [c.slug for c in counted_at(today_site.event)]
    # And back in use: counted again.
    category_retire(category=children, by=organiser, retired=False)
    assert "children" in category_slugs("open_day")
