"""What the web server checks before it serves (called by config/wsgi.py and asgi.py).

Settings leave SECRET_KEY empty when DEBUG is off and none is given, so that commands
that sign nothing (check, migrate) still run; serving without a key is refused here.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY_MESSAGE = (
    "SECRET_KEY must be set when DEBUG is off. Generate one with: "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
)


def require_secret_key() -> None:
    """Refuse to serve without a real signing key (sessions, CSRF, password resets)."""
    try:
        key = settings.SECRET_KEY  # Django itself refuses an empty key on access
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured(MISSING_KEY_MESSAGE)
