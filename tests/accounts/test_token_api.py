"""`POST /api/v1/auth/token/`: a token for the right e-mail and password, clear refusals."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def test_right_credentials_give_a_token_that_works(api, volunteer):
    response = api.post(URL, {"email": "Volunteer@Example.org", "password": "pw-for-tests-1"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=volunteer).key
    # Asking again gives the same token.
    again = api.post(URL, {"email": "volunteer@example.org", "password": "pw-for-tests-1"})
    assert again.json()["token"] == token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["email"] == "volunteer@example.org"


@pytest.mark.parametrize(
    ("email", "password"),
    [("volunteer@example.org", "wrong-password"), ("nobody@example.org", "pw-for-tests-1")],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_are_a_clear_400(api, volunteer, email, password):
    response = api.post(URL, {"email": email, "password": password})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "detail": "Het e-mailadres of het wachtwoord klopt niet.",
    }
    assert not Token.objects.exists()


def test_missing_fields_are_named(api):
    response = api.post(URL, {"email": "not-an-address"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"email", "password"}


def test_unverified_and_inactive_accounts_get_no_token(api, volunteer):
    EmailAddress.objects.filter(user=volunteer).update(verified=False)
    response = api.post(URL, {"email": "volunteer@example.org", "password": "pw-for-tests-1"})
    assert (response.status_code, response.json()["code"]) == (403, "email_not_verified")

    EmailAddress.objects.filter(user=volunteer).update(verified=True)
    volunteer.is_active = False
    volunteer.save()
    response = api.post(URL, {"email": "volunteer@example.org", "password": "pw-for-tests-1"})
    assert (response.status_code, response.json()["code"]) == (403, "account_inactive")
    assert not Token.objects.exists()


def test_an_inactive_accounts_old_token_stops_working(api, volunteer):
    token = Token.objects.create(user=volunteer)
    volunteer.is_active = False
    volunteer.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code == 401


def test_guessing_is_throttled(api, volunteer, settings):
    for _ in range(10):
        api.post(URL, {"email": "volunteer@example.org", "password": "guess"})
    response = api.post(URL, {"email": "volunteer@example.org", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
