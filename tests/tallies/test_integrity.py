"""The attacks on the counts (issue 14, item 6), each repeated against the fix:

a. one volunteer on shift added +250,000 visitors in 3 seconds: limits per person and
   per device, per site and category (per minute of the taps' time, and in all);
b. a volunteer with a 2018 shift changed the 2018 figures today: counting closes
   `TALLY_CLOSES_AFTER_DAYS` after the site's day;
c. a volunteer with a shift read the site's figures on any day: on its day only;
d. counting at a draft site was accepted, and the draft showed on every coordinator's
   dashboard: only approved sites count, and the dashboard shows what the viewer may see.
"""

import csv
import datetime
import io
import uuid

import pytest
from django.utils import timezone, translation

from events.models import Event, Site
from events.roles import has_confirmed_shift_at_site, has_confirmed_shift_at_site_today
from locations.models import Location
from tallies.models import TallyEntry, TallyHour, TallyRefusal
from tallies.selectors import counting_closes_at, tally_totals, tally_window
from tallies.services import REFUSAL_MESSAGES, TallyTap, tally_correct, tally_record
from tallies.summary import summary_differences
from tests.conftest import make_user

from .conftest import confirm_shift, store_entry, tap, today_at


def url(site) -> str:
    return f"/api/v1/sites/{site.pk}/tallies/"


def post(client, site, body):
    return client.post(url(site), body, content_type="application/json")


def codes(answer: dict) -> set[str]:
    return {refusal["code"] for refusal in answer["refused"]}


def taps(n, category="visitors", delta=1, at=None) -> list[TallyTap]:
    at = at or today_at(12)
    return [TallyTap(uuid.uuid4(), category, delta, at) for _ in range(n)]


def record(site, entries, by, *, device_id="phone-1", now=None):
    return tally_record(
        site=site, entries=entries, by=by, device_id=device_id, now=now or today_at(14)
    )


