"""Limits on the pages of helpers without an e-mail address, which anyone may open: a
site's invitation (`/j/<token>/`) and a helper's personal link (`/me/<token>/`).

The counts live in the cache, through allauth's rate limiter as the log-in limits do
(`accounts/login_limits.py`); the rates are `HELPER_RATE_LIMITS` in config/settings.py:

- `join`: sign-ups through an invitation, per client address and per invitation (its
  token is the key), spent before the form is checked, so that a flood of bad forms
  counts too. An azc's wifi is one address for many people: the rate per address is
  generous, the one per invitation bounds a link that went round too widely;
- `helper`: changes on a personal link (release, claim, new link, language), per address;
- `token_miss`: a link whose token does not exist, per address. Past it, the tokens that
  do not exist answer 429 for a while instead of 404 (the tokens are far too long to
  guess anyway: this keeps the logs quiet). A working link always opens: an azc's wifi
  is one address, and one person's mistyped links must not lock the others out;
- a mail to an address in use that someone gave on the join form
  (`address_mail_spend`): at most one per address per `ADDRESS_MAIL_SECONDS`, so the
  form cannot be used to flood someone's mailbox.

Past a limit the page answers 429 with the "too many attempts" page (`too_many`).
"""

import hashlib

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

APP = "volunteers"
JOIN = "join"
HELPER = "helper"
TOKEN_MISS = "token_miss"  # noqa: S105 (the name of a limit)
RETRY_AFTER_SECONDS = 60
ADDRESS_MAIL_SECONDS = 60 * 60


def _consume(request: HttpRequest, action: str, *, key: str | None = None, dry_run=False):
    return ratelimit.consume(
        request,
        app=APP,
        action=action,
        config=settings.HELPER_RATE_LIMITS,
        key=key,
        dry_run=dry_run,
        limit_get=True,
    )


def join_attempt_spend(request: HttpRequest, *, invitation_token: str) -> bool:
    """Spend one sign-up through the invitation; False when a limit is reached."""
    return _consume(request, JOIN, key=invitation_token) is not None


def helper_action_spend(request: HttpRequest) -> bool:
    """Spend one change on a personal link; False when the limit is reached."""
    return _consume(request, HELPER) is not None


def token_lookups_blocked(request: HttpRequest) -> bool:
    """Whether this address has tried too many tokens that do not exist (nothing spent)."""
    return _consume(request, TOKEN_MISS, dry_run=True) is None


def token_miss_spend(request: HttpRequest) -> None:
    """Count a token that does not exist against the address."""
    _consume(request, TOKEN_MISS)


def address_mail_spend(email: str, *, kind: str = "taken") -> bool:
    """Spend the one mail of `kind` an address may get in `ADDRESS_MAIL_SECONDS` because
    someone gave it on the join form ("taken": to the owner of an address in use;
    "confirm": the link that confirms a join); False when it had it already."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    key = f"{APP}:address_mail:{digest}" if kind == "taken" else f"{APP}:{kind}_mail:{digest}"
    return cache.add(key, 1, timeout=ADDRESS_MAIL_SECONDS)


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
