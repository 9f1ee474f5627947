"""The home page in a real browser: Dutch first, switch to English, phone-sized."""

import pytest

from tests.conftest import YEAR


@pytest.mark.django_db(transaction=True)
def test_home_in_dutch_then_english(page, live_server, site, screenshot_dir):
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Komende actiedagen"
    assert page.get_by_role("link", name=f"Open azc dag {YEAR}").is_visible()
    page.screenshot(path=screenshot_dir / "home-nl.png", full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Upcoming action days"
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name=f"Open azc dag {YEAR}").click()
    assert page.locator("h1").inner_text() == f"Open azc dag {YEAR}"
    assert page.get_by_role("link", name="azc Utrecht").is_visible()
