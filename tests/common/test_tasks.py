"""Background tasks are retried when they fail, and a retry never sends a mail twice."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django_tasks.base import TaskResultStatus

from accounts.mail import MailNotSent, send_once
from accounts.models import SentMail
from common import clock
from common.tasks import background, enqueue_after_commit

pytestmark = pytest.mark.django_db

CALLS: list[str] = []
FAILURES = {"left": 0}


@background
def flaky(name: str) -> str:
    """Fails as often as FAILURES["left"] says, then succeeds."""
    CALLS.append(name)
    if FAILURES["left"]:
        FAILURES["left"] -= 1
        raise ConnectionError("mail server not answering")
    return name


@background
def mail_three() -> int:
    return send_once(
        (
            (f"test:{address}", EmailMessage("Hello", "Body", to=[address]))
            for address in ("a@example.org", "b@example.org", "c@example.org")
        ),
        what="test batch",
    )


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FAILURES["left"] = 0


@pytest.fixture
def refuses_b_once(monkeypatch):
    """The mail server refuses b@example.org the first time only."""
    deliver = EmailBackend.send_messages
    refused = []

    def send_messages(self, messages):
        if not refused and any("b@example.org" in message.to for message in messages):
            refused.append(True)
            raise ConnectionResetError("connection dropped")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def test_a_task_that_fails_is_tried_again_until_it_succeeds(settings):
    settings.TASK_ATTEMPTS = 5
    FAILURES["left"] = 2
    result = flaky.enqueue("digest")
    assert CALLS == ["digest", "digest", "digest"]
    # The first attempt is recorded as failed; the retries ran after it.
    assert result.status == TaskResultStatus.FAILED


def test_a_task_is_given_up_after_its_attempts(settings):
    settings.TASK_ATTEMPTS = 3
    FAILURES["left"] = 10
    flaky.enqueue("digest")
    assert CALLS == ["digest"] * 3
    assert FAILURES["left"] == 7


def test_a_task_queued_in_a_transaction_runs_only_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_after_commit(flaky, "after commit")
        assert CALLS == []
    for callback in callbacks:
        callback()
    assert CALLS == ["after commit"]


def test_a_retried_mail_task_sends_each_message_once(settings, refuses_b_once):
    settings.TASK_ATTEMPTS = 3
    mail_three.enqueue()
    sent = sorted(message.to[0] for message in mail.outbox)
    # b failed on the first attempt and went on the retry; a and c were not sent again.
    assert sent == ["a@example.org", "b@example.org", "c@example.org"]
    assert SentMail.objects.filter(key__startswith="test:").count() == 3


def test_send_once_skips_what_was_sent_and_reports_what_failed(refuses_b_once):
    SentMail.objects.create(key="test:a@example.org", sent_at=clock.now())
    with pytest.raises(MailNotSent):
        send_once(
            (
                (f"test:{address}", EmailMessage("Hello", "Body", to=[address]))
                for address in ("a@example.org", "b@example.org", "c@example.org")
            ),
            what="test batch",
        )
    assert [message.to[0] for message in mail.outbox] == ["c@example.org"]
    # The failed one is not recorded, so that a retry sends it.
    assert not SentMail.objects.filter(key="test:b@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_a_failed_task_waits_before_its_retry(settings):
    settings.TASK_ATTEMPTS = 3
    settings.TASK_RETRY_SECONDS = 60
    FAILURES["left"] = 1
    from django_tasks_db.models import DBTaskResult

    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=backend):
        flaky.enqueue("queued")
        assert CALLS == []  # queued, not run
        first = DBTaskResult.objects.get()
        first.claim("test-worker")
        # What the worker does with a claimed task.
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        before = clock.now()
        worker.run_task(first)
        assert CALLS == ["queued"]
        retry = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert retry.args_kwargs == {"args": ["queued"], "kwargs": {"attempt": 2}}
        assert retry.run_after >= before + datetime.timedelta(seconds=60)
        # Not yet due: a worker run now leaves it waiting.
        worker.run()
        assert CALLS == ["queued"]
