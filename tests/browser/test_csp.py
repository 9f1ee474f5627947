"""The pages work under the Content-Security-Policy: no violation on any of them.

Each page is opened in Chromium with a listener for `securitypolicyviolation` events
(installed before the page's own scripts) and the console watched for CSP messages; the
page must also have done its work (markers drawn, counter ready, API docs rendered), so
a blocked script cannot pass unnoticed. Tiles from the internet are cut off, as in every
browser test; a cut-off request is no violation.
"""

import pytest

from tests.browser.conftest import log_in
from tests.tallies.conftest import confirm_shift, make_site, make_today_event

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def watched(page, live_server):
    """The page with its CSP violations and console complaints collected."""
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(WATCH)
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )

    def violations() -> list[str]:
        return page.evaluate("() => window.__cspViolations") + console

    page.csp_violations = violations
    return page


@pytest.fixture
def today_site(db, location, branch):
    return make_site(make_today_event(), location, branch)


def assert_no_violations(page) -> None:
    page.wait_for_timeout(300)  # late reports (images, fonts) arrive after the load event
    assert page.csp_violations() == []


@pytest.mark.django_db(transaction=True)
def test_the_map_and_its_embed(watched, live_server, today_site):
    page = watched
    for path in ("/map/", "/map/embed/"):
        page.goto(f"{live_server.url}{path}?event={today_site.event.slug}")
        page.locator(".leaflet-marker-icon [data-site-id]").first.wait_for()
        assert_no_violations(page)


@pytest.mark.django_db(transaction=True)
def test_the_counter(watched, live_server, today_site, volunteer):
    page = watched
    confirm_shift(volunteer, today_site)
    log_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/sites/{today_site.pk}/count/")
    page.locator('button[data-category="visitors"][data-delta="1"]').click()
    page.locator("[data-pending]").filter(has_text="Alle tikken verstuurd").wait_for()
    assert_no_violations(page)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_the_report(watched, live_server, today_site, organiser):
    page = watched
    log_in(page, live_server, organiser)
    slug = today_site.event.slug
    page.goto(f"{live_server.url}/dashboard/{slug}/")
    page.locator(".leaflet-container").first.wait_for()
    assert_no_violations(page)
    page.goto(f"{live_server.url}/dashboard/{slug}/report/")
    assert_no_violations(page)


@pytest.mark.django_db(transaction=True)
def test_the_api_docs(watched, live_server):
    page = watched
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()  # rendered from the schema
    assert_no_violations(page)


@pytest.mark.django_db(transaction=True)
def test_the_admin(watched, live_server, today_site, organiser):
    organiser.is_superuser = True
    organiser.save(update_fields=["is_superuser"])
    page = watched
    log_in(page, live_server, organiser)
    for path in (
        "/admin/",
        "/admin/events/site/",
        f"/admin/events/site/{today_site.pk}/change/",
        "/admin/locations/branch/add/",  # date and select-filter widgets, prepopulated slug
        "/admin/accounts/user/",
        "/admin/locations/location/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert_no_violations(page)
    # The admin's own scripts ran: the change list's "select all" box works.
    page.goto(f"{live_server.url}/admin/events/site/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()


@pytest.mark.django_db(transaction=True)
def test_a_violation_would_be_caught(watched, live_server):
    """The listener works: an inline script injected into a page is reported."""
    page = watched
    page.goto(f"{live_server.url}/map/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
    }"""
    )
    page.wait_for_timeout(300)
    assert any("script-src" in v for v in page.csp_violations())
    assert page.evaluate("() => window.injected") is None
