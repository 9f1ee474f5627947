"""The web app manifest (config/webapp.py): the app on a phone's home screen."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from config.webapp import THEME_COLOUR


def manifest(client, language: str):
    response = client.get(f"/manifest/{language}.webmanifest")
    assert response.status_code == 200
    return response, json.loads(response.content)


@pytest.mark.django_db
def test_every_page_links_the_manifest_of_its_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<link rel="manifest" href="/manifest/ar.webmanifest">' in html
    assert f'<meta name="theme-color" content="{THEME_COLOUR}">' in html
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest/nl.webmanifest">' in html


@pytest.mark.django_db
def test_the_installed_app_opens_my_shifts_standalone_with_our_icons(client):
    response, data = manifest(client, "en")
    assert response["Content-Type"] == "application/manifest+json"
    assert data["name"] == "Refugee support action days"
    assert data["short_name"] == "Action days"
    assert data["start_url"] == "/my/shifts/"
    assert data["scope"] == "/"
    assert data["display"] == "standalone"
    assert (data["lang"], data["dir"]) == ("en", "ltr")
    # The colour of the page header (static/css/app.css).
    css = finders.find("css/app.css")
    with open(css, encoding="utf-8") as stylesheet:
        accent = re.search(r"--accent:\s*(#[0-9a-f]{6})", stylesheet.read()).group(1)
    assert data["theme_color"] == accent
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        body = b"".join(served.streaming_content) if served.streaming else served.content
        if icon["type"] == "image/png":
            assert body[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = int.from_bytes(body[16:20]), int.from_bytes(body[20:24])
            assert f"{width}x{height}" == icon["sizes"]


@pytest.mark.django_db
def test_the_manifest_speaks_the_language_in_its_address(client):
    _, arabic = manifest(client, "ar")
    assert (arabic["lang"], arabic["dir"]) == ("ar", "rtl")
    _, dutch = manifest(client, "nl")
    assert dutch["lang"] == "nl"
    # The same address gives the same answer whatever the browser's language.
    _, again = manifest(client.__class__(HTTP_ACCEPT_LANGUAGE="fa"), "nl")
    assert again == dutch


@pytest.mark.django_db
def test_a_language_the_site_does_not_offer_is_a_404(client):
    assert client.get("/manifest/de.webmanifest").status_code == 404
    assert client.get("/manifest/..webmanifest").status_code == 404
    assert client.post("/manifest/en.webmanifest").status_code == 405


@pytest.mark.django_db
def test_the_policy_allows_a_worker_and_a_manifest_from_our_own_origin_only(client):
    header = client.get("/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}
    assert directives["worker-src"] == ["'self'"]
    assert directives["manifest-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
