"""The worker: runs the queued background tasks (django-tasks-db's `db_worker`) and, in a
thread beside it, queues the periodic work (`volunteers.periodic`) at start and every
`PERIODIC_MINUTES`.

    python manage.py run_worker                  # both (`make run` starts this)
    python manage.py run_worker --periodic-only  # another backend's worker runs the tasks
    python manage.py run_worker --no-periodic    # a second worker for the same queue
    python manage.py run_worker --batch          # one round, every task due, then exit

Every option of `db_worker` works here too (`--batch`, `--interval`, `--max-tasks`, …).
Ctrl+C or SIGTERM stops it cleanly: the task that is running finishes (a second Ctrl+C
ends it at once), the periodic thread stops between rounds.
"""

import logging
import os
import signal
import threading
from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from volunteers.periodic import periodic_enqueue

logger = logging.getLogger("volunteers.worker")


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError as error:
        raise ArgumentTypeError("Must be a number of minutes") from error
    if not minutes > 0 or minutes == float("inf"):
        raise ArgumentTypeError("Must be more than zero minutes")
    return minutes


class Periodic(threading.Thread):
    """Queues the periodic tasks now and then every `minutes`, until `stop` is set; its
    database connections are closed after each round (it lives for days)."""

    def __init__(self, minutes: float):
        super().__init__(name="periodic", daemon=True)
        self.minutes = minutes
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                _log_queued(periodic_enqueue())
            except Exception:
                # A locked or unreachable database: the next round tries again.
                logger.exception("Could not queue the periodic work; trying again later")
            finally:
                connections.close_all()
            self.stop.wait(self.minutes * 60)


class Command(db_worker.Command):
    help = (
        "Run the background tasks (mail to many people, digests, reminders) and queue the "
        "periodic work every PERIODIC_MINUTES. Production runs this as its own process."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # db_worker checks at parse time that the backend keeps its queue in the database;
        # with --periodic-only another backend (Redis) is fine, so check in handle().
        for action in parser._actions:
            if action.dest == "backend_name":
                action.type = str
            if action.dest == "reload":
                # Not by default, also under DEBUG: a reloading worker runs in a thread of
                # a child process that neither stops cleanly on SIGTERM (the reloader exits
                # at once) nor after finishing its task on Ctrl+C (the reloader goes on).
                action.default = False
                action.help = "Reload on code changes (development only; default: off)."
        periodic = parser.add_mutually_exclusive_group()
        periodic.add_argument(
            "--periodic-only",
            action="store_true",
            help="Only queue the periodic work; another backend's worker runs the tasks.",
        )
        periodic.add_argument(
            "--no-periodic",
            action="store_true",
            help="Only run tasks; another process queues the periodic work.",
        )
        parser.add_argument(
            "--periodic-minutes",
            type=_minutes,
            default=None,
            help="Minutes between rounds of periodic work (default: settings.PERIODIC_MINUTES).",
        )

    def handle(self, *args, periodic_only, no_periodic, periodic_minutes, **options):
        self.configure_logging(options["verbosity"])
        _configure_own_log(self.stdout, options["verbosity"])
        minutes = periodic_minutes or settings.PERIODIC_MINUTES
        if periodic_only:
            return self.periodic_only(minutes)
        try:
            db_worker.valid_backend_name(options["backend_name"])
        except ArgumentTypeError as error:
            raise CommandError(
                f"{error} — run `run_worker --periodic-only` beside that backend's own worker"
            ) from error
        if options["batch"]:
            options["reload"] = False  # db_worker would warn about it
        reload = options["reload"]
        # With --reload (the default under DEBUG) this process only restarts a child that
        # does the work: the periodic thread belongs in that child, never in both.
        in_worker = not reload or _is_reloader_child()
        periodic = None
        if no_periodic or not in_worker:
            pass
        elif options["batch"]:
            # One round, then every task that is due, then exit: `run_worker --batch`
            # from cron does what the running worker does.
            _log_queued(periodic_enqueue())
        else:
            periodic = Periodic(minutes)
            periodic.start()
            logger.info("Queueing periodic work every %g minute(s)", minutes)
        try:
            super().handle(*args, **options)
        finally:
            if periodic is not None:
                periodic.stop.set()
                periodic.join(timeout=10)

    def periodic_only(self, minutes: float) -> None:
        periodic = Periodic(minutes)

        def stop(signum, frame) -> None:
            logger.info("Received %s - stopping.", signal.strsignal(signum))
            periodic.stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stop)
        logger.info("Queueing periodic work every %g minute(s); tasks run elsewhere", minutes)
        periodic.start()
        # Wait in short steps: the signal handler runs in this thread, between them.
        while periodic.is_alive():
            periodic.join(timeout=1)


def _log_queued(queued: list[str]) -> None:
    if queued:
        logger.info("Queued periodic work: %s", ", ".join(queued))


def _is_reloader_child() -> bool:
    return os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"


def _configure_own_log(stream, verbosity: int) -> None:
    """This command's lines go where db_worker's go (the root logger's console, or this
    command's output when no logging is set up)."""
    logger.setLevel(logging.CRITICAL if verbosity == 0 else logging.INFO)
    if not logger.hasHandlers():
        logger.addHandler(logging.StreamHandler(stream))
