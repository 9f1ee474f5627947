"""`/api/v1/sites/{id}/tallies/`: who may count, what a batch answers, what a malformed one does."""

import datetime
import uuid

import pytest
from django.utils import timezone

from tallies.models import TallyEntry
from tests.conftest import make_user

from .conftest import confirm_shift, tap, today_at, yesterday_at


def url(site) -> str:
    return f"/api/v1/sites/{site.pk}/tallies/"


def post(client, site, body):
    return client.post(url(site), body, content_type="application/json")


def test_a_batch_answers_accepted_duplicates_refused_and_totals(counting_client, today_site):
    good = [tap(), tap(delta=4), tap("children")]
    bad = tap(delta=60)
    body = {"entries": [*good, bad], "device_id": "phone-7"}

    first = post(counting_client, today_site, body)
    assert first.status_code == 200
    assert first.json() == {
        "accepted": 3,
        "duplicates": 0,
        "refused": [
            {
                "id": bad["id"],
                "code": "delta_out_of_range",
                "reason": "Een tik telt van -1 tot +50, en niet 0.",
            }
        ],
        "totals": {"visitors": 5, "children": 1},
        "clock_offset_seconds": 0,
    }
    again = post(counting_client, today_site, body).json()
    assert (again["accepted"], again["duplicates"], again["totals"]) == (
        0,
        3,
        {"visitors": 5, "children": 1},
    )
    third = post(counting_client, today_site, body).json()
    assert third["totals"] == {"visitors": 5, "children": 1}
    assert set(TallyEntry.objects.values_list("device_id", flat=True)) == {"phone-7"}


