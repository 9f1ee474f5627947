"""Mail to many people runs as a retried background task, and a retry never mails anyone
twice (`accounts.mail.send_once`): the mail server refuses one address on the first
attempt; the retry sends that one alone."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from common import clock
from events.services import signup_release, site_cancel
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers import tasks
from volunteers.messages import Target, message_send
from volunteers.models import MessageRecipient

FLAKY = "flaky@example.org"
attempts: dict[str, int] = {}


class FailsOnceForOneAddress(EmailBackend):
    """The test mail box, refusing `FLAKY` the first time a mail is sent to it."""

    def send_messages(self, messages):
        for message in messages:
            if FLAKY in message.to:
                attempts[FLAKY] = attempts.get(FLAKY, 0) + 1
                if attempts[FLAKY] == 1:
                    raise ConnectionError("450 mailbox busy, try again later")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    attempts.clear()
    settings.EMAIL_BACKEND = f"{__name__}.FailsOnceForOneAddress"
    settings.TASK_ATTEMPTS = 3
    yield
    attempts.clear()


def addresses():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_message_is_retried_for_the_one_address_that_failed(
    site, coordinator, flaky_mail, django_capture_on_commit_callbacks
):
    shift = make_shift(site)
    for email in ("a@example.org", FLAKY, "z@example.org"):
        make_signup(shift, make_volunteer(email))
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(
            target=Target.for_shift(shift),
            by=coordinator,
            audiences=["confirmed"],
            subject="Parking",
            body="At the back.",
            language="en",
        )
    assert attempts[FLAKY] == 2  # refused once, then sent by the retry
    assert addresses() == ["a@example.org", FLAKY, "z@example.org"]  # each once
    assert all(r.sent_at is not None for r in MessageRecipient.objects.filter(message=message))

    # A second worker running the same task again sends nothing.
    mail.outbox.clear()
    tasks.messages.message_deliver(message.pk)
    assert mail.outbox == []


def test_before_the_retry_only_the_failed_one_is_unsent(site, coordinator, flaky_mail, settings):
    """The first attempt alone (no retry): the others are sent and recorded, the refused
    one is not, so the retry has that one left."""
    settings.TASK_ATTEMPTS = 1
    shift = make_shift(site)
    for email in ("a@example.org", FLAKY):
        make_signup(shift, make_volunteer(email))
    message = message_send(
        target=Target.for_shift(shift),
        by=coordinator,
        audiences=["confirmed"],
        subject="Parking",
        body="At the back.",
        language="en",
    )
    with pytest.raises(Exception, match="not sent"):
        tasks.messages.message_deliver(message.pk)
    assert addresses() == ["a@example.org"]
    unsent = MessageRecipient.objects.filter(message=message, sent_at__isnull=True)
    assert [r.volunteer.user.email for r in unsent] == [FLAKY]
    tasks.messages.message_deliver(message.pk)
    assert addresses() == ["a@example.org", FLAKY]


def test_a_cancelled_sites_mail_is_retried_without_mailing_twice(
    site, coordinator, flaky_mail, django_capture_on_commit_callbacks
):
    shift = make_shift(site)
    for email in ("a@example.org", FLAKY):
        make_signup(shift, make_volunteer(email), confirmed_at=clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        site_cancel(site=site, by=coordinator, comment="Closed.")
    volunteers = [address for address in addresses() if address != "coordinator@example.org"]
    assert volunteers == ["a@example.org", FLAKY]
    assert attempts[FLAKY] == 2


def test_a_promotion_mail_is_retried_once(site, flaky_mail, django_capture_on_commit_callbacks):
    from events.services import signup_create

    shift = make_shift(site, capacity=1)
    holder = make_volunteer("holder@example.org")
    waiting = make_volunteer(FLAKY)
    signup_create(shift=shift, volunteer=holder)
    signup_create(shift=shift, volunteer=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        signup_release(shift=shift, volunteer=holder)
    assert addresses() == [FLAKY, "holder@example.org"]
    assert attempts[FLAKY] == 2


def test_reminders_are_a_task_the_worker_queues(shift):
    """`send_due_reminders` (queued periodically by the worker) sends what is due once."""
    import datetime

    import time_machine

    make_signup(shift, make_volunteer("soon@example.org"))
    with time_machine.travel(shift.starts_at - datetime.timedelta(hours=20), tick=False):
        first = tasks.send_due_reminders.call()
        again = tasks.send_due_reminders.call()
    assert first >= 1 and again == 0
    assert addresses().count("soon@example.org") == first
