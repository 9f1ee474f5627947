"""The /manage/ pages: who may use them, and what organisers and coordinators do there."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Volunteer
from common import clock
from events.models import Event, Shift, Site
from tests.conftest import YEAR
from tests.events.editions_helpers import (
    NEXT_EVENT_DAY,
    draft_site,
    past_edition,
    place,
    upcoming_edition,
)
from tests.events.site_rows import per_request, rows
from tests.factories import make_signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(db):
    return upcoming_edition(name="Open azc dag test")


@pytest.fixture
def own_draft(edition, branch):
    return draft_site(edition, place(), branch)


@pytest.fixture
def other_draft(edition, other_branch):
    return draft_site(edition, place("azc Zwolle", "Zwolle"), other_branch)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Who may use them ---------------------------------------------------------------------


def _organiser_urls(edition):
    slug = edition.slug
    return [
        reverse("events:edition_create"),
        reverse("events:edition_overview", args=[slug]),
        reverse("events:edition_settings", args=[slug]),
        reverse("events:edition_templates", args=[slug]),
        reverse("events:edition_clone", args=[slug]),
        reverse("events:review_queue", args=[slug]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, edition, own_draft):
    urls = [
        reverse("events:manage_index"),
        reverse("events:site_register", args=[edition.slug]),
        reverse("events:staffing", args=[edition.slug]),
        reverse("events:site_manage", args=[own_draft.pk]),
        reverse("events:site_edit", args=[own_draft.pk]),
        reverse("events:site_cancel", args=[own_draft.pk]),
        reverse("volunteers:site_appeal", args=[own_draft.pk]),
        *_organiser_urls(edition),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    response = client.post(reverse("events:site_submit", args=[own_draft.pk]))
    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == Site.Status.DRAFT


def test_a_volunteer_has_no_business_here(volunteer_client, edition, own_draft):
    assert volunteer_client.get(reverse("events:manage_index")).status_code == 403
    assert (
        volunteer_client.get(reverse("events:site_register", args=[edition.slug])).status_code
        == 403
    )
    # A draft is invisible to them; a published site is visible but not theirs to manage.
    assert (
        volunteer_client.get(reverse("events:site_manage", args=[own_draft.pk])).status_code == 404
    )
    own_draft.status = Site.Status.PUBLISHED
    own_draft.save()
    assert (
        volunteer_client.get(reverse("events:site_manage", args=[own_draft.pk])).status_code == 403
    )
    assert (
        volunteer_client.get(reverse("events:site_cancel", args=[own_draft.pk])).status_code == 403
    )
    for url in _organiser_urls(edition):
        assert volunteer_client.get(url).status_code == 403, url


def test_a_coordinator_manages_their_own_branch_only(
    coordinator_client, edition, own_draft, other_draft
):
    for url in _organiser_urls(edition):
        assert coordinator_client.get(url).status_code == 403, url
    assert (
        coordinator_client.get(reverse("events:site_manage", args=[own_draft.pk])).status_code
        == 200
    )
    assert (
        coordinator_client.get(reverse("events:site_manage", args=[other_draft.pk])).status_code
        == 404
    )
    response = coordinator_client.post(reverse("events:site_publish", args=[own_draft.pk]))
    assert response.status_code == 403
    response = coordinator_client.get(reverse("events:staffing", args=[edition.slug]))
    assert response.status_code == 200
    assert "azc Zwolle" not in response.content.decode()
    url = reverse("events:staffing", args=[edition.slug])
    assert coordinator_client.get(url, {"branch": other_draft.branch_id}).status_code == 403


# --- Setting up an edition ----------------------------------------------------------------


def test_organiser_creates_an_edition_with_default_shifts_and_edits_them(organiser_client):
    year = YEAR + 1
    response = organiser_client.post(
        reverse("events:edition_create"),
        {
            "name": f"Bakkie Doen {year}",
            "kind": "coffee",
            "date": f"{year}-06-20",
            "registration_opens_at": f"{year}-01-15T09:00",
            "registration_closes_at": f"{year}-05-31T23:59",
            "release_deadline_hours": "24",
        },
        follow=True,
    )
    event = Event.objects.get(slug=f"bakkie-doen-{year}")
    assert response.redirect_chain[-1][0] == reverse("events:edition_templates", args=[event.slug])
    assert _messages(response) == [
        f"Bakkie Doen {year} is aangemaakt met de gebruikelijke diensten. Controleer ze hieronder."
    ]
    assert (event.default_opens_at, event.default_closes_at) == (
        datetime.time(10),
        datetime.time(14),
    )
    formset = response.context["formset"]
    assert [form.initial["role"] for form in formset.initial_forms] == [
        "setup",
        "coffee",
        "conversation",
        "coffee",
    ]

    data = {
        "templates-TOTAL_FORMS": "3",
        "templates-INITIAL_FORMS": "0",
        "templates-0-role": "coffee",
        "templates-0-starts_at": "10:00",
        "templates-0-ends_at": "14:00",
        "templates-0-capacity": "5",
        "templates-1-role": "conversation",
        "templates-1-starts_at": "12:00",
        "templates-1-ends_at": "11:00",
        "templates-1-capacity": "2",
        "templates-2-role": "",
    }
    url = reverse("events:edition_templates", args=[event.slug])
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    assert "Een dienst moet eindigen nadat hij begint." in response.content.decode()
    assert event.shift_templates.count() == 4  # unchanged
    data["templates-1-ends_at"] = "13:00"
    response = organiser_client.post(url, data)
    assert response.status_code == 302
    assert list(event.shift_templates.values_list("role", "capacity")) == [
        ("coffee", 5),
        ("conversation", 2),
    ]


def test_a_bad_registration_window_is_shown_beside_its_field(organiser_client):
    response = organiser_client.post(
        reverse("events:edition_create"),
        {
            "name": f"Open azc dag {NEXT_EVENT_DAY.year}",
            "kind": "open_day",
            "date": NEXT_EVENT_DAY.isoformat(),
            # A week and a day after the edition.
            "registration_closes_at": f"{NEXT_EVENT_DAY + datetime.timedelta(days=8)}T09:00",
            "release_deadline_hours": "24",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["registration_closes_at"] == [
        "De aanmelding moet sluiten voordat de dag van de editie voorbij is."
    ]
    assert not Event.objects.exists()


def test_organiser_publishes_an_edition_in_its_settings(organiser_client):
    event = upcoming_edition(published=False)
    url = reverse("events:edition_settings", args=[event.slug])
    form = organiser_client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "is_published"
    }
    data["default_opens_at"] = "11:00"
    data["default_closes_at"] = "16:00"
    data["registration_opens_at"] = event.registration_opens_at.astimezone().strftime(
        "%Y-%m-%dT%H:%M"
    )
    data["registration_closes_at"] = ""
    data["is_published"] = "on"
    response = organiser_client.post(url, data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_published
    assert event.registration_closes_at is None


def test_organiser_clones_an_edition_through_the_page(organiser_client, branch):
    source = past_edition()
    draft_site(source, place(), branch, status=Site.Status.PUBLISHED, shifts=2)
    draft_site(source, place("Neude"), branch, status=Site.Status.CANCELLED)
    url = reverse("events:edition_clone", args=[source.slug])
    page = organiser_client.get(url)
    suggested = page.context["form"].initial["date"]
    assert suggested > clock.today()
    assert suggested.weekday() == source.date.weekday()
    assert "1 geannuleerde locatie wordt niet meegenomen." in page.content.decode()
    response = organiser_client.post(
        url, {"name": "Open azc dag volgend jaar", "date": suggested.isoformat()}, follow=True
    )
    new = Event.objects.get(slug="open-azc-dag-volgend-jaar")
    assert response.redirect_chain[-1][0] == reverse("events:edition_overview", args=[new.slug])
    assert _messages(response) == [
        "Open azc dag volgend jaar is aangemaakt met 1 conceptlocatie en 2 diensten. "
        "De editie is nog niet gepubliceerd."
    ]
    assert new.sites.get().status == Site.Status.DRAFT


# --- Registering and submitting -----------------------------------------------------------


def _register_data(location, **extra):
    return {
        "location": location.pk,
        "opens_at": "11:00",
        "closes_at": "16:00",
        "public_description": "Rondleidingen en koffie.",
        "languages_needed": ["nl", "ar"],
        "expected_visitors": "300",
        **extra,
    }


def test_coordinator_registers_a_site_with_the_edition_shifts(coordinator_client, edition, branch):
    mine = place("azc Utrecht", "Utrecht")
    place("azc Ter Apel", "Ter Apel")
    url = reverse("events:site_register", args=[edition.slug])
    page = coordinator_client.get(url)
    choices = [str(label) for _, label in page.context["form"].fields["location"].choices]
    assert "azc Utrecht, Utrecht" in choices  # the branch's town is suggested
    assert "azc Ter Apel, Ter Apel" not in choices
    found = coordinator_client.get(url, {"q": "ter apel"}).context["form"]
    assert [str(label) for _, label in found.fields["location"].choices][1:] == [
        "azc Ter Apel, Ter Apel"
    ]

    response = coordinator_client.post(url, _register_data(mine), follow=True)
    site = Site.objects.get()
    assert response.redirect_chain[-1][0] == reverse("events:site_manage", args=[site.pk])
    assert (site.branch, site.location, site.status) == (branch, mine, Site.Status.DRAFT)
    assert site.languages_needed == ["nl", "ar"] and site.expected_visitors == 300
    assert site.shifts.count() == 7
    html = response.content.decode()
    assert "is aangemeld als concept" in html
    assert "Indienen ter beoordeling" in html

    again = coordinator_client.post(url, _register_data(mine))
    assert again.status_code == 200
    assert again.context["form"].errors["location"] == [
        "Deze plek heeft in deze editie al een locatie."
    ]
    assert Site.objects.count() == 1


def test_a_search_without_a_match_says_so_and_keeps_the_branchs_places(
    coordinator_client, edition, branch
):
    place("azc Utrecht", "Utrecht")
    url = reverse("events:site_register", args=[edition.slug])
    response = coordinator_client.get(url, {"q": "Nergenshuizen"})
    html = response.content.decode()
    choices = [str(label) for _, label in response.context["form"].fields["location"].choices]
    assert "azc Utrecht, Utrecht" in choices
    assert "Nergenshuizen" in html and 'role="status"' in html
    assert response.context["no_match"]
    # A search that finds something shows no such notice.
    found = coordinator_client.get(url, {"q": "utrecht"})
    assert not found.context["no_match"]


def test_a_new_location_from_a_coffee_edition_starts_as_a_public_space(coordinator_client, branch):
    from locations.models import Location

    coffee = upcoming_edition(kind="coffee", slug="bakkie-doen-test", name="Bakkie")
    new_url = coordinator_client.get(reverse("events:site_register", args=[coffee.slug])).context[
        "new_location_url"
    ]
    form = coordinator_client.get(new_url).context["form"]
    assert form["kind"].value() == Location.Kind.PUBLIC_SPACE
    open_day = upcoming_edition(slug="open-dag-test", name="Open dag")
    new_url = coordinator_client.get(reverse("events:site_register", args=[open_day.slug])).context[
        "new_location_url"
    ]
    assert coordinator_client.get(new_url).context["form"]["kind"].value() == Location.Kind.AZC


def test_a_chosen_location_that_is_no_number_is_ignored(coordinator_client, edition, branch):
    # "²" is a digit to str.isdigit(), but int() refuses it: the page once answered 500.
    url = reverse("events:site_register", args=[edition.slug])
    assert coordinator_client.get(url, {"location": "²", "branch": "²"}).status_code == 200


def test_a_coordinator_registers_for_their_own_branches_only(
    coordinator, coordinator_client, edition, branch, other_branch
):
    url = reverse("events:site_register", args=[edition.slug])
    # One branch: there is nothing to choose, and a forged branch is ignored.
    coordinator_client.post(url, _register_data(place(), branch=other_branch.pk))
    assert Site.objects.get().branch == branch
    # Two branches: they choose, but only among their own.
    from locations.models import Branch

    third = Branch.objects.create(name="Afdeling Ede", slug="afdeling-ede")
    third.coordinators.add(coordinator)
    response = coordinator_client.post(url, _register_data(place("Neude"), branch=other_branch.pk))
    assert "branch" in response.context["form"].errors
    response = coordinator_client.post(url, _register_data(place("Neude"), branch=third.pk))
    assert response.status_code == 302
    assert sorted(Site.objects.values_list("branch__name", flat=True)) == [
        "Afdeling Ede",
        "Afdeling Utrecht",
    ]


def test_registration_outside_the_window_shows_the_reason_and_changes_nothing(
    coordinator_client,
):
    closed = upcoming_edition(window="closed", name="Te laat")
    url = reverse("events:site_register", args=[closed.slug])
    page = coordinator_client.get(url)
    assert page.context["form"] is None
    assert "De aanmelding voor Te laat is gesloten sinds" in page.content.decode()
    response = coordinator_client.post(url, _register_data(place()), follow=True)
    assert not Site.objects.exists()
    assert any("is gesloten sinds" in m for m in _messages(response))


@pytest.mark.parametrize("window", ["closed", "future"])
def test_a_closed_window_names_who_can_open_it(coordinator_client, organiser, window):
    from django.test import Client

    edition = upcoming_edition(window=window, name="Dicht")
    who = "Only the national organisers can open or extend registration: ask the national office."
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    register = coordinator_client.get(reverse("events:site_register", args=[edition.slug]))
    assert who in register.content.decode()
    index = coordinator_client.get(reverse("events:manage_index")).content.decode()
    assert who in index
    # The organisers themselves are not told to ask themselves.
    organiser_client = Client()
    organiser_client.force_login(organiser)
    organiser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert who not in organiser_client.get(reverse("events:manage_index")).content.decode()


def test_a_past_edition_is_not_said_to_be_openable(coordinator_client):
    old = past_edition()
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = coordinator_client.get(reverse("events:site_register", args=[old.slug])).content
    assert b"national organisers" not in html


def test_submitting_an_incomplete_site_explains_what_is_missing(
    coordinator_client, edition, branch
):
    site = draft_site(edition, place(position=False), branch, shifts=0)
    response = coordinator_client.post(reverse("events:site_submit", args=[site.pk]), follow=True)
    assert _messages(response) == [
        "Deze locatie is nog niet compleet. Er ontbreekt: een positie op de kaart, "
        "minstens één dienst met plaatsen."
    ]
    site.refresh_from_db()
    assert site.status == Site.Status.DRAFT
    ok = draft_site(edition, place("Neude"), branch)
    response = coordinator_client.post(reverse("events:site_submit", args=[ok.pk]), follow=True)
    assert _messages(response) == ["Neude is ingediend ter beoordeling."]
    ok.refresh_from_db()
    assert ok.status == Site.Status.SUBMITTED


def test_a_site_with_its_own_hours_gets_the_template_shifts_in_those_hours(
    coordinator_client, edition, branch
):
    """A site open 14:00-16:00 of an edition open 11:00-16:00: its shifts from the
    templates fall in its own hours, so nothing on its page is flagged."""
    url = reverse("events:site_register", args=[edition.slug])
    coordinator_client.post(
        url, _register_data(place(), opens_at="14:00", closes_at="16:00"), follow=True
    )
    site = Site.objects.get()
    shifts = list(site.shifts.all())
    assert len(shifts) == edition.shift_templates.count()
    assert all(site.opens_at <= s.starts_at < s.ends_at <= site.closes_at for s in shifts)
    html = coordinator_client.get(reverse("events:site_manage", args=[site.pk])).content.decode()
    assert "buiten de openingstijden" not in html


def test_shifts_wholly_outside_the_opening_hours_are_pointed_out_but_not_set_up(
    coordinator_client, own_draft
):
    """Set-up just before opening (or clearing up just after closing) is normal; other
    shifts outside the hours, and set-up far from them, are pointed out."""
    site = own_draft
    opens, closes = timezone.localtime(site.opens_at), timezone.localtime(site.closes_at)
    hour = datetime.timedelta(hours=1)

    def shift(role, start, end):
        return Shift.objects.create(site=site, role=role, starts_at=start, ends_at=end, capacity=1)

    shift(Shift.Role.SETUP, opens - 2 * hour, opens)  # set-up before opening: fine
    shift(Shift.Role.SETUP, closes, closes + hour)  # clearing up after closing: fine
    shift(Shift.Role.OTHER, closes, closes + hour)  # clearing up planned as "other": fine
    shift(Shift.Role.OTHER, closes + 3 * hour, closes + 4 * hour)  # hours late
    shift(Shift.Role.SETUP, opens - 5 * hour, opens - 4 * hour)  # hours early
    shift(Shift.Role.RECEPTION, opens - hour, opens)  # reception before opening
    html = coordinator_client.get(reverse("events:site_manage", args=[site.pk])).content.decode()
    hours = f"{opens:%H:%M}–{closes:%H:%M}"
    assert f"3 diensten vallen helemaal buiten de openingstijden ({hours})" in html
    assert html.count("(buiten de openingstijden)") == 3


def test_coordinator_edits_a_site(coordinator_client, own_draft):
    url = reverse("events:site_edit", args=[own_draft.pk])
    response = coordinator_client.post(
        url, _register_data(own_draft.location, opens_at="12:00", public_description="Nieuw.")
    )
    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.public_description == "Nieuw."
    assert timezone.localtime(own_draft.opens_at).time() == datetime.time(12)
    assert own_draft.sequence == 1  # the time changed: calendars update
    bad = coordinator_client.post(url, _register_data(own_draft.location, closes_at="09:00"))
    assert bad.context["form"].errors["closes_at"] == [
        "Een locatie moet sluiten nadat ze opengaat."
    ]


# --- Review -------------------------------------------------------------------------------


def test_review_queue_shows_position_and_completeness(organiser_client, edition, branch):
    good = draft_site(edition, place(), branch, status=Site.Status.SUBMITTED)
    lost = draft_site(edition, place("Neude", position=False), branch, status=Site.Status.SUBMITTED)
    response = organiser_client.get(reverse("events:review_queue", args=[edition.slug]))
    html = response.content.decode()
    assert f'id="site-{good.pk}" data-lat="52.089000" data-lon="5.231000"' in html
    assert "geen positie op de kaart" in html
    assert "vendor/leaflet/leaflet.js" in html and "<script>" not in html
    assert [s.pk for s in response.context["sites"]] == [good.pk, lost.pk]


def test_nothing_in_the_queue_is_ticked_until_the_organiser_ticks_it(
    organiser_client, edition, branch
):
    """ "Approve the ticked sites" must not approve the whole queue by default."""
    ready = draft_site(edition, place(), branch, status=Site.Status.SUBMITTED)
    other = draft_site(edition, place("Neude"), branch, status=Site.Status.SUBMITTED)
    queue = reverse("events:review_queue", args=[edition.slug])
    html = organiser_client.get(queue).content.decode()
    boxes = [tag for tag in html.split("<input")[1:] if 'name="sites"' in tag.split(">")[0]]
    assert len(boxes) == 2
    assert not any("checked" in tag.split(">")[0] for tag in boxes)
    # Sending the form as the page offers it approves nothing.
    response = organiser_client.post(
        reverse("events:review_bulk_approve", args=[edition.slug]), follow=True
    )
    assert "Vink minstens één locatie aan." in _messages(response)
    ready.refresh_from_db()
    other.refresh_from_db()
    assert ready.status == other.status == Site.Status.SUBMITTED
    # Ticking one approves only that one.
    organiser_client.post(
        reverse("events:review_bulk_approve", args=[edition.slug]), {"sites": [ready.pk]}
    )
    ready.refresh_from_db()
    other.refresh_from_db()
    assert (ready.status, other.status) == (Site.Status.PUBLISHED, Site.Status.SUBMITTED)


def test_the_queue_counts_each_shift_once_after_a_send_back_and_resubmit(
    organiser_client, organiser, coordinator, edition, branch
):
    """A site sent back and submitted again has more history: its shift count must not
    grow with it (it showed 26 and then 52 for a site with 13 shifts)."""
    from events.services.workflow import site_send_back, site_submit

    site = draft_site(edition, place(), branch, shifts=3)
    site_submit(site=site, by=coordinator)
    site_send_back(site=site, by=organiser, comment="Welke ingang?")
    site_submit(site=site, by=coordinator)
    html = organiser_client.get(reverse("events:review_queue", args=[edition.slug])).content
    assert "3 diensten met plaatsen" in html.decode()


def test_the_queue_of_a_past_edition_offers_no_buttons_that_would_be_refused(
    organiser_client, branch
):
    old = past_edition()
    draft_site(old, place(), branch, status=Site.Status.SUBMITTED)
    html = organiser_client.get(reverse("events:review_queue", args=[old.slug])).content.decode()
    assert "kunnen niet meer worden goedgekeurd" in html
    assert "Goedkeuren" not in html and "Terugsturen" not in html


def test_approve_and_send_back_from_the_queue(
    organiser_client, edition, branch, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    one = draft_site(edition, place(), branch, status=Site.Status.SUBMITTED)
    two = draft_site(edition, place("Neude"), branch, status=Site.Status.SUBMITTED)
    queue = reverse("events:review_queue", args=[edition.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("events:site_publish", args=[one.pk]), {"next": queue}
        )
    assert response["Location"] == queue
    one.refresh_from_db()
    assert one.status == Site.Status.PUBLISHED

    url = reverse("events:site_send_back", args=[two.pk])
    response = organiser_client.post(url, {"comment": "", "next": queue})
    assert response.status_code == 200 and "comment" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, {"comment": "Welke ingang?", "next": queue})
    assert response["Location"] == queue
    two.refresh_from_db()
    assert (two.status, two.review_comment) == (Site.Status.DRAFT, "Welke ingang?")
    assert len(mailoutbox) == 2


def test_bulk_approve_reports_each_site_that_fails(organiser_client, edition, branch):
    good = draft_site(edition, place(), branch, status=Site.Status.SUBMITTED)
    empty = draft_site(edition, place("Neude"), branch, status=Site.Status.SUBMITTED, shifts=0)
    response = organiser_client.post(
        reverse("events:review_bulk_approve", args=[edition.slug]),
        {"sites": [good.pk, empty.pk]},
        follow=True,
    )
    assert _messages(response) == [
        "1 locatie goedgekeurd.",
        "Neude is niet goedgekeurd: Deze locatie is nog niet compleet. "
        "Er ontbreekt: minstens één dienst met plaatsen.",
    ]
    assert list(Site.objects.published()) == [good]
    response = organiser_client.post(
        reverse("events:review_bulk_approve", args=[edition.slug]), {}, follow=True
    )
    assert _messages(response) == ["Vink minstens één locatie aan."]


def test_approving_a_site_of_a_past_edition_is_refused_with_a_message(organiser_client, branch):
    site = draft_site(past_edition(), place(), branch, status=Site.Status.SUBMITTED)
    response = organiser_client.post(reverse("events:site_publish", args=[site.pk]), follow=True)
    (message,) = _messages(response)
    assert message.startswith("Open azc dag vorig jaar vond plaats op ")
    site.refresh_from_db()
    assert site.status == Site.Status.SUBMITTED


# --- Staffing, cancelling, appeals ----------------------------------------------------------


def test_staffing_page_lists_the_most_short_first(organiser_client, edition, branch, other_branch):
    draft_site(edition, place("Klein"), branch, shifts=1)
    draft_site(edition, place("Groot"), other_branch, shifts=3)
    response = organiser_client.get(reverse("events:staffing", args=[edition.slug]))
    html = response.content.decode()
    assert "0 van 8 plaatsen bezet (0%)." in html
    assert html.index("Groot") < html.index("Klein")


def test_coordinator_cancels_a_site_after_confirming(
    coordinator_client, edition, branch, volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    site = draft_site(edition, place(), branch, status=Site.Status.PUBLISHED)
    make_signup(
        shift=site.shifts.get(), volunteer=Volunteer.objects.get(user=volunteer), status="confirmed"
    )
    url = reverse("events:site_cancel", args=[site.pk])
    assert "1 vrijwilliger heeft een plaats" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url, {"comment": "Storm"})
    assert "confirm" in response.context["form"].errors
    site.refresh_from_db()
    assert site.status == Site.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"comment": "Storm", "confirm": "on"}, follow=True)
    assert _messages(response) == [
        "azc Zeist is geannuleerd; 1 vrijwilliger is op de hoogte gebracht."
    ]
    site.refresh_from_db()
    assert site.status == Site.Status.CANCELLED
    assert volunteer.email in [m.to[0] for m in mailoutbox]


def test_coordinator_asks_branch_volunteers_for_help(
    coordinator_client, edition, branch, volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    Volunteer.objects.filter(user=volunteer).update(home_branch=branch)
    site = draft_site(edition, place(), branch, status=Site.Status.PUBLISHED)
    url = reverse("volunteers:site_appeal", args=[site.pk])
    page = coordinator_client.get(url).content.decode()
    assert "De e-mail gaat naar 1 vrijwilliger" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"message": "Kom je?"}, follow=True)
    assert _messages(response) == ["Je oproep is verstuurd naar 1 vrijwilliger."]
    assert [m.to for m in mailoutbox] == [[volunteer.email]]


# --- Language and cost ----------------------------------------------------------------------


def test_pages_speak_english_on_request(coordinator_client, edition):
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = coordinator_client.get(reverse("events:site_register", args=[edition.slug])).content
    assert b"Register a site for <bdi>Open azc dag test</bdi>" in html
    assert b"Registration is open until" in html


def test_pages_cost_a_fixed_number_of_queries(
    organiser_client, edition, branch, django_assert_max_num_queries
):
    for number in range(12):
        site = draft_site(edition, place(f"Plek {number}"), branch, status=Site.Status.SUBMITTED)
        Shift.objects.filter(site=site).update(capacity=3)
    with django_assert_max_num_queries(12):
        organiser_client.get(reverse("events:review_queue", args=[edition.slug]))
    with django_assert_max_num_queries(12):
        organiser_client.get(reverse("events:staffing", args=[edition.slug]))
    with django_assert_max_num_queries(14):
        organiser_client.get(reverse("events:manage_index"))


def test_a_new_location_is_geocoded_and_chosen_for_the_registration(
    coordinator_client, edition, branch
):
    from locations.models import Location

    register = reverse("events:site_register", args=[edition.slug])
    page = coordinator_client.get(register)
    new_url = page.context["new_location_url"]
    assert new_url == (
        f"{reverse('locations:create')}?next={register.replace('/', '%2F')}&kind=azc"
    )
    assert new_url.replace("&", "&amp;") in page.content.decode()

    # The locations page looks the address up (offline here: the town's centre).
    response = coordinator_client.post(
        new_url,
        {
            "name": "azc Ter Apel",
            "kind": "azc",
            "street": "Havenstraat",
            "house_number": "10",
            "postcode": "9561 AA",
            "city": "Ter Apel",
            "action": "save",
        },
    )
    location = Location.objects.get(name="azc Ter Apel")
    assert location.has_position and location.position_precision == "town"
    assert response["Location"] == f"{register}?location={location.pk}"

    page = coordinator_client.get(response["Location"])
    form = page.context["form"]
    assert str(form["location"].value()) == str(location.pk)
    assert location.pk in [
        choice.value for choice, _label in form.fields["location"].choices if choice
    ]
    response = coordinator_client.post(register, _register_data(location))
    assert Site.objects.get().location == location


def test_the_locations_page_goes_back_only_to_our_own_site(coordinator_client):
    from locations.models import Location

    response = coordinator_client.post(
        reverse("locations:create") + "?next=https://evil.example.org/",
        {"name": "Plein", "kind": "public_space", "city": "Zeist", "action": "save"},
    )
    location = Location.objects.get(name="Plein")
    assert response["Location"] == reverse("locations:edit", args=[location.pk])


@pytest.mark.parametrize("next_url", ["review", "https://evil.example.org/"])
def test_a_next_that_is_no_path_of_ours_goes_to_the_site_page(
    organiser_client, edition, branch, next_url
):
    """A bare word is no path: `redirect()` would look it up as a URL name (a 500)."""
    site = draft_site(edition, place(), branch, status=Site.Status.SUBMITTED)
    response = organiser_client.post(
        reverse("events:site_publish", args=[site.pk]), {"next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("events:site_manage", args=[site.pk])


def test_the_locations_page_ignores_a_next_that_is_no_path(coordinator_client):
    from locations.models import Location

    response = coordinator_client.post(
        reverse("locations:create") + "?next=register",
        {"name": "Plein", "kind": "public_space", "city": "Zeist", "action": "save"},
    )
    location = Location.objects.get(name="Plein")
    assert response["Location"] == reverse("locations:edit", args=[location.pk])


# --- The site tables: what each row says, and what the rows cost -------------------------


@pytest.fixture
def looked_after_elsewhere(edition, branch, other_branch):
    """A site of the Utrecht branch at a place the Zwolle branch looks after."""
    from locations.models import Location

    square = Location.objects.create(name="Plein", city="Amersfoort", branch=other_branch)
    return draft_site(edition, square, branch, status=Site.Status.SUBMITTED)


def test_the_overview_lists_each_site_with_its_link_branch_and_status(
    organiser_client, edition, own_draft, other_draft, looked_after_elsewhere
):
    url = reverse("events:edition_overview", args=[edition.slug])
    html = organiser_client.get(url).content.decode()
    assert rows(html, '<table class="responsive">', "</tbody>") == [
        f'<tr><td data-label="Locatie"><a href="/manage/sites/{looked_after_elsewhere.pk}/">'
        "<bdi>Plein</bdi></a>, <bdi>Amersfoort</bdi></td>"
        '<td data-label="Afdeling">Afdeling Utrecht<br><strong class="short">'
        "de plek wordt beheerd door Afdeling Zwolle</strong></td>"
        '<td data-label="Status"><span class="status status-submitted">ingediend</span></td>'
        "</tr>",
        f'<tr><td data-label="Locatie"><a href="/manage/sites/{own_draft.pk}/">'
        "<bdi>azc Zeist</bdi></a>, <bdi>Zeist</bdi></td>"
        '<td data-label="Afdeling">Afdeling Utrecht</td>'
        '<td data-label="Status"><span class="status status-draft">concept</span></td></tr>',
        f'<tr><td data-label="Locatie"><a href="/manage/sites/{other_draft.pk}/">'
        "<bdi>azc Zwolle</bdi></a>, <bdi>Zwolle</bdi></td>"
        '<td data-label="Afdeling">Afdeling Zwolle</td>'
        '<td data-label="Status"><span class="status status-draft">concept</span></td></tr>',
    ]
    submitted = organiser_client.get(url + "?status=submitted").content.decode()
    (only,) = rows(submitted, '<table class="responsive">', "</tbody>")
    assert ">Plein</bdi></a>" in only


def test_a_coordinators_start_page_names_the_edition_of_each_of_their_sites(
    coordinator_client, edition, own_draft, other_draft, looked_after_elsewhere
):
    html = coordinator_client.get(reverse("events:manage_index")).content.decode()
    assert rows(html, '<table class="responsive">', "</tbody>") == [
        f'<tr><td data-label="Locatie"><a href="/manage/sites/{looked_after_elsewhere.pk}/">'
        "<bdi>Plein</bdi></a>, <bdi>Amersfoort</bdi></td>"
        '<td data-label="Editie">Open azc dag test</td>'
        '<td data-label="Status"><span class="status status-submitted">ingediend</span></td>'
        "</tr>",
        f'<tr><td data-label="Locatie"><a href="/manage/sites/{own_draft.pk}/">'
        "<bdi>azc Zeist</bdi></a>, <bdi>Zeist</bdi></td>"
        '<td data-label="Editie">Open azc dag test</td>'
        '<td data-label="Status"><span class="status status-draft">concept</span></td></tr>',
    ]


def test_the_overview_rows_cost_the_same_for_few_sites_and_many(
    organiser_client, edition, branch, own_draft, other_draft
):
    """No URL reversed, label translated, template included or status looked up per
    site: an edition has thousands."""
    url = reverse("events:edition_overview", args=[edition.slug])
    organiser_client.get(url)
    few = per_request(lambda: organiser_client.get(url))
    for number in range(12):
        draft_site(edition, place(f"Plek {number}"), branch)
    assert per_request(lambda: organiser_client.get(url)) == few
