"""Two people doing the same thing at the same moment: one wins, the other gets a clear
error, and nothing is done twice. Real threads with their own connections, on SQLite
(writers queue on the IMMEDIATE lock) and on PostgreSQL (row locks, the unique index)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from common.errors import DomainError, InvalidInput
from events.errors import SiteWrongStatus
from events.models import Site, SiteStatusChange
from events.services import site_create
from events.services.workflow import site_publish
from tests.events.editions_helpers import draft_site, place, upcoming_edition

PEOPLE = 4


def run_together(work) -> list:
    """Run `work(i)` in PEOPLE threads released at once; return what each returned or raised."""
    barrier = threading.Barrier(PEOPLE)
    outcomes: list = [None] * PEOPLE

    def thread(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except DomainError as error:
            outcomes[i] = error
        except Exception as error:  # anything else is a bug: keep it to fail the test
            outcomes[i] = ("unexpected", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(PEOPLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_location_registered_at_once_gives_one_site_and_clear_errors(
    coordinator, organiser, branch
):
    edition = upcoming_edition()
    location = place()

    outcomes = run_together(
        lambda i: site_create(event=edition, location=location, branch=branch, by=coordinator)
    )
    sites = [o for o in outcomes if isinstance(o, Site)]
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(sites) == 1, outcomes
    assert len(refused) == PEOPLE - 1, outcomes
    assert all("location" in error.field_errors for error in refused)
    assert Site.objects.count() == 1
    assert SiteStatusChange.objects.count() == 1
    assert sites[0].shifts.count() == 7  # no shifts left behind by the losers


@pytest.mark.django_db(transaction=True)
def test_approving_at_once_publishes_once(organiser, branch):
    site = draft_site(upcoming_edition(), place(), branch, status=Site.Status.SUBMITTED)
    outcomes = run_together(lambda i: site_publish(site=site, by=organiser))
    assert sum(isinstance(o, Site) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, SiteWrongStatus) for o in outcomes) == PEOPLE - 1, outcomes
    assert site.status_changes.filter(to_status=Site.Status.PUBLISHED).count() == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL row locks (SQLite queues whole transactions)",
)
@pytest.mark.django_db(transaction=True)
def test_control_without_the_row_lock_the_site_is_published_several_times(
    organiser, branch, monkeypatch
):
    """Proves the lock is what keeps the test above green: read without it, and let every
    approver read before any writes, and each one publishes."""
    from events.services import workflow as site_status

    site = draft_site(upcoming_edition(), place(), branch, status=Site.Status.SUBMITTED)
    everyone_has_read = threading.Barrier(PEOPLE)

    def read_without_lock(site):
        found = Site.objects.select_related("event", "location", "branch").get(pk=site.pk)
        everyone_has_read.wait(timeout=30)
        return found

    monkeypatch.setattr(site_status, "_lock", read_without_lock)
    outcomes = run_together(lambda i: site_publish(site=site, by=organiser))
    assert sum(isinstance(o, Site) for o in outcomes) == PEOPLE, outcomes
    assert site.status_changes.filter(to_status=Site.Status.PUBLISHED).count() == PEOPLE
