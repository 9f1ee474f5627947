"""One budget of failed log-ins per account for the log-in page and the API's token
log-in (issue 14, item 8). Before: the token endpoint was limited per client address only
and spent nothing of the log-in page's per-account limit, so the page's limit could be
bypassed through it; and five wrong passwords from anyone locked the owner out for five
minutes. Now failures count per account *and* client address (tight), and per account
over all addresses (generous): a guesser is slowed down, the owner still gets in."""

import pytest
from django.core import mail
from django.urls import reverse

PASSWORD = "pw-for-tests-1"  # tests/conftest.py
EMAIL = "volunteer@example.org"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.20"
TOKEN_URL = "/api/v1/auth/token/"


def form_login(client, password: str, address: str, email: str = EMAIL):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def api_login(client, password: str, address: str, email: str = EMAIL, **extra):
    return client.post(
        TOKEN_URL,
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        **extra,
    )


def form_refused(response) -> bool:
    return response.status_code == 200 and "Te veel inlogpogingen" in response.content.decode()


def refused(response) -> bool:
    """Refused for too many failures, on either path."""
    return response.status_code == 429 or form_refused(response)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_guessing_through_the_api_spends_the_log_in_pages_budget(client, volunteer):
    for attempt in range(5):
        assert api_login(client, f"guess-{attempt}", ATTACKER).status_code == 400
    # The page's limit is not bypassed: even the right password is refused now.
    assert form_refused(form_login(client, PASSWORD, ATTACKER))
    assert not logged_in(client)


def test_guessing_on_the_log_in_page_spends_the_apis_budget(client, volunteer):
    for attempt in range(5):
        assert not form_refused(form_login(client, f"guess-{attempt}", ATTACKER))
    response = api_login(client, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_login_attempts"
    assert response.json()["detail"] == "Te veel inlogpogingen. Probeer het later nogmaals."


def test_mixed_guessing_is_counted_once(client, volunteer):
    for attempt in range(3):
        api_login(client, f"api-guess-{attempt}", ATTACKER)
    for attempt in range(2):
        form_login(client, f"form-guess-{attempt}", ATTACKER)
    assert api_login(client, "one-more", ATTACKER).status_code == 429
    assert form_refused(form_login(client, "and-another", ATTACKER))


def test_the_owner_from_another_address_still_gets_in_after_an_attack(client, volunteer):
    for attempt in range(5):
        api_login(client, f"guess-{attempt}", ATTACKER)
        form_login(client, f"guess-{attempt}", ATTACKER)
    assert form_refused(form_login(client, "guess-again", ATTACKER))

    response = form_login(client, PASSWORD, OWNER)
    assert response.status_code == 302 and logged_in(client)
    client.logout()
    assert api_login(client, PASSWORD, OWNER).status_code == 200
    # The attacker is still refused.
    assert api_login(client, PASSWORD, ATTACKER).status_code == 429


def test_the_client_address_is_read_behind_the_proxies(client, volunteer, settings):
    """With TRUSTED_PROXY_COUNT=1 every request comes from the proxy; the client is the
    last X-Forwarded-For entry, as for allauth's and DRF's other limits."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"HTTP_X_FORWARDED_FOR": f"10.9.9.9, {ATTACKER}"}
    for attempt in range(5):
        assert api_login(client, f"guess-{attempt}", "127.0.0.1", **proxy).status_code == 400
    assert api_login(client, PASSWORD, "127.0.0.1", **proxy).status_code == 429
    owner = {"HTTP_X_FORWARDED_FOR": OWNER}
    assert api_login(client, PASSWORD, "127.0.0.1", **owner).status_code == 200


def test_guessing_spread_over_many_addresses_meets_the_limit_per_account(client, volunteer):
    """100 failures an hour over all addresses (no single address can fail more than 60
    times an hour), then the account refuses every address for a while: the price of
    capping guessing from many machines."""
    for attempt in range(100):
        address = f"192.0.2.{attempt // 5 + 1}"
        login = api_login if attempt % 2 else form_login
        response = login(client, f"guess-{attempt}", address)
        assert response.status_code in (200, 400), (attempt, response.status_code)
        assert not form_refused(response)
    assert api_login(client, PASSWORD, "192.0.2.200").status_code == 429
    assert form_refused(form_login(client, PASSWORD, OWNER))


def test_an_unknown_address_spends_the_same_budget(client, db):
    """Refusals tell nobody whether an account exists."""
    for attempt in range(5):
        response = api_login(client, f"guess-{attempt}", ATTACKER, email="nobody@example.org")
        assert response.json()["code"] == "invalid_credentials"
    response = api_login(client, "guess", ATTACKER, email="Nobody@Example.org")
    assert response.json()["code"] == "too_many_login_attempts"


@pytest.mark.parametrize("login", [form_login, api_login], ids=["form", "api"])
def test_right_passwords_do_not_count(client, volunteer, login):
    """Only failures spend the budget: the owner's own log-ins give their share back."""
    for attempt in range(4):
        login(client, f"typo-{attempt}", OWNER)
    for _again in range(3):
        response = login(client, PASSWORD, OWNER)
        assert response.status_code in (200, 302) and not refused(response)
        client.logout()
    login(client, "the-fifth-typo", OWNER)
    assert refused(login(client, PASSWORD, OWNER))


def test_a_password_reset_forgets_the_failures(client, volunteer):
    for attempt in range(5):
        form_login(client, f"guess-{attempt}", OWNER)
    assert form_refused(form_login(client, PASSWORD, OWNER))
    client.post(reverse("account_reset_password"), {"email": EMAIL}, REMOTE_ADDR=OWNER)
    key_url = next(
        line.strip() for line in mail.outbox[-1].body.splitlines() if "/accounts/" in line
    )
    form_url = client.get(key_url, REMOTE_ADDR=OWNER)["Location"]
    client.post(
        form_url,
        {"password1": "nieuw-wachtwoord-77", "password2": "nieuw-wachtwoord-77"},
        REMOTE_ADDR=OWNER,
    )
    assert form_login(client, "nieuw-wachtwoord-77", OWNER).status_code == 302
