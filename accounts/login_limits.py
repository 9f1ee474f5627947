"""One budget of failed log-ins per account, for every way of logging in with a password:
allauth's log-in page (`accounts.adapter.AccountAdapter.pre_authenticate`, also used by
re-authentication) and the API's token log-in (`accounts.api.AuthTokenView`). Guessing
through one spends the budget of the other.

An attempt spends from the budget before the password is checked, and gives its share
back when the password was right (as allauth does), so only failures count and parallel
guesses cannot slip past the count. The rates are allauth's `ACCOUNT_RATE_LIMITS`
(config/settings.py), counted in the cache:

- `login_failed`, per client address over all accounts (`10/m/ip`), and per account *and*
  client address (`5/5m/key`; the key is both): one guesser gets 5 tries per 5 minutes,
  while the owner, from another address, is not locked out by them;
- `login_failed_account`, per account over all addresses (`100/h/key`): bounds guessing
  spread over many addresses. One address can fail at most 60 times an hour against an
  account (5 per 5 minutes), so a single guesser never reaches it.

The client address is the one allauth's own limits use (`TRUSTED_PROXY_COUNT`, IPv6
addresses by their /64 prefix).
"""

# The internal module, not `allauth.core.ratelimit`: only it returns the usage that a
# successful attempt rolls back (tests/accounts/test_login_limits.py pins the behaviour).
from allauth.core.internal import ratelimit
from django.http import HttpRequest

APP = "allauth.account"
PER_ADDRESS = "login_failed"
PER_ACCOUNT = "login_failed_account"


def account_key(login: str) -> str:
    """The account an attempt is about: the e-mail address as typed, in any case."""
    return login.strip().lower()


def _pair_key(request: HttpRequest, account: str) -> str:
    return f"{account} from {ratelimit.get_ip(request)}"


def login_attempt_spend(request: HttpRequest, *, login: str) -> ratelimit.RateLimitUsage | None:
    """Spend one attempt at `login` (an e-mail address, known or not) from the request's
    client address. None when the budget is spent: refuse without checking the password.
    Otherwise give the result to `login_attempt_succeeded` when the password was right."""
    account = account_key(login)
    pair = ratelimit.consume(request, app=APP, action=PER_ADDRESS, key=_pair_key(request, account))
    if pair is None:
        return None
    whole = ratelimit.consume(request, app=APP, action=PER_ACCOUNT, key=account)
    if whole is None:
        # Refused attempts do not count.
        pair.rollback()
        return None
    return ratelimit.RateLimitUsage(usage=[*pair.usage, *whole.usage])


def login_attempt_succeeded(usage: ratelimit.RateLimitUsage) -> None:
    """The password was right: the attempt does not count as a failure."""
    usage.rollback()


def login_failures_forget(request: HttpRequest, *, login: str) -> None:
    """After a password reset (which proves the address is the person's): forget the
    account's failures, over all addresses and from this request's address."""
    account = account_key(login)
    ratelimit.clear(request, app=APP, action=PER_ACCOUNT, key=account)
    ratelimit.clear(request, app=APP, action=PER_ADDRESS, key=_pair_key(request, account))
