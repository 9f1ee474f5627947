"""The tally service: each tap stored once, bad taps refused one by one, clocks that are off."""

import datetime
import uuid

import pytest

from common.errors import InvalidInput
from events.models import Site
from locations.models import Location
from tallies.errors import SiteCancelled
from tallies.models import TallyEntry
from tallies.selectors import tally_hours, tally_totals
from tallies.services import TallyTap, tally_correct, tally_record
from tests.conftest import EVENT_DAY, aware, on_event_day

# The `site` fixture is open on EVENT_DAY (a Saturday late in September), 11:00–16:00
# (Amsterdam, UTC+2).
DURING = on_event_day(14)


def taps(n, category="visitors", delta=1, at=None):
    at = at or on_event_day(11, 30)
    return [TallyTap(uuid.uuid4(), category, delta, at) for _ in range(n)]


def record(site, entries, by, **kwargs):
    kwargs.setdefault("now", DURING)
    return tally_record(site=site, entries=entries, by=by, device_id="phone-1", **kwargs)


def test_a_batch_sent_three_times_counts_once(site, volunteer):
    batch = taps(3) + taps(2, delta=5)
    first = record(site, batch, volunteer)
    second = record(site, batch, volunteer)
    third = record(site, batch, volunteer)

    assert (first.accepted, first.duplicates, first.refused) == (5, 0, [])
    assert (second.accepted, second.duplicates) == (0, 5)
    assert (third.accepted, third.duplicates) == (0, 5)
    assert third.totals == {"visitors": 13, "children": 0}
    assert TallyEntry.objects.count() == 5


def test_a_mixed_batch_keeps_the_good_taps_and_says_why_each_bad_one_was_refused(site, volunteer):
    good = [*taps(2), *taps(1, delta=50), *taps(1, delta=-1), *taps(1, "children")]
    bad = {
        "delta_out_of_range": [*taps(1, delta=51), *taps(1, delta=0), *taps(1, delta=-2)],
        "category_not_counted": taps(1, "coffees"),
        "recorded_in_future": taps(1, at=DURING + datetime.timedelta(minutes=10)),
        "recorded_off_day": taps(1, at=on_event_day(12, days=-2)),
    }
    batch = [bad["delta_out_of_range"][0], *good[:3], *[t for ts in bad.values() for t in ts]]
    batch += good[3:]

    result = record(site, batch, volunteer)

    assert result.accepted == 5
    refused = {r.client_id: r.code for r in result.refused}
    assert refused == {t.client_id: code for code, ts in bad.items() for t in ts}
    assert all(r.reason for r in result.refused)
    assert result.totals == {"visitors": 2 + 50 - 1, "children": 1}
    assert set(TallyEntry.objects.values_list("client_id", flat=True)) == {
        t.client_id for t in good
    }


def test_the_same_id_twice_in_one_batch(site, volunteer):
    same = taps(1)[0]
    clash = TallyTap(same.client_id, "visitors", 3, same.recorded_at)
    result = record(site, [same, same, clash], volunteer)
    assert (result.accepted, result.duplicates) == (1, 1)
    assert [(r.client_id, r.code) for r in result.refused] == [(same.client_id, "id_conflict")]
    assert result.totals["visitors"] == 1


def test_an_id_reused_for_a_different_tap_is_a_conflict_and_changes_nothing(site, volunteer):
    original = taps(1)[0]
    record(site, [original], volunteer)
    for changed in (
        TallyTap(original.client_id, "children", 1, original.recorded_at),
        TallyTap(original.client_id, "visitors", 2, original.recorded_at),
    ):
        result = record(site, [changed], volunteer)
        assert (result.accepted, result.duplicates) == (0, 0)
        assert [r.code for r in result.refused] == ["id_conflict"]
    stored = TallyEntry.objects.get()
    assert (stored.category, stored.delta) == ("visitors", 1)


def test_an_id_from_another_site_is_a_conflict(site, volunteer, other_branch):
    elsewhere = Site.objects.create(
        event=site.event,
        location=Location.objects.create(name="azc Zwolle", city="Zwolle"),
        branch=other_branch,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        status=Site.Status.PUBLISHED,
    )
    tap = taps(1)[0]
    record(site, [tap], volunteer)
    result = record(elsewhere, [tap], volunteer)
    assert [r.code for r in result.refused] == ["id_conflict"]
    assert tally_totals(elsewhere)["visitors"] == 0


