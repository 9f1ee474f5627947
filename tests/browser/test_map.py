"""The map page in headless Chromium: markers match the API, filters redraw them, popups
link to the site page, and everything works with the tile server out of reach."""

import contextlib
import http.server
import json
import re
import threading

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.conftest import YEAR, make_user
from tests.events.map_factories import make_event, make_shift, make_site, sign_up

MARKERS = ".leaflet-marker-icon [data-site-id]"


@pytest.fixture
def editions(db, branch, django_user_model):
    open_day = make_event(f"open-azc-dag-{YEAR}", name=f"Open azc dag {YEAR}")
    coffee = make_event(f"bakkie-doen-{YEAR}", "coffee", name=f"Bakkie Doen {YEAR}")
    sites = {
        "utrecht": make_site(open_day, "Utrecht", branch, name="azc Utrecht"),
        "zwolle": make_site(open_day, "Zwolle", branch, name="azc Zwolle"),
        "groningen": make_site(open_day, "Groningen", branch, name="azc Groningen"),
        "amsterdam": make_site(coffee, "Amsterdam", branch, name="Dam, Amsterdam"),
        "maastricht": make_site(coffee, "Maastricht", branch, name="Vrijthof, Maastricht"),
    }
    make_shift(sites["utrecht"], capacity=2)
    make_shift(sites["amsterdam"], capacity=3)
    full = make_shift(sites["maastricht"], capacity=1)
    sign_up(full, make_user(django_user_model, "koffie@example.org"))
    return sites


