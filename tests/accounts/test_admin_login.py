"""The admin has no log-in of its own (issue 14, item 3): organisers are staff, and 25
wrong passwords on `/admin/login/` were answered without refusal, then the right one
logged in. The admin now sends everyone to the app's log-in page, with its limits, and
back with `next`; its own log-in and password forms check no password."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

PASSWORD = "pw-for-tests-1"  # tests/conftest.py


def login_redirect(response) -> tuple[str, str | None]:
    """(path, next) of a redirect to a log-in page."""
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    return target.path, parse_qs(target.query).get("next", [None])[0]


def test_a_staff_member_who_is_not_logged_in_goes_to_the_apps_login_and_back(client, organiser):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert login_redirect(client.get("/admin/login/?next=/admin/events/site/")) == (
        "/accounts/login/",
        "/admin/events/site/",
    )
    # Without `next`, back to the admin's own page.
    assert login_redirect(client.get("/admin/login/")) == ("/accounts/login/", "/admin/login/")

    response = client.post(
        "/accounts/login/?next=/admin/events/site/",
        {"login": "organiser@example.org", "password": PASSWORD},
    )
    assert response["Location"] == "/admin/events/site/"
    assert client.get("/admin/events/site/").status_code == 200


def test_guessing_on_the_admins_login_form_logs_nobody_in(client, organiser):
    """The attack: 25 wrong passwords, then the right one, on `/admin/login/`."""
    for attempt in range(25):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "organiser@example.org", "password": f"guess-{attempt}"},
        )
        assert login_redirect(response) == ("/accounts/login/", "/admin/")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "organiser@example.org", "password": PASSWORD},
    )
    # The admin's form never checked it: no session, sent to the app's log-in page.
    assert login_redirect(response) == ("/accounts/login/", "/admin/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_guessing_an_organisers_password_meets_the_apps_limit(client, organiser):
    """The same attack on the one log-in there is: refused after five failures."""
    for attempt in range(5):
        response = client.post(
            "/accounts/login/?next=/admin/",
            {"login": "organiser@example.org", "password": f"guess-{attempt}"},
        )
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "organiser@example.org", "password": PASSWORD},
    )
    assert "Te veel inlogpogingen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_who_is_not_staff_is_refused_not_shown_a_form(volunteer_client):
    response = volunteer_client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    response = volunteer_client.post(
        "/admin/login/", {"username": "organiser@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_a_logged_in_organiser_at_the_admins_login_goes_on_to_the_admin(organiser_client):
    response = organiser_client.get("/admin/login/?next=/admin/events/site/")
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_admins_password_change_is_the_apps_page(organiser_client, organiser, method):
    """The admin's own form would let a stolen session guess the old password without a
    limit, and would leave the API token alive."""
    response = getattr(organiser_client, method)(
        reverse("admin:password_change"),
        {
            "old_password": "guess",
            "new_password1": "x-new-pass-99",
            "new_password2": "x-new-pass-99",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
    organiser.refresh_from_db()
    assert organiser.check_password(PASSWORD)
