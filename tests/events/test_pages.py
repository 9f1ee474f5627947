"""The home page and the public event and site pages."""

import datetime

import pytest
from django.utils import timezone

from events.models import Event, Site
from locations.models import Location
from tests.conftest import EVENT_DAY, YEAR, on_event_day
from tests.events.site_rows import per_request, rows


@pytest.fixture
def past_event(db):
    return Event.objects.create(
        name="Open azc dag 2018",
        slug="open-azc-dag-2018",
        kind_id="open_day",
        date=datetime.date(2018, 9, 22),
        is_published=True,
    )


@pytest.fixture
def unpublished_event(db):
    return Event.objects.create(
        name="Geheime editie",
        slug="geheim",
        kind_id="coffee",
        date=timezone.localdate() + datetime.timedelta(days=30),
        is_published=False,
    )


def test_home_lists_upcoming_published_events_with_site_counts(
    client, site, past_event, unpublished_event
):
    draft_location = Location.objects.create(name="Neude", city="Utrecht")
    Site.objects.create(
        event=site.event,
        location=draft_location,
        branch=site.branch,
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
        status=Site.Status.DRAFT,
    )
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Open azc dag {YEAR}" in html
    # EVENT_DAY is always the last Saturday of September.
    assert f"zaterdag {EVENT_DAY.day} september {YEAR}" in html
    assert "1 locatie" in html  # the draft site is not counted
    assert "Open azc dag 2018" not in html
    assert "Geheime editie" not in html


def test_home_speaks_dutch_by_default_with_accessible_markup(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="nl" dir="ltr">' in html
    assert "Komende actiedagen" in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html
    assert 'href="#main"' in html  # skip link
    assert "Er zijn nog geen actiedagen aangekondigd" in html


def test_language_switch_to_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Upcoming action days" in html
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert "Komende actiedagen" in client.get("/").content.decode()


def test_event_page_lists_published_sites(client, site):
    html = client.get(f"/events/{site.event.slug}/").content.decode()
    assert "azc Utrecht" in html
    assert site.get_absolute_url() in html


def test_unpublished_event_and_site_pages_are_not_found(client, site, unpublished_event):
    assert client.get(f"/events/{unpublished_event.slug}/").status_code == 404
    site.status = Site.Status.DRAFT
    site.save()
    assert client.get(f"/sites/{site.pk}/").status_code == 404


def test_site_page_shows_times_in_amsterdam_time(client, site, shift):
    html = client.get(f"/sites/{site.pk}/").content.decode()
    assert "11:00" in html and "16:00" in html
    assert "ontvangst" in html.lower()


def test_approximate_site_shows_only_the_town(client, site):
    site.location.street = "Geheime laan"
    site.location.house_number = 1
    site.location.save()
    site.show_approximate_location = True
    site.save()
    html = client.get(f"/sites/{site.pk}/").content.decode()
    assert "Geheime laan" not in html
    assert "Utrecht" in html


def test_event_page_rows_link_each_published_site_with_its_hours(client, site, branch):
    """A row per published site of the edition, by town: its own name or its place's,
    linking to its public page, with its hours in Amsterdam time."""
    named = Site.objects.create(
        event=site.event,
        location=Location.objects.create(name="Plein", city="Amersfoort"),
        branch=branch,
        name='Koffie & "thee" <op> het plein',
        opens_at=on_event_day(9, 30),
        closes_at=on_event_day(12),
        status=Site.Status.PUBLISHED,
    )
    Site.objects.create(
        event=site.event,
        location=Location.objects.create(name="Neude", city="Utrecht"),
        branch=branch,
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
        status=Site.Status.SUBMITTED,
    )
    html = client.get(f"/events/{site.event.slug}/").content.decode()
    day = EVENT_DAY.isoformat()
    assert rows(html, '<ul class="site-list">', "</ul>", item="li") == [
        f'<li><a href="/sites/{named.pk}/"><bdi>Koffie &amp; &quot;thee&quot; &lt;op&gt; het plein'
        f'</bdi></a>, <bdi>Amersfoort</bdi> (<bdi dir="ltr"><time datetime="{day}T09:30:00+02:00">'
        f'09:30</time>–<time datetime="{day}T12:00:00+02:00">12:00</time></bdi>) </li>',
        f'<li><a href="/sites/{site.pk}/"><bdi>azc Utrecht</bdi></a>, <bdi>Utrecht</bdi> '
        f'(<bdi dir="ltr"><time datetime="{day}T11:00:00+02:00">11:00</time>–'
        f'<time datetime="{day}T16:00:00+02:00">16:00</time></bdi>) </li>',
    ]


def test_event_page_rows_cost_the_same_for_few_sites_and_many(client, site):
    """No URL reversed or time formatted per site: an edition has thousands."""
    url = f"/events/{site.event.slug}/"
    client.get(url)
    few = per_request(lambda: client.get(url))
    for number in range(12):
        Site.objects.create(
            event=site.event,
            location=Location.objects.create(name=f"Plek {number}", city="Zeist"),
            branch=site.branch,
            opens_at=site.opens_at,
            closes_at=site.closes_at,
            status=Site.Status.PUBLISHED,
        )
    assert per_request(lambda: client.get(url)) == few
