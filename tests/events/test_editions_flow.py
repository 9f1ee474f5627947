"""The whole way of an edition, through the pages, as the three personas.

The organiser starts a new edition by cloning the 2018 open day and publishes it; the
coordinator registers and submits a site; the organiser approves it and it is public (site
page, edition page, calendar feed, map API); a volunteer claims a shift; the coordinator
cancels the site; the volunteer is mailed and the feed shows the site cancelled.
"""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Volunteer
from events.models import Event, Shift, ShiftTemplate, Signup, Site
from tests.conftest import AMSTERDAM
from tests.events.editions_helpers import draft_site, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_day_2018(branch, other_branch):
    """The 2018 open day in small: the coordinator's branch and another, one cancelled site."""
    source = Event.objects.create(
        name="Open azc dag 2018",
        slug="open-azc-dag-2018",
        kind_id="open_day",
        date=datetime.date(2018, 9, 22),
        is_published=True,
        default_opens_at=datetime.time(11),
        default_closes_at=datetime.time(16),
    )
    for role, start, end, places in [
        ("reception", 11, 13, 3),
        ("tour_guide", 13, 16, 4),
    ]:
        ShiftTemplate.objects.create(
            event=source,
            role=role,
            starts_at=datetime.time(start),
            ends_at=datetime.time(end),
            capacity=places,
        )
    draft_site(source, place("azc Utrecht", "Utrecht"), branch, status="published", shifts=2)
    draft_site(source, place("azc Zwolle", "Zwolle"), other_branch, status="published")
    draft_site(source, place("azc Ede", "Ede"), branch, status="cancelled")
    return source


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _feed_status(client, event: Event, site: Site) -> str | None:
    response = client.get(f"/calendar/events/{event.slug}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    for component in calendar.walk("VEVENT"):
        if str(component["UID"]).startswith(f"site-{site.pk}@"):
            return str(component["STATUS"])
    return None


def test_an_edition_from_clone_to_cancellation(
    client,
    organiser,
    coordinator,
    volunteer,
    branch,
    open_day_2018,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    # --- The organiser clones the 2018 open day and opens registration ---------------------
    client.force_login(organiser)
    date = timezone.localdate() + datetime.timedelta(days=120)
    response = client.post(
        reverse("events:edition_clone", args=[open_day_2018.slug]),
        {
            "name": "Open azc dag proef",
            "date": date.isoformat(),
            "registration_opens_at": (timezone.localtime() - datetime.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "registration_closes_at": (date - datetime.timedelta(days=14)).isoformat() + "T23:59",
        },
        follow=True,
    )
    edition = Event.objects.get(slug="open-azc-dag-proef")
    assert _messages(response) == [
        "Open azc dag proef is aangemaakt met 2 conceptlocaties en 3 diensten. "
        "De editie is nog niet gepubliceerd."
    ]
    assert set(edition.sites.values_list("location__city", "status")) == {
        ("Utrecht", "draft"),
        ("Zwolle", "draft"),
    }
    settings_page = client.get(reverse("events:edition_settings", args=[edition.slug]))
    data = {
        key: value
        for key, value in settings_page.context["form"].initial.items()
        if value is not None
    }
    data.update(
        {
            "date": date.isoformat(),
            "default_opens_at": "11:00",
            "default_closes_at": "16:00",
            "registration_opens_at": timezone.localtime(edition.registration_opens_at).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "registration_closes_at": timezone.localtime(edition.registration_closes_at).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "is_published": "on",
        }
    )
    assert (
        client.post(reverse("events:edition_settings", args=[edition.slug]), data).status_code
        == 302
    )
    edition.refresh_from_db()
    assert edition.is_published

    # --- The coordinator registers and submits a new site ----------------------------------
    client.force_login(coordinator)
    index = client.get(reverse("events:manage_index")).content.decode()
    assert reverse("events:site_register", args=[edition.slug]) in index
    zeist = place("azc Zeist", "Zeist")
    response = client.post(
        reverse("events:site_register", args=[edition.slug]),
        {
            "location": zeist.pk,
            "opens_at": "11:00",
            "closes_at": "16:00",
            "public_description": "Rondleidingen door bewoners, koffie en thee.",
            "languages_needed": ["nl", "ar", "ti"],
            "expected_visitors": "300",
        },
        follow=True,
    )
    site = Site.objects.get(event=edition, location=zeist)
    assert response.redirect_chain == [(reverse("events:site_manage", args=[site.pk]), 302)]
    assert _messages(response)[0].startswith("azc Zeist is aangemeld als concept.")
    assert site.shifts.count() == 2  # the edition's templates
    # At an azc: not before the host's consent is recorded, on the page the refusal names.
    response = client.post(reverse("events:site_submit", args=[site.pk]), follow=True)
    site.refresh_from_db()
    assert site.status == Site.Status.DRAFT
    host_page = reverse("events:site_host", args=[site.pk])
    assert f'href="{host_page}"' in response.content.decode()
    response = client.post(
        host_page,
        {
            "organisation": "COA",
            "contact_name": "Anna de Vries",
            "contact_phone": "06 12345678",
            "consent_given_by_name": "Anna de Vries",
            "consent_given_by_role": "locatiemanager",
            "consent_given_on": timezone.localdate().isoformat(),
            "no_photos_inside": "on",
        },
        follow=True,
    )
    assert _messages(response) == ["De beheerder en diens toestemming zijn vastgelegd."]
    response = client.post(reverse("events:site_submit", args=[site.pk]), follow=True)
    assert _messages(response) == ["azc Zeist is ingediend ter beoordeling."]

    # --- The organiser approves it: it is public -------------------------------------------
    client.force_login(organiser)
    queue = client.get(reverse("events:review_queue", args=[edition.slug]))
    assert [s.pk for s in queue.context["sites"]] == [site.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:site_publish", args=[site.pk]))
    site.refresh_from_db()
    assert site.status == Site.Status.PUBLISHED
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert mailoutbox[0].subject == "Goedgekeurd: azc Zeist (Open azc dag proef)"

    client.logout()
    assert list(Site.objects.published().filter(event=edition)) == [site]
    features = client.get("/api/v1/sites/", {"event": edition.slug}).json()["features"]
    assert [feature["id"] for feature in features] == [site.pk]
    assert client.get(site.get_absolute_url()).status_code == 200
    assert "azc Zeist" in client.get(edition.get_absolute_url()).content.decode()
    assert _feed_status(client, edition, site) == "CONFIRMED"

    # --- A volunteer claims a shift (the claiming service, through its page) ----------------
    shift = site.shifts.order_by("starts_at").first()
    client.force_login(volunteer)
    response = client.post(reverse("volunteers:shift_claim", args=[shift.pk]), follow=True)
    assert _messages(response)[0].startswith("Je plaats is bevestigd: ")
    signup = Signup.objects.get(shift=shift, volunteer=Volunteer.objects.get(user=volunteer))
    assert signup.status == Signup.Status.CONFIRMED
    client.force_login(coordinator)
    staffing = client.get(reverse("events:staffing", args=[edition.slug])).context["staffing"]
    row = next(row for row in staffing.sites if row.site == site)
    assert (row.needed, row.confirmed) == (7, 1)

    # --- The coordinator cancels; the volunteer is told ------------------------------------
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:site_cancel", args=[site.pk]),
            {"comment": "Het azc sluit die dag.", "confirm": "on"},
            follow=True,
        )
    assert _messages(response) == [
        "azc Zeist is geannuleerd; 1 vrijwilliger is op de hoogte gebracht."
    ]
    site.refresh_from_db()
    assert site.status == Site.Status.CANCELLED
    assert not Signup.objects.filter(status=Signup.Status.CONFIRMED).exists()
    to_volunteer = [m for m in mailoutbox if m.to == [volunteer.email]]
    assert len(to_volunteer) == 1
    assert to_volunteer[0].subject.startswith("Geannuleerd: azc Zeist op ")
    assert "Het azc sluit die dag." in to_volunteer[0].body
    starts = timezone.localtime(shift.starts_at, AMSTERDAM)
    assert f"{starts:%H:%M}" in to_volunteer[0].body

    client.logout()
    assert _feed_status(client, edition, site) == "CANCELLED"
    assert not Site.objects.published().filter(event=edition).exists()
    assert client.get("/api/v1/sites/", {"event": edition.slug}).json()["features"] == []
    history = list(site.status_changes.order_by("pk").values_list("to_status", flat=True))
    assert history == ["draft", "submitted", "published", "cancelled"]
    assert Shift.objects.filter(site=site, is_cancelled=False).count() == 0
