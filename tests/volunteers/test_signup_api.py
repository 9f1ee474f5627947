"""The sign-up API: claim, release, me; answers and error codes as in DESIGN.md."""

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Signup, Site
from tests.conftest import YEAR
from tests.factories import make_shift, make_signup, make_volunteer


@pytest.fixture
def api(volunteer):
    client = APIClient()
    token = Token.objects.create(user=volunteer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def claim(client, shift):
    return client.post(f"/api/v1/shifts/{shift.pk}/claim/")


def release(client, shift):
    return client.post(f"/api/v1/shifts/{shift.pk}/release/")


def test_claim_answers_201_confirmed_then_waitlisted(api, site):
    shift = make_shift(site, capacity=1)
    other = make_volunteer()
    make_signup(shift=shift, volunteer=other, status="confirmed")
    response = claim(api, shift)
    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 1

    free = make_shift(site, capacity=1, starts_in_hours=100)
    response = claim(api, free)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed" and body["shift"] == free.pk
    assert body["waitlist_position"] is None


def test_claim_errors_are_409_with_a_code_and_change_nothing(api, site, volunteer):
    shift = make_shift(site)
    assert claim(api, shift).status_code == 201
    response = claim(api, shift)
    assert response.status_code == 409
    assert response.json()["code"] == "already_signed_up"

    overlapping = make_shift(site, starts_in_hours=73)
    response = claim(api, overlapping)
    assert response.status_code == 409
    assert response.json()["code"] == "shift_overlap"

    cancelled = make_shift(site, starts_in_hours=200, is_cancelled=True)
    response = claim(api, cancelled)
    assert (response.status_code, response.json()["code"]) == (409, "shift_cancelled")

    past = make_shift(site, starts_in_hours=-3)
    assert claim(api, past).json()["code"] == "shift_started"
    assert Signup.objects.filter(volunteer__user=volunteer).count() == 1


def test_claim_on_another_branchs_draft_site_is_refused(api, site, other_branch):
    site.branch = other_branch
    site.status = Site.Status.DRAFT
    site.save()
    shift = make_shift(site)
    response = claim(api, shift)
    assert response.status_code == 409
    assert response.json() == {
        "code": "site_not_open",
        "detail": "Je kunt je voor deze locatie nog niet aanmelden: ze is niet gepubliceerd.",
    }
    assert not Signup.objects.exists()


def test_claim_in_english_when_asked(api, site):
    shift = make_shift(site, starts_in_hours=-1)
    response = api.post(f"/api/v1/shifts/{shift.pk}/claim/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "This shift has already started or is over."


def test_claim_by_an_unverified_account_is_403(site, django_user_model):
    person = make_volunteer(verified=False)
    client = APIClient()
    client.force_authenticate(person.user)
    response = claim(client, make_shift(site))
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert not Signup.objects.exists()


def test_claim_of_a_missing_shift_is_404(api):
    response = api.post("/api/v1/shifts/999999/claim/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_gets_401_with_a_token_challenge(site):
    shift = make_shift(site)
    client = APIClient()
    for response in (claim(client, shift), release(client, shift), client.get("/api/v1/me/")):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"
    assert not Signup.objects.exists()


def test_only_post_is_allowed(api, site):
    shift = make_shift(site)
    assert api.get(f"/api/v1/shifts/{shift.pk}/claim/").status_code == 405


def test_release_frees_the_place_and_moves_the_waitlist_up(
    api, site, volunteer, django_capture_on_commit_callbacks
):
    shift = make_shift(site, capacity=1)
    assert claim(api, shift).json()["status"] == "confirmed"
    waiting = make_volunteer()
    make_signup(shift=shift, volunteer=waiting, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        response = release(api, shift)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Signup.objects.get(volunteer=waiting).status == "confirmed"
    # The release is confirmed to the volunteer; the one who moved up is told of the place.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([volunteer.email, waiting.user.email])


def test_release_errors(api, site):
    shift = make_shift(site)
    response = release(api, shift)
    assert (response.status_code, response.json()["code"]) == (409, "not_signed_up")
    soon = make_shift(site, starts_in_hours=2, hours=1)
    assert claim(api, soon).status_code == 201
    response = release(api, soon)
    assert (response.status_code, response.json()["code"]) == (409, "release_deadline_passed")
    assert soon.signups.get().status == "confirmed"


def test_me_shows_roles_calendar_and_signups(
    api, volunteer, site, settings, django_assert_max_num_queries
):
    settings.SITE_URL = "https://actiedagen.example.org"
    shifts = [make_shift(site, starts_in_hours=72 + 3 * i, capacity=1) for i in range(4)]
    for shift in shifts[:3]:
        claim(api, shift)
    full = shifts[3]
    make_signup(shift=full, volunteer=make_volunteer(), status="confirmed")
    claim(api, full)
    release(api, shifts[2])
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "volunteer@example.org"
    assert body["roles"] == ["volunteer"]
    assert body["email_verified"] is True
    token = volunteer.volunteer.calendar_token
    assert body["calendar_url"] == (
        f"https://actiedagen.example.org/calendar/volunteer/{token}.ics"
    )
    statuses = [(s["shift"]["id"], s["status"], s["waitlist_position"]) for s in body["signups"]]
    assert statuses == [
        (shifts[0].pk, "confirmed", None),
        (shifts[1].pk, "confirmed", None),
        (shifts[2].pk, "cancelled", None),
        (shifts[3].pk, "waitlisted", 1),
    ]
    first = body["signups"][0]
    assert first["can_release"] is True
    assert first["shift"]["site"]["town"] == "Utrecht"
    assert first["shift"]["site"]["event"] == f"open-azc-dag-{YEAR}"
    assert response["Cache-Control"] == "private, no-store"


def test_me_lists_organiser_and_coordinator_roles(client, organiser, coordinator, branch):
    branch.coordinators.add(organiser)
    api = APIClient()
    api.force_authenticate(organiser)
    body = api.get("/api/v1/me/").json()
    assert body["roles"] == ["organiser", "coordinator", "volunteer"]
    assert body["coordinator_of"] == [{"id": branch.pk, "name": "Afdeling Utrecht"}]


@pytest.mark.django_db  # the kinds and categories in the schema are data
def test_schema_describes_the_sign_up_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    claim_op = schema["paths"]["/api/v1/shifts/{id}/claim/"]["post"]
    assert set(claim_op["responses"]) == {"201", "401", "403", "404", "409"}
    assert "shift_overlap" in claim_op["responses"]["409"]["description"]
    assert "/api/v1/shifts/{id}/release/" in schema["paths"]
    me = schema["components"]["schemas"]["Me"]
    assert {"roles", "calendar_url", "signups"} <= set(me["properties"])
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(token["responses"]) == {"200", "400", "403", "429"}
