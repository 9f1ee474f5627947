"""Keep secrets that travel in URLs out of the logs.

Personal calendar feeds carry their secret token in the path (`/calendar/volunteer/<token>.ics`,
`/calendar/branch/<token>.ics`): calendar apps cannot send anything else. Django logs the path
of every 4xx/5xx answer (`django.request`), the development server logs every request
(`django.server`), and error mails to ADMINS include the request. `RedactSecretPaths` replaces
the token with `[redacted]` in the message and drops the request from the record, so no
handler can print it. It is attached to those loggers and to our handlers in settings.LOGGING.
"""

import logging
import re

# The token is URL-safe base64: it ends at the first character that is not (".ics", "?", ...).
SECRET_PATH = re.compile(r"(/calendar/(?:volunteer|branch)/)[A-Za-z0-9_\-%]+")
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
        if request is not None and SECRET_PATH.search(getattr(request, "path", "") or ""):
            # Error mails print the whole request (path, META); a record without one
            # still reports the error and its traceback.
            record.request = None
        return True
