"""Secret tokens for personal calendar feeds: 256 bits from `secrets`, URL-safe."""

import secrets


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)
