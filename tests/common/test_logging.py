"""The development server's console: an ordinary refusal is one line, an error keeps its
traceback."""

import logging
import sys

from common.logging import OneLineClientErrors


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