@contextlib.contextmanager
def partner_site(html: str):
    """A partner's web page on its own origin (127.0.0.1, another port)."""
    body = html.encode()

    class Partner(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/partner/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def offline_page(page, live_server):
    """The page may reach the test server only: tile requests fail, as without network."""
    blocked = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(live_server.url):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.blocked_requests = blocked
    return page


def api_ids(query: str) -> set[int]:
    body = json.loads(Client().get(f"/api/v1/sites/?{query}").content)
    return {feature["id"] for feature in body["features"]}


def marker_ids(page) -> set[int]:
    return {
        int(value)
        for value in page.locator(MARKERS).evaluate_all(
            "nodes => nodes.map(node => node.dataset.siteId)"
        )
    }


def list_ids(page) -> set[int]:
    return {
        int(value)
        for value in page.locator("#map-sites > li").evaluate_all(
            "nodes => nodes.map(node => node.dataset.siteId)"
        )
    }


def open_first_popup(page):
    """Click the first marker until its popup shows. Right after a filter change the map
    may still be zooming to the new markers, and a click during that animation can miss."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = page.locator(".leaflet-popup-content")
    for _attempt in range(5):
        page.locator(MARKERS).first.click()
        try:
            popup.wait_for(state="visible", timeout=3_000)
            return popup
        except PlaywrightTimeout:
            continue
    popup.wait_for(state="visible")
    return popup


def wait_for_markers(page, count: int) -> None:
    page.wait_for_function(
        "([selector, count]) => document.querySelectorAll(selector).length === count",
        arg=[MARKERS, count],
    )


@pytest.mark.django_db(transaction=True)
def test_markers_follow_the_filters_and_popups_link_to_the_site(
    offline_page, live_server, editions, screenshot_dir
):
    page = offline_page
    page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
    expected = api_ids(f"event=open-azc-dag-{YEAR}")
    assert len(expected) == 3
    wait_for_markers(page, 3)
    assert marker_ids(page) == expected
    assert list_ids(page) == expected

    # The tiles could not load: the page says so, and the markers are there all the same.
    notice = page.locator("#map-notice")
    notice.wait_for(state="visible")
    assert "achtergrondkaart" in notice.inner_text()
    assert any("tile.openstreetmap.org" in url for url in page.blocked_requests)
    page.screenshot(path=screenshot_dir / "map-open-day.png", full_page=True)

    # Another edition: the script asks the API again and redraws markers and list.
    with page.expect_response(lambda r: "/api/v1/sites/" in r.url and r.status == 200):
        page.select_option("#map-event", f"bakkie-doen-{YEAR}")
    expected = api_ids(f"event=bakkie-doen-{YEAR}")
    wait_for_markers(page, len(expected))
    assert marker_ids(page) == expected == list_ids(page)
    assert f"event=bakkie-doen-{YEAR}" in page.url
    assert page.locator("#map-status").inner_text() == "2 locaties gevonden."

    # Only where volunteers are still needed: the full coffee spot disappears.
    with page.expect_response(lambda r: "open_spots=true" in r.url):
        page.check("#map-open-spots")
    expected = api_ids(f"event=bakkie-doen-{YEAR}&open_spots=true")
    assert expected == {editions["amsterdam"].pk}
    wait_for_markers(page, 1)
    assert marker_ids(page) == expected == list_ids(page)

    # A marker's popup: times, open spots, and links to the site page and its calendar.
    popup = open_first_popup(page)
    text = popup.inner_text()
    assert "Dam, Amsterdam" in text
    assert "3 plekken vrij" in text
    assert "11:00" in text and "16:00" in text
    amsterdam = editions["amsterdam"].pk
    site_link = popup.get_by_role("link", name="Kies een dienst")
    assert site_link.get_attribute("href") == f"{live_server.url}/sites/{amsterdam}/"
    calendar = popup.get_by_role("link", name="Toevoegen aan agenda")
    assert calendar.get_attribute("href").endswith(f"/calendar/sites/{amsterdam}.ics")
    # Leaflet fades the popup in; wait for it before the picture.
    page.wait_for_function(
        # A function, not an expression: a string would be eval'd, which the CSP forbids.
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    page.screenshot(path=screenshot_dir / "map-popup.png", full_page=True)
    site_link.click()
    page.wait_for_url(f"{live_server.url}/sites/{amsterdam}/")
    assert page.locator("h1").inner_text() == "Dam, Amsterdam"


@pytest.mark.django_db(transaction=True)
def test_near_a_town_sorts_the_list_and_a_bad_place_is_explained(
    offline_page, live_server, editions, screenshot_dir
):
    page = offline_page
    page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
    wait_for_markers(page, 3)

    page.fill("#map-place", "Zwolle")
    page.select_option("#map-radius", "100")
    with page.expect_response(lambda r: "place=Zwolle" in r.url):
        page.press("#map-place", "Enter")
    body = json.loads(
        Client().get(f"/api/v1/sites/?event=open-azc-dag-{YEAR}&place=Zwolle&radius_km=100").content
    )
    wait_for_markers(page, len(body["features"]))
    # The marker count is 3 before and after the search: wait for the redrawn list itself.
    # Nearest first, as the API sorts them: Zwolle itself, Utrecht (82 km), Groningen (85 km).
    expected = [feature["properties"]["name"] for feature in body["features"]]
    assert expected == ["azc Zwolle", "azc Utrecht", "azc Groningen"]
    expect(page.locator("#map-sites .map-site__name")).to_have_text(expected)
    assert "km" in page.locator("#map-sites .map-site__distance").first.inner_text()
    assert page.locator(".map-search-area").count() == 1

    page.fill("#map-place", "Atlantis")
    with page.expect_response(lambda r: "place=Atlantis" in r.url and r.status == 400):
        page.press("#map-place", "Enter")
    error = page.locator("#map-error")
    error.wait_for(state="visible")
    assert (
        error.inner_text()
        == "“Atlantis” is niet gevonden: geef een Nederlandse plaats of postcode."
    )
    assert page.locator("#map-place").get_attribute("aria-invalid") == "true"
    # The Zwolle results stay, and the page says they are the earlier search's.
    expect(page.locator("#map-status")).to_have_text(
        "De lijst en de kaart tonen nog de vorige zoekopdracht."
    )
    expect(page.locator("#map-sites .map-site__name")).to_have_text(expected)
    page.screenshot(path=screenshot_dir / "map-bad-place.png", full_page=True)

    # "Show on map" in the list opens the marker's popup.
    page.fill("#map-place", "")
    with page.expect_response(lambda r: "/api/v1/sites/" in r.url and r.status == 200):
        page.press("#map-place", "Enter")
    wait_for_markers(page, 3)
    item = page.locator(f'#map-sites > li[data-site-id="{editions["groningen"].pk}"]')
    item.get_by_role("button", name="Toon op de kaart").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "azc Groningen" in popup.inner_text()


@pytest.mark.django_db(transaction=True)
def test_near_me_uses_the_browsers_location(browser, live_server, editions):
    context = browser.new_context(
        viewport={"width": 1024, "height": 900},
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
        geolocation={"latitude": 53.2, "longitude": 6.55},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(live_server.url) else r.abort(),
        )
        page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
        wait_for_markers(page, 3)
        with page.expect_response(lambda r: "near=53.200%2C6.550" in r.url):
            page.get_by_role("button", name="Near me").click()
        wait_for_markers(page, 1)
        assert marker_ids(page) == {editions["groningen"].pk}
        assert page.locator("#map-place").get_attribute("placeholder") == "your location"
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_map_works_inside_another_sites_frame(
    offline_page, live_server, editions, screenshot_dir
):
    page = offline_page
    # A partner's page on another origin, served by a second local web server: the
    # Content-Security-Policy lets any web page frame the embed (frame-ancestors *).
    partner = (
        f'<h1>Partner</h1><iframe src="{live_server.url}/map/embed/?event=open-azc-dag-{YEAR}" '
        'width="800" height="700" title="Kaart"></iframe>'
    )
    with partner_site(partner) as partner_url:
        page.route(partner_url, lambda route: route.continue_())
        page.goto(partner_url)
        _check_embedded_map(page, screenshot_dir)


def _check_embedded_map(page, screenshot_dir):
    frame = page.frame_locator("iframe")
    frame.locator(MARKERS).first.wait_for()
    assert frame.locator(MARKERS).count() == 3
    link = frame.locator("#map-sites .map-site__name a").first
    assert link.evaluate("a => a.target || document.querySelector('base').target") == "_blank"
    page.screenshot(path=screenshot_dir / "map-embed.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_many_sites_are_clustered(offline_page, live_server, branch):
    event = make_event(f"open-azc-dag-{YEAR}", name=f"Open azc dag {YEAR}")
    for n in range(60):
        make_site(event, "Utrecht", branch, position=(52.0 + n * 0.001, 5.1 + n * 0.001))
    page = offline_page
    page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
    page.locator(".marker-cluster").first.wait_for()
    assert page.locator("#map-sites > li").count() == 60
    assert page.locator(MARKERS).count() < 60


@pytest.mark.django_db(transaction=True)
def test_the_redrawn_list_keeps_a_24_hour_clock_in_english(offline_page, live_server, editions):
    # The list the script redraws after a filter change read "11:00 AM–04:00 PM" in
    # English, while every page the server draws uses 11:00–16:00.
    page = offline_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
    wait_for_markers(page, 3)
    with page.expect_response(lambda r: "/api/v1/sites/" in r.url and r.status == 200):
        page.select_option("#map-event", f"bakkie-doen-{YEAR}")
    wait_for_markers(page, 2)
    text = page.locator("#map-sites").inner_text()
    assert "16:00" in text
    assert "AM" not in text and "PM" not in text


PERSIAN_DIGITS = re.compile("[\u06f0-\u06f9\u0660-\u0669]")  # Persian and Arabic-Indic 0-9


@pytest.fixture
def nineteen_and_one(db, branch):
    """An edition with 19 sites and one with a single site: counts whose plural form
    differs in Dutch (1, 19) and in Arabic (19 is form 4 of 6)."""
    many = make_event(f"open-azc-dag-{YEAR}", name=f"Open azc dag {YEAR}")
    for n in range(19):
        make_site(many, "Utrecht", branch, name=f"azc {n}", position=(52.0 + n / 100, 5.1))
    single = make_event(f"bakkie-doen-{YEAR}", "coffee", name=f"Bakkie Doen {YEAR}")
    make_site(single, "Zwolle", branch, name="Grote Markt, Zwolle")
    return many, single


def choose_edition(page, slug: str, markers: int) -> None:
    """Pick an edition in the filter: the script asks the API and writes the list and
    the status line itself."""
    with page.expect_response(lambda r: "/api/v1/sites/" in r.url and r.status == 200):
        page.select_option("#map-event", slug)
    wait_for_markers(page, markers)


def speak(page, live_server, language: str) -> None:
    from django.conf import settings

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


@pytest.mark.django_db(transaction=True)
def test_the_status_line_counts_in_the_plural_form_of_dutch(
    offline_page, live_server, nineteen_and_one
):
    page = offline_page
    page.goto(f"{live_server.url}/map/?event=bakkie-doen-{YEAR}")
    wait_for_markers(page, 1)
    status = page.locator("#map-status")
    choose_edition(page, f"open-azc-dag-{YEAR}", 19)
    expect(status).to_have_text("19 locaties gevonden.")
    choose_edition(page, f"bakkie-doen-{YEAR}", 1)
    expect(status).to_have_text("1 locatie gevonden.")
    expect(page.locator("#map-sites .map-site__spots")).to_have_text(["Geen plekken vrij"])
    # Leaflet's own buttons speak Dutch too.
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Inzoomen"
    open_first_popup(page)
    close = page.locator(".leaflet-popup-close-button")
    assert close.get_attribute("aria-label") == "Pop-up sluiten"


@pytest.mark.django_db(transaction=True)
def test_arabic_counts_take_the_catalogues_plural_form(offline_page, live_server, nineteen_and_one):
    page = offline_page
    speak(page, live_server, "ar")
    page.goto(f"{live_server.url}/map/?event=bakkie-doen-{YEAR}")
    wait_for_markers(page, 1)
    assert page.locator("html").get_attribute("lang") == "ar"
    # The Arabic catalogue's rule: 0, 1, 2, 3-10, 11-99 and the rest each have a form.
    forms = page.evaluate("() => [0, 1, 2, 5, 19, 100].map((n) => pluralidx(n))")
    assert forms == [0, 1, 2, 3, 4, 5]
    assert page.evaluate("() => pluralidx(19)") == 4
    assert page.evaluate("() => pluralidx(2)") == 2
    # The status line takes the form the rule names, once Arabic has six forms for it
    # (here put in the page's catalogue; the translations are still to come).
    page.evaluate(
        """() => { django.catalog["%(count)s site found."] =
             [0, 1, 2, 3, 4, 5].map((form) => "form " + form + ": %(count)s"); }"""
    )
    status = page.locator("#map-status")
    choose_edition(page, f"open-azc-dag-{YEAR}", 19)
    expect(status).to_have_text("form 4: 19")
    choose_edition(page, f"bakkie-doen-{YEAR}", 1)
    expect(status).to_have_text("form 1: 1")


@pytest.mark.django_db(transaction=True)
def test_persian_dates_are_gregorian_with_western_digits(
    offline_page, live_server, nineteen_and_one
):
    page = offline_page
    speak(page, live_server, "fa")
    page.goto(f"{live_server.url}/map/?event=bakkie-doen-{YEAR}")
    wait_for_markers(page, 1)
    choose_edition(page, f"open-azc-dag-{YEAR}", 19)
    times = page.locator("#map-sites .map-site__time").all_inner_texts()
    assert len(times) == 19
    for text in times:
        assert str(YEAR) in text and "11:00" in text and "16:00" in text, text
        assert not PERSIAN_DIGITS.search(text), text
    options = page.evaluate("() => appIntl.dateTimeFormat({}).resolvedOptions()")
    assert (options["locale"], options["calendar"], options["numberingSystem"]) == (
        "fa-u-ca-gregory-nu-latn",
        "gregory",
        "latn",
    )
    # The control: Intl's own Persian would write this date in the Solar Hijri calendar
    # with Persian digits.
    plain = page.evaluate(
        "(iso) => new Intl.DateTimeFormat('fa', {year: 'numeric'}).format(new Date(iso))",
        f"{YEAR}-06-20T12:00:00Z",
    )
    assert PERSIAN_DIGITS.search(plain) and str(YEAR) not in plain


@pytest.mark.django_db(transaction=True)
def test_the_map_by_keyboard_skip_to_the_list_and_escape_closes_a_popup(
    offline_page, live_server, editions
):
    page = offline_page
    page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
    wait_for_markers(page, 3)

    # From the last filter, the next Tab offers to skip the map and its markers.
    page.locator("#map-reset").focus()
    page.keyboard.press("Tab")
    skip = page.locator(".map-frame > .skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["width"] > 1 and box["height"] > 1
    page.keyboard.press("Enter")
    expect(page.locator("#map-list-title")).to_be_focused()

    # A marker's popup opens with Enter and closes with Escape from inside it; the focus
    # goes back to the marker.
    marker = page.locator(".leaflet-marker-icon").first
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    expect(popup).to_be_visible()
    popup.locator("a").first.focus()
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(marker).to_be_focused()


@pytest.mark.django_db(transaction=True)
def test_clusters_are_named_by_what_they_hold(offline_page, live_server, branch):
    event = make_event(f"open-azc-dag-{YEAR}", name=f"Open azc dag {YEAR}")
    for n in range(60):
        make_site(event, "Utrecht", branch, position=(52.0 + n * 0.001, 5.1 + n * 0.001))
    page = offline_page
    page.goto(f"{live_server.url}/map/?event=open-azc-dag-{YEAR}")
    cluster = page.locator(".marker-cluster").first
    cluster.wait_for()
    # The clusters may form again while the map settles: read the number shown and the
    # name of one and the same cluster at once.
    shown, name = cluster.evaluate(
        """(el) => [el.querySelector("[aria-hidden=true]").textContent.trim(),
                    el.querySelector(".visually-hidden").textContent.trim()]"""
    )
    assert shown.isdigit()
    # A screen reader hears "12 sites", not "12": the number and a word.
    assert re.match(rf"^{shown} \w+", name), (shown, name)
    expect(cluster).to_have_accessible_name(re.compile(r"^\d+ \w+"))
    assert cluster.get_attribute("role") == "button"
