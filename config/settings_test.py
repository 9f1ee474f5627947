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

# Stored public answers (`common.published`) in this process's memory: the runs on SQLite
# and PostgreSQL side by side must not share them. A test of several processes sets
# PUBLISHED_CACHE_SHARED in all of them, to share Redis or a file cache as a deployment does.
if not os.environ.get("PUBLISHED_CACHE_SHARED"):
    CACHES["published"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "published",
    }

# Background tasks run at once, in the test's own process and transaction (after its
# commit, as `common.tasks.enqueue_after_commit` asks); tests of the worker itself switch
# to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Serve static files from the app folders, as in development, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# A clock the tests control: `TEST_CLOCK=2031-06-20` (a date, or an ISO date and time,
# Europe/Amsterdam) moves "now" for the whole run, in this process and in every process
# the tests start with these settings (app servers, workers); time then runs on from
# there. Fixtures derive their dates from "today", so the suite passes on any date; CI
# runs it once more with the clock moved years ahead to prove it.
TEST_CLOCK = os.environ.get("TEST_CLOCK", "")
if TEST_CLOCK and os.environ.get("TEST_CLOCK_PROCESS") != str(os.getpid()):
    import datetime
    import time
    import zoneinfo

    import time_machine

    # The first process fixes how far the clock moves; processes it starts move by as
    # much, so that all of them agree on "now" however late they start.
    _offset = os.environ.get("TEST_CLOCK_OFFSET")
    if _offset is None:
        _moment = datetime.datetime.fromisoformat(TEST_CLOCK)
        if len(TEST_CLOCK) == 10:  # a date only: the middle of that day
            _moment = _moment.replace(hour=12)
        if _moment.tzinfo is None:
            _moment = _moment.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
        _offset = str(_moment.timestamp() - time.time())
        os.environ["TEST_CLOCK_OFFSET"] = _offset
    time_machine.travel(time.time() + float(_offset), tick=True).start()
    # time-machine starts the moved clock ticking at its first reading, not at start():
    # read it now, or a process that reads it late would lag behind the others.
    time.time()
    os.environ["TEST_CLOCK_PROCESS"] = str(os.getpid())
