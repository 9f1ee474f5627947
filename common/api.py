"""One error format for the whole API: `{"code": ..., "detail": ...}`.

Validation errors add `"fields": {name: [messages]}` so a client can show each message
beside its field; a malformed query parameter is named in `"parameter"`.

Bodies are read by `common.parsers.JSONParser` (DRF's default parser here, see settings):
JSON nested deeper than `MAX_JSON_DEPTH` is a 400 `parse_error`; a body larger than
DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 `request_too_large` (`suspicious_request_answer`).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

logger = logging.getLogger(__name__)


def _flatten(detail) -> list[str]:
    if isinstance(detail, list):
        return [str(item) for item in detail]
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, value in detail.items() for message in _flatten(value)]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.detail}
        if exc.field_errors:
            body["fields"] = exc.field_errors
        response = Response(body, status=exc.status_code)
        if exc.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
            response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
        return response
    if isinstance(exc, DataError):
        # A value the database cannot hold that validation let through, e.g. a NUL
        # character in a slug that PostgreSQL is asked to look up (found by fuzzing).
        # Bad input, so a 400, not a 500; the statement failed, so nothing was stored.
        logger.warning("database refused a value: %s", exc)
        return Response(
            {"code": "invalid", "detail": str(_("A value in the request cannot be stored."))},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, SuspiciousOperation):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE (`RequestDataTooBig`), too many fields:
        # Django would answer with an HTML page. Logged where Django logs it.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        body, status_code = suspicious_request_answer(exc)
        return Response(body, status=status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, exceptions.AuthenticationFailed) and getattr(exc, "scheme", None):
        # Credentials that were sent and refused (an expired or revoked API token) are a
        # 401 naming their scheme, also in views whose first authentication class is the
        # session's, where DRF would answer 403.
        exc.status_code = status.HTTP_401_UNAUTHORIZED
        exc.auth_header = exc.scheme
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        body = {"code": "invalid", "detail": "; ".join(_flatten(detail))}
        if isinstance(detail, dict):
            body["fields"] = {key: _flatten(value) for key, value in detail.items()}
        if isinstance(exc, InvalidParameter):
            body["parameter"] = exc.parameter
        response.data = body
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = {
        "code": codes if isinstance(codes, str) else "error",
        "detail": "; ".join(_flatten(getattr(exc, "detail", str(exc)))),
    }
    return response


def suspicious_request_answer(exc: SuspiciousOperation) -> tuple[dict, int]:
    """The API's answer (body, status) to a request Django refuses as suspicious: a body
    larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 `request_too_large`, anything else
    (too many fields, ...) a 400 `bad_request`. Also for `common.handlers.bad_request`,
    when Django refuses the request outside a view."""
    if isinstance(exc, RequestDataTooBig):
        return (
            {"code": "request_too_large", "detail": str(_("The request body is too large."))},
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return (
        {"code": "bad_request", "detail": str(_("The request cannot be handled."))},
        status.HTTP_400_BAD_REQUEST,
    )


class InvalidParameter(exceptions.ValidationError):
    """A malformed or unknown query parameter: a 400 that names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__({parameter: [message]})
        self.parameter = parameter


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer, for the OpenAPI schema."""

    code = serializers.CharField(help_text="A stable, machine-readable reason.")
    detail = serializers.CharField(help_text="A message for people, in the request's language.")
    parameter = serializers.CharField(
        required=False, help_text="The query parameter that was malformed."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field or parameter.",
    )


class MomentField(serializers.DateTimeField):
    """A date and time of an action day: years 2000 to 2100 only.

    Found by fuzzing the API: a shift "in the year 208" was stored, and then shown with
    the Amsterdam local mean time of that age (+00:19:32), which is no valid RFC 3339
    offset. No action day lies outside these years.
    """

    MIN_YEAR = 2000
    MAX_YEAR = 2100
    default_error_messages = {
        "out_of_range": _("Give a date between the years 2000 and 2100."),
    }

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not self.MIN_YEAR <= moment.year <= self.MAX_YEAR:
            self.fail("out_of_range")
        return moment
