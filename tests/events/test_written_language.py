"""What people type for the public (a site's description, an edition's, a shift's notes) is
written in Dutch: on a page in another language it says `lang="nl"`, so a screen reader
reads it with a Dutch voice (WCAG 3.1.2). A Dutch page needs no such mark, and the
direction of such text still follows its own letters (`dir="auto"`)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_signup


@pytest.fixture
def typed(site, shift, volunteer):
    site.public_description = "Kom langs! Koffie, thee en muziek."
    site.save()
    site.event.description = "De landelijke open dag van de azc's."
    site.event.save()
    shift.notes = "Neem een regenjas mee."
    shift.save()
    make_signup(shift, volunteer.volunteer)
    return site


def element_with(html: str, text: str) -> str:
    """The start tag of the element whose content begins with `text`."""
    match = re.search(r"<(?:div|p|bdi)\b[^>]*>\s*(?:<p>)?" + re.escape(text), html)
    assert match, f"{text!r} is not on the page"
    return match.group(0)


@pytest.mark.parametrize(("language", "marked"), [("en", True), ("ar", True), ("nl", False)])
def test_dutch_texts_typed_by_people_say_they_are_dutch(client, volunteer, typed, language, marked):
    client.force_login(volunteer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [
        (reverse("events:site_detail", args=[typed.pk]), "Kom langs!"),
        (reverse("events:event_detail", args=[typed.event.slug]), "De landelijke open dag"),
        (reverse("volunteers:my_shifts"), "Neem een regenjas mee."),
    ]
    for path, text in pages:
        html = client.get(path).content.decode()
        assert f'<html lang="{language}"' in html
        tag = element_with(html, text)
        assert ('lang="nl"' in tag) is marked, (path, tag)
    site_page = client.get(pages[0][0]).content.decode()
    assert 'dir="auto"' in element_with(site_page, "Kom langs!")
