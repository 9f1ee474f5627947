"""The production settings, with the few overrides a test run needs.

Run the suite on PostgreSQL by setting DATABASE_URL, e.g.
DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (pytest-django creates `test_test`).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False

# Hashing passwords properly is slow on purpose; tests make many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files are not collected for tests; serve them by name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file rather than Django's in-memory default, so that threads in race tests each get
# their own connection to one database, with WAL and IMMEDIATE transactions as in use.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test.sqlite3"))
    }

# Serve static files from the app folders, as in development, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
