"""A change made in one process is seen at once by another that serves stored public
answers (`common.published`): an app server in a second process, sharing the cache as a
deployment does (Redis, or files on one machine), and the database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from events.services import shift_update, site_update
from tests.test_deploy import CI, redis_reachable

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, as the second process must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture(params=["redis", "files"])
def shared_cache(request, settings, tmp_path):
    """The published answers' cache as two processes share it, here and in the server."""
    env = {"PUBLISHED_CACHE_SHARED": "1"}
    if request.param == "redis":
        if not redis_reachable():
            if CI:
                pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI must prove this test")
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
        prefix = f"test-{uuid.uuid4().hex}"
        env.update(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX=prefix)
        published = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env["REDIS_URL"],
            "KEY_PREFIX": f"{prefix}-published",
        }
    else:
        env.update(REDIS_URL="", PUBLISHED_CACHE_DIR=str(tmp_path / "published"))
        published = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env["PUBLISHED_CACHE_DIR"],
        }
    settings.CACHES = {**settings.CACHES, "published": published}
    return env


@pytest.fixture
def server(transactional_db, shared_cache):
    """The app in a second process, on the test database and the shared cache."""
    port = free_port()
    env = {
        **os.environ,
        **shared_cache,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 (our own server)
        return answer.read()


def test_a_change_made_here_is_served_there_at_once(server, event, site, shift, organiser):
    map_url = f"{server}/api/v1/sites/?event={event.slug}"
    feed_url = f"{server}/calendar/events/{event.slug}.ics"
    first = json.loads(get(map_url))
    assert first["features"][0]["properties"]["open_spots"] == 3
    assert json.loads(get(map_url)) == first  # stored there, and served again
    feed = get(feed_url)
    assert b"azc Utrecht" in feed and get(feed_url) == feed

    # Committed in this process (no transaction around the test), then read there.
    shift_update(shift=shift, capacity=7)
    assert json.loads(get(map_url))["features"][0]["properties"]["open_spots"] == 7
    site_update(site=site, by=organiser, name="Open huis Utrecht")
    assert json.loads(get(map_url))["features"][0]["properties"]["name"] == "Open huis Utrecht"
    assert b"Open huis Utrecht" in get(feed_url)
