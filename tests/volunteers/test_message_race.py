"""A double (or quadruple) click on "Send" under concurrency, on the database the suite runs
on: four identical sends at the same moment store one message and mail each volunteer once;
the others are refused as repeated. The control test (PostgreSQL only: SQLite runs one
write transaction at a time anyway) takes away the writer's lock and shows the race."""

import time

import pytest
from django.core import mail
from django.db import connection

from common import clock
from tests.events.test_signup_race import run_together
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers import messages
from volunteers.messages import MessageRepeated, Target, message_send
from volunteers.models import Message, MessageRecipient

pytestmark = pytest.mark.django_db(transaction=True)

CLICKS = 4


@pytest.fixture
def shift_with_people(site):
    shift = make_shift(site, capacity=2)
    make_signup(
        shift, make_volunteer("amal@example.org", first_name="Amal"), confirmed_at=clock.now()
    )
    make_signup(
        shift, make_volunteer("bas@example.org", first_name="Bas"), confirmed_at=clock.now()
    )
    return shift


@pytest.fixture
def slow_audience(monkeypatch):
    """Widen the window between the repeat check's read and the insert of the message, so
    that without a lock every click reads before any of them writes."""
    create = Message.objects.create

    def slowly(**kwargs):
        time.sleep(0.5)
        return create(**kwargs)

    monkeypatch.setattr(Message.objects, "create", slowly)


def click(shift, coordinator):
    return lambda _index: message_send(
        target=Target.for_shift(shift),
        by=coordinator,
        audiences=["confirmed"],
        subject="Parking",
        body="Park at the back.",
        language="en",
    )


def test_simultaneous_identical_sends_make_one_message(
    shift_with_people, coordinator, slow_audience
):
    mail.outbox.clear()
    results = run_together(click(shift_with_people, coordinator), list(range(CLICKS)))
    sent = [r for r in results if isinstance(r, Message)]
    refused = [r for r in results if isinstance(r, MessageRepeated)]
    assert (len(sent), len(refused)) == (1, CLICKS - 1), results
    assert Message.objects.count() == 1
    assert MessageRecipient.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["amal@example.org", "bas@example.org"]


def test_control_without_the_writers_lock_the_clicks_all_send(
    shift_with_people, coordinator, slow_audience, monkeypatch
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one write transaction at a time: there is no race to show")
    monkeypatch.setattr(messages, "_lock_writer", lambda by: None)
    results = run_together(click(shift_with_people, coordinator), list(range(CLICKS)))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Message.objects.count() == CLICKS  # the race is real; only the lock prevents it
