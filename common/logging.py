"""Keep secrets that travel in URLs out of the logs.

Personal calendar feeds carry their secret token in the path (`/calendar/volunteer/<token>.ics`,
`/calendar/branch/<token>.ics`): calendar apps cannot send anything else; so do a helper's
personal link (`/me/<token>/`), a site's invitation (`/j/<token>/`) and a site's check-in
code of the day (`/c/<token>/`, `/api/v1/check-in/<token>/`). Django logs the path
of every 4xx/5xx answer (`django.request`), the development server logs every request
(`django.server`), and error mails to ADMINS include the request. `RedactSecretPaths` replaces
the token with `[redacted]` in the message and drops the request from the record, so no
handler can print it. It is attached to those loggers and to our handlers in settings.LOGGING.
"""

import logging
import re


def _spelled(text: str) -> str:
    """A pattern for `text` as a path may carry it: any letter case, and any character
    percent-encoded, once or twice (`%2F`, `%252F`, `%63alendar`)."""
    return "".join(f"(?:{re.escape(character)}|%(?:25)?{ord(character):02x})" for character in text)


# A request for `/Calendar/Volunteer/<token>.ics` (or `//calendar/…`) is a 404 logged with
# its path, and `%2Fcalendar%2Fvolunteer%2F<token>` travels in query strings (`?next=`) and
# referrers: every spelling that may carry a live token is redacted, not only the one we
# serve. The token is URL-safe base64, perhaps percent-encoded: it ends at the first
# character that is not (".ics", "?", ...).
_SLASHES = f"(?:{_spelled('/')})+"
SECRET_PATH = re.compile(
    f"((?:{_SLASHES}{_spelled('calendar')}{_SLASHES}"
    f"(?:{_spelled('volunteer')}|{_spelled('branch')})"
    # A helper's personal link (`/me/<token>/`), a site's invitation (`/j/<token>/`) and
    # the site's check-in code of the day (`/c/<token>/`, `/api/v1/check-in/<token>/`).
    f"|{_SLASHES}(?:{_spelled('me')}|{_spelled('j')}|{_spelled('c')})"
    f"|{_SLASHES}{_spelled('api')}{_SLASHES}{_spelled('v1')}{_SLASHES}{_spelled('check-in')})"
    f"{_SLASHES})"
    r"[A-Za-z0-9_\-%]+",
    re.IGNORECASE,
)
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_PATH.sub(REDACTED, text)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the handler's problem, not ours
            return True
        if SECRET_PATH.search(message):
            record.msg = redact(message)
            record.args = ()
        request = getattr(record, "request", None)
        if request is not None and _mentions_token(request):
            # Error mails print the whole request (path, query string, META); a record
            # without one still reports the error and its traceback.
            record.request = None
        return True


def _mentions_token(request) -> bool:
    meta = getattr(request, "META", None) or {}
    places = (
        getattr(request, "path", ""),
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_REFERER", ""),
    )
    return any(SECRET_PATH.search(str(place or "")) for place in places)


class OneLineClientErrors(logging.Filter):
    """Log a 403 or 404 as one line, without the traceback of its exception.

    Django's `django.request` logs every 4xx with the exception that caused it
    (`PermissionDenied`, `Http404`) as `exc_info`, so the console of the development server
    is buried in tracebacks of ordinary refusals. The line ("Forbidden (Permission denied):
    /manage/...") says all there is to say; errors (5xx) and other 4xx keep their traceback.
    """

    STATUSES = frozenset({403, 404})

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in self.STATUSES:
            record.exc_info = None
            record.exc_text = None
        return True
