"""A secret feed token never reaches a log line or an error mail."""

import logging

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from accounts.models import Volunteer
from common.logging import RedactSecretPaths, redact
from volunteers import calendar as volunteer_calendar


@pytest.fixture
def profile(volunteer):
    return Volunteer.objects.get(user=volunteer)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def server_log():
    """The development server's request log (it does not propagate to the root logger)."""
    handler = Collect()
    logger = logging.getLogger("django.server")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def everything_logged(caplog) -> str:
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}"
        for record in caplog.records
    )


def test_a_not_found_token_is_logged_without_the_token(client, caplog, profile):
    unknown = "Z" * 43
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/calendar/volunteer/{unknown}.ics").status_code == 404
        assert client.get(f"/calendar/branch/{profile.calendar_token}.ics").status_code == 404
        assert client.get(f"/calendar/volunteer/{unknown}").status_code == 404  # no route
    logged = everything_logged(caplog)
    assert "Not Found: /calendar/volunteer/[redacted]" in logged
    assert "Not Found: /calendar/branch/[redacted]" in logged
    assert unknown not in logged
    assert profile.calendar_token not in logged


def test_a_refused_post_is_logged_without_the_token(caplog, profile):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/calendar/volunteer/{profile.calendar_token}.ics")
    assert response.status_code == 403
    logged = everything_logged(caplog)
    assert "/calendar/volunteer/[redacted]" in logged
    assert profile.calendar_token not in logged


def test_the_development_server_log_shows_no_token(server_log, profile):
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /calendar/volunteer/{profile.calendar_token}.ics?lang=en HTTP/1.1",
        "200",
        "1234",
    )
    assert server_log == ['"GET /calendar/volunteer/[redacted].ics?lang=en HTTP/1.1" 200 1234']


def test_an_error_in_a_feed_reaches_the_admins_without_the_token(
    settings, caplog, monkeypatch, profile
):
    settings.ADMINS = [("Beheer", "beheer@example.org")]
    settings.DEBUG = False

    def broken(volunteer, *, language):
        raise RuntimeError("feed builder broke")

    monkeypatch.setattr(volunteer_calendar, "volunteer_feed_and_disclosures", broken)
    monkeypatch.setattr("volunteers.feeds.volunteer_feed_and_disclosures", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.DEBUG):
        response = client.get(f"/calendar/volunteer/{profile.calendar_token}.ics")
    assert response.status_code == 500
    assert profile.calendar_token.encode() not in response.content
    assert "Internal Server Error: /calendar/volunteer/[redacted]" in everything_logged(caplog)
    assert profile.calendar_token not in everything_logged(caplog)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "feed builder broke" in message.body
    assert "/calendar/volunteer/[redacted]" in message.subject
    whole = (
        message.subject
        + message.body
        + "".join(str(content) for content, _type in getattr(message, "alternatives", []))
    )
    assert profile.calendar_token not in whole


def test_a_successful_fetch_logs_nothing_with_the_token(client, caplog, profile):
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/calendar/volunteer/{profile.calendar_token}.ics").status_code == 200
    assert profile.calendar_token not in everything_logged(caplog)


# --- Every spelling of the path ----------------------------------------------------------------


def test_a_path_in_other_letter_case_is_logged_without_the_token(client, caplog, profile):
    # URLs are case-sensitive: a calendar app or a person that changes the case gets a 404,
    # which Django logs with the path, and the token in it is still live.
    token = profile.calendar_token
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/Calendar/Volunteer/{token}.ics").status_code == 404
        assert client.get(f"/CALENDAR/BRANCH/{token}.ics").status_code == 404
    logged = everything_logged(caplog)
    assert "Not Found: /Calendar/Volunteer/[redacted].ics" in logged
    assert "Not Found: /CALENDAR/BRANCH/[redacted].ics" in logged
    assert token not in logged


@pytest.mark.parametrize(
    "template",
    [
        "/calendar/volunteer/{token}.ics",
        "/Calendar/Volunteer/{token}.ics",
        "/calendar/Branch/{token}",
        "%2Fcalendar%2Fvolunteer%2F{token}.ics",
        "%2fCALENDAR%2fbranch%2f{token}",
        "%252Fcalendar%252Fvolunteer%252F{token}.ics",
        "/calendar%2Fvolunteer%2F{token}.ics",
        "/%63alendar/%76olunteer/{token}.ics",
        "//calendar//volunteer/{token}.ics",
        "https://actiedagen.example.org/calendar/volunteer/{token}.ics?lang=en",
        "webcal://actiedagen.example.org/calendar/branch/{token}.ics",
    ],
)
def test_every_spelling_of_a_secret_path_is_redacted(template):
    token = "AbC-dEf_123" * 4
    text = f"GET /accounts/login/?next={template.format(token=token)} 404"
    redacted = redact(text)
    assert token not in redacted
    assert "[redacted]" in redacted


def test_other_paths_are_left_alone():
    for text in ("/calendar/events/open-azc-dag.ics", "/calendar/sites/12.ics", "/calendars/x"):
        assert redact(text) == text


def test_the_server_log_redacts_a_percent_encoded_path_in_a_query_string(server_log, profile):
    token = profile.calendar_token
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /accounts/login/?next=%2Fcalendar%2Fvolunteer%2F{token}.ics HTTP/1.1",
        "302",
        "0",
    )
    assert server_log == [
        '"GET /accounts/login/?next=%2Fcalendar%2Fvolunteer%2F[redacted].ics HTTP/1.1" 302 0'
    ]


@pytest.mark.parametrize(
    "where",
    [
        {"QUERY_STRING": "next=%2FCalendar%2FVolunteer%2F{token}.ics"},
        {"HTTP_REFERER": "https://actiedagen.example.org/calendar/volunteer/{token}.ics"},
    ],
)
def test_an_error_record_keeps_no_request_that_carries_a_token(profile, where):
    # Error mails print the whole request: its query string and headers too.
    token = profile.calendar_token
    request = RequestFactory().get(
        "/sites/1/", **{key: value.format(token=token) for key, value in where.items()}
    )
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "Boom", (), None)
    record.request = request
    assert RedactSecretPaths().filter(record)
    assert record.request is None
    kept = logging.LogRecord("django.request", logging.ERROR, "", 0, "Boom", (), None)
    kept.request = RequestFactory().get("/sites/1/", {"next": "/calendar/events/x.ics"})
    assert RedactSecretPaths().filter(kept)
    assert kept.request is not None
