"""`Authorization: Token …` for the API, with tokens that expire.

DRF's own `TokenAuthentication` accepts a token for ever. This one refuses a token made
more than `API_TOKEN_DAYS` ago with 401 `token_expired`; asking for a token again
(`POST /api/v1/auth/token/`) then gives a new one. A refused token (expired, revoked,
unknown, or of a closed account) is a 401 with `WWW-Authenticate: Token` in every view,
also where the session is the first class (`common.api.exception_handler`). Every API
view that lists its authentication classes names this one, as REST_FRAMEWORK's default
does.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .selectors import api_token_is_expired


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"
    default_detail = _("This API token has expired. Ask for a new one with your password.")


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as refused:
            refused.scheme = self.authenticate_header(request)
            raise

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_is_expired(token):
            raise TokenExpired()
        return user, token
