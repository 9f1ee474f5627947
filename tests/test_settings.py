"""Settings come from the environment; the database is configured for concurrent use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def settings_with(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with only `env` set."""
    clean = {"PATH": os.environ["PATH"], "ENV_FILE": os.devnull}
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"from config import settings as s; print({expression})"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_never_falls_back_to_the_development_key():
    """Without DEBUG and without SECRET_KEY the key stays empty (Django then refuses to
    sign anything, and config.wsgi refuses to serve: tests/test_deploy.py)."""
    result = settings_with({"DEBUG": "false"}, "repr(s.SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "''"
    development = settings_with({"DEBUG": "true"}, "s.SECRET_KEY")
    assert "development-only" in development.stdout


def test_debug_must_be_a_clear_boolean():
    result = settings_with({"DEBUG": "maybe"}, "s.DEBUG")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_no_database_url_means_sqlite_tuned_for_concurrency(tmp_path):
    result = settings_with(
        {"DEBUG": "true", "SQLITE_PATH": str(tmp_path / "x.sqlite3")},
        "s.DATABASES['default']",
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
    assert "journal_mode=WAL" in result.stdout
    assert "'timeout': 20" in result.stdout


def test_postgres_url_means_persistent_health_checked_connections():
    result = settings_with(
        {"DEBUG": "true", "DATABASE_URL": "postgres://app:pw@db.internal:5432/actiedagen"},
        "(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_MAX_AGE'],"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.DATABASES['default']['NAME'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("('django.db.backends.postgresql', 600, True, 'actiedagen')")


def test_an_unsupported_database_is_refused():
    result = settings_with({"DEBUG": "true", "DATABASE_URL": "mysql://x@y/z"}, "1")
    assert result.returncode != 0
    assert "postgres:// or sqlite://" in result.stderr


def test_allowed_hosts_from_the_environment():
    result = settings_with(
        {"DEBUG": "false", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "a.example.org, b.example.org"},
        "s.ALLOWED_HOSTS",
    )
    assert result.stdout.strip() == "['a.example.org', 'b.example.org']"


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "nl"
    assert [code for code, _ in settings.LANGUAGES] == ["nl", "en", "ar", "fa", "ti"]


@pytest.mark.django_db
def test_sqlite_connection_uses_wal_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000


def served_site_url(make_arguments: list[str], env: dict[str, str]) -> str:
    """SITE_URL as the development server of `make run <make_arguments>` sees it: the
    command `make` would run, with `runserver` swapped for printing the setting."""
    clean = {"PATH": os.environ["PATH"], "ENV_FILE": os.devnull}
    clean.update(env)
    dry_run = subprocess.run(  # noqa: S603
        ["make", "-n", "run", *make_arguments],  # noqa: S607
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    [serve] = [line for line in dry_run.stdout.splitlines() if "manage.py runserver" in line]
    command, _, _address = serve.partition("manage.py runserver")
    command = command.replace(".venv/bin/python", sys.executable)
    show = "from django.conf import settings; print(settings.SITE_URL)"
    printed = subprocess.run(  # noqa: S602
        f"{command} manage.py shell -c '{show}'",
        shell=True,
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return printed.stdout.strip().splitlines()[-1]  # after the shell's own notice


def test_make_run_on_another_port_puts_that_port_in_links(tmp_path):
    """Links in mails and calendar feeds point at the port `make run` serves on."""
    assert served_site_url(["PORT=8001"], {}) == "http://127.0.0.1:8001"
    assert served_site_url([], {}) == "http://127.0.0.1:8000"
    # A SITE_URL of one's own (environment or .env) wins.
    explicit = {"SITE_URL": "https://actiedagen.example.org"}
    assert served_site_url(["PORT=8001"], explicit) == "https://actiedagen.example.org"
    env_file = tmp_path / ".env"
    env_file.write_text("SITE_URL=https://from-env-file.example.org\n")
    from_file = {"ENV_FILE": str(env_file)}
    assert served_site_url(["PORT=8001"], from_file) == "https://from-env-file.example.org"
