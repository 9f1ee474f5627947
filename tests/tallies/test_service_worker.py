"""The counter's service worker (/sw.js) and the token the counter sends with its taps.

The browser side (the counter opening offline, the other pages not cached) is proved in
tests/browser/test_offline_counter.py; these tests pin what the server gives the worker.
"""

import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse

from tallies.models import TallyEntry
from tallies.views.worker import COUNTER_PATH, WORKBOX_MODULES

from .conftest import confirm_shift, tap


def worker_config(response) -> dict:
    text = response.content.decode()
    match = re.search(r"^const CONFIG = (\{.*?^\});$", text, re.M | re.S)
    assert match, text[:500]
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_the_worker_is_served_from_the_root_as_a_script_that_is_checked_on_every_visit(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    # Its scope may be the whole site, so that it sees /sites/{id}/count/.
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    # Loads Workbox from our own static files, never from a CDN.
    text = response.content.decode()
    imports = re.search(r"importScripts\((.*?)\);", text).group(1)
    assert json.loads(f"[{imports}]") == [
        f"/static/vendor/workbox/{name}.prod.js" for name in WORKBOX_MODULES
    ]
    assert "googleapis" not in text and "cdn" not in text.lower()
    # The policy holds for the worker's own requests too: our origin only.
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"
    assert client.post("/sw.js").status_code == 405


@pytest.mark.django_db
def test_the_worker_is_the_same_for_everyone_and_names_no_one(client, volunteer):
    anonymous = client.get("/sw.js").content
    client.force_login(volunteer)
    signed_in = client.get("/sw.js")
    assert signed_in.content == anonymous
    assert volunteer.email.encode() not in signed_in.content
    assert "csrftoken" not in signed_in.cookies


@pytest.mark.django_db
def test_the_worker_keeps_only_the_counter_and_its_static_files(client):
    config = worker_config(client.get("/sw.js"))
    pattern = re.compile(config["counterPath"])
    assert pattern.pattern == COUNTER_PATH.pattern
    # The pattern and the URL of the counter agree ...
    counter = reverse("tallies:site_counter", kwargs={"pk": 42})
    assert pattern.match(counter)
    assert resolve(counter).url_name == "site_counter"
    # ... and no other page matches it.
    for other in (
        "/",
        "/my/shifts/",
        "/sites/42/",
        "/sites/42/tallies/",
        "/sites/42/count/extra/",
        "/api/v1/sites/42/tallies/",
        "/x/sites/42/count/",
    ):
        assert not pattern.match(other), other
    assert config["staticFiles"] == [
        "/static/css/app.css",
        "/static/favicon.svg",
        "/static/js/intl.js",
        "/static/tallies/counter.css",
        "/static/tallies/counter.js",
    ]
    # The counter's script texts, in every language of the site.
    assert config["catalogues"] == [f"/jsi18n/{code}/" for code in ("nl", "en", "ar", "fa", "ti")]
    for path in config["staticFiles"] + config["catalogues"]:
        assert client.get(path).status_code == 200, path
    assert config["forgetPagesOn"] == ["/accounts/login/", "/accounts/logout/"]
    assert config["hashedNames"] is False  # the test settings serve files by name


@pytest.mark.django_db
def test_the_counter_page_registers_the_worker_and_shows_no_messages(client, volunteer, today_site):
    """The worker keeps a copy of the counter page: a message meant for the moment
    ("signed in as Vera") would come back from it, stale and personal. It waits for the
    next page instead."""
    confirm_shift(volunteer, today_site)
    counter = f"/sites/{today_site.pk}/count/"
    signed_in = client.post(
        f"/accounts/login/?next={counter}",
        {"login": volunteer.email, "password": "pw-for-tests-1"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert signed_in.redirect_chain[-1][0] == counter
    html = signed_in.content.decode()
    assert 'data-worker="/sw.js"' in html
    assert 'class="messages"' not in html
    assert "Vera" not in html
    # The message is not lost: the next page shows it.
    after = client.get("/my/shifts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="messages"' in after
    assert "Vera" in after


@pytest.mark.django_db
def test_a_stale_page_token_is_refused_and_the_cookie_token_the_counter_sends_is_taken(
    volunteer, today_site
):
    """A counter page opened from the worker's copy carries the token of the day it was
    loaded. counter.js sends the token from the csrftoken cookie instead, which the log-in
    that made the page's token stale has replaced."""
    confirm_shift(volunteer, today_site)
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(volunteer)
    page = phone.get(f"/sites/{today_site.pk}/count/")
    page_token = re.search(r'data-csrf="([^"]+)"', page.content.decode()).group(1)
    # Logging in again (the session ran out, or someone logged out) rotates the token.
    phone.logout()
    form = phone.get("/accounts/login/").content.decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    logged_in = phone.post(
        "/accounts/login/",
        {"login": volunteer.email, "password": "pw-for-tests-1", "csrfmiddlewaretoken": form_token},
    )
    assert logged_in.status_code == 302
    api = f"/api/v1/sites/{today_site.pk}/tallies/"

    def send(token):
        return phone.post(
            api,
            {"entries": [tap()]},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )

    stale = send(page_token)
    assert stale.status_code == 403
    assert not TallyEntry.objects.exists()
    fresh = send(phone.cookies["csrftoken"].value)
    assert fresh.status_code in (200, 201), fresh.content
    assert TallyEntry.objects.filter(site=today_site).count() == 1


@pytest.mark.django_db
def test_without_a_csrf_cookie_the_counter_page_gives_a_new_one(volunteer, today_site):
    """What counter.js does on a 403 from a lost cookie: load its page again (network
    first through the worker), which sets the cookie, and send once more."""
    confirm_shift(volunteer, today_site)
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(volunteer)
    api = f"/api/v1/sites/{today_site.pk}/tallies/"
    refused = phone.post(
        api, {"entries": [tap()]}, content_type="application/json", HTTP_X_CSRFTOKEN="x" * 32
    )
    assert refused.status_code == 403
    assert "csrf" in refused.json()["detail"].lower()
    phone.get(f"/sites/{today_site.pk}/count/")
    token = phone.cookies["csrftoken"].value
    entry = tap(client_id=uuid.uuid4())
    sent = phone.post(
        api, {"entries": [entry]}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert sent.status_code in (200, 201), sent.content
    assert TallyEntry.objects.filter(client_id=entry["id"]).exists()


@pytest.mark.django_db
def test_in_production_the_worker_names_the_hashed_files_collectstatic_wrote(
    client, settings, tmp_path
):
    """Production serves static files under names with a hash of their content
    (whitenoise's manifest storage): the worker must ask for those, or it would keep files
    no page loads. A new release changes the names, hence the worker's bytes: browsers
    install it anew and it drops the old files."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    # The vendored source maps must be there too: the manifest storage rewrites the
    # scripts' sourceMappingURL and fails on a missing map.
    call_command("collectstatic", interactive=False, verbosity=0)
    response = client.get("/sw.js")
    config = worker_config(response)
    assert config["hashedNames"] is True
    text = response.content.decode()
    imports = json.loads("[" + re.search(r"importScripts\((.*?)\);", text).group(1) + "]")
    for path in imports + config["staticFiles"]:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|svg)$", path), path
        assert (tmp_path / path.removeprefix("/static/")).is_file(), path
