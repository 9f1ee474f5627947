"""The base of every app's exception hierarchy for business rules.

A service raises a subclass with a stable `code` and a translatable message; the API's
exception handler turns it into `{"code", "detail"}` with the subclass's `status_code`,
and HTML views show the same message.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status_code = 409
    default_message = _("This cannot be done.")

    def __init__(self, message=None, **params) -> None:
        self.params = params
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.detail))

    @property
    def detail(self) -> str:
        # `message % params` before `str()`: a lazy plural (`ngettext_lazy` with a named
        # number) chooses its form from the params.
        return str(self.message % self.params) if self.params else str(self.message)


class InvalidInput(DomainError):
    """Input that a form or serializer could not catch (it needs the database to tell)."""

    code = "invalid"
    status_code = 400
    default_message = _("The input is not valid.")


class NotAllowed(DomainError):
    code = "forbidden"
    status_code = 403
    default_message = _("You may not do this.")