def test_entries_keep_who_when_and_which_device(site, volunteer):
    result = record(site, taps(2), volunteer)
    assert result.accepted == 2
    entries = list(TallyEntry.objects.all())
    assert {e.recorded_by for e in entries} == {volunteer}
    assert {e.device_id for e in entries} == {"phone-1"}
    assert {e.received_at for e in entries} == {DURING}
    assert len({e.sync_id for e in entries}) == 1
    assert not any(e.is_correction for e in entries)


def test_a_phone_clock_three_hours_ahead_is_corrected_by_the_sending_time(site, volunteer):
    # The tap happened at 11:30; the phone's clock said 14:30 and said it sent at 17:00
    # while the server's clock said 14:00.
    phone_ahead = datetime.timedelta(hours=3)
    tap = TallyTap(uuid.uuid4(), "visitors", 1, on_event_day(11, 30) + phone_ahead)

    without = record(site, [tap], volunteer)
    assert [r.code for r in without.refused] == ["recorded_in_future"]

    corrected = record(site, [tap], volunteer, sent_at=DURING + phone_ahead)
    assert corrected.accepted == 1
    assert corrected.clock_offset == -phone_ahead
    assert TallyEntry.objects.get().recorded_at == on_event_day(11, 30)


def test_a_phone_clock_hours_behind_still_counts_on_the_day(site, volunteer):
    tap = TallyTap(uuid.uuid4(), "visitors", 1, on_event_day(8, 30))  # really 11:30
    result = record(site, [tap], volunteer)
    assert result.accepted == 1
    corrected = TallyTap(uuid.uuid4(), "visitors", 1, on_event_day(8, 30))
    result = record(site, [corrected], volunteer, sent_at=DURING - datetime.timedelta(hours=3))
    assert result.accepted == 1
    assert TallyEntry.objects.get(client_id=corrected.client_id).recorded_at == on_event_day(11, 30)


def test_a_clock_absurdly_far_off_refuses_the_tap_instead_of_failing(site, volunteer):
    """Found by the API fuzzing: sent_at in the year 4730 moved a tap of the year 203
    back before the year 1, and the request failed with a 500."""
    tap = TallyTap(uuid.uuid4(), "visitors", 1, aware(203, 9, 8, 16))
    result = record(site, [tap], volunteer, sent_at=aware(4730, 12, 9, 15))
    assert [r.code for r in result.refused] == ["recorded_off_day"]
    assert TallyEntry.objects.count() == 0


def test_a_small_clock_difference_is_left_alone(site, volunteer):
    tap = TallyTap(uuid.uuid4(), "visitors", 1, on_event_day(11, 30))
    result = record(site, [tap], volunteer, sent_at=DURING + datetime.timedelta(seconds=50))
    assert result.clock_offset == datetime.timedelta(0)
    assert TallyEntry.objects.get().recorded_at == on_event_day(11, 30)


def test_a_phone_offline_for_days_still_delivers(site, volunteer):
    four_days_later = on_event_day(9, days=4)
    result = record(site, taps(4), volunteer, now=four_days_later, sent_at=four_days_later)
    assert result.accepted == 4
    assert TallyEntry.objects.get(pk=TallyEntry.objects.first().pk).received_at == (four_days_later)


@pytest.mark.parametrize(
    ("recorded_at", "accepted"),
    [
        (on_event_day(19, days=-1), True),  # the evening before, within six hours
        (on_event_day(17, 59, days=-1), False),
        (on_event_day(5, 59, days=1), True),  # the night after
        (on_event_day(6, days=1), False),
    ],
)
def test_taps_must_be_on_or_near_the_day(site, volunteer, recorded_at, accepted):
    result = record(site, taps(1, at=recorded_at), volunteer, now=on_event_day(12, days=2))
    assert result.accepted == (1 if accepted else 0)
    assert [r.code for r in result.refused] == ([] if accepted else ["recorded_off_day"])


