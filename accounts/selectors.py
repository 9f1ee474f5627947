"""Reads about people used by several callers."""

import datetime

from django.conf import settings
from rest_framework.authtoken.models import Token

from common import clock


def api_token_of(user) -> Token | None:
    """The person's API token, expired or not (never more than one)."""
    return Token.objects.filter(user=user).first()


def api_token_expires_at(token: Token) -> datetime.datetime:
    """When the token stops working: `API_TOKEN_DAYS` after it was made."""
    return token.created + datetime.timedelta(days=settings.API_TOKEN_DAYS)


def api_token_is_expired(token: Token) -> bool:
    return api_token_expires_at(token) <= clock.now()
