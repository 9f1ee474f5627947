"""The periodic work: every `settings.PERIODIC_MINUTES` the worker (`manage.py
run_worker`) queues these tasks, which send whatever has come due since (reminders of
coming shifts, coordinators' understaffing digests and alerts). Each mail is recorded
when sent, so queueing them often, or from two workers, never sends anything twice.

This module sits in the top layer (it names tasks of `events` and of this app); the
worker command is its only caller besides the tests.
"""

import logging

from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from events.tasks import send_shift_alerts, send_staffing_digests

from .tasks import send_due_reminders

logger = logging.getLogger(__name__)

PERIODIC_TASKS = (send_due_reminders, send_staffing_digests, send_shift_alerts)


def _waiting(task) -> bool:
    """Whether the database queue already holds a run of `task` that is due and not
    started: a worker that fell behind (or is not running) then gets no second copy."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return (
        DBTaskResult.objects.ready()
        .filter(backend_name=backend.alias, task_path=task.module_path)
        .exists()
    )


def periodic_enqueue() -> list[str]:
    """Queue each periodic task unless a run of it is already waiting; returns the names
    of those queued."""
    queued = []
    for task in PERIODIC_TASKS:
        if _waiting(task):
            logger.info("%s is still waiting to run; not queued again", task.module_path)
            continue
        task.enqueue()
        queued.append(task.module_path)
    return queued
