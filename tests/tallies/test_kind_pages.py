"""The kinds pages under /manage/kinds/: national organisers only; a kind is made and
changed with its default shifts and categories, each language's input in its own
direction, and a category with counts is retired, never deleted."""

import re

import pytest
from django.urls import reverse

from events.models import ActionKind
from tallies.models import Category
from tests.form_descriptions import description_problems
from tests.tallies.conftest import store_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def new_kind_data(**changes) -> dict:
    data = {
        "slug": "market_stall",
        "name_nl": "Marktkraam",
        "name_en": "Market stall",
        "name_ar": "كشك السوق",
        "name_fa": "",
        "name_ti": "",
        "marker_colour": "#6B2C91",
        "marker_shape": "diamond",
        "location_kind": "public_space",
        "default_opens_at": "10:00",
        "default_closes_at": "14:00",
        "position": "",
        "templates-TOTAL_FORMS": "2",
        "templates-INITIAL_FORMS": "0",
        "templates-0-role": "setup",
        "templates-0-starts_at": "09:30",
        "templates-0-ends_at": "10:00",
        "templates-0-capacity": "2",
        "templates-1-role": "",
        "categories-TOTAL_FORMS": "2",
        "categories-INITIAL_FORMS": "0",
        "categories-0-slug": "stall_visitors",
        "categories-0-name_nl": "bezoekers bij de kraam",
        "categories-0-name_en": "visitors at the stall",
        "categories-0-tap_en": "one visitor at the stall",
        "categories-0-reached": "on",
        "categories-1-slug": "flyers",
        "categories-1-name_nl": "folders",
        "categories-1-name_en": "flyers handed out",
    }
    data.update(changes)
    return data