def test_reasons_follow_the_language_asked_for(counting_client, today_site):
    response = counting_client.post(
        url(today_site),
        {"entries": [tap(delta=0)]},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.json()["refused"][0]["reason"] == "A tap counts from -1 to +50, and not 0."


def test_a_phone_clock_hours_off_is_corrected_when_it_says_when_it_sent(
    counting_client, today_site
):
    now = timezone.now()
    ahead = datetime.timedelta(hours=3)
    entry = tap(recorded_at=now + ahead - datetime.timedelta(minutes=5))
    body = {"entries": [entry], "sent_at": (now + ahead).isoformat()}
    answer = post(counting_client, today_site, body).json()
    assert answer["accepted"] == 1
    assert answer["clock_offset_seconds"] == pytest.approx(-3 * 3600, abs=60)
    stored = TallyEntry.objects.get().recorded_at
    assert abs(stored - (now - datetime.timedelta(minutes=5))) < datetime.timedelta(minutes=1)


def test_get_gives_totals_per_category_and_per_amsterdam_hour(organiser_client, yesterday_site):
    yesterday, at = yesterday_site, yesterday_at
    entries = [tap(recorded_at=at(10, 5)), tap(delta=3, recorded_at=at(11, 59))]
    entries.append(tap("children", recorded_at=at(11, 0)))
    assert post(organiser_client, yesterday, {"entries": entries}).json()["accepted"] == 3

    answer = organiser_client.get(url(yesterday)).json()
    assert answer["site"] == yesterday.pk
    assert answer["event"] == yesterday.event.slug
    assert answer["categories"] == ["visitors", "children"]
    assert answer["totals"] == {"visitors": 4, "children": 1}
    hours = answer["hours"]
    assert [h["hour"] for h in hours] == [at(hour).isoformat() for hour in range(10, 17)]
    assert hours[0]["counts"] == {"visitors": 1, "children": 0}
    assert hours[1]["counts"] == {"visitors": 3, "children": 1}
    assert hours[2]["counts"] == {"visitors": 0, "children": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "entries"),
        ({"entries": []}, "entries"),
        ({"entries": "visitors"}, "entries"),
        ({"entries": [tap()] * 501}, "entries"),
        ({"entries": [tap(), {**tap(), "id": "not-a-uuid"}]}, "entries[1].id"),
        ({"entries": [{**tap(), "id": None}]}, "entries[0].id"),
        ({"entries": [{**tap(), "category": "dogs"}]}, "entries[0].category"),
        ({"entries": [{**tap(), "delta": "1"}]}, "entries[0].delta"),
        ({"entries": [{**tap(), "delta": True}]}, "entries[0].delta"),
        ({"entries": [{**tap(), "delta": 1.5}]}, "entries[0].delta"),
        # 11:00 today, without its offset.
        (
            {"entries": [{**tap(), "recorded_at": today_at(11).replace(tzinfo=None).isoformat()}]},
            "entries[0].recorded_at",
        ),
        ({"entries": [{**tap(), "recorded_at": "yesterday"}]}, "entries[0].recorded_at"),
        ({"entries": ["visitors"]}, "entries[0]"),
        ({"entries": [tap()], "sent_at": "soon"}, "sent_at"),
        ({"entries": [tap()], "device_id": "x" * 65}, "device_id"),
    ],
)
def test_a_malformed_batch_is_a_400_naming_the_field_and_stores_nothing(
    counting_client, today_site, body, field
):
    response = post(counting_client, today_site, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert field in answer["fields"]
    assert not TallyEntry.objects.exists()


def test_not_json_is_a_400(counting_client, today_site):
    response = counting_client.post(url(today_site), "{oops", content_type="application/json")
    assert response.status_code == 400
    assert not TallyEntry.objects.exists()


def test_500_entries_are_taken_in_one_batch(counting_client, today_site):
    answer = post(counting_client, today_site, {"entries": [tap() for _ in range(500)]}).json()
    assert answer["accepted"] == 500
    assert answer["totals"]["visitors"] == 500


def test_an_unknown_site_is_a_404(counting_client):
    response = counting_client.post(
        "/api/v1/sites/999999/tallies/", {"entries": [tap()]}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_cancelled_site_answers_409(counting_client, today_site):
    today_site.status = "cancelled"
    today_site.save()
    response = post(counting_client, today_site, {"entries": [tap()]})
    assert response.status_code == 409
    assert response.json()["code"] == "site_cancelled"


# --- Who may count ---------------------------------------------------------------------------


def test_a_volunteer_without_a_shift_there_gets_403(client, today_site, stranger):
    client.force_login(stranger)
    assert post(client, today_site, {"entries": [tap()]}).status_code == 403
    assert client.get(url(today_site)).status_code == 403
    assert not TallyEntry.objects.exists()


def test_a_volunteer_with_a_shift_at_another_site_gets_403(
    client, today_site, other_today_site, stranger
):
    confirm_shift(stranger, other_today_site)
    client.force_login(stranger)
    assert post(client, today_site, {"entries": [tap()]}).status_code == 403
    assert post(client, other_today_site, {"entries": [tap()]}).status_code == 200


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_a_volunteer_whose_signup_is_not_confirmed_gets_403(client, today_site, stranger, status):
    confirm_shift(stranger, today_site, status=status)
    client.force_login(stranger)
    assert post(client, today_site, {"entries": [tap()]}).status_code == 403


def test_organisers_and_the_branch_coordinators_may_count(
    client, today_site, organiser, coordinator
):
    for user in (organiser, coordinator):
        client.force_login(user)
        assert post(client, today_site, {"entries": [tap()]}).status_code == 200
    assert TallyEntry.objects.count() == 2
    assert set(TallyEntry.objects.values_list("recorded_by", flat=True)) == {
        organiser.pk,
        coordinator.pk,
    }


def test_a_coordinator_of_another_branch_gets_403(
    client, today_site, other_branch, django_user_model
):
    elsewhere = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(elsewhere)
    client.force_login(elsewhere)
    assert post(client, today_site, {"entries": [tap()]}).status_code == 403


def test_anonymous_gets_403(client, today_site):
    response = post(client, today_site, {"entries": [tap()]})
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_an_api_token_works_without_a_session(today_site, counting_volunteer):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=counting_volunteer)
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(url(today_site), {"entries": [tap()]}, format="json")
    assert response.status_code == 200


def test_a_session_post_without_csrf_token_is_refused(today_site, counting_volunteer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(counting_volunteer)
    response = browser.post(url(today_site), {"entries": [tap()]}, content_type="application/json")
    assert response.status_code == 403
    assert not TallyEntry.objects.exists()


def test_posting_a_batch_of_100_takes_a_fixed_number_of_queries(
    counting_client, today_site, django_assert_max_num_queries
):
    post(counting_client, today_site, {"entries": [tap()]})
    # Session, user, site, branches, shift; in the transaction (a savepoint here, two
    # statements) the site's lock, two for the limits, the insert (two on SQLite), the
    # re-read; the totals.
    with django_assert_max_num_queries(14):
        answer = post(counting_client, today_site, {"entries": [tap() for _ in range(100)]})
    assert answer.json()["accepted"] == 100


# --- Corrections -----------------------------------------------------------------------------


def corrections_url(site) -> str:
    return f"/api/v1/sites/{site.pk}/tallies/corrections/"


def test_a_coordinator_adds_a_correction_with_a_reason(coordinator_client, today_site, coordinator):
    key = str(uuid.uuid4())
    body = {"category": "visitors", "delta": 120, "reason": "Teller gereset om 14:00", "id": key}
    response = coordinator_client.post(
        corrections_url(today_site), body, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["totals"] == {"visitors": 120, "children": 0}
    again = coordinator_client.post(
        corrections_url(today_site), body, content_type="application/json"
    )
    assert again.status_code == 201
    entry = TallyEntry.objects.get()
    assert (entry.is_correction, entry.recorded_by, entry.reason) == (
        True,
        coordinator,
        "Teller gereset om 14:00",
    )


def test_a_correction_without_reason_is_a_400_naming_reason(coordinator_client, today_site):
    response = coordinator_client.post(
        corrections_url(today_site),
        {"category": "visitors", "delta": 10, "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert not TallyEntry.objects.exists()


def test_a_correction_at_a_time_off_the_day_is_a_400_naming_recorded_at(
    coordinator_client, today_site
):
    response = coordinator_client.post(
        corrections_url(today_site),
        {
            "category": "visitors",
            "delta": 10,
            "reason": "Turflijst",
            "recorded_at": (today_at(12) - datetime.timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "recorded_at" in response.json()["fields"]


def test_a_counting_volunteer_may_not_correct(counting_client, today_site):
    response = counting_client.post(
        corrections_url(today_site),
        {"category": "visitors", "delta": 10, "reason": "Ik dacht het"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not TallyEntry.objects.exists()


@pytest.mark.django_db  # the categories in the schema are data
def test_the_schema_documents_the_tally_endpoints(client):
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).content.decode()
    for fragment in (
        "/api/v1/sites/{id}/tallies/",
        "/api/v1/sites/{id}/tallies/corrections/",
        "recorded_off_day",
        "TallyBatchIn",
        "application/json",
        "TallyRecordOut",
        "TallySummary",
    ):
        assert fragment in schema


def test_a_form_post_is_refused_as_unsupported(counting_client, today_site):
    response = counting_client.post(url(today_site), {"entries": "x"})
    assert response.status_code == 415
    assert not TallyEntry.objects.exists()
