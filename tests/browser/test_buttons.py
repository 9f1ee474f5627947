"""What a person sees of buttons, focus, tables and the menu, measured in Chromium.

One button system on every page: the page's main action is solid, other actions are
outlined, a destructive action is a red outline unless it is the page's one purpose. (The
outline style used to outrank the solid one, so "Inloggen" was a white outline while
"Deze locatie annuleren" was the loudest button on the page.)
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import on_event_day
from tests.tallies.conftest import store_entry

BLUE = "rgb(0, 95, 153)"
RED = "rgb(179, 0, 59)"
WHITE = "rgb(255, 255, 255)"

STYLE = """(e) => {
  const s = getComputedStyle(e);
  return {background: s.backgroundColor, color: s.color, border: s.borderTopColor};
}"""

# WCAG relative luminance and contrast of two "rgb(r, g, b)" colours.
CONTRAST = """([a, b]) => {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


def _only_local(page, live_server):
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_the_main_action_is_solid_and_cancelling_is_not_the_loudest(
    page, live_server, organiser, site, screenshot_dir
):
    _only_local(page, live_server)
    page.goto(f"{live_server.url}/accounts/login/")
    log_in_button = page.get_by_role("button", name="Inloggen")
    assert log_in_button.evaluate(STYLE) == {"background": BLUE, "color": WHITE, "border": BLUE}
    # The focus ring stands out at least 3:1 on white and on the light grey (WCAG 1.4.11).
    log_in_button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = log_in_button.evaluate("(e) => getComputedStyle(e).outlineColor")
    assert log_in_button.evaluate("(e) => getComputedStyle(e).outlineStyle") == "solid"
    for background in (WHITE, "rgb(244, 242, 238)"):
        assert page.evaluate(CONTRAST, [ring, background]) >= 3, (ring, background)
    # "Forgot your password?" is a target of at least 24 by 24 px (WCAG 2.5.8).
    forgot = page.get_by_role("link", name="Wachtwoord vergeten?")
    box = forgot.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24, box

    log_in(page, live_server, organiser)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/manage/sites/{site.pk}/")
    cancel = page.get_by_role("link", name="Deze locatie annuleren")
    edit = page.get_by_role("link", name="Gegevens bewerken")
    assert cancel.evaluate(STYLE) == {"background": WHITE, "color": RED, "border": RED}
    assert edit.evaluate(STYLE) == {"background": WHITE, "color": BLUE, "border": BLUE}
    # In the header, the ring is white on the red bar.
    menu_link = page.locator(".site-nav a").first
    menu_link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert page.evaluate(CONTRAST, [ring, RED]) >= 3, ring
    # The map tiles are out of reach: the map says so instead of staying a blank box, and
    # the pin's popup says the position is only the town's.
    expect(page.locator(".mini-map + .map-notice")).to_contain_text(
        "De achtergrondkaart kon niet worden geladen"
    )
    page.locator(".mini-map .leaflet-marker-icon").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(
        "In het midden van de plaats op de kaart"
    )
    page.screenshot(path=screenshot_dir / "buttons-site-manage.png", full_page=True)

    # Where cancelling is the page's one purpose, its button is solid red.
    cancel.click()
    # Its styles are read once the page and its stylesheets have loaded (read earlier,
    # Chromium answers with the browser's own button colours).
    page.wait_for_url(f"**/manage/sites/{site.pk}/cancel/")
    page.wait_for_load_state("load")
    confirm = page.locator("main form button[type=submit]")
    assert confirm.evaluate(STYLE) == {"background": RED, "color": WHITE, "border": RED}


@pytest.mark.django_db(transaction=True)
def test_the_organisers_menu_keeps_the_languages_together_at_1280(
    page, live_server, organiser, event, screenshot_dir
):
    _only_local(page, live_server)
    log_in(page, live_server, organiser)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    languages = page.locator(".site-nav .language-switch button")
    expect(languages).to_have_count(4)
    tops = {
        round(box["y"])
        for box in languages.evaluate_all(
            "(bs) => bs.map((b) => b.getBoundingClientRect().toJSON())"
        )
    }
    assert len(tops) == 1, tops
    items = page.locator(".site-nav ul > li").evaluate_all(
        "(ls) => ls.map((l) => Math.round(l.getBoundingClientRect().top))"
    )
    assert len(set(items)) == 1, items
    page.locator(".site-header").screenshot(path=screenshot_dir / "menu-organiser-1280.png")

    # The locations filter is laid out as a form: its fields side by side on a desktop.
    page.goto(f"{live_server.url}/locations/")
    search, near = page.locator("#id_q").bounding_box(), page.locator("#id_near").bounding_box()
    province = page.locator("#id_province").bounding_box()
    assert round(search["y"]) == round(province["y"]), (search, province)
    assert near["height"] >= 36 and near["width"] >= 190, near

    # The "Remove" ticks of the shift templates are ticks, not text-field-wide boxes.
    page.goto(f"{live_server.url}/manage/editions/{event.slug}/templates/")
    ticks = page.locator(".template-rows input[type=checkbox]")
    expect(ticks.first).to_be_visible()
    for box in ticks.evaluate_all("(ts) => ts.map((t) => t.getBoundingClientRect().toJSON())"):
        assert 20 <= box["width"] <= 32 and 20 <= box["height"] <= 32, box


@pytest.mark.django_db(transaction=True)
def test_counts_are_on_a_phone_screen_without_swiping(
    page, live_server, organiser, site, event, screenshot_dir
):
    for hour, delta in ((11, 250), (12, 1400), (13, 3)):
        store_entry(site, "visitors", delta, on_event_day(hour, 5), correction=delta > 50)
    store_entry(site, "children", 12, on_event_day(12, 30))
    _only_local(page, live_server)
    log_in(page, live_server, organiser)
    for name, path in [
        ("dashboard", f"/dashboard/{event.slug}/"),
        ("impact-report", f"/dashboard/{event.slug}/report/"),
        ("tally-audit", f"/sites/{site.pk}/tallies/"),
    ]:
        page.goto(live_server.url + path)
        cells = page.locator("main table td.num").filter(visible=True)
        expect(cells.first).to_be_visible()
        edges = cells.evaluate_all(
            "(cs) => cs.filter((c) => c.offsetParent)"
            ".map((c) => [c.getBoundingClientRect().right, c.getBoundingClientRect().left])"
        )
        assert edges, name
        width = page.evaluate("() => document.documentElement.clientWidth")
        assert all(left >= 0 and right <= width for right, left in edges), (name, edges)
        # Each number says what it counts.
        labels = page.locator("main table.responsive td.num").evaluate_all(
            "(cs) => cs.map((c) => c.dataset.label || '')"
        )
        assert labels, name
        assert "" not in labels, (name, labels)
        # Tables that may scroll sideways can be reached with the keyboard, by name.
        regions = page.locator(".table-scroll")
        for region in regions.all():
            assert region.get_attribute("tabindex") == "0"
            assert region.get_attribute("role") == "region"
            assert region.get_attribute("aria-label")
        page.screenshot(path=screenshot_dir / f"{name}-phone-stacked.png", full_page=True)
    # The dashboard rebuilds its table from the live figures with the same labels.
    page.goto(f"{live_server.url}/dashboard/{event.slug}/")
    first = page.locator("[data-sites] td.num").first
    expect(first).to_have_text("1.653")
    store_entry(site, "visitors", 7, on_event_day(14, 5))
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(first).to_have_text("1.660")
    expect(first).to_have_attribute("data-label", "Bezoekers")
