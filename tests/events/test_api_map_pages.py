"""The map page and its embeddable variant, as HTML (the browser test drives the script)."""

import json
import re

import pytest
from django.core.cache import caches
from django.test import override_settings

from common import clock
from events.models import Event
from tests.conftest import YEAR

from .map_factories import make_event, make_shift, make_site
from .site_rows import per_request, rows


@pytest.fixture
def editions(db, branch):
    open_day = make_event(f"open-azc-dag-{YEAR}", name=f"Open azc dag {YEAR}")
    coffee = make_event(f"bakkie-doen-{YEAR}", "coffee", name=f"Bakkie Doen {YEAR}")
    past = make_event("open-azc-dag-2018", name="Open azc dag 2018")
    past.date = past.date.replace(year=2018)
    past.save()
    return {
        "utrecht": make_site(open_day, "Utrecht", branch),
        "zwolle": make_site(open_day, "Zwolle", branch),
        "groningen": make_site(coffee, "Groningen", branch),
        "old": make_site(past, "Amersfoort", branch),
    }


def listed_ids(html: str) -> list[int]:
    pattern = r'<li class="map-site[^"]*" data-site-id="(\d+)"'
    return [int(value) for value in re.findall(pattern, html)]


def map_config(html: str) -> dict:
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def api_ids(client, query: str) -> list[int]:
    return [f["id"] for f in client.get(f"/api/v1/sites/?{query}").json()["features"]]


def test_the_map_lists_the_coming_sites_in_dutch(client, editions):
    response = client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kaart van de actiedagen" in html
    assert "3 locaties gevonden." in html
    expected = {editions[name].pk for name in ("utrecht", "zwolle", "groningen")}
    assert set(listed_ids(html)) == expected  # 2018 is past
    assert 'data-lat="52.09083" data-lon="5.12222"' in html
    assert "Kies een dienst" in html and "Toevoegen aan agenda" in html
    assert f'href="http://testserver/calendar/sites/{editions["utrecht"].pk}.ics"' in html


def test_the_list_holds_the_same_sites_as_the_api(client, editions):
    # The page lists coming sites; the API everything unless asked for a first day.
    this_year = f"{clock.today().year}-01-01"
    for page_query, api_query in [
        (f"event=open-azc-dag-{YEAR}", f"event=open-azc-dag-{YEAR}"),
        ("event=open-azc-dag-2018", "event=open-azc-dag-2018"),
        ("kind=coffee", f"kind=coffee&date_from={this_year}"),
        ("place=Utrecht&radius_km=100", f"place=Utrecht&radius_km=100&date_from={this_year}"),
    ]:
        html = client.get(f"/map/?{page_query}").content.decode()
        assert listed_ids(html) == api_ids(client, api_query), page_query


def test_the_list_says_how_far_and_how_many_spots(client, editions):
    make_shift(editions["zwolle"], capacity=3)
    html = client.get("/map/?place=Utrecht&radius_km=100&open_spots=true").content.decode()
    assert listed_ids(html) == [editions["zwolle"].pk]
    assert "3 plekken vrij" in html
    assert re.search(r"op 8\d,\d km", html)
    assert map_config(html)["near"]["radius_km"] == 100.0