def past_site(location, branch, days_ago: int) -> Site:
    """An approved site of a published edition, held `days_ago` days before today."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    event = Event.objects.create(
        name=f"Open azc dag {day}",
        slug=f"open-azc-dag-{day}",
        kind_id="open_day",
        date=day,
        is_published=True,
    )
    return Site.objects.create(
        event=event,
        location=location,
        branch=branch,
        opens_at=today_at(10) - datetime.timedelta(days=days_ago),
        closes_at=today_at(17) - datetime.timedelta(days=days_ago),
        status=Site.Status.PUBLISHED,
    )


# --- a. Limits per person and per device ------------------------------------------------


def test_a_quarter_million_visitors_in_three_seconds_are_refused(counting_client, today_site):
    """The attack: 10 batches of 500 taps of +50, sent at once."""
    moment = timezone.now()
    answers = [
        post(
            counting_client,
            today_site,
            {"entries": [tap(delta=50, recorded_at=moment) for _ in range(500)]},
        ).json()
        for _ in range(10)
    ]
    assert sum(a["accepted"] for a in answers) == 10  # ten groups of 50 in one minute
    assert tally_totals(today_site)["visitors"] == 500
    assert set().union(*(codes(a) for a in answers)) == {"rate_limited"}
    refused = TallyRefusal.objects.get(code="rate_limited", taps=490)
    assert refused.counted == 490 * 50


def test_made_up_times_spread_over_the_day_stop_at_the_limit_per_site(counting_client, today_site):
    """The same attack with the taps' times spread over the whole day before now, so
    that no minute goes over its limit: the limit per site holds."""
    start, now = tally_window(today_site)[0], timezone.now()
    step = (now - start) / 5_000
    times = [start + step * i for i in range(5_000)]
    answers = [
        post(
            counting_client,
            today_site,
            {"entries": [tap(delta=50, recorded_at=at) for at in times[k : k + 500]]},
        ).json()
        for k in range(0, 5_000, 500)
    ]
    assert tally_totals(today_site)["visitors"] == 5_000
    assert "total_limited" in set().union(*(codes(a) for a in answers))


def test_a_busy_door_is_not_limited(today_site, volunteer):
    # Ten groups of 50 in one minute, and a steady 200 a minute for the next ten.
    groups = taps(10, delta=50, at=today_at(12))
    steady = [t for minute in range(1, 11) for t in taps(40, delta=5, at=today_at(12, minute))]
    result = record(today_site, groups + steady, volunteer)
    assert (result.accepted, result.refused) == (10 + 400, [])
    assert result.totals["visitors"] == 500 + 2_000


def test_a_phone_offline_for_hours_delivers_its_backlog_at_once(today_site, volunteer):
    # Four hours of a busy door (15 a minute) arrive in one go when the network is back.
    backlog = [
        t
        for minute in range(240)
        for t in taps(3, delta=5, at=today_at(10) + datetime.timedelta(minutes=minute))
    ]
    results = [
        record(today_site, backlog[k : k + 500], volunteer, now=today_at(14, 1))
        for k in range(0, len(backlog), 500)
    ]
    assert sum(r.accepted for r in results) == len(backlog)
    assert all(r.refused == [] for r in results)
    assert tally_totals(today_site)["visitors"] == 3_600


def test_the_limit_is_per_person_over_all_their_devices(today_site, volunteer):
    first = record(today_site, taps(8, delta=50), volunteer, device_id="phone-1")
    second = record(today_site, taps(8, delta=50), volunteer, device_id="phone-2")
    assert (first.accepted, second.accepted) == (8, 2)
    assert {r.code for r in second.refused} == {"rate_limited"}


def test_the_limit_is_per_device_over_everyone_using_it(today_site, volunteer, coordinator):
    first = record(today_site, taps(8, delta=50), volunteer, device_id="shared-phone")
    second = record(today_site, taps(8, delta=50), coordinator, device_id="shared-phone")
    assert (first.accepted, second.accepted) == (8, 2)


def test_other_people_minutes_and_categories_have_limits_of_their_own(
    today_site, volunteer, coordinator
):
    assert record(today_site, taps(10, delta=50), volunteer).accepted == 10
    assert record(today_site, taps(1), volunteer).refused[0].code == "rate_limited"
    assert record(today_site, taps(10, delta=50, at=today_at(12, 1)), volunteer).accepted == 10
    assert record(today_site, taps(10, "children", delta=50), volunteer).accepted == 10
    assert record(today_site, taps(10, delta=50), coordinator, device_id="phone-2").accepted == 10


def test_a_resent_batch_is_a_duplicate_and_not_limited(today_site, volunteer):
    batch = taps(10, delta=50)
    assert record(today_site, batch, volunteer).accepted == 10
    again = record(today_site, batch, volunteer)
    assert (again.accepted, again.duplicates, again.refused) == (0, 10, [])


def test_resent_taps_do_not_count_twice_towards_the_limit(today_site, volunteer):
    # A lost answer: the phone sends its eight groups again, with two new ones.
    sent = taps(8, delta=50)
    record(today_site, sent, volunteer)
    again = record(today_site, [*sent, *taps(2, delta=50)], volunteer)
    assert (again.accepted, again.duplicates, again.refused) == (2, 8, [])
    assert tally_totals(today_site)["visitors"] == 500


def test_undo_taps_and_corrections_are_not_limited(today_site, volunteer, coordinator, organiser):
    record(today_site, taps(10, delta=50), volunteer)
    undo = record(today_site, taps(3, delta=-1), volunteer)
    assert (undo.accepted, undo.refused) == (3, [])
    for person in (coordinator, organiser):
        tally_correct(
            site=today_site,
            category="visitors",
            delta=6_000,
            reason="Turflijst van de tweede ingang",
            by=person,
            recorded_at=today_at(12),
            now=today_at(14),
        )
    assert tally_totals(today_site)["visitors"] == 500 - 3 + 12_000


def test_the_limits_are_settings(settings, today_site, volunteer):
    settings.TALLY_LIMIT_PER_MINUTE = 20
    settings.TALLY_LIMIT_PER_SITE = 30
    first = record(today_site, taps(5, delta=5), volunteer)
    assert (first.accepted, [r.code for r in first.refused]) == (4, ["rate_limited"])
    later = record(today_site, taps(5, delta=5, at=today_at(12, 5)), volunteer)
    assert later.accepted == 2
    assert {r.code for r in later.refused} == {"total_limited"}


def test_refused_taps_are_shown_to_the_coordinators_on_the_audit_page(
    client, today_site, counting_volunteer, coordinator
):
    client.force_login(counting_volunteer)
    moment = timezone.now()
    body = {"entries": [tap(delta=50, recorded_at=moment) for _ in range(30)], "device_id": "x9"}
    post(client, today_site, body)
    post(client, today_site, {"entries": [tap(delta=60)], "device_id": "x9"})

    client.force_login(coordinator)
    response = client.get(f"/sites/{today_site.pk}/tallies/")
    rows = {row["code"]: row for row in response.context["refusals"]}
    assert rows["rate_limited"]["taps"] == 20
    assert rows["rate_limited"]["counted"] == 20 * 50
    assert rows["rate_limited"]["recorded_by"] == counting_volunteer
    assert rows["rate_limited"]["device_id"] == "x9"
    assert rows["delta_out_of_range"]["taps"] == 1
    html = response.content.decode()
    assert 'data-refusal="rate_limited"' in html
    # Short names for the coordinator (the counter's words address the volunteer), and a
    # line at the top that leads to the table.
    assert "Te veel in één minuut" in html
    assert str(REFUSAL_MESSAGES["delta_out_of_range"]) in html  # no short name: the message
    assert "De server heeft 21 tikken geweigerd" in html


def test_the_reasons_of_the_new_refusals_are_in_the_answer(counting_client, today_site, settings):
    settings.TALLY_LIMIT_PER_MINUTE = 1
    answer = post(counting_client, today_site, {"entries": [tap(delta=2)]}).json()
    assert answer["refused"][0]["code"] == "rate_limited"
    with translation.override("nl"):
        assert answer["refused"][0]["reason"] == str(REFUSAL_MESSAGES["rate_limited"])


# --- b. Counting closes some days after the site's day --------------------------------


def test_a_volunteer_with_an_old_shift_cannot_change_old_figures_today(
    client, location, branch, volunteer
):
    """The attack: a shift at the 2018 edition, taps with 2018 times sent today."""
    old = past_site(location, branch, days_ago=400)
    tally_record(
        site=old,
        entries=taps(4, at=old.opens_at),
        by=None,
        device_id="demo",
        now=old.closes_at,
    )
    confirm_shift(volunteer, old)
    client.force_login(volunteer)
    body = {"entries": [tap(delta=50, recorded_at=old.opens_at) for _ in range(10)]}
    response = post(client, old, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["accepted"] == 0
    assert codes(answer) == {"counting_closed"}
    assert tally_totals(old)["visitors"] == 4


@pytest.mark.parametrize(("days_ago", "open_"), [(2, True), (7, True), (8, False)])
def test_taps_arriving_days_after_the_site_s_day(
    client, location, branch, volunteer, days_ago, open_
):
    site = past_site(location, branch, days_ago=days_ago)
    confirm_shift(volunteer, site)
    client.force_login(volunteer)
    answer = post(client, site, {"entries": [tap(recorded_at=site.opens_at)]}).json()
    assert answer["accepted"] == (1 if open_ else 0)
    assert codes(answer) == (set() if open_ else {"counting_closed"})


def test_counting_closes_at_midnight_seven_days_after_the_site_s_day(site, volunteer):
    closes = counting_closes_at(site)
    assert closes == site.closes_at.replace(hour=0) + datetime.timedelta(days=8)
    on_time = record(
        site, taps(1, at=site.opens_at), volunteer, now=closes - datetime.timedelta(seconds=1)
    )
    late = record(site, taps(1, at=site.opens_at), volunteer, now=closes)
    assert (on_time.accepted, late.accepted) == (1, 0)
    assert [r.code for r in late.refused] == ["counting_closed"]


def test_the_closing_is_a_setting(settings, site, volunteer):
    settings.TALLY_CLOSES_AFTER_DAYS = 1
    two_days_later = site.closes_at + datetime.timedelta(days=2)
    late = record(site, taps(1, at=site.opens_at), volunteer, now=two_days_later)
    assert [r.code for r in late.refused] == ["counting_closed"]


def test_a_tap_sent_on_the_day_and_again_after_closing_is_a_duplicate(site, volunteer):
    batch = taps(2, at=site.opens_at)
    record(site, batch, volunteer, now=site.closes_at)
    again = record(
        site, batch, volunteer, now=counting_closes_at(site) + datetime.timedelta(days=1)
    )
    assert (again.accepted, again.duplicates, again.refused) == (0, 2, [])


def corrections_url(site) -> str:
    return f"/api/v1/sites/{site.pk}/tallies/corrections/"


def correct(client, site):
    body = {
        "category": "visitors",
        "delta": 25,
        "reason": "Turflijst",
        "recorded_at": site.opens_at.isoformat(),
    }
    return client.post(corrections_url(site), body, content_type="application/json")


def test_after_closing_only_organisers_correct(client, location, branch, coordinator, organiser):
    week_ago = past_site(location, branch, days_ago=7)
    closed = past_site(Location.objects.create(name="azc Zeist", city="Zeist"), branch, days_ago=8)
    client.force_login(coordinator)
    assert correct(client, week_ago).status_code == 201
    assert client.get(f"/sites/{week_ago.pk}/tallies/").status_code == 200
    assert correct(client, closed).status_code == 403
    assert client.get(f"/sites/{closed.pk}/tallies/").status_code == 403
    client.force_login(organiser)
    assert correct(client, closed).status_code == 201
    response = client.get(f"/sites/{closed.pk}/tallies/")
    assert response.status_code == 200
    assert response.context["counting_closed"] is True
    assert tally_totals(closed)["visitors"] == 25
    counter = client.get(f"/sites/{closed.pk}/count/")
    with translation.override("nl"):
        closed_message = translation.gettext(
            "Counting at this site has closed: the server refuses taps."
        )
    assert closed_message in counter.content.decode()


# --- c. Volunteers see the figures on the site's day only --------------------------------


def test_has_confirmed_shift_at_site_today_compares_with_today(location, branch, volunteer):
    yesterday = past_site(location, branch, days_ago=1)
    confirm_shift(volunteer, yesterday)
    assert has_confirmed_shift_at_site(volunteer, yesterday)
    assert not has_confirmed_shift_at_site_today(volunteer, yesterday)


@pytest.mark.parametrize("days", [-1, 0, 1])
def test_a_volunteer_reads_the_figures_on_the_site_s_day_only(
    client, location, branch, volunteer, coordinator, organiser, days
):
    site = past_site(location, branch, days_ago=days)
    confirm_shift(volunteer, site)
    client.force_login(volunteer)
    assert client.get(url(site)).status_code == (200 if days == 0 else 403)
    for person in (coordinator, organiser):
        client.force_login(person)
        assert client.get(url(site)).status_code == 200


def test_the_day_after_a_volunteer_still_delivers_but_sees_no_totals(
    client, location, branch, volunteer
):
    yesterday = past_site(location, branch, days_ago=1)
    confirm_shift(volunteer, yesterday)
    client.force_login(volunteer)
    answer = post(client, yesterday, {"entries": [tap(recorded_at=yesterday.opens_at)]}).json()
    assert (answer["accepted"], answer["totals"]) == (1, None)
    page = client.get(f"/sites/{yesterday.pk}/count/")
    assert page.status_code == 200
    assert page.context["config"]["totals"] is None
    assert 'data-total-for="visitors">–<' in page.content.decode()


# --- d. Drafts: nobody counts there, and other branches do not see them ----------------


@pytest.fixture
def draft(today_event, other_branch):
    """A draft of another branch (Zwolle), on today."""
    return Site.objects.create(
        event=today_event,
        location=Location.objects.create(
            name="azc Zwolle", city="Zwolle", latitude=52.5, longitude=6.1
        ),
        branch=other_branch,
        opens_at=today_at(10),
        closes_at=today_at(17),
    )


@pytest.mark.parametrize("status", [Site.Status.DRAFT, Site.Status.SUBMITTED])
def test_nobody_counts_at_a_site_that_is_not_approved(
    client, draft, stranger, organiser, django_user_model, other_branch, status
):
    draft.status = status
    draft.save()
    confirm_shift(stranger, draft)
    zwolle = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(zwolle)
    client.force_login(stranger)
    assert post(client, draft, {"entries": [tap()]}).status_code == 404
    for person in (zwolle, organiser):
        client.force_login(person)
        response = post(client, draft, {"entries": [tap()]})
        assert response.status_code == 409
        assert response.json()["code"] == "site_not_approved"
    assert not TallyEntry.objects.exists()


def test_at_an_unpublished_edition_organisers_test_the_counter_but_volunteers_do_not(
    client, today_site, organiser, counting_volunteer
):
    event = today_site.event
    event.is_published = False
    event.save()
    client.force_login(counting_volunteer)
    assert post(client, today_site, {"entries": [tap()]}).status_code == 404
    client.force_login(organiser)
    assert post(client, today_site, {"entries": [tap()]}).json()["accepted"] == 1


def counted_draft(draft, today_site) -> None:
    """Counts at the draft (as stored before this fix) and at today's site."""
    for site, delta in ((draft, 40), (today_site, 7)):
        store_entry(site, "visitors", delta, today_at(12))


