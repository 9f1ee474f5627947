"""The site workflow in the API (`/api/v1/sites/{id}/submit/`, `/publish/`, `/send-back/`,
`/cancel/`): the same services and permissions as the pages, for each role; a transition
that is not allowed is a 409 with a code, and changes nothing."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from events.models import Signup, Site
from tests.conftest import make_user
from tests.events.editions_helpers import draft_site, past_edition, place, upcoming_edition
from tests.factories import make_shift, make_signup, make_volunteer


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post(user, site, action, body=None):
    return client_for(user).post(f"/api/v1/sites/{site.pk}/{action}/", body or {}, format="json")


@pytest.fixture
def edition(db):
    return upcoming_edition()


@pytest.fixture
def draft(edition, branch):
    return draft_site(edition, place(), branch)


@pytest.fixture
def other_coordinator(django_user_model, other_branch):
    user = make_user(django_user_model, "other-coordinator@example.org")
    other_branch.coordinators.add(user)
    return user


def test_the_branch_coordinator_submits_and_the_organiser_publishes(draft, coordinator, organiser):
    response = post(coordinator, draft, "submit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    response = post(organiser, draft, "publish")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": draft.pk,
        "status": "published",
        "status_label": "gepubliceerd",
        "review_comment": "",
    }
    draft.refresh_from_db()
    assert draft.status == Site.Status.PUBLISHED
    assert [change.to_status for change in draft.status_changes.order_by("pk")] == [
        "submitted",
        "published",
    ]


def test_the_organiser_sends_back_with_a_comment(draft, organiser):
    post(organiser, draft, "submit")
    response = post(organiser, draft, "send-back", {"comment": "Voeg een rondleiding toe."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["review_comment"] == "Voeg een rondleiding toe."


def test_a_send_back_needs_a_comment(draft, organiser):
    post(organiser, draft, "submit")
    response = post(organiser, draft, "send-back", {})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "comment" in response.json()["fields"]
    for comment in ("", "   "):
        response = post(organiser, draft, "send-back", {"comment": comment})
        assert (response.status_code, response.json()["code"]) == (400, "comment_required")
        assert response.json()["fields"] == {
            "comment": [
                "Schrijf wat de afdeling moet veranderen voordat je de locatie terugstuurt."
            ]
        }
    draft.refresh_from_db()
    assert draft.status == Site.Status.SUBMITTED


def test_cancelling_frees_the_places_and_says_how_many(
    edition, branch, coordinator, django_capture_on_commit_callbacks
):
    site = draft_site(edition, place(), branch, status=Site.Status.PUBLISHED, shifts=0)
    shift = make_shift(site, starts_in_hours=24 * 59)
    holder = make_volunteer()
    make_signup(shift=shift, volunteer=holder, status=Signup.Status.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(coordinator, site, "cancel", {"reason": "Het azc gaat dicht."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert (response.json()["signups_freed"], response.json()["volunteers_told"]) == (1, 1)
    assert Signup.objects.get().status == Signup.Status.CANCELLED
    assert any("Het azc gaat dicht." in message.body for message in mail.outbox)


@pytest.mark.parametrize(
    ("action", "body"),
    [("submit", {}), ("publish", {}), ("send-back", {"comment": "x"}), ("cancel", {})],
)
def test_a_transition_that_is_not_allowed_now_is_a_409_with_a_code(draft, organiser, action, body):
    if action == "submit":
        post(organiser, draft, "submit")  # no longer a draft
    elif action == "cancel":
        post(organiser, draft, "cancel")  # cancelled already
    before = Site.objects.get(pk=draft.pk).status
    response = post(organiser, draft, action, body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "site_wrong_status"
    assert Site.objects.get(pk=draft.pk).status == before


def test_an_incomplete_draft_is_refused_with_site_incomplete(edition, branch, coordinator):
    bare = draft_site(edition, place(position=False), branch, shifts=0, public_description="")
    response = post(coordinator, bare, "submit")
    assert response.status_code == 409
    assert response.json()["code"] == "site_incomplete"


def test_a_past_edition_is_closed_for_every_transition(branch, organiser):
    site = draft_site(past_edition(), place(), branch, status=Site.Status.PUBLISHED)
    response = post(organiser, site, "cancel")
    assert (response.status_code, response.json()["code"]) == (409, "edition_closed")
    site.refresh_from_db()
    assert site.status == Site.Status.PUBLISHED


# --- Who may do what (as on the pages) ------------------------------------------------------


@pytest.mark.parametrize("action", ["submit", "cancel"])
def test_the_branch_coordinator_may_submit_and_cancel(draft, coordinator, action):
    assert post(coordinator, draft, action).status_code == 200


@pytest.mark.parametrize(("action", "body"), [("publish", {}), ("send-back", {"comment": "x"})])
def test_only_organisers_review(draft, coordinator, organiser, action, body):
    post(organiser, draft, "submit")
    response = post(coordinator, draft, action, body)
    assert response.status_code == 403
    assert Site.objects.get(pk=draft.pk).status == Site.Status.SUBMITTED


@pytest.mark.parametrize("action", ["submit", "publish", "send-back", "cancel"])
def test_another_branch_does_not_even_see_a_draft(draft, other_coordinator, action):
    response = post(other_coordinator, draft, action, {"comment": "x"})
    assert response.status_code == 404
    assert Site.objects.get(pk=draft.pk).status == Site.Status.DRAFT


@pytest.mark.parametrize("action", ["submit", "publish", "send-back", "cancel"])
def test_volunteers_and_other_branches_may_not_touch_a_published_site(
    edition, branch, other_coordinator, volunteer, action
):
    site = draft_site(edition, place(), branch, status=Site.Status.PUBLISHED)
    for user in (volunteer, other_coordinator):
        response = post(user, site, action, {"comment": "x"})
        assert response.status_code == 403, (user, action)
    assert Site.objects.get(pk=site.pk).status == Site.Status.PUBLISHED


@pytest.mark.parametrize("action", ["submit", "publish", "send-back", "cancel"])
def test_anonymous_clients_are_asked_to_sign_in(draft, action):
    response = post(None, draft, action, {"comment": "x"})
    assert response.status_code == 401
    assert Site.objects.get(pk=draft.pk).status == Site.Status.DRAFT


@pytest.mark.django_db  # the kinds and categories in the schema are data
def test_the_workflow_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for action in ("submit", "publish", "send-back", "cancel"):
        operation = schema["paths"][f"/api/v1/sites/{{id}}/{action}/"]["post"]
        assert {"200", "403", "404", "409"} <= set(operation["responses"]), action
