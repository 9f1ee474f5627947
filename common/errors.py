"""The base of every app's exception hierarchy for business rules.

A service raises a subclass with a stable `code` and a translatable message, never
Django's `ValidationError`. Two helpers turn them into answers, so that one rule gives
the same code and status everywhere:

- `common.api.exception_handler`: `{"code", "detail"}` with the subclass's
  `status_code` (and `"fields"` for errors about fields);
- `common.forms.show_errors`: the message beside the form field it names, or above the
  form.
"""

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule refused the change; nothing was changed. 409 unless a subclass says."""

    code = "error"
    status_code = 409
    default_message = _("This cannot be done.")
    # The form field (or API field) the message is about, when there is one.
    field: str | None = None

    def __init__(self, message=None, *, field: str | None = None, **params) -> None:
        self.params = params
        self.message = message if message is not None else self.default_message
        if field is not None:
            self.field = field
        super().__init__(str(self.detail))

    @property
    def detail(self) -> str:
        # `message % params` before `str()`: a lazy plural (`ngettext_lazy` with a named
        # number) chooses its form from the params.
        return str(self.message % self.params) if self.params else str(self.message)

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """`{field: [messages]}` for the fields this error is about (may be empty)."""
        return {self.field: [self.detail]} if self.field else {}


class InvalidInput(DomainError):
    """Input that a form or serializer could not catch (it takes the database or another
    rule to tell), about one field (`field=`) or several (`fields={name: [messages]}`).
    A 400, code `invalid`, like a malformed request."""

    code = "invalid"
    status_code = 400
    default_message = _("The input is not valid.")

    def __init__(
        self,
        message=None,
        *,
        field: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
        **params,
    ) -> None:
        self._fields = {
            name: [str(m) for m in messages] for name, messages in (fields or {}).items()
        }
        if message is None and self._fields:
            message = "; ".join(
                message if name == NON_FIELD_ERRORS else f"{name}: {message}"
                for name, messages in self._fields.items()
                for message in messages
            )
        super().__init__(message, field=field, **params)

    @property
    def field_errors(self) -> dict[str, list[str]]:
        if self._fields:
            return dict(self._fields)
        return super().field_errors

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "InvalidInput":
        """The same messages, by field, from a model's `full_clean()`."""
        if hasattr(error, "error_dict"):
            return cls(fields=error.message_dict)
        return cls("; ".join(error.messages))


def full_clean(instance, **kwargs) -> None:
    """`instance.full_clean()`, raising `InvalidInput` instead of `ValidationError`."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from None
