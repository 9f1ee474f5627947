"""Findings of an attack on events' pages and API (issue 14): bad input is a clear error,
never a 500; another branch's draft cannot be told apart from a site that does not exist."""

import re

import pytest
from django.urls import reverse

from events.models import Shift, Site
from locations.models import Location
from tests.conftest import EVENT_DAY, on_event_day

SHIFTS = "/api/v1/shifts/"
HUGE = "99999999999999999999999"  # beyond a 64-bit integer: SQLite raised OverflowError


@pytest.fixture
def other_draft(db, event, other_branch):
    return Site.objects.create(
        event=event,
        branch=other_branch,
        status=Site.Status.DRAFT,
        location=Location.objects.create(name="azc Zwolle", city="Zwolle"),
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
    )


@pytest.fixture
def other_published(db, event, other_branch):
    return Site.objects.create(
        event=event,
        branch=other_branch,
        status=Site.Status.PUBLISHED,
        location=Location.objects.create(name="Plein Zwolle", city="Zwolle"),
        opens_at=on_event_day(11),
        closes_at=on_event_day(16),
    )


# --- Numbers that are no numbers ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "𝟓", "1²", HUGE, "-1", "1e3"])
def test_shift_list_names_a_site_id_that_is_no_id(client, site, value):
    # "²" is a digit to str.isdigit() but not to int(): it once answered 500.
    response = client.get(SHIFTS, {"site": value})
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == "site"


@pytest.mark.parametrize("name", ["location", "branch"])
@pytest.mark.parametrize("value", [HUGE, "٣", "²"])
def test_the_register_page_takes_a_chosen_location_beyond_any_id(
    coordinator_client, organiser_client, event, branch, other_branch, location, name, value
):
    url = reverse("events:site_register", args=[event.slug])
    assert coordinator_client.get(url, {name: value}).status_code == 200
    response = coordinator_client.post(
        f"{url}?{name}={value}",
        {"location": value, "opens_at": "11:00", "closes_at": "16:00"},
    )
    assert response.status_code == 200
    assert "location" in response.context["form"].errors
    assert not Site.objects.exists()


def test_the_edit_page_takes_a_chosen_location_beyond_any_id(coordinator_client, site):
    url = reverse("events:site_edit", args=[site.pk])
    response = coordinator_client.post(
        url, {"location": HUGE, "opens_at": "11:00", "closes_at": "16:00"}
    )
    assert response.status_code == 200
    assert "location" in response.context["form"].errors
    assert Site.objects.get(pk=site.pk).location_id == site.location_id


# --- Another branch's draft does not exist for the API -------------------------------------------


def _shift_body(site_pk: int) -> dict:
    return {
        "site": site_pk,
        "role": "reception",
        "starts_at": f"{EVENT_DAY.isoformat()}T11:00:00+02:00",
        "ends_at": f"{EVENT_DAY.isoformat()}T13:00:00+02:00",
        "capacity": 2,
    }


def _without_ids(body: dict) -> dict:
    return {key: re.sub(r"\d+", "N", str(value)) for key, value in body.items()}


def test_planning_a_shift_on_another_branchs_draft_is_the_same_400_as_no_such_site(
    coordinator_client, site, other_draft, other_published
):
    # It answered 403 for the draft and 400 for a missing site: whether a branch had a
    # draft could be told by trying ids.
    answers = []
    for pk in (other_draft.pk, 987654):
        response = coordinator_client.post(SHIFTS, _shift_body(pk), content_type="application/json")
        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == ["site"]
        answers.append(_without_ids(response.json()))
    assert answers[0] == answers[1]
    # A site they can see but may not plan: 403; their own: planned.
    response = coordinator_client.post(
        SHIFTS, _shift_body(other_published.pk), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Shift.objects.exists()
    own = coordinator_client.post(SHIFTS, _shift_body(site.pk), content_type="application/json")
    assert own.status_code == 201, own.content


def test_an_organiser_plans_on_any_branchs_draft(organiser_client, other_draft):
    response = organiser_client.post(
        SHIFTS, _shift_body(other_draft.pk), content_type="application/json"
    )
    assert response.status_code == 201, response.content


SITE_PAGES = ["site_shifts", "shift_series", "roster", "roster_csv"]


@pytest.mark.parametrize("name", SITE_PAGES)
def test_coordinate_pages_of_another_branchs_draft_are_not_found_as_a_missing_site(
    coordinator_client, other_draft, other_published, name
):
    for pk in (other_draft.pk, 987654):
        assert coordinator_client.get(reverse(f"events:{name}", args=[pk])).status_code == 404
    # Seen (published) but not theirs: 403.
    url = reverse(f"events:{name}", args=[other_published.pk])
    assert coordinator_client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["shift_edit", "shift_delete"])
def test_shift_pages_of_another_branchs_draft_are_not_found(coordinator_client, other_draft, name):
    shift = Shift.objects.create(
        site=other_draft,
        role=Shift.Role.RECEPTION,
        starts_at=on_event_day(11),
        ends_at=on_event_day(12),
        capacity=2,
    )
    for pk in (shift.pk, 987654):
        assert coordinator_client.get(reverse(f"events:{name}", args=[pk])).status_code == 404
