"""Show a service's error on the form the person filled in."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .errors import DomainError


def show_errors(
    form: forms.BaseForm,
    error: DomainError | ValidationError,
    *,
    field_names: Mapping[str, str] | None = None,
) -> None:
    """Put each message of `error` beside the form field it is about, or above the form.

    `field_names` maps a service's argument to the form field that holds it, where the
    two differ (a shift's `starts_at` is the form's `date`)."""
    if isinstance(error, DomainError):
        by_field = error.field_errors or {NON_FIELD_ERRORS: [error.detail]}
    elif hasattr(error, "error_dict"):
        by_field = error.message_dict
    else:
        by_field = {NON_FIELD_ERRORS: error.messages}
    for name, messages in by_field.items():
        name = (field_names or {}).get(name, name)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
