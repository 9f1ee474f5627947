"""The host of an azc site and their consent (issue 19, item 4): recorded before the site
is reviewed, shown to its volunteers, printed on the site's sheet, never public."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Volunteer
from common import clock
from common.errors import InvalidInput
from events.errors import HostConsentMissing, SiteIncomplete, SiteWrongStatus
from events.hosts import SiteHost
from events.models import Shift, Site
from events.services import HostDetails, event_clone, site_host_record
from events.services.sites import site_update
from events.services.workflow import site_cancel, site_missing, site_publish, site_submit
from locations.models import Location
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, host_consent, place, upcoming_edition
from tests.events.test_api_privacy import public_responses
from tests.factories import make_shift, make_signup, make_volunteer

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Hanna Hostcontact",
    "contact_phone": "06 98761234",
    "contact_email": "hanna.hostcontact@coa.example",
}


def details(**fields) -> HostDetails:
    values = {
        "organisation": "COA",
        **CONTACT,
        "consent_given_by_name": "Bram Locatiemanager",
        "consent_given_by_role": "locatiemanager",
        "consent_given_on": clock.today() - datetime.timedelta(days=3),
        "no_photos_inside": True,
        "visitor_limit": 120,
        "id_required": True,
        "other_conditions": "De slaapzalen blijven dicht.",
    }
    values.update(fields)
    return HostDetails(**values)


@pytest.fixture
def edition(db):
    return upcoming_edition()


@pytest.fixture
def azc_draft(edition, branch):
    return draft_site(edition, place(), branch, host=False)


@pytest.fixture
def other_coordinator(django_user_model, other_branch):
    user = make_user(django_user_model, "other-coordinator@example.org")
    other_branch.coordinators.add(user)
    return user


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- The rule -------------------------------------------------------------------------------


def test_an_azc_site_is_not_submitted_without_its_hosts_consent_then_is(azc_draft, coordinator):
    assert [r.key for r in site_missing(azc_draft)] == ["host_consent"]
    with pytest.raises(HostConsentMissing) as caught:
        site_submit(site=azc_draft, by=coordinator)
    assert caught.value.code == "host_consent_missing"
    azc_draft.refresh_from_db()
    assert azc_draft.status == Site.Status.DRAFT
    # A host named without consent is not enough.
    site_host_record(
        site=azc_draft,
        by=coordinator,
        details=details(consent_given_by_name="", consent_given_by_role="", consent_given_on=None),
    )
    with pytest.raises(HostConsentMissing):
        site_submit(site=azc_draft, by=coordinator)
    site_host_record(site=azc_draft, by=coordinator, details=details())
    assert site_submit(site=azc_draft, by=coordinator).status == Site.Status.SUBMITTED


def test_a_reviewed_site_keeps_its_hosts_consent(azc_draft, coordinator, organiser):
    # Found by attacking it: the consent could be blanked after approval, or a published
    # site moved into an azc, and the site stayed public without the host's agreement.
    site_host_record(site=azc_draft, by=coordinator, details=details())
    site_submit(site=azc_draft, by=coordinator)
    site_publish(site=azc_draft, by=organiser)
    blank = details(consent_given_by_name="", consent_given_by_role="", consent_given_on=None)
    with pytest.raises(HostConsentMissing):
        site_host_record(site=azc_draft, by=coordinator, details=blank)
    assert SiteHost.objects.get(site=azc_draft).has_consent
    # Changing the consent (another person, new conditions) stays possible.
    site_host_record(site=azc_draft, by=coordinator, details=details(visitor_limit=80))
    assert SiteHost.objects.get(site=azc_draft).visitor_limit == 80


def test_a_reviewed_site_moves_into_an_azc_only_with_its_hosts_consent(
    edition, branch, coordinator, organiser
):
    square = Location.objects.create(
        name="Markt",
        kind=Location.Kind.PUBLIC_SPACE,
        city="Zeist",
        latitude=52.09,
        longitude=5.23,
        position_precision=Location.Precision.TOWN,
        position_source="test",
    )
    site = draft_site(edition, square, branch, host=False)
    site_submit(site=site, by=coordinator)
    site_publish(site=site, by=organiser)
    azc = place("azc Soesterberg", "Soesterberg")
    with pytest.raises(HostConsentMissing):
        site_update(site=site, by=coordinator, location=azc)
    site.refresh_from_db()
    assert site.location == square
    answer = APIClient()
    answer.force_authenticate(coordinator)
    refused = answer.patch(f"/api/v1/sites/{site.pk}/", {"location": azc.pk}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "host_consent_missing")
    site_host_record(site=site, by=coordinator, details=details())
    assert site_update(site=site, by=coordinator, location=azc).location == azc


def test_an_organiser_cannot_publish_a_submitted_azc_site_without_consent(
    edition, branch, organiser
):
    # Submitted before the rule existed: it stays submitted, but is not approved without it.
    site = draft_site(edition, place(), branch, host=False, status=Site.Status.SUBMITTED)
    with pytest.raises(HostConsentMissing):
        site_publish(site=site, by=organiser)
    host_consent(site)
    assert site_publish(site=site, by=organiser).status == Site.Status.PUBLISHED


def test_an_incomplete_azc_site_names_the_consent_among_what_is_missing(
    edition, branch, coordinator
):
    site = draft_site(edition, place(), branch, host=False, shifts=0)
    with pytest.raises(SiteIncomplete) as caught:
        site_submit(site=site, by=coordinator)
    assert [r.key for r in caught.value.missing] == ["shifts", "host_consent"]


def test_sites_at_other_places_need_no_host(edition, branch, coordinator, organiser):
    square = Location.objects.create(
        name="Neude",
        kind=Location.Kind.PUBLIC_SPACE,
        city="Utrecht",
        latitude=52.09,
        longitude=5.12,
        position_precision=Location.Precision.TOWN,
        position_source="test",
    )
    site = draft_site(edition, square, branch)
    assert site_missing(site) == []
    site_submit(site=site, by=coordinator)
    assert site_publish(site=site, by=organiser).status == Site.Status.PUBLISHED


def test_the_api_refuses_with_its_own_code_then_submits(azc_draft, coordinator):
    api = APIClient()
    api.force_authenticate(coordinator)
    refused = api.post(f"/api/v1/sites/{azc_draft.pk}/submit/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "host_consent_missing"
    body = {
        "organisation": "COA",
        **CONTACT,
        "consent_given_by_name": "Bram",
        "consent_given_by_role": "locatiemanager",
        "consent_given_on": clock.today().isoformat(),
        "visitor_limit": 80,
    }
    saved = api.put(f"/api/v1/sites/{azc_draft.pk}/host/", body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["consent_recorded"] is True
    assert saved.json()["consent_recorded_by"] == "Karim"
    assert api.post(f"/api/v1/sites/{azc_draft.pk}/submit/").status_code == 200


def test_the_site_page_shows_the_consent_as_a_to_do_with_a_link(coordinator_client, azc_draft):
    english(coordinator_client)
    page = coordinator_client.get(reverse("events:site_manage", args=[azc_draft.pk]))
    text = page.content.decode()
    host_url = reverse("events:site_host", args=[azc_draft.pk])
    assert "To do: this site is at an azc" in text
    assert f'<a href="{host_url}">the host and their consent (at an azc)</a>' in text
    response = coordinator_client.post(
        reverse("events:site_submit", args=[azc_draft.pk]), follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("record its host and the host's consent" in m for m in messages)
    azc_draft.refresh_from_db()
    assert azc_draft.status == Site.Status.DRAFT


# --- Recording it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"consent_given_on": clock.today() + datetime.timedelta(days=1)}, "consent_given_on"),
        ({"contact_phone": "bel me"}, "contact_phone"),
        ({"contact_email": "hanna at coa"}, "contact_email"),
        ({"visitor_limit": 0}, "visitor_limit"),
        ({"consent_given_by_role": ""}, "consent_given_by_role"),
        ({"organisation": "  "}, "organisation"),
        ({"other_conditions": "x" * 1001}, "other_conditions"),
        ({"contact_name": "Hanna\u202eevil"}, "contact_name"),
    ],
)
def test_bad_input_names_its_field_and_saves_nothing(azc_draft, coordinator, fields, field):
    with pytest.raises(InvalidInput) as caught:
        site_host_record(site=azc_draft, by=coordinator, details=details(**fields))
    assert field in caught.value.field_errors
    assert not SiteHost.objects.exists()


def test_the_page_shows_a_bad_date_beside_its_field(coordinator_client, azc_draft):
    english(coordinator_client)
    tomorrow = clock.today() + datetime.timedelta(days=1)
    response = coordinator_client.post(
        reverse("events:site_host", args=[azc_draft.pk]),
        {
            "organisation": "COA",
            "consent_given_by_name": "Bram",
            "consent_given_by_role": "locatiemanager",
            "consent_given_on": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["consent_given_on"] == [
        "The day consent was given cannot be in the future."
    ]
    assert not SiteHost.objects.exists()


def test_consent_changed_after_publication_is_recorded_with_who_and_when(
    site, coordinator, organiser, time_machine
):
    assert site.status == Site.Status.PUBLISHED
    time_machine.move_to(timezone.now(), tick=False)
    first = site_host_record(site=site, by=coordinator, details=details())
    assert (first.consent_recorded_by, first.consent_recorded_at) == (coordinator, clock.now())
    time_machine.shift(datetime.timedelta(hours=2))
    # The contact person alone changes: the consent record stays as it was.
    same = site_host_record(
        site=site, by=organiser, details=details(contact_phone="+31 6 11112222")
    )
    assert (same.consent_recorded_by, same.consent_recorded_at) == (
        coordinator,
        first.consent_recorded_at,
    )
    time_machine.shift(datetime.timedelta(hours=1))
    changed = site_host_record(
        site=site, by=organiser, details=details(contact_phone="+31 6 11112222", visitor_limit=60)
    )
    assert changed.visitor_limit == 60
    assert (changed.consent_recorded_by, changed.consent_recorded_at) == (organiser, clock.now())
    assert SiteHost.objects.count() == 1


def test_a_cancelled_site_keeps_its_host_unchanged(site, coordinator):
    site_cancel(site=site, by=coordinator)
    with pytest.raises(SiteWrongStatus):
        site_host_record(site=site, by=coordinator, details=details())
    assert not SiteHost.objects.exists()


# --- Who may use the page and the API -------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page", "api"),
    [
        ("organiser", 200, 200),
        ("coordinator", 200, 200),
        ("other coordinator", 403, 403),
        ("volunteer", 403, 403),
        ("anonymous", 302, 401),
    ],
)
def test_the_page_and_api_per_role(
    client, site, organiser, coordinator, other_coordinator, volunteer, role, page, api
):
    users = {
        "organiser": organiser,
        "coordinator": coordinator,
        "other coordinator": other_coordinator,
        "volunteer": volunteer,
        "anonymous": None,
    }
    user = users[role]
    if user is not None:
        client.force_login(user)
    url = reverse("events:site_host", args=[site.pk])
    response = client.get(url)
    assert response.status_code == page
    if page == 302:
        assert response["Location"].startswith(reverse("account_login"))
    # The site is published: a change keeps a consent (removing it is refused, see
    # test_a_reviewed_site_keeps_its_hosts_consent).
    consent = {
        "organisation": "Iemand anders",
        "consent_given_by_name": "Bram Locatiemanager",
        "consent_given_by_role": "locatiemanager",
        "consent_given_on": clock.today().isoformat(),
    }
    posted = client.post(url, consent)
    assert posted.status_code in {page, 302}
    api_client = APIClient()
    if user is not None:
        api_client.force_authenticate(user)
    assert api_client.get(f"/api/v1/sites/{site.pk}/host/").status_code == api
    written = api_client.put(f"/api/v1/sites/{site.pk}/host/", consent, format="json")
    assert written.status_code == (api if api != 200 else 200)
    if api != 200:
        assert not SiteHost.objects.exists()


def test_another_branchs_draft_is_not_even_seen(client, azc_draft, other_coordinator):
    client.force_login(other_coordinator)
    assert client.get(reverse("events:site_host", args=[azc_draft.pk])).status_code == 404


def test_the_host_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/sites/{id}/host/"]
    assert {"get", "put"} <= set(operations)
    assert "host_consent_missing" in str(schema["paths"]["/api/v1/sites/{id}/submit/"])


# --- Who sees what ----------------------------------------------------------------------------


@pytest.fixture
def hosted(site, shift, coordinator, volunteer):
    """The published azc site with its host; the `volunteer` persona has a place there."""
    site_host_record(site=site, by=coordinator, details=details())
    make_signup(shift=shift, volunteer=Volunteer.objects.get(user=volunteer))
    return site


def contact_values() -> list[str]:
    return [*CONTACT.values(), "98761234", "Bram Locatiemanager"]


def test_the_contact_person_is_in_no_public_response(client, hosted):
    for url, text in public_responses(client, [hosted]).items():
        for secret in contact_values():
            assert secret not in text, f"{secret!r} appears in {url}"


def test_nor_for_a_volunteer_of_the_site_or_another_branchs_coordinator(
    client, hosted, volunteer, other_coordinator
):
    for user in (volunteer, other_coordinator):
        client.force_login(user)
        pages = public_responses(client, [hosted])
        pages["my shifts"] = client.get(reverse("volunteers:my_shifts")).content.decode()
        token = Volunteer.objects.get_or_create(user=user)[0].calendar_token
        pages["personal feed"] = client.get(f"/calendar/volunteer/{token}.ics").content.decode()
        for url, text in pages.items():
            for secret in contact_values():
                assert secret not in text, f"{secret!r} appears in {url} for {user}"
        assert client.get(reverse("events:roster", args=[hosted.pk])).status_code == 403
        assert client.get(reverse("events:roster_csv", args=[hosted.pk])).status_code == 403


def test_volunteers_of_the_site_see_the_host_and_its_conditions(client, hosted, shift):
    waitlisted = make_volunteer("waiting@example.org")
    make_signup(shift=shift, volunteer=waitlisted, status="waitlisted")
    for user in (Volunteer.objects.get(user__email="volunteer@example.org").user, waitlisted.user):
        client.force_login(user)
        english(client)
        text = client.get(reverse("volunteers:my_shifts")).content.decode()
        assert "Host and house rules" in text
        assert "COA" in text
        assert "No photos inside." in text
        assert "At most 120 visitors inside at once." in text
        assert "Visitors must show ID." in text
        assert "De slaapzalen blijven dicht." in text
        assert "Hanna Hostcontact" not in text


def test_the_site_page_shows_its_volunteers_the_house_rules_and_the_public_nothing(
    client, hosted, volunteer
):
    url = hosted.get_absolute_url()
    english(client)
    public_text = client.get(url).content.decode()
    assert "Host and house rules" not in public_text
    assert "De slaapzalen blijven dicht." not in public_text
    client.force_login(volunteer)
    response = client.get(url)
    text = response.content.decode()
    assert "Host and house rules" in text
    assert "No photos inside." in text
    assert "De slaapzalen blijven dicht." in text
    assert "Hanna Hostcontact" not in text
    assert response["Cache-Control"] == "private, no-store"
    other = make_volunteer("no-place@example.org")
    client.force_login(other.user)
    assert "Host and house rules" not in client.get(url).content.decode()


def test_a_volunteer_elsewhere_does_not_see_the_conditions(client, hosted, edition, branch):
    elsewhere = draft_site(edition, place("azc Amersfoort", "Amersfoort"), branch)
    person = make_volunteer("elsewhere@example.org")
    make_signup(shift=elsewhere.shifts.get(), volunteer=person)
    client.force_login(person.user)
    english(client)
    text = client.get(reverse("volunteers:my_shifts")).content.decode()
    assert "No photos inside." not in text
    assert "De slaapzalen blijven dicht." not in text


def test_the_appointed_site_lead_sees_the_contact_person(client, hosted):
    lead_shift = make_shift(hosted, role=Shift.Role.LEAD, capacity=1)
    lead = make_volunteer("lead@example.org")
    make_signup(shift=lead_shift, volunteer=lead)
    assert lead.user.has_perm("events.view_host_contact", hosted)
    client.force_login(lead.user)
    for url in (reverse("volunteers:my_shifts"), hosted.get_absolute_url()):
        text = client.get(url).content.decode()
        for value in CONTACT.values():
            assert value in text, url


def test_the_rules_for_the_contact_and_the_conditions(hosted, volunteer, other_coordinator):
    assert volunteer.has_perm("events.view_host_conditions", hosted)
    assert not volunteer.has_perm("events.view_host_contact", hosted)
    assert not other_coordinator.has_perm("events.view_host_conditions", hosted)


# --- The site's sheet for the day -----------------------------------------------------------


def test_the_roster_prints_as_the_sites_sheet_with_the_host_on_top(coordinator_client, hosted):
    english(coordinator_client)
    response = coordinator_client.get(reverse("events:roster", args=[hosted.pk]))
    text = response.content.decode()
    block = text.index('class="host-block"')
    assert block < text.index('class="roster-shift')
    for value in [*CONTACT.values(), "No photos inside.", "At most 120 visitors inside at once."]:
        assert value in text[block:]
    assert "Given by <bdi>Bram Locatiemanager</bdi> (<bdi>locatiemanager</bdi>)" in text
    assert "events/site_sheet" in text
    assert response["Cache-Control"] == "private, no-store"
    css = (settings.BASE_DIR / "events/static/events/site_sheet.css").read_text()
    assert "@media print" in css and ".host-conditions" in css


def test_the_roster_asks_for_the_host_when_it_is_missing(coordinator_client, site):
    english(coordinator_client)
    text = coordinator_client.get(reverse("events:roster", args=[site.pk])).content.decode()
    assert reverse("events:site_host", args=[site.pk]) in text
    assert 'class="host-block"' not in text


# --- Cloning and deleting -----------------------------------------------------------------------


def test_cloning_carries_the_host_and_contact_but_not_the_consent(hosted, organiser, coordinator):
    result = event_clone(
        source=hosted.event,
        name="Open azc dag volgend jaar",
        slug="open-azc-dag-volgend-jaar",
        date=hosted.event.date + datetime.timedelta(weeks=52),
        by=organiser,
    )
    copy = result.event.sites.get()
    host = SiteHost.objects.get(site=copy)
    assert (host.organisation, host.contact_name, host.contact_phone, host.contact_email) == (
        "COA",
        *CONTACT.values(),
    )
    assert host.consent_given_on is None
    assert host.consent_given_by_name == ""
    assert host.consent_recorded_at is None
    assert not (host.no_photos_inside or host.visitor_limit or host.other_conditions)
    copy.public_description = "Welkom."
    copy.save()
    make_shift(copy, starts_in_hours=24 * 400)
    with pytest.raises(HostConsentMissing):
        site_submit(site=copy, by=coordinator)


def test_the_hosts_data_goes_with_its_site(azc_draft, coordinator):
    site_host_record(site=azc_draft, by=coordinator, details=details())
    azc_draft.shifts.all().delete()
    azc_draft.status_changes.all().delete()
    azc_draft.delete()
    assert not SiteHost.objects.exists()