def edit_data(kind: ActionKind, **changes) -> dict:
    """What the edit page sends back unchanged (with its one empty category row)."""
    categories = list(Category.objects.filter(kind=kind).order_by("position"))
    data = {
        "name_nl": kind.names["nl"],
        "name_en": kind.names["en"],
        "marker_colour": kind.marker_colour,
        "marker_shape": kind.marker_shape,
        "location_kind": kind.location_kind,
        "default_opens_at": kind.default_opens_at.strftime("%H:%M"),
        "default_closes_at": kind.default_closes_at.strftime("%H:%M"),
        "position": str(kind.position),
        "is_active": "on" if kind.is_active else "",
        "templates-TOTAL_FORMS": "0",
        "templates-INITIAL_FORMS": "0",
        "categories-TOTAL_FORMS": str(len(categories) + 1),
        "categories-INITIAL_FORMS": str(len(categories)),
        f"categories-{len(categories)}-reached": "on",
    }
    for index, category in enumerate(categories):
        data[f"categories-{index}-shown_code"] = category.slug
        data[f"categories-{index}-name_nl"] = category.names["nl"]
        data[f"categories-{index}-name_en"] = category.names["en"]
        if category.reached:
            data[f"categories-{index}-reached"] = "on"
        if category.is_retired:
            data[f"categories-{index}-is_retired"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


# --- Who may ----------------------------------------------------------------------------


def pages() -> list[str]:
    return [
        reverse("tallies:kind_list"),
        reverse("tallies:kind_new"),
        reverse("tallies:kind_edit", args=["coffee"]),
        reverse("tallies:category_delete", args=["coffee", "coffees"]),
    ]


@pytest.mark.parametrize("persona", ["coordinator", "other_coordinator", "volunteer"])
def test_only_organisers_open_or_send_the_kinds_pages(
    client, persona, coordinator, volunteer, other_branch, django_user_model
):
    from tests.conftest import make_user

    users = {
        "coordinator": coordinator,
        "volunteer": volunteer,
        "other_coordinator": make_user(django_user_model, "zwolle@example.org"),
    }
    other_branch.coordinators.add(users["other_coordinator"])
    client.force_login(users[persona])
    for url in pages():
        assert client.get(url).status_code == 403, url
        assert client.post(url, new_kind_data()).status_code == 403, url
    assert not ActionKind.objects.filter(slug="market_stall").exists()
    assert Category.objects.filter(slug="coffees").exists()


def test_strangers_are_sent_to_log_in(client):
    for url in pages():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert client.post(url, new_kind_data()).status_code == 302


def test_the_manage_page_links_the_kinds_for_organisers_only(organiser_client, client, coordinator):
    assert 'href="/manage/kinds/"' in organiser_client.get("/manage/").content.decode()
    client.force_login(coordinator)
    assert 'href="/manage/kinds/"' not in client.get("/manage/").content.decode()


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_name_code_marker_categories_editions_and_state(organiser, english, event):
    english.force_login(organiser)
    ActionKind.objects.filter(slug="coffee").update(is_active=False)
    page = english.get(reverse("tallies:kind_list")).content.decode()
    open_day = page[page.index('data-kind="open_day"') :]
    open_day = open_day[: open_day.index("</li>")]
    assert "Open azc" in open_day and "<code" in open_day and "open_day" in open_day
    assert 'class="map-marker--open_day kind-sample"' in open_day
    assert "visitors" in open_day and "children" in open_day
    assert re.search(r"<dt>Editions</dt><dd>1</dd>", open_day)
    assert "in use" in open_day
    coffee = page[page.index('data-kind="coffee"') :]
    assert "retired" in coffee[: coffee.index("</li>")]
    # The stylesheet with the kinds' colours and shapes is linked.
    from events.views.kinds import kinds_stylesheet_version

    assert reverse("events:kinds_css", args=[kinds_stylesheet_version()]) in page


# --- Making a kind ----------------------------------------------------------------------


def test_the_new_kind_form_asks_each_language_in_its_direction(organiser, english):
    english.force_login(organiser)
    page = english.get(reverse("tallies:kind_new")).content.decode()
    for code, direction in [("nl", "ltr"), ("en", "ltr"), ("ar", "rtl"), ("fa", "rtl")]:
        field = re.search(rf'<input[^>]*name="name_{code}"[^>]*>', page).group()
        assert f'lang="{code}"' in field and f'dir="{direction}"' in field
        field = re.search(rf'<input[^>]*name="categories-0-tap_{code}"[^>]*>', page).group()
        assert f'lang="{code}"' in field and f'dir="{direction}"' in field
    # Dutch and English are shown; Arabic, Farsi and Tigrinya are folded away.
    first_details = page.index("<details")
    assert page.index('name="name_nl"') < first_details < page.index('name="name_ar"')
    assert page.index('name="name_ti"') < page.index("</details>")
    assert description_problems(page) == []


def test_an_organiser_makes_a_kind_with_its_shifts_and_categories(organiser, english):
    english.force_login(organiser)
    response = english.post(reverse("tallies:kind_new"), new_kind_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("tallies:kind_edit", args=["market_stall"])
    kind = ActionKind.objects.get(slug="market_stall")
    assert kind.names == {"nl": "Marktkraam", "en": "Market stall", "ar": "كشك السوق"}
    assert (kind.marker_colour, kind.marker_shape) == ("#6b2c91", "diamond")
    assert kind.shift_templates == [
        {"role": "setup", "starts_at": "09:30", "ends_at": "10:00", "capacity": 2}
    ]
    categories = list(Category.objects.filter(kind=kind).order_by("position"))
    assert [(c.slug, c.reached) for c in categories] == [
        ("stall_visitors", True),
        ("flyers", False),
    ]
    assert categories[0].taps == {"en": "one visitor at the stall"}

    page = english.get(response["Location"]).content.decode()
    assert "Market stall has been created." in page
    # The new kind is offered on the new edition form.
    assert 'value="market_stall"' in english.get(reverse("events:edition_create")).content.decode()


def test_a_refused_kind_shows_why_beside_the_field_and_saves_nothing(organiser, english):
    english.force_login(organiser)
    data = new_kind_data(**{"categories-1-name_en": ""})
    response = english.post(reverse("tallies:kind_new"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been saved" in page
    assert "This field is required." in page  # the English name of the second category
    assert 'id="id_categories-1-name_en_error"' in page
    assert not ActionKind.objects.filter(slug="market_stall").exists()
    assert description_problems(page) == []

    # Shape fine, rules not: the services' messages land beside the fields.
    data = new_kind_data(**{"marker_colour": "#ffee00", "categories-1-slug": "stall_visitors"})
    page = english.post(reverse("tallies:kind_new"), data).content.decode()
    assert "too light to see on the map" in page
    assert "Two categories have the code stall_visitors." in page
    colour_error = page.index("too light")
    assert page.rindex('name="marker_colour"') < colour_error + 2000
    assert not ActionKind.objects.filter(slug="market_stall").exists()


def test_a_taken_code_is_refused(organiser, english):
    english.force_login(organiser)
    page = english.post(reverse("tallies:kind_new"), new_kind_data(slug="coffee")).content
    assert "Another kind already has the code coffee." in page.decode()


# --- Changing a kind --------------------------------------------------------------------


def test_an_organiser_changes_retires_and_adds_categories_but_not_codes(organiser, english):
    english.force_login(organiser)
    kind = ActionKind.objects.get(slug="coffee")
    slugs = list(Category.objects.filter(kind=kind).order_by("position").values_list("slug"))
    url = reverse("tallies:kind_edit", args=["coffee"])
    assert english.get(url).status_code == 200
    new_row = len(slugs)
    data = edit_data(
        kind,
        name_en="Coffee action",
        **{
            "categories-0-slug": "renamed",  # ignored: a code never changes
            "categories-1-is_retired": "on",
            f"categories-{new_row}-slug": "stickers",
            f"categories-{new_row}-name_nl": "stickers",
            f"categories-{new_row}-name_en": "stickers",
        },
    )
    response = english.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    kind.refresh_from_db()
    assert kind.names["en"] == "Coffee action"
    rows = list(Category.objects.filter(kind=kind).order_by("position"))
    assert [c.slug for c in rows] == [s for (s,) in slugs] + ["stickers"]
    assert [c.is_retired for c in rows] == [False, True] + [False] * (len(rows) - 2)


def test_a_category_deleted_in_another_tab_puts_no_texts_on_another_category(organiser, english):
    """The rows are matched to the categories by place: when one was deleted after the
    page was opened, the page is refused instead of renaming its neighbour."""
    english.force_login(organiser)
    kind = ActionKind.objects.get(slug="open_day")
    data = edit_data(kind, **{"categories-1-name_en": "kids"})
    Category.objects.get(kind=kind, slug="visitors").delete()  # the first row, meanwhile
    response = english.post(reverse("tallies:kind_edit", args=["open_day"]), data)
    assert response.status_code == 200
    assert "changed while you were editing them" in response.content.decode()
    names = dict(Category.objects.filter(kind=kind).values_list("slug", "names"))
    assert "kids" not in [n["en"] for n in names.values()]


def test_a_kind_is_retired_on_its_page(organiser, english):
    english.force_login(organiser)
    kind = ActionKind.objects.get(slug="coffee")
    data = edit_data(kind)
    del data["is_active"]
    assert english.post(reverse("tallies:kind_edit", args=["coffee"]), data).status_code == 302
    assert not ActionKind.objects.get(slug="coffee").is_active
    assert 'value="coffee"' not in english.get(reverse("events:edition_create")).content.decode()


def test_retiring_every_category_of_a_kind_in_use_is_refused(organiser, english):
    english.force_login(organiser)
    kind = ActionKind.objects.get(slug="coffee")
    count = Category.objects.filter(kind=kind).count()
    data = edit_data(kind, **{f"categories-{i}-is_retired": "on" for i in range(count)})
    response = english.post(reverse("tallies:kind_edit", args=["coffee"]), data)
    assert response.status_code == 200
    assert "at least one category that is counted" in response.content.decode()
    assert not Category.objects.filter(kind=kind, is_retired=True).exists()


def test_an_unknown_kind_is_a_404(organiser_client):
    assert organiser_client.get("/manage/kinds/no_such_kind/").status_code == 404


# --- Deleting a category ----------------------------------------------------------------


def test_a_category_with_counts_is_not_deleted_only_retired(organiser, english, site):
    english.force_login(organiser)
    store_entry(site, "children", 3)
    page = english.get(reverse("tallies:kind_edit", args=["open_day"])).content.decode()
    assert reverse("tallies:category_delete", args=["open_day", "children"]) not in page
    assert "Has counts: it can be retired, not deleted." in page

    url = reverse("tallies:category_delete", args=["open_day", "children"])
    assert "children has counts: retire it instead." in english.get(url).content.decode()
    response = english.post(url)
    assert response.status_code == 409
    assert "children has counts: retire it instead." in response.content.decode()
    assert Category.objects.filter(kind_id="open_day", slug="children").exists()


def test_a_category_without_counts_is_deleted_after_asking(organiser, english):
    english.force_login(organiser)
    page = english.get(reverse("tallies:kind_edit", args=["open_day"])).content.decode()
    url = reverse("tallies:category_delete", args=["open_day", "children"])
    assert f'href="{url}"' in page
    assert "Delete the category" in english.get(url).content.decode()
    assert Category.objects.filter(kind_id="open_day", slug="children").exists()
    response = english.post(url)
    assert response.status_code == 302
    assert not Category.objects.filter(kind_id="open_day", slug="children").exists()


def test_a_category_named_like_a_formula_is_text_in_the_dashboards_csvs(organiser_client, event):
    # Found by attacking it: category names are organisers' data, and the CSVs' headers
    # carry them to coordinators' spreadsheets.
    Category.objects.create(
        kind_id=event.kind_id,
        slug="tricky",
        names={"nl": '=HYPERLINK("http://x.example","klik")', "en": "tricky"},
        position=9,
    )
    for name in ("sites.csv", "hours.csv"):
        header = organiser_client.get(f"/dashboard/{event.slug}/{name}").content.decode()
        first_line = header.splitlines()[0]
        assert "'=HYPERLINK" in first_line, first_line
