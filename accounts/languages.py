"""The site in a person's own language (`User.language`).

The language switcher sets Django's language cookie. Logging in sets it to the person's
own language (chosen on sign-up or on their profile), so they see the site in it on every
device they log in on, until they pick another with the switcher there. Their mails and
calendar feeds follow `User.language` alone (`accounts.mail`).
"""

from django.conf import settings

from common.languages import interface_language_or_default, is_offered


def remember_language(response, code: str):
    """Make this browser show the site in `code` from the next page on (the cookie of
    Django's own `set_language` view, with its settings)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        interface_language_or_default(code),
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def show_own_language(sender, request, response=None, user=None, **kwargs) -> None:
    """On logging in (allauth's `user_logged_in`, which hands over its redirect): the
    site in the person's own language from the next page on, on this device."""
    chosen = getattr(user, "language", "")
    if response is not None and is_offered(chosen):
        remember_language(response, chosen)
