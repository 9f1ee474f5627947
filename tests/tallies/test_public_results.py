"""The public pages of a past edition and its sites: marked as past, no calendar links
or claims, and the totals counted, once counting has closed (added by `tallies` through
`events.extensions`: events does not know the counts)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from events.models import Event, Shift
from locations.models import Location
from tests.factories import make_shift

from .conftest import make_site, store_entry

pytestmark = pytest.mark.django_db


def _edition(days_ago: int, slug: str = "open-azc-dag-voorbij") -> Event:
    return Event.objects.create(
        name="Open azc dag voorbij",
        slug=slug,
        kind_id="open_day",
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        is_published=True,
    )


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def long_ago(location, branch, other_branch):
    """An edition 30 days ago (counting has closed) with two counted sites."""
    event = _edition(30)
    first = make_site(event, location, branch, days_ago=30)
    zwolle = Location.objects.create(name="azc Zwolle", kind=Location.Kind.AZC, city="Zwolle")
    second = make_site(event, zwolle, other_branch, days_ago=30)
    store_entry(first, "visitors", 120, correction=True)
    store_entry(first, "children", 30, correction=True)
    store_entry(second, "visitors", 80, correction=True)
    Shift.objects.create(
        site=first,
        role=Shift.Role.RECEPTION,
        starts_at=first.opens_at,
        ends_at=first.closes_at,
        capacity=3,
    )
    return event, first, second


def test_a_past_site_is_marked_past_with_its_totals_and_no_calendar(client, long_ago):
    _event, first, _second = long_ago
    html = _english(client).get(first.get_absolute_url()).content.decode()
    assert "This site's action day has taken place." in html
    assert "Add to calendar" not in html and "calendar-links" not in html
    assert "claim a shift" not in html.lower()
    assert "Counted on the day" in html
    assert "<dt>Visitors</dt><dd>120</dd>" in html
    assert "<dt>Children</dt><dd>30</dd>" in html


def test_a_past_edition_is_marked_past_with_its_totals_and_no_calendar(client, long_ago):
    event, _first, _second = long_ago
    html = _english(client).get(event.get_absolute_url()).content.decode()
    assert "This edition has taken place." in html
    assert "calendar-links" not in html
    assert "<dt>Visitors</dt><dd>200</dd>" in html


def test_no_totals_while_counting_is_still_open(client, location, branch):
    """Two days ago: the day has passed, but counts may still arrive."""
    event = _edition(2, slug="open-azc-dag-eergisteren")
    site = make_site(event, location, branch, days_ago=2)
    store_entry(site, "visitors", 50, correction=True)
    html = _english(client).get(site.get_absolute_url()).content.decode()
    assert "This site's action day has taken place." in html
    assert "Counted on the day" not in html
    assert "Counted on the day" not in client.get(event.get_absolute_url()).content.decode()


def test_a_coming_site_keeps_its_calendar_links_and_shows_no_figures(client, site):
    make_shift(site)
    html = _english(client).get(site.get_absolute_url()).content.decode()
    assert "Add to calendar" in html
    assert "taken place" not in html and "Counted on the day" not in html
    event_html = client.get(site.event.get_absolute_url()).content.decode()
    assert "Add to calendar" in event_html and "taken place" not in event_html
