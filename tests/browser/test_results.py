"""The public results' live counter in a partner's frame: it follows the count on the day
without a reload (results.js), and pauses when asked."""

import pytest
from playwright.sync_api import expect

from locations.models import Location, Province
from tallies.public_results import results_publish
from tests.browser.test_map import partner_site
from tests.tallies.conftest import make_site, make_today_event, store_entry


@pytest.mark.django_db(transaction=True)
def test_the_embed_follows_the_count_inside_a_partners_frame(
    page, live_server, settings, location, branch, organiser, screenshot_dir
):
    settings.RESULTS_REFRESH_SECONDS = 5
    settings.RESULTS_LIVE_CACHE_SECONDS = 1
    site = make_site(make_today_event(), location, branch)
    store_entry(site, "visitors", 1200, correction=True)
    results_publish(event=site.event, by=organiser)
    embed = f"{live_server.url}/results/{site.event.slug}/embed/"
    partner = (
        f'<h1>Partner</h1><iframe src="{embed}" width="600" height="320" title="Results"></iframe>'
    )
    with partner_site(partner) as partner_url:
        page.goto(partner_url)
        frame = page.frame_locator("iframe")
        total = frame.locator('[data-total="visitors"]')
        expect(total).to_have_text("1.200")
        store_entry(site, "visitors", 34, correction=True)
        expect(total).to_have_text("1.234", timeout=15_000)
        expect(frame.locator('[data-result="people_reached"]')).to_have_text("1.234")
        page.screenshot(path=screenshot_dir / "results-embed.png", full_page=True)
        # Paused, it stays as it is (WCAG 2.2.2). In Dutch, the language of a frame
        # without a choice: numbers as 1.234.
        pause = frame.locator("button.results-pause")
        pause.click()
        store_entry(site, "visitors", 100, correction=True)
        page.wait_for_timeout(7_000)
        expect(total).to_have_text("1.234")
        pause.click()
        expect(total).to_have_text("1.334", timeout=15_000)


@pytest.mark.django_db(transaction=True)
def test_the_results_page_follows_the_count_per_province(
    page, live_server, settings, location, branch, other_branch, organiser
):
    settings.RESULTS_REFRESH_SECONDS = 5
    settings.RESULTS_LIVE_CACHE_SECONDS = 1
    site = make_site(make_today_event(), location, branch)
    results_publish(event=site.event, by=organiser)
    page.goto(f"{live_server.url}/results/{site.event.slug}/")
    utrecht = page.locator('[data-province="UT"] [data-province-total="visitors"]')
    expect(utrecht).to_have_text("0")
    store_entry(site, "visitors", 1500, correction=True)
    expect(utrecht).to_have_text("1.500", timeout=15_000)
    expect(page.locator('tfoot [data-total="visitors"]')).to_have_text("1.500")
    # A site approved in another province meanwhile: the page is made again with its row.
    zwolle = Location.objects.create(
        name="azc Zwolle", kind=Location.Kind.AZC, city="Zwolle", province=Province.OVERIJSSEL
    )
    make_site(site.event, zwolle, other_branch)
    expect(page.locator('[data-province="OV"] [data-province-sites]')).to_have_text(
        "1", timeout=15_000
    )
    expect(page.locator('tfoot [data-result="sites"]')).to_have_text("2")
