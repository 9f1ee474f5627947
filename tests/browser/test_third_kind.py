"""A third kind of action day, end to end in the browser (issue 19, item 2): an organiser
defines "Marktkraam" with its own colour, the diamond shape and its own categories; an
edition of it today; a branch registers a site and the national office approves it; the
map shows it with that marker; a volunteer counts with the new categories; the dashboard
and its exports show them."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from events.models import ActionKind, Event, Site
from tallies.models import Category
from tallies.selectors import tally_totals
from tests.browser.conftest import log_in
from tests.tallies.conftest import confirm_shift

COLOUR = "#8a1c4a"  # contrast 8.5:1 against white


def as_user(page, live_server, user) -> None:
    """Sign `user` in, in English (the language cookie), in the same browser."""
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    log_in(page, live_server, user)


def stay_local(page, live_server) -> None:
    """Map tiles and anything else outside the test server fail, as without network."""
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_a_third_kind_is_defined_mapped_counted_and_reported(
    page, live_server, organiser, coordinator, volunteer, location, screenshot_dir
):
    stay_local(page, live_server)
    today = timezone.localdate()
    # A market stall stands on a square, not in an azc (whose host's consent would come
    # first, see test_registration.py).
    location.kind = "public_space"
    location.save()

    # --- The organiser defines the kind ----------------------------------------------------
    as_user(page, live_server, organiser)
    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("link", name="Kinds of action day and what is counted").click()
    expect(page.locator("h1")).to_have_text("Kinds of action day")
    page.get_by_role("link", name="New kind of action day").click()

    page.locator("#id_slug").fill("market_stall")
    page.locator("#id_name_nl").fill("Marktkraam")
    page.locator("#id_name_en").fill("Market stall")
    page.get_by_text("Names in other languages").click()
    arabic = page.locator("#id_name_ar")
    expect(arabic).to_have_attribute("dir", "rtl")
    arabic.fill("كشك السوق")
    page.locator("#id_marker_colour").fill(COLOUR)
    page.get_by_label("diamond").check()
    page.get_by_label("Usual kind of location").select_option("public_space")
    page.get_by_label("Sites usually open at").fill("10:00")
    page.get_by_label("Sites usually close at").fill("16:00")
    page.locator("#id_templates-0-role").select_option("setup")
    page.locator("#id_templates-0-starts_at").fill("09:30")
    page.locator("#id_templates-0-ends_at").fill("10:00")
    page.locator("#id_templates-0-capacity").fill("2")
    page.locator("#id_templates-1-role").select_option("other")
    page.locator("#id_templates-1-starts_at").fill("10:00")
    page.locator("#id_templates-1-ends_at").fill("16:00")
    page.locator("#id_templates-1-capacity").fill("4")
    page.locator("#id_categories-0-slug").fill("stall_visitors")
    page.locator("#id_categories-0-name_nl").fill("bezoekers bij de kraam")
    page.locator("#id_categories-0-name_en").fill("visitors at the stall")
    page.locator("#id_categories-0-tap_en").fill("one person stops at the stall")
    page.locator("#id_categories-1-slug").fill("flyers")
    page.locator("#id_categories-1-name_nl").fill("folders uitgedeeld")
    page.locator("#id_categories-1-name_en").fill("flyers handed out")
    page.locator("#id_categories-1-reached").uncheck()
    page.screenshot(path=screenshot_dir / "kind-new.png")
    page.get_by_role("button", name="Create the kind").click()

    expect(page.locator(".message")).to_contain_text("Market stall has been created.")
    kind = ActionKind.objects.get(slug="market_stall")
    assert (kind.marker_colour, kind.marker_shape) == (COLOUR, "diamond")
    assert list(
        Category.objects.filter(kind=kind).order_by("position").values_list("slug", "reached")
    ) == [("stall_visitors", True), ("flyers", False)]
    page.get_by_role("link", name="Kinds of action day").last.click()
    card = page.locator('[data-kind="market_stall"]')
    expect(card).to_contain_text("visitors at the stall, flyers handed out")
    sample = card.locator(".map-marker__dot")
    assert sample.evaluate("dot => getComputedStyle(dot).backgroundColor") == "rgb(138, 28, 74)"
    card.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "kinds.png")

    # --- An edition of it today, open for registration until tonight ------------------------
    page.goto(f"{live_server.url}/manage/editions/new/")
    page.locator("#id_name").fill("Marktkraam vandaag")
    page.locator("#id_slug").fill("marktkraam-vandaag")
    page.locator("#id_kind").select_option("market_stall")
    page.locator("#id_date").fill(today.isoformat())
    page.locator("#id_registration_closes_at").fill(f"{today.isoformat()}T23:59")
    page.locator("#id_is_published").check()
    page.get_by_role("button", name="Create the edition").click()
    expect(page.locator(".message")).to_contain_text("Marktkraam vandaag has been created")
    edition = Event.objects.get(slug="marktkraam-vandaag")
    assert edition.kind_id == "market_stall"

    # --- The branch registers a site; the national office approves it -----------------------
    as_user(page, live_server, coordinator)
    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("link", name="Register a site").first.click()
    expect(page.locator("h1")).to_have_text("Register a site for Marktkraam vandaag")
    page.locator("#id_location").select_option(str(location.pk))
    page.locator("#id_public_description").fill("Een kraam op de markt: koffie en verhalen.")
    page.get_by_role("button", name="Register as draft").click()
    expect(page.locator("table tbody tr")).to_have_count(2)  # the kind's default shifts
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".status")).to_have_text("submitted")
    site = Site.objects.get(event=edition)

    as_user(page, live_server, organiser)
    page.goto(f"{live_server.url}/manage/sites/{site.pk}/")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".status")).to_have_text("published")

    # --- The map shows it with its own marker -----------------------------------------------
    page.goto(f"{live_server.url}/map/")
    marker = page.locator(f'.map-marker--market_stall [data-site-id="{site.pk}"]')
    expect(marker).to_have_count(1)
    style = marker.evaluate(
        "dot => { const s = getComputedStyle(dot);"
        " return [s.backgroundColor, s.transform, s.borderRadius]; }"
    )
    assert style[0] == "rgb(138, 28, 74)"
    # The diamond: turned 45 degrees and a little smaller (matrix(0.601, 0.601, -0.601, ...)).
    assert re.match(r"matrix\(0\.60\d*, 0\.60\d*, -0\.60\d*, 0\.60\d*", style[1]), style[1]
    assert style[2] == "3px"
    page.screenshot(path=screenshot_dir / "third-kind-map.png")

    # --- A volunteer with a confirmed shift counts with the new categories ------------------
    confirm_shift(volunteer, site)
    as_user(page, live_server, volunteer)
    page.goto(f"{live_server.url}/sites/{site.pk}/count/")
    visitors = page.get_by_role("button", name=re.compile(r"^Visitors at the stall \S+ \+1$"))
    flyers = page.get_by_role("button", name=re.compile(r"^Flyers handed out \S+ \+1$"))
    expect(page.locator("button.counter-plus")).to_have_count(2)
    expect(visitors).to_be_enabled()
    for _ in range(3):
        visitors.click()
    for _ in range(2):
        flyers.click()
    expect(page.locator("[data-pending]")).to_have_text("All taps sent", timeout=20_000)
    expect(page.locator(".counter-tap")).to_have_text("one person stops at the stall")
    page.screenshot(path=screenshot_dir / "third-kind-counter.png")
    assert tally_totals(site) == {"stall_visitors": 3, "flyers": 2}

    # --- The dashboard and its exports show the new categories ------------------------------
    as_user(page, live_server, organiser)
    page.goto(f"{live_server.url}/dashboard/{edition.slug}/")
    sites_table = page.locator("[data-sites]").locator("xpath=ancestor::table")
    expect(sites_table.locator("thead")).to_contain_text("Visitors at the stall")
    expect(sites_table.locator("thead")).to_contain_text("Flyers handed out")
    expect(page.locator('[data-figure="0"]')).to_have_text("3")  # the headline figure
    cells = page.locator("[data-sites] tr").first.locator("td").all_inner_texts()
    assert [cell.strip() for cell in cells[-2:]] == ["3", "2"], cells
    page.screenshot(path=screenshot_dir / "third-kind-dashboard.png", full_page=True)

    rows = read_csv(page, f"{live_server.url}/dashboard/{edition.slug}/sites.csv")
    header, row = rows[0], rows[1]
    assert header[-2:] == ["Visitors at the stall", "Flyers handed out"], header
    assert row[-2:] == ["3", "2"]
    rows = read_csv(page, f"{live_server.url}/dashboard/{edition.slug}/hours.csv")
    columns = rows[0]
    totals = {
        name: sum(int(line[columns.index(name)] or 0) for line in rows[1:])
        for name in columns
        if name.lower() in ("visitors at the stall", "flyers handed out")
    }
    assert sorted(totals.values()) == [2, 3], (columns, rows[1:])
    page.goto(f"{live_server.url}/manage/kinds/market_stall/")
    page.screenshot(path=screenshot_dir / "kind-edit.png", full_page=True)


def read_csv(page, url: str) -> list[list[str]]:
    response = page.request.get(url)
    assert response.status == 200
    text = response.body().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
