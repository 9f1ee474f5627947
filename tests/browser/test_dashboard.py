"""The dashboard in a real browser: map circles, live refresh, and the report on paper."""

import pytest
from playwright.sync_api import expect

from events.models import Event, Site
from locations.models import Location
from tests.browser.conftest import log_in
from tests.browser.test_counter import STRICT_CSP, serve_with_strict_csp
from tests.conftest import EVENT_DAY, YEAR, aware, last_weekday_of
from tests.tallies.conftest import store_entry


def count(site, delta, hour, category="visitors"):
    day = site.opens_at.astimezone(site.opens_at.tzinfo).date()
    store_entry(
        site,
        category,
        delta,
        aware(day.year, day.month, day.day, hour, 10),
        correction=abs(delta) > 50,
    )


@pytest.fixture
def edition(db, branch, other_branch):
    def make(year, date):
        return Event.objects.create(
            name=f"Open azc dag {year}",
            slug=f"open-azc-dag-{year}",
            kind_id="open_day",
            date=date,
            is_published=True,
        )

    previous, current = (
        make(YEAR - 1, last_weekday_of(YEAR - 1, 9, 5)),
        make(YEAR, EVENT_DAY),
    )
    places = [
        ("azc Utrecht", "Utrecht", 52.09, 5.12, branch),
        ("azc Zwolle", "Zwolle", 52.51, 6.09, other_branch),
        ("azc Ter Apel", "Ter Apel", 52.88, 7.07, other_branch),
    ]
    sites = []
    for event in (previous, current):
        for name, town, lat, lon, owner in places:
            location, _ = Location.objects.get_or_create(
                name=name, city=town, defaults={"latitude": lat, "longitude": lon}
            )
            d = event.date
            sites.append(
                Site.objects.create(
                    event=event,
                    location=location,
                    branch=owner,
                    opens_at=aware(d.year, d.month, d.day, 11),
                    closes_at=aware(d.year, d.month, d.day, 16),
                    status=Site.Status.PUBLISHED,
                )
            )
    for site, figures in zip(
        sites, [(300, 12), (150, 13), (90, 14), (400, 12), (200, 13), (5, 14)], strict=True
    ):
        count(site, *figures)
    count(sites[3], 60, 13, "children")
    return current, sites[3:]


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_draws_the_map_and_refreshes_itself(
    page, live_server, edition, organiser, screenshot_dir
):
    current, sites = edition
    # The policy a deployment would send: our own scripts and styles, the map tiles.
    policy = STRICT_CSP.replace("img-src 'self'", "img-src 'self' https://tile.openstreetmap.org")
    violations = serve_with_strict_csp(page, policy)
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/dashboard/{current.slug}/")

    visitors = page.locator('[data-figure="0"]')
    expect(visitors).to_have_text("605")
    expect(page.locator("#dashboard-map path.leaflet-interactive")).to_have_count(3)
    expect(page.locator("[data-chart] svg rect")).not_to_have_count(0)
    expect(page.locator("[data-sites] tr").first).to_contain_text("azc Utrecht")
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    # A count comes in; the page picks it up on its next refresh without a reload.
    count(sites[2], 500, 15, "visitors")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(visitors).to_have_text("1.105")
    expect(page.locator("[data-sites] tr").first).to_contain_text("azc Ter Apel")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_impact_report_prints(page, live_server, edition, organiser, screenshot_dir):
    current, _ = edition
    violations = serve_with_strict_csp(page)
    log_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/dashboard/{current.slug}/report/")
    expect(page.locator("h1")).to_have_text(f"Impactrapport: Open azc dag {YEAR}")
    expect(page.get_by_role("button", name="Afdrukken of als pdf bewaren")).to_be_visible()
    page.screenshot(path=screenshot_dir / "impact-report.png", full_page=True)

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    expect(page.locator(".site-header")).to_be_hidden()
    page.screenshot(path=screenshot_dir / "impact-report-print.png", full_page=True)
    expect(page.locator(".no-print").first).to_be_hidden()
    pdf = screenshot_dir / "impact-report.pdf"
    page.pdf(path=pdf, format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_refresh_can_be_paused_and_the_hours_are_a_table_too(
    page, live_server, edition, organiser
):
    """Figures that change by themselves can be stopped (WCAG 2.2.2), and the chart's
    figures are also a table for those who cannot see the chart."""
    current, sites = edition
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    log_in(page, live_server, organiser)
    asked = []
    page.on("request", lambda request: "data.json" in request.url and asked.append(request.url))
    page.goto(f"{live_server.url}/dashboard/{current.slug}/")
    visitors = page.locator('[data-figure="0"]')
    expect(visitors).to_have_text("605")

    table = page.locator("[data-hour-table] table")
    expect(table).to_be_hidden()
    page.locator(".chart-table summary").click()
    rows = [[cell.strip() for cell in row.split("\t")] for row in table.inner_text().splitlines()]
    assert [f"Open azc dag {YEAR}", f"Open azc dag {YEAR - 1}"] == rows[1][1:]
    assert ["12:00", "400", "300"] in rows and ["14:00", "5", "90"] in rows

    pause = page.locator("[data-pause]")
    running_label = pause.inner_text()
    pause.press("Enter")
    expect(pause).not_to_have_text(running_label)
    count(sites[2], 500, 15, "visitors")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(1500)
    assert asked == []
    expect(visitors).to_have_text("605")

    pause.press("Enter")
    expect(pause).to_have_text(running_label)
    expect(visitors).to_have_text("1.105")
    expect(table.locator("tr", has_text="15:00")).to_contain_text("500")
