"""A database that cannot be reached is a 503 with Retry-After, never a 500.

While PostgreSQL restarts (or a SQLite file cannot be written: read-only, disk full)
every query fails with `OperationalError` or `InterfaceError`. A 500 would say the app is
broken and make clients give up; a 503 with `Retry-After` says "try again shortly", and
the tally counter and calendar apps do. Nothing is half-done: each change runs in one
transaction, which the database rolls back.

Two places catch it:

- `DatabaseUnavailableMiddleware.process_exception`, for errors raised by a view (most
  of them), without logging a traceback for every request while the database is away;
- `common.handlers.server_error` (Django's `handler500`), for errors raised outside a
  view, e.g. when the session is saved after the view. Other errors stay a plain 500.

Django closes a broken connection at the end of the request (its connection is marked
unusable), and `CONN_HEALTH_CHECKS` checks a kept connection before reuse, so the next
request after the database is back connects afresh: no restart of the app is needed.
The answer is made without the database: no template context, no session, no user.
"""

import logging
import sqlite3

from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("common.db_unavailable")

UNAVAILABLE = (OperationalError, InterfaceError)


# SQLite reports nearly every error as OperationalError, bugs ("no such table", "syntax
# error") too: only these mean that the file cannot be used right now.
SQLITE_UNAVAILABLE = (
    "database is locked",
    "readonly database",
    "disk is full",
    "disk i/o error",
    "unable to open database",
)


def is_database_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        message = str(cause).lower()
        return any(text in message for text in SQLITE_UNAVAILABLE)
    return True


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def unavailable_response(request) -> HttpResponse:
    retry_after = str(settings.DATABASE_RETRY_AFTER)
    detail = _(
        "The database cannot be reached or written to at the moment. Nothing was "
        "changed; please try again in a minute."
    )
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"code": "service_unavailable", "detail": detail}, status=503
        )
    else:
        body = render_to_string("503.html", {"detail": detail, "retry_after": retry_after})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            # A value the database cannot hold (a NUL character, a number out of range)
            # that a form let through: bad input, so a 400; nothing was stored.
            logger.warning("database refused a value: %s", exception)
            return HttpResponseBadRequest(_("A value in the request cannot be stored."))
        if not is_database_unavailable(exception):
            return None
        logger.warning("database unavailable (%s): %s", type(exception).__name__, exception)
        return unavailable_response(request)