def dashboard_views(client, slug) -> dict:
    return {
        "page": client.get(f"/dashboard/{slug}/"),
        "data": client.get(f"/dashboard/{slug}/data.json").json(),
        "sites": client.get(f"/dashboard/{slug}/sites.csv").content.decode(),
        "hours": client.get(f"/dashboard/{slug}/hours.csv").content.decode(),
        "report": client.get(f"/dashboard/{slug}/report/"),
    }


def test_another_branch_s_draft_is_not_on_a_coordinator_s_dashboard(
    coordinator_client, draft, today_site
):
    counted_draft(draft, today_site)
    seen = dashboard_views(coordinator_client, today_site.event.slug)
    assert [row.site_id for row in seen["page"].context["figures"].sites] == [today_site.pk]
    assert seen["page"].context["figures"].totals["visitors"] == 7
    assert [s["id"] for s in seen["data"]["sites"]] == [today_site.pk]
    assert seen["data"]["totals"]["visitors"] == 7
    for text in (
        seen["page"].content.decode(),
        seen["sites"],
        seen["hours"],
        seen["report"].content.decode(),
    ):
        assert "Zwolle" not in text
    assert [row[1] for row in csv.reader(io.StringIO(seen["hours"].removeprefix("\ufeff")))][
        1:
    ] == [str(today_site.pk)]
    assert seen["report"].context["figures"].entries == 1