def test_the_map_in_english(client, editions):
    client.cookies["django_language"] = "en"
    html = client.get("/map/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Map of the action days" in html
    assert "3 sites found." in html
    # The script's texts come from the English catalogue, loaded before it; none are in
    # its settings (tests/browser/test_map.py shows them counted in the page).
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts[0] == "/jsi18n/en/" and scripts[-1].endswith("events/map.js")
    assert "strings" not in map_config(html)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("event=bestaat-niet", "event"),
        ("kind=soep", "kind"),
        ("place=Atlantis", "place"),
        ("near=abc", "place"),
        ("radius_km=9999&place=Utrecht", "radius_km"),
        ("open_spots=misschien", "open_spots"),
    ],
)
def test_a_bad_filter_shows_a_message_on_the_field(client, editions, query, parameter):
    response = client.get(f"/map/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<p id="map-error" class="map-error" role="alert">\S', html)
    field = re.search(rf'<(select|input) id="map-[\w-]+" name="{parameter}"[^>]*>', html)
    assert 'aria-invalid="true"' in field.group(0)
    assert len(listed_ids(html)) == 3  # the coming sites, as without filters


def test_the_form_works_without_javascript(client, editions):
    # What the browser sends when the form is submitted without the script.
    query = f"event=open-azc-dag-{YEAR}&kind=&place=&near=&radius_km=25"
    response = client.get(f"/map/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert set(listed_ids(html)) == {editions["utrecht"].pk, editions["zwolle"].pk}
    response = client.get("/map/?event=&kind=&place=Zwolle&near=&radius_km=10&open_spots=true")
    assert response.status_code == 200
    assert 'id="map-open-spots" name="open_spots" type="checkbox" value="true" checked' in (
        response.content.decode()
    )


def test_tiles_come_from_the_settings(client, db):
    with override_settings(
        MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© Voorbeeld",
    ):
        config = map_config(client.get("/map/").content.decode())
    assert config["tiles"]["url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert config["tiles"]["attribution"] == "© Voorbeeld"
    assert config["api"] == "/api/v1/sites/"


def test_no_inline_script_and_no_cdn(client, editions):
    for url in ("/map/", f"/map/embed/?event=open-azc-dag-{YEAR}"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        # The texts (the Dutch catalogue) and the date policy first; all deferred, so
        # they run in this order.
        assert re.findall(r'<script src="([^"]+)"', html) == [
            "/jsi18n/nl/",
            "/static/js/intl.js",
            "/static/vendor/leaflet/leaflet.js",
            "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
            "/static/events/map.js",
        ]
        assert all(" defer" in tag for tag in re.findall(r"<script src[^>]*>", html))
        assert not re.search(r'(src|href)="(https?:)?//', html.replace("http://testserver/", ""))
        assert " on" + "click=" not in html


def test_the_scripts_and_styles_are_served(client, db):
    for path in (
        "/jsi18n/nl/",
        "/static/js/intl.js",
        "/static/events/map.js",
        "/static/events/map.css",
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_only_the_embed_may_be_framed(client, editions):
    assert client.get("/map/")["X-Frame-Options"] == "DENY"
    embed = client.get(f"/map/embed/?event=open-azc-dag-{YEAR}")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    html = embed.content.decode()
    assert '<base target="_blank">' in html
    assert 'class="site-header"' not in html
    assert set(listed_ids(html)) == {editions["utrecht"].pk, editions["zwolle"].pk}
    assert map_config(html)["embed"] is True


def test_the_map_is_linked_from_the_menu_and_the_edition(client, editions):
    assert 'href="/map/"' in client.get("/").content.decode()
    html = client.get(f"/events/open-azc-dag-{YEAR}/").content.decode()
    assert f'href="/map/?event=open-azc-dag-{YEAR}"' in html


def test_the_map_pages_only_answer_get(client, db):
    assert client.post("/map/").status_code == 405
    assert client.post("/map/embed/").status_code == 405
    # HEAD too, as link checkers and previews ask.
    assert client.head("/map/").status_code == 200
    assert client.head("/map/embed/").status_code == 200


def test_the_english_map_links_to_english_calendars(client, editions):
    client.cookies["django_language"] = "en"
    html = client.get("/map/").content.decode()
    assert f'href="http://testserver/calendar/sites/{editions["utrecht"].pk}.ics?lang=en"' in html


def test_a_radius_from_a_link_is_the_one_shown(client, editions):
    html = client.get("/map/?place=Utrecht&radius_km=7").content.decode()
    assert re.search(r'<option value="7" selected>7 km</option>', html)
    html = client.get("/map/?place=Utrecht").content.decode()
    assert re.search(r'<option value="25" selected>25 km</option>', html)
    assert '<option value="7"' not in html
    # Another filter was bad: the radius asked for stays chosen, for the next try.
    html = client.get("/map/?place=Atlantis&radius_km=50").content.decode()
    assert re.search(r'<option value="50" selected>50 km</option>', html)
    html = client.get("/map/?place=Utrecht&radius_km=0.00001").content.decode()
    assert '<option value="0.00001" selected>' in html and 'value="1e-05"' not in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("place=Utrecht&radius_km=abc", "Geef een getal: een afstand in kilometers."),
        ("kind=soep", "open_day (Open azc dag)"),
    ],
)
def test_bad_filters_are_explained_in_words_people_use(client, editions, query, message):
    html = client.get(f"/map/?{query}").content.decode()
    assert message in html
    # The list below the message is not what was asked for, and says so.
    assert "Intussen alle komende locaties: 3 locaties gevonden." in html


def test_the_map_page_takes_a_constant_number_of_queries(
    client, editions, branch, django_assert_max_num_queries
):
    event = Event.objects.get(slug=f"open-azc-dag-{YEAR}")
    for town in ("Amsterdam", "Maastricht", "Amersfoort"):
        make_site(event, town, branch)
    with django_assert_max_num_queries(3):
        html = client.get(f"/map/?event=open-azc-dag-{YEAR}").content.decode()
    assert len(listed_ids(html)) == 5


# --- The list's rows: what they say, and what they cost ----------------------------------


def test_each_site_in_the_list_links_to_its_page_with_its_place_and_spots(client, editions, branch):
    event = Event.objects.get(slug=f"open-azc-dag-{YEAR}")
    odd = make_site(event, "Amersfoort", branch, name='Koffie & "thee" <op> het plein')
    make_shift(odd, capacity=3)
    html = client.get(f"/map/?event=open-azc-dag-{YEAR}").content.decode()
    (row,) = [
        row for row in rows(html, '<ol id="map-sites"', "</ol>", item="li") if "Koffie" in row
    ]
    day = odd.opens_at.date().isoformat()
    page = f"http://testserver/sites/{odd.pk}/"
    assert row.startswith(
        f'<li class="map-site map-site--open_day" data-site-id="{odd.pk}" data-kind="open_day" '
        'data-lat="52.155" data-lon="5.3875">'
        f'<h3 class="map-site__name"><a href="{page}">'
        "Koffie &amp; &quot;thee&quot; &lt;op&gt; het plein</a></h3>"
        f'<p class="map-site__place">Open azc dag {YEAR} · Stationsplein 1, 3511 AB Amersfoort</p>'
        f'<p class="map-site__time"><time datetime="{day}T11:00:00+02:00">'
    )
    assert row.endswith(
        f'<time datetime="{day}T16:00:00+02:00">16:00</time></p>'
        '<p class="map-site__spots">3 plekken vrij</p>'
        f'<p class="map-site__links"><a href="{page}">Kies een dienst</a> · '
        f'<a href="http://testserver/calendar/sites/{odd.pk}.ics">Toevoegen aan agenda</a></p></li>'
    )


def test_site_ids_in_the_list_are_never_localised(client, editions, branch, settings):
    """The script finds a marker's site by `data-site-id`: "1.234" is not site 1234."""
    settings.USE_THOUSAND_SEPARATOR = True
    event = Event.objects.get(slug=f"open-azc-dag-{YEAR}")
    make_site(event, "Amersfoort", branch, id=1234)
    html = client.get(f"/map/?event=open-azc-dag-{YEAR}").content.decode()
    assert 1234 in listed_ids(html)


def test_the_list_costs_the_same_for_few_sites_and_many(client, editions, branch):
    """No URL reversed, number localised or time formatted per site: an edition has
    thousands."""
    event = Event.objects.get(slug=f"open-azc-dag-{YEAR}")
    url = f"/map/?event={event.slug}"
    client.get(url)

    def built():
        caches["published"].clear()  # the list is built, not read back (`common.published`)
        return client.get(url)

    few = per_request(built)
    for town in ("Amsterdam", "Maastricht", "Amersfoort") * 4:
        make_site(event, town, branch)
    assert per_request(built) == few


def test_a_past_editions_sites_offer_no_shifts_and_no_calendar(client, editions):
    old = editions["old"]
    html = client.get("/map/", {"event": "open-azc-dag-2018"}).content.decode()
    assert listed_ids(html) == [old.pk]
    item = html[html.index(f'data-site-id="{old.pk}"') :]
    item = item[: item.index("</li>")]
    assert "De actiedag van deze locatie heeft plaatsgevonden." in item
    assert "map-site__links" not in item and ".ics" not in item
    coming = client.get("/map/").content.decode()
    assert f'href="http://testserver/calendar/sites/{editions["utrecht"].pk}.ics"' in coming
