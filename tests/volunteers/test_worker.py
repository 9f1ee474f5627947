"""The worker (`manage.py run_worker`) with the database queue: it runs what was queued,
retries what failed without mailing anyone twice, and queues the periodic work."""

import datetime
import os
import signal
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from events.models import Shift
from events.tasks import send_shift_alerts
from tests.conftest import make_user, on_event_day
from volunteers.management.commands.run_worker import Periodic
from volunteers.periodic import periodic_enqueue

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PERIODIC = {
    "volunteers.tasks.send_due_reminders",
    "events.tasks.send_staffing_digests",
    "events.tasks.send_shift_alerts",
}


@pytest.fixture(autouse=True)
def database_queue():
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


@pytest.fixture(autouse=True)
def _signals_restored():
    """db_worker installs its own Ctrl+C handler; the test run keeps its own."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def started_short(shift, coordinator):
    """On the day, the shift has begun with none of its three places filled."""
    with time_machine.travel(on_event_day(11, 5), tick=False):
        yield shift


def run_worker(*args):
    call_command("run_worker", "--batch", "--no-startup-delay", *args, verbosity=0)


def alerts_to(address: str) -> int:
    return sum(message.to == [address] for message in mail.outbox)


def test_a_queued_task_waits_for_the_worker_which_sends_its_mail_once(started_short, coordinator):
    send_shift_alerts.enqueue()
    assert mail.outbox == []
    assert DBTaskResult.objects.ready().count() == 1
    run_worker("--no-periodic")
    assert alerts_to(coordinator.email) == 1
    assert DBTaskResult.objects.successful().count() == 1
    # Queued again (the next round): the alert was sent before, and is not sent again.
    send_shift_alerts.enqueue()
    run_worker("--no-periodic")
    assert alerts_to(coordinator.email) == 1
    assert DBTaskResult.objects.ready().count() == 0


def test_db_worker_itself_runs_the_tasks_too(started_short, coordinator):
    send_shift_alerts.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert alerts_to(coordinator.email) == 1


def test_a_batch_run_queues_the_periodic_work_and_runs_it(started_short, coordinator):
    run_worker()
    assert set(DBTaskResult.objects.successful().values_list("task_path", flat=True)) == PERIODIC
    assert alerts_to(coordinator.email) == 1


def test_a_failed_task_is_queued_again_for_later_and_then_sends_only_what_failed(
    started_short, coordinator, django_user_model, branch, settings, monkeypatch
):
    settings.TASK_ATTEMPTS = 3
    settings.TASK_RETRY_SECONDS = 60
    second = make_user(django_user_model, "second@example.org")
    branch.coordinators.add(second)
    deliver = EmailBackend.send_messages
    refused = []

    def send_messages(self, messages):
        if not refused and any(message.to == [second.email] for message in messages):
            refused.append(True)
            raise ConnectionResetError("connection dropped")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    send_shift_alerts.enqueue()
    run_worker("--no-periodic")
    assert (alerts_to(coordinator.email), alerts_to(second.email)) == (1, 0)
    assert DBTaskResult.objects.failed().count() == 1
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after >= on_event_day(11, 5) + datetime.timedelta(seconds=60)
    # Not due yet: the worker leaves it waiting.
    run_worker("--no-periodic")
    assert alerts_to(second.email) == 0
    with time_machine.travel(on_event_day(11, 7), tick=False):
        run_worker("--no-periodic")
    assert (alerts_to(coordinator.email), alerts_to(second.email)) == (1, 1)
    assert DBTaskResult.objects.successful().count() == 1


def test_the_periodic_round_queues_the_reminders_and_alerts_once(db):
    assert set(periodic_enqueue()) == PERIODIC
    assert set(DBTaskResult.objects.ready().values_list("task_path", flat=True)) == PERIODIC
    # The worker has not run them yet: the next round adds no second copy.
    assert periodic_enqueue() == []
    assert DBTaskResult.objects.count() == 3


def test_the_periodic_thread_queues_at_start_and_stops_when_told(db):
    periodic = Periodic(minutes=60)
    periodic.start()
    for _ in range(100):
        if DBTaskResult.objects.count() == 3:
            break
        periodic.join(timeout=0.1)
    periodic.stop.set()
    periodic.join(timeout=10)
    assert not periodic.is_alive()
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == PERIODIC


def test_a_cancelled_shift_queued_before_is_not_alerted_when_the_task_runs(
    started_short, coordinator
):
    send_shift_alerts.enqueue()
    Shift.objects.filter(pk=started_short.pk).update(is_cancelled=True)
    run_worker("--no-periodic")
    assert mail.outbox == []


def test_with_another_backend_the_worker_says_to_run_only_the_periodic_work():
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate), pytest.raises(CommandError, match="periodic-only"):
        run_worker()


def test_make_run_starts_the_worker_beside_the_server_with_the_same_links():
    """`make run PORT=8001`: the worker, which sends the mails, links to port 8001 too."""
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8001"],  # noqa: S607
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    [worker] = [line for line in dry_run.stdout.splitlines() if "manage.py run_worker" in line]
    assert "DEFAULT_SITE_URL=http://127.0.0.1:8001" in worker
    assert "run_worker & worker=$!" in worker  # in the background, stopped by the trap
    assert "trap" in dry_run.stdout