def test_organisers_and_the_draft_s_own_coordinators_see_its_counts(
    client, draft, today_site, organiser, django_user_model, other_branch
):
    counted_draft(draft, today_site)
    zwolle = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(zwolle)
    for person in (organiser, zwolle):
        client.force_login(person)
        data = client.get(f"/dashboard/{today_site.event.slug}/data.json").json()
        assert {s["id"] for s in data["sites"]} == {draft.pk, today_site.pk}
        assert data["totals"]["visitors"] == 47


def test_the_dashboard_map_shows_a_hidden_address_only_approximately_to_other_branches(
    client, today_site, organiser, coordinator, django_user_model, other_branch
):
    location = today_site.location
    location.latitude, location.longitude = 52.091234, 5.122345
    location.save()
    today_site.show_approximate_location = True
    today_site.save()
    zwolle = make_user(django_user_model, "zwolle@example.org")
    other_branch.coordinators.add(zwolle)
    positions = {}
    for person in (organiser, coordinator, zwolle):
        client.force_login(person)
        data = client.get(f"/dashboard/{today_site.event.slug}/data.json").json()
        positions[person.email] = (data["sites"][0]["lat"], data["sites"][0]["lon"])
    assert positions[organiser.email] == positions[coordinator.email] == (52.091234, 5.122345)
    assert positions[zwolle.email] == (52.09, 5.12)


def test_a_coordinator_compares_with_an_edition_they_may_open(
    client, today_site, coordinator, organiser
):
    hidden = Event.objects.create(
        name="Open azc dag proef",
        slug="open-azc-dag-proef",
        kind_id="open_day",
        date=today_site.event.date - datetime.timedelta(days=30),
        is_published=False,
    )
    client.force_login(organiser)
    assert client.get(f"/dashboard/{today_site.event.slug}/").context["previous"].event == hidden
    client.force_login(coordinator)
    page = client.get(f"/dashboard/{today_site.event.slug}/")
    assert page.context["previous"] is None
    assert "proef" not in page.content.decode()


def test_the_summary_check_sees_a_wrong_total_on_either_database(today_site):
    """`summary_differences`, which every test ends with (tests/conftest.py) and `make
    bench` runs after its load, finds a changed hourly total and passes an exact one."""
    store_entry(today_site, delta=3)
    assert summary_differences() == []
    TallyHour.objects.filter(site=today_site).update(total=7)
    (difference,) = summary_differences()
    assert difference[0] == "tallies_tallyhour" and difference[2:] == ((3, 1, 0), (7, 1, 0))
    TallyHour.objects.filter(site=today_site).update(total=3)
