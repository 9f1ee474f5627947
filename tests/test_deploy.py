"""Deployment safety: `check --deploy` with production settings, the Content-Security-
Policy, client addresses behind a proxy, and rate limits shared between processes."""

import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def production_env(**extra) -> dict:
    """The environment of a production server, as README's Production section shows."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
    }
    env.update(
        ENV_FILE="/dev/null",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=base64.urlsafe_b64encode(os.urandom(50)).decode(),
        ALLOWED_HOSTS="actiedagen.example.org",
        CSRF_TRUSTED_ORIGINS="https://actiedagen.example.org",
        SITE_URL="https://actiedagen.example.org",
        BEHIND_TLS_PROXY="true",
        TRUSTED_PROXY_COUNT="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://app:secret@127.0.0.1:5432/actiedagen",
    )
    env.update(extra)
    return env


def manage(*args, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- check --deploy ------------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (1 silenced)" in result.stdout  # W021, see the next test


def test_hsts_preload_is_an_opt_in_that_then_also_passes():
    """Preloading is an organisational decision (README): off by default, its warning
    silenced on purpose; opted in, the check passes without silencing anything."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "check_id"),
    [
        ("SECURE_SSL_REDIRECT", "false", "security.W008"),
        ("SECURE_HSTS_SECONDS", "0", "security.W004"),
        ("SESSION_COOKIE_SECURE", "false", "security.W012"),
        ("CSRF_COOKIE_SECURE", "false", "security.W016"),
        ("SECRET_KEY", "short", "security.W009"),
    ],
)
def test_check_deploy_fails_when_a_protection_is_switched_off(variable, value, check_id):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{variable: value})
    assert result.returncode != 0
    assert check_id in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    """The web server (gunicorn loads config.wsgi) refuses to serve without a key, and the
    deployment check fails on it; a plain `check` or `migrate` needs no key and runs."""
    served = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=production_env(SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode != 0
    assert "SECRET_KEY must be set" in served.stderr
    deploy = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="")
    assert deploy.returncode != 0
    assert "security.W009" in deploy.stderr + deploy.stdout
    assert manage("check", SECRET_KEY="").returncode == 0


# --- Content-Security-Policy ----------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_every_page_has_a_strict_policy(client):
    csp = policy(client.get("/"))
    assert csp["script-src"] == ["'self'"]  # no inline scripts, no eval
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "https://tile.openstreetmap.org" in csp["img-src"]


@pytest.mark.django_db
def test_only_the_map_embed_may_be_framed_by_other_sites(client):
    embed = client.get("/map/embed/")
    assert policy(embed)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in embed
    assert policy(client.get("/map/"))["frame-ancestors"] == ["'none'"]


def test_the_tile_server_from_settings_is_allowed_for_images():
    from config.settings import _tile_source

    assert _tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert _tile_source("https://{s}.tiles.example.nl/{z}/{x}/{y}.png") == (
        "https://*.tiles.example.nl"
    )
    assert _tile_source("/tiles/{z}/{x}/{y}.png") == "'self'"


def _inline_style_hashes(html: str) -> set[str]:
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in re.findall(r"<style>(.*?)</style>", html, re.S)
    }


@pytest.mark.django_db
def test_the_inline_styles_of_libraries_are_allowed_by_their_hash(admin_client):
    """The API docs page and the admin's change list carry a <style> block of their
    library. When an upgrade changes one, this test names the new hash for settings."""
    docs = Client().get("/api/docs/")
    assert "<script>" not in docs.content.decode()  # its start-up script is a file
    change_list = admin_client.get("/admin/events/event/")
    allowed = set(policy(docs)["style-src"])
    for page in (docs, change_list):
        missing = _inline_style_hashes(page.content.decode()) - allowed
        assert not missing, f"add to CSP_STYLE_HASHES in config/settings.py: {missing}"


# --- Client addresses behind a proxy ---------------------------------------------------------


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_dodge_the_api_throttle():
    """Without a proxy (TRUSTED_PROXY_COUNT=0) the client's own address counts, whatever
    X-Forwarded-For it sends: after the 10 attempts a minute allowed, the 11th is refused
    though each came "from" another address. (Each at another account, so that only the
    limits per client address apply.)"""
    cache.clear()
    client = Client()
    answers = [
        client.post(
            "/api/v1/auth/token/",
            {"email": f"x{n}@example.org", "password": "wrong"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(12)
    ]
    cache.clear()
    assert answers[:10] == [400] * 10
    assert answers[10:] == [429, 429]


def test_allauth_and_the_api_read_the_client_address_from_the_same_proxy_count():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


# --- allauth's rate limits in Redis, shared by processes --------------------------------------

RATE_LIMIT_SCRIPT = """
import json, sys
import django
django.setup()
from accounts.login_limits import login_attempt_spend
from django.test import RequestFactory
email, address, tries = sys.argv[1], sys.argv[2], int(sys.argv[3])
request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
print(json.dumps([login_attempt_spend(request, login=email) is not None
                  for _ in range(tries)]))
"""


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def failed_logins(email: str, address: str, tries: int, **env) -> list[bool]:
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", RATE_LIMIT_SCRIPT, email, address, str(tries)],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["redis", "memory"])
def test_failed_logins_are_counted_across_processes_in_redis(backend):
    """5 failed log-ins at an account from one client address per 5 minutes
    (accounts/login_limits.py). Two app processes, with attempts from the same address,
    share that count through Redis; with the per-process memory cache each would allow 5
    (the control)."""
    if not redis_reachable():
        if CI:
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI must prove this test")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    email = f"target-{uuid.uuid4().hex}@example.org"
    env = {"CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    if backend == "memory":
        env["REDIS_URL"] = ""
    first = failed_logins(email, "192.0.2.1", 3, **env)
    second = failed_logins(email, "192.0.2.1", 3, **env)
    assert first == [True, True, True]
    if backend == "redis":
        assert second == [True, True, False]
    else:
        assert second == [True, True, True]
