"""Error pages in the app's own look and language (they were Django's bare English ones)."""

from django.test import RequestFactory
from django.views import defaults


def test_not_found_is_dutch_with_ways_on(anonymous_client, db):
    response = anonymous_client.get("/sites/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nl" dir="ltr">' in page
    assert "Pagina niet gevonden" in page
    assert 'href="/map/"' in page and 'href="/shifts/"' in page
    assert "Not Found" not in page


def test_not_found_in_english(anonymous_client, db):
    anonymous_client.cookies["django_language"] = "en"
    page = anonymous_client.get("/events/no-such-edition/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Page not found" in page


def test_no_access_is_dutch(volunteer_client):
    response = volunteer_client.get("/coordinate/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Geen toegang" in page
    assert "Mijn diensten" in page  # the signed-in menu: the page knows who you are


def test_server_error_and_bad_request_pages_need_no_request_context(db):
    request = RequestFactory().get("/")
    error = defaults.server_error(request)
    assert error.status_code == 500
    assert "Er ging iets mis" in error.content.decode()
    bad = defaults.bad_request(request, Exception("bad"))
    assert bad.status_code == 400
    assert "Ongeldig verzoek" in bad.content.decode()


def test_an_expired_form_explains_itself_and_changes_nothing(volunteer, shift):
    """A form kept open while the person logged out and in again in another tab: the
    CSRF check refuses it in the app's own words, with a way back, and claims nothing."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(volunteer)
    response = browser.post(
        f"/shifts/{shift.pk}/claim/",
        {"csrfmiddlewaretoken": "a-token-from-before"},
        HTTP_REFERER=f"http://testserver/shifts/?site={shift.site_id}",
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Deze pagina is verlopen" in page
    assert f'href="/shifts/?site={shift.site_id}"' in page
    assert "Mijn diensten" in page  # in the site's layout, signed in
    assert "CSRF" not in page
    assert not shift.signups.exists()


def test_an_expired_form_does_not_link_back_to_another_site(volunteer, shift):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(volunteer)
    page = browser.post(
        f"/shifts/{shift.pk}/claim/", HTTP_REFERER="https://evil.example/shifts/"
    ).content.decode()
    assert "Deze pagina is verlopen" in page
    assert "evil.example" not in page
    assert "Terug naar de pagina" not in page  # no way "back" to somebody else's page
