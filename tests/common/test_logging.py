"""The development server's console: an ordinary refusal is one line, an error keeps its
traceback."""

import logging
import sys

import pytest

from common.logging import OneLineClientErrors, redact


def request_lines(caplog) -> list[str]:
    formatter = logging.Formatter()
    return [
        formatter.format(record) for record in caplog.records if record.name == "django.request"
    ]


def test_a_refused_page_is_one_log_line_without_a_traceback(volunteer_client, caplog):
    with caplog.at_level(logging.INFO):
        assert volunteer_client.get("/locations/").status_code == 403
    [line] = request_lines(caplog)
    assert line == "Forbidden (Permission denied): /locations/"


def test_a_missing_page_is_one_log_line(client, caplog, db):
    with caplog.at_level(logging.INFO):
        assert client.get("/sites/999999999/").status_code == 404
    [line] = request_lines(caplog)
    assert line.startswith("Not Found: /sites/999999999/")
    assert "\n" not in line


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x/", (), exc_info
    )
    record.status_code = 500
    assert OneLineClientErrors().filter(record)
    assert "Traceback" in logging.Formatter().format(record)

    record.status_code = 403
    record.exc_text = None
    assert OneLineClientErrors().filter(record)
    assert logging.Formatter().format(record) == "Internal Server Error: /x/"


# --- The check-in code of the day stays out of the logs -------------------------------------


CODE = "XPyVG6onWtOn8w"


@pytest.mark.parametrize(
    "path",
    [
        f"/c/{CODE}/",
        f"/C/{CODE}/",
        f"//c/{CODE}",
        f"/api/v1/check-in/{CODE}/",
        f"/API/V1/Check-In/{CODE}/",
        f"/accounts/login/?next=%2Fc%2F{CODE}%2F",
        f"/accounts/login/?next=%252Fapi%252Fv1%252Fcheck-in%252F{CODE}%252F",
    ],
)
def test_a_check_in_code_in_a_path_is_redacted(path):
    logged = redact(f"Conflict: {path}")
    assert CODE not in logged
    assert "[redacted]" in logged


@pytest.mark.parametrize(
    "line",
    [
        "Conflict: /api/v1/shifts/12/check-in/",
        "Conflict: /api/v1/shifts/12/attendance/34/check-in/",
        "Not Found: /coordinate/sites/5/roster/",
    ],
)
def test_paths_without_a_code_are_logged_as_they_are(line):
    assert redact(line) == line


def test_a_refused_check_in_code_is_logged_without_the_code(volunteer_client, caplog):
    with caplog.at_level(logging.INFO):
        page = volunteer_client.get(f"/c/{CODE}/")
        api = volunteer_client.post(f"/api/v1/check-in/{CODE}/", content_type="application/json")
    assert page.status_code >= 400 and api.status_code >= 400
    lines = request_lines(caplog)
    assert len(lines) == 2
    assert all(CODE not in line and "[redacted]" in line for line in lines)
    assert all(getattr(record, "request", None) is None for record in caplog.records)
