"""Background work: slow things (mail to many people, digests) leave the request.

Built on Django's task framework (the `django-tasks` backport on Django 5.2). A task is a
module-level function decorated with `background()`; a service hands it to
`enqueue_after_commit`, so it is queued only once the change it is about is committed
(nobody is mailed about a change that was rolled back) and runs in the worker
(`manage.py run_worker`; in tests, at once).

A task that raises is queued again after a wait that doubles each time, up to
`settings.TASK_ATTEMPTS` attempts in all. A retried task must not repeat what its earlier
attempt did: every mail is sent through `accounts.mail.send_once`, which records each
send, so a retry sends only what failed.

Arguments travel through the queue as JSON: pass ids and strings, never model instances.
"""

import datetime
import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django_tasks import task

from common import clock

logger = logging.getLogger(__name__)

ATTEMPT = "attempt"


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …)."""
    return datetime.timedelta(seconds=settings.TASK_RETRY_SECONDS * 2 ** (attempt - 1))


def background(function: Callable | None = None, *, priority: int = 0):
    """Make `function` a task that is retried when it raises (see the module's text).

    The task takes one extra keyword argument, `attempt`, which this wrapper passes on a
    retry; the function itself never sees it.
    """

    def decorate(func: Callable):
        @functools.wraps(func)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT, 1)
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt >= settings.TASK_ATTEMPTS:
                    logger.exception("%s failed %d times; not tried again", name, attempt)
                    raise
                logger.warning(
                    "%s failed (attempt %d of %d); trying again",
                    name,
                    attempt,
                    settings.TASK_ATTEMPTS,
                    exc_info=True,
                )
                _enqueue_retry(queued, args, {**kwargs, ATTEMPT: attempt + 1}, attempt)
                raise

        name = f"{func.__module__}.{func.__qualname__}"
        queued = task(run, priority=priority)
        return queued

    if function is not None:
        return decorate(function)
    return decorate


def _enqueue_retry(queued, args, kwargs, attempt: int) -> None:
    if queued.get_backend().supports_defer:
        queued.using(run_after=clock.now() + retry_delay(attempt)).enqueue(*args, **kwargs)
    else:
        # A backend that runs tasks at once (tests) cannot wait: try again now.
        queued.enqueue(*args, **kwargs)


def enqueue_after_commit(queued, *args, **kwargs) -> None:
    """Queue the task `queued` with these arguments once the current transaction commits
    (at once outside a transaction). Queueing never fails the change: a queue that cannot
    be reached is logged."""

    def enqueue() -> None:
        queued.enqueue(*args, **kwargs)

    transaction.on_commit(enqueue, robust=True)
