"""Token log-in for API clients: `POST /api/v1/auth/token/` with e-mail and password.

The answer's token goes in `Authorization: Token …`. Asking again returns the same token
until it expires (`API_TOKEN_DAYS`), then a new one; a password change or reset revokes
it, and so can its owner at `/accounts/api-token/`. The same rules as the log-in page
hold: the account must be active and its e-mail address verified, and failed attempts
spend the same budget per account as the log-in page's (`accounts.login_limits`).
Requests are also throttled per client address (`auth_token` rate).
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.errors import DomainError

from .adapter import AccountAdapter
from .login_limits import login_attempt_spend, login_attempt_succeeded
from .services import api_token_issue


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status_code = 400
    default_message = _("The e-mail address or the password is not right.")


class AccountInactive(DomainError):
    code = "account_inactive"
    status_code = 403
    default_message = _("This account has been closed.")


class EmailNotVerified(DomainError):
    code = "email_not_verified"
    status_code = 403
    default_message = _(
        "Confirm your e-mail address first: open the link in the e-mail we sent you."
    )


class TooManyLoginAttempts(DomainError):
    """The account's budget of failed log-ins is spent (from this address, or from all)."""

    code = "too_many_login_attempts"
    status_code = 429
    # The log-in page's own words, so both say the same.
    default_message = AccountAdapter.error_messages["too_many_login_attempts"]


class TokenLoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthTokenView(APIView):
    # Public on purpose (see config/api_urls.py): this is how a client signs in.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth_token"

    @extend_schema(
        operation_id="auth_token",
        tags=["accounts"],
        request=TokenLoginSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="`invalid_credentials`, or `invalid` with `fields` when a field "
                "is missing or malformed.",
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="`account_inactive` or `email_not_verified`."
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="`too_many_login_attempts`: too many failed log-ins at this "
                "account (shared with the log-in page); `throttled`: too many requests.",
            ),
        },
        auth=[],
        summary="Get an API token",
    )
    def post(self, request):
        payload = TokenLoginSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data["email"]
        password = payload.validated_data["password"]
        # Before the password is checked, also for addresses nobody has, as on the log-in
        # page: refused attempts tell nothing.
        attempt = login_attempt_spend(request._request, login=email)
        if attempt is None:
            raise TooManyLoginAttempts()
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=email).first()
        if user is None:
            # Spend the same time as a real check, so timing does not tell who has an account.
            user_model().set_password(password)
            raise InvalidCredentials()
        if not user.check_password(password):
            raise InvalidCredentials()
        login_attempt_succeeded(attempt)
        if not user.is_active:
            raise AccountInactive()
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise EmailNotVerified()
        token = api_token_issue(user=user)
        return Response({"token": token.key})
