"""Phones sending overlapping batches at the same moment: every tap counts exactly once,
and the limits per person and device hold.

Real threads with their own database connections (transaction=True), on SQLite (writers
queue on the IMMEDIATE lock) and on PostgreSQL (inserts of the same UUID wait for each
other on the unique index; batches at one site wait for the site's lock). The control
test removes the transaction and the lock and shows that the limits then fail.
"""

import contextlib
import random
import threading
import uuid

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from events import locking
from events.models import Site
from tallies import services
from tallies.models import TallyEntry
from tallies.selectors import tally_totals
from tallies.services import TallyTap, tally_record
from tests.conftest import on_event_day

from .conftest import tap

SENDERS = 10


def run_together(work):
    """Run `work(i)` in SENDERS threads released at the same moment; return results."""
    barrier = threading.Barrier(SENDERS)
    results, errors = [None] * SENDERS, []

    def thread(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def overlapping_batches(pool, i):
    """Sender i sends a window of the pool that overlaps its neighbours', shuffled, in
    batches of 50, and sends its first batch once more at the end (a lost answer)."""
    mine = pool[i * 30 : i * 30 + 130]
    rng = random.Random(i)
    mine = rng.sample(mine, len(mine))
    batches = [mine[k : k + 50] for k in range(0, len(mine), 50)]
    return [*batches, batches[0]]


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_senders_of_overlapping_batches_give_the_exact_total(site, volunteer):
    rng = random.Random(5)
    pool = [
        TallyTap(
            uuid.uuid4(),
            rng.choice(["visitors", "visitors", "children"]),
            rng.choice([1, 1, 1, 2, 5, -1]),
            on_event_day(12, rng.randrange(60)),
        )
        for _ in range(400)
    ]

    def send(i):
        counts = {"accepted": 0, "duplicates": 0, "sent": 0}
        for batch in overlapping_batches(pool, i):
            result = tally_record(
                site=site,
                entries=batch,
                by=volunteer,
                device_id=f"phone-{i}",
                now=on_event_day(14),
            )
            assert result.refused == []
            counts["accepted"] += result.accepted
            counts["duplicates"] += result.duplicates
            counts["sent"] += len(batch)
        return counts

    results = run_together(send)
    close_old_connections()

    expected = {"visitors": 0, "children": 0}
    for entry in pool:
        expected[entry.category] += entry.delta
    assert tally_totals(site) == expected
    assert TallyEntry.objects.count() == len(pool)
    # Each tap was reported as accepted by exactly one sender, a duplicate to the others.
    assert sum(r["accepted"] for r in results) == len(pool)
    assert all(r["accepted"] + r["duplicates"] == r["sent"] for r in results)


@pytest.mark.django_db(transaction=True)
def test_ten_phones_posting_the_same_batches_through_the_api(today_site, counting_volunteer):
    pool = [tap(delta=d) for d in [1, 2, 1, 5, 1, -1, 3] * 30]

    def send(i):
        client = Client()
        client.force_login(counting_volunteer)
        accepted = 0
        for batch in overlapping_batches(pool, i % 5):
            response = client.post(
                f"/api/v1/sites/{today_site.pk}/tallies/",
                {"entries": batch, "device_id": f"phone-{i}"},
                content_type="application/json",
            )
            assert response.status_code == 200, response.content
            accepted += response.json()["accepted"]
        return accepted

    results = run_together(send)
    close_old_connections()

    sent = {
        entry["id"]: entry["delta"]
        for i in range(5)
        for b in overlapping_batches(pool, i)
        for entry in b
    }
    assert tally_totals(today_site)["visitors"] == sum(sent.values())
    assert sum(results) == len(sent)


# --- The limits hold for batches sent at the same moment ----------------------------------

LIMIT = 100


def batch_at_the_limit(i):
    """Twenty groups of five in one minute: each batch alone is at the limit."""
    return [TallyTap(uuid.uuid4(), "visitors", 5, on_event_day(12, 30)) for _ in range(20)]


def send_at_once(site, volunteer):
    return run_together(
        lambda i: tally_record(
            site=site,
            entries=batch_at_the_limit(i),
            by=volunteer,
            device_id=f"phone-{i}",
            now=on_event_day(14),
        )
    )


@pytest.mark.django_db(transaction=True)
def test_batches_sent_at_once_cannot_together_go_over_the_limit(site, volunteer, settings):
    settings.TALLY_LIMIT_PER_MINUTE = LIMIT
    results = send_at_once(site, volunteer)
    close_old_connections()
    assert tally_totals(site)["visitors"] == LIMIT
    assert sum(r.accepted for r in results) == LIMIT // 5
    refused = [r.code for result in results for r in result.refused]
    assert refused == ["rate_limited"] * (SENDERS * 20 - LIMIT // 5)


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_concurrent_batches_do_go_over_the_limit(
    site, volunteer, settings, monkeypatch
):
    """Bypass the transaction and the site's lock: every sender reads what was counted
    before anyone writes (a barrier makes that certain), so all of them fit."""
    settings.TALLY_LIMIT_PER_MINUTE = LIMIT
    read = threading.Barrier(SENDERS)
    real_limits = services._Limits

    class ReadThenWait(real_limits):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            read.wait(timeout=60)

    monkeypatch.setattr(locking, "write_transaction", contextlib.nullcontext)
    monkeypatch.setattr(locking, "lock_site", lambda pk, related: Site.objects.get(pk=pk))
    monkeypatch.setattr(services, "_Limits", ReadThenWait)

    send_at_once(site, volunteer)
    close_old_connections()
    assert tally_totals(site)["visitors"] > LIMIT  # over the limit: the race is real
