"""allauth's account pages, with the ones open to everyone marked public on purpose.

Logging in, signing up, confirming an address and resetting a password are for people
who are not (yet) signed in. The other allauth pages (e-mail addresses, password change,
re-authentication) require a signed-in user; allauth protects them itself, as does our
API token page (`account_api_token`).
"""

from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver, path

from common.access import public

from . import views

PUBLIC_ACCOUNT_VIEWS = {
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
}


def _mark_public(patterns) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _mark_public(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name in PUBLIC_ACCOUNT_VIEWS:
            public(entry.callback)


_mark_public(allauth_urls.urlpatterns)
urlpatterns = [
    *allauth_urls.urlpatterns,
    path("api-token/", views.api_token, name="account_api_token"),
]