def test_nothing_is_counted_at_a_cancelled_site(site, volunteer):
    site.status = Site.Status.CANCELLED
    site.save()
    with pytest.raises(SiteCancelled):
        record(site, taps(1), volunteer)
    assert not TallyEntry.objects.exists()


def test_a_coffee_action_counts_coffees_and_conversations(site, volunteer):
    event = site.event
    event.kind_id = "coffee"
    event.save()
    result = record(
        site, [*taps(2, "coffees"), *taps(1, "conversations"), *taps(1, "visitors")], volunteer
    )
    assert result.totals == {"coffees": 2, "conversations": 1, "passers_by": 0}
    assert [r.code for r in result.refused] == ["category_not_counted"]


# --- Corrections ---------------------------------------------------------------------------


def test_a_correction_with_a_reason_moves_the_total_and_is_traceable(site, volunteer, coordinator):
    record(site, taps(10), volunteer)
    entry = tally_correct(
        site=site,
        category="visitors",
        delta=120,
        reason="  Teller om 14:00 gereset, 120 erbij  ",
        recorded_at=on_event_day(14),
        by=coordinator,
        device_id="web",
        now=on_event_day(15),
    )
    assert entry.is_correction and entry.reason == "Teller om 14:00 gereset, 120 erbij"
    assert (entry.recorded_by, entry.device_id) == (coordinator, "web")
    assert entry.received_at == on_event_day(15)
    assert tally_totals(site)["visitors"] == 130


def test_a_correction_sent_twice_counts_once(site, coordinator):
    key = uuid.uuid4()
    for _ in range(2):
        tally_correct(
            site=site,
            category="visitors",
            delta=-15,
            reason="Dubbel geteld",
            by=coordinator,
            client_id=key,
            now=DURING,
        )
    assert tally_totals(site)["visitors"] == -15
    assert TallyEntry.objects.count() == 1


def test_after_the_day_a_correction_defaults_to_closing_time(site, coordinator):
    entry = tally_correct(
        site=site,
        category="children",
        delta=4,
        reason="Turflijst",
        by=coordinator,
        now=on_event_day(10, days=1),
    )
    assert entry.recorded_at == site.closes_at


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"delta": 0}, "delta"),
        ({"delta": 100_001}, "delta"),
        ({"category": "coffees"}, "category"),
        ({"recorded_at": on_event_day(12, days=-5)}, "recorded_at"),
        ({"recorded_at": DURING + datetime.timedelta(hours=1)}, "recorded_at"),
    ],
)
def test_a_bad_correction_names_the_field_and_stores_nothing(site, coordinator, changes, field):
    arguments = {"category": "visitors", "delta": 20, "reason": "Turflijst", **changes}
    with pytest.raises(InvalidInput) as caught:
        tally_correct(site=site, by=coordinator, now=DURING, **arguments)
    assert field in caught.value.field_errors
    assert not TallyEntry.objects.exists()


# --- Per hour ------------------------------------------------------------------------------


def test_hours_are_amsterdam_hours_from_opening_to_closing(site, volunteer):
    def utc(hour, minute=0):
        return datetime.datetime.combine(
            EVENT_DAY, datetime.time(hour, minute), tzinfo=datetime.UTC
        )

    record(
        site,
        [
            TallyTap(uuid.uuid4(), "visitors", 3, utc(9, 59)),
            TallyTap(uuid.uuid4(), "visitors", 2, utc(10, 0)),
            TallyTap(uuid.uuid4(), "children", 1, utc(10, 30)),
        ],
        volunteer,
    )
    hours = tally_hours(site)
    assert [(h["hour"].hour, h["visitors"], h["children"]) for h in hours] == [
        (11, 3, 0),
        (12, 2, 1),
        (13, 0, 0),
        (14, 0, 0),
        (15, 0, 0),
    ]
    assert str(hours[0]["hour"].tzinfo) == "Europe/Amsterdam"


def test_hours_widen_to_taps_outside_opening_hours(site, volunteer):
    record(site, taps(1, at=on_event_day(9, 15)), volunteer)
    hours = tally_hours(site)
    assert [h["hour"].hour for h in hours] == [9, 10, 11, 12, 13, 14, 15]
    assert hours[0]["visitors"] == 1
