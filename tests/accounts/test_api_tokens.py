"""API tokens (issue 14, item 4) end with the password they were made with, expire after
`API_TOKEN_DAYS`, and their owner sees and revokes them at `/accounts/api-token/`."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common import clock
from tests.test_settings import settings_with

PASSWORD = "pw-for-tests-1"  # tests/conftest.py
NEW_PASSWORD = "een-nieuw-wachtwoord-58"
TOKEN_URL = "/api/v1/auth/token/"


def token_for(email: str, password: str = PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"email": email, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def age(key: str, **delta) -> None:
    Token.objects.filter(key=key).update(created=clock.now() - datetime.timedelta(**delta))


# --- A new password revokes the token -----------------------------------------------------


def test_changing_the_password_revokes_the_token(volunteer_client, volunteer):
    key = token_for("volunteer@example.org")
    assert api_with(key).get("/api/v1/me/").status_code == 200
    response = volunteer_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=volunteer).exists()
    answer = api_with(key).get("/api/v1/me/")
    assert answer.status_code == 401
    # A token made with the new password works.
    assert (
        api_with(token_for("volunteer@example.org", NEW_PASSWORD)).get("/api/v1/me/").status_code
        == 200
    )


def test_resetting_the_password_revokes_the_token(client, volunteer):
    key = token_for("volunteer@example.org")
    client.post(reverse("account_reset_password"), {"email": "volunteer@example.org"})
    key_url = re.search(r"https?://[^/\s]+(/accounts/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(key_url)["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert api_with(key).get("/api/v1/me/").status_code == 401


def test_an_organiser_setting_a_password_in_the_admin_revokes_the_token(
    organiser_client, volunteer
):
    key = token_for("volunteer@example.org")
    response = organiser_client.post(
        reverse("admin:auth_user_password_change", args=[volunteer.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.check_password(NEW_PASSWORD)
    assert api_with(key).get("/api/v1/me/").status_code == 401


# --- Tokens expire ------------------------------------------------------------------------


def test_an_expired_token_is_a_401_with_a_clear_code_and_a_new_one_can_be_had(volunteer):
    key = token_for("volunteer@example.org")
    age(key, days=29, hours=23)
    assert api_with(key).get("/api/v1/me/").status_code == 200

    age(key, days=30, seconds=1)
    answer = api_with(key).get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"
    body = answer.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "token_expired" and body["detail"]

    fresh = token_for("volunteer@example.org")
    assert fresh != key
    assert api_with(fresh).get("/api/v1/me/").status_code == 200
    assert Token.objects.filter(user=volunteer).count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/"),  # volunteers' views, which name their classes
        ("post", "/api/v1/shifts/999999/claim/"),
        ("post", "/api/v1/sites/999999/submit/"),  # the site workflow, which does too
        ("post", "/api/v1/sites/"),  # REST_FRAMEWORK's default classes
    ],
)
def test_every_api_view_refuses_an_expired_token(volunteer, method, path):
    key = token_for("volunteer@example.org")
    age(key, days=31)
    answer = getattr(api_with(key), method)(path, {}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (401, "token_expired")


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/sites/"])
def test_a_revoked_token_is_a_401_everywhere(volunteer, path):
    """Also where the session is the first authentication class (REST_FRAMEWORK's
    default), where DRF would answer 403."""
    key = token_for("volunteer@example.org")
    Token.objects.filter(key=key).delete()
    answer = api_with(key).post(path, {}, format="json")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"
    assert answer.json()["code"] == "authentication_failed"


def test_the_lifetime_comes_from_settings(volunteer, settings):
    settings.API_TOKEN_DAYS = 2
    key = token_for("volunteer@example.org")
    age(key, days=1, hours=23)
    assert api_with(key).get("/api/v1/me/").status_code == 200
    age(key, days=2, seconds=1)
    assert api_with(key).get("/api/v1/me/").status_code == 401


def test_api_token_days_is_read_from_the_environment():
    assert settings_with({"DEBUG": "true"}, "s.API_TOKEN_DAYS").stdout.strip() == "30"
    assert (
        settings_with({"DEBUG": "true", "API_TOKEN_DAYS": "7"}, "s.API_TOKEN_DAYS").stdout.strip()
        == "7"
    )
    refused = settings_with({"DEBUG": "true", "API_TOKEN_DAYS": "0"}, "s.API_TOKEN_DAYS")
    assert refused.returncode != 0 and "API_TOKEN_DAYS" in refused.stderr


def test_api_token_days_is_in_the_example_environment():
    from django.conf import settings

    example = (settings.BASE_DIR / ".env.example").read_text()
    assert "# API_TOKEN_DAYS=30" in example


# --- The token page -----------------------------------------------------------------------


def test_the_token_page_shows_when_the_token_was_made_and_expires_never_the_key(
    volunteer_client, volunteer
):
    url = reverse("account_api_token")
    assert volunteer_client.get(url).context["token"] is None
    key = token_for("volunteer@example.org")
    token = Token.objects.get(key=key)
    page = volunteer_client.get(url)
    assert page.status_code == 200
    assert page.context["token"] == token
    assert page.context["expires_at"] == token.created + datetime.timedelta(days=30)
    assert page.context["expired"] is False
    html = page.content.decode()
    assert key not in html
    assert str(token.created.astimezone(clock.local_zone()).year) in html

    response = volunteer_client.post(url)
    assert response["Location"] == url
    assert not Token.objects.filter(user=volunteer).exists()
    assert api_with(key).get("/api/v1/me/").status_code == 401
    assert volunteer_client.get(url).context["token"] is None


def test_the_token_page_says_when_a_token_has_expired(volunteer_client):
    key = token_for("volunteer@example.org")
    age(key, days=40)
    page = volunteer_client.get(reverse("account_api_token"))
    assert page.context["expired"] is True


def test_the_token_page_is_only_for_the_signed_in_person(client, volunteer):
    key = token_for("volunteer@example.org")
    url = reverse("account_api_token")
    assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post(url)["Location"].startswith("/accounts/login/")
    assert Token.objects.filter(key=key).exists()


def test_the_profile_page_links_to_the_token_page(volunteer_client):
    page = volunteer_client.get(reverse("volunteers:profile")).content.decode()
    assert f'href="{reverse("account_api_token")}"' in page
