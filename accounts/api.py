"""Token log-in for API clients: `POST /api/v1/auth/token/` with e-mail and password.

The answer's token goes in `Authorization: Token …`. Asking again returns the same token.
The same rules as the log-in page hold: the account must be active and its e-mail
address verified. Requests are throttled per client address (`auth_token` rate).
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.errors import DomainError


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
            429: OpenApiResponse(ErrorSerializer, description="`throttled`: too many attempts."),
        },
        auth=[],
        summary="Get an API token",
    )
    def post(self, request):
        payload = TokenLoginSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data["email"]
        password = payload.validated_data["password"]
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=email).first()
        if user is None:
            # Spend the same time as a real check, so timing does not tell who has an account.
            user_model().set_password(password)
            raise InvalidCredentials()
        if not user.check_password(password):
            raise InvalidCredentials()
        if not user.is_active:
            raise AccountInactive()
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise EmailNotVerified()
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
