"""The sign-up rules' errors: one stable `code` each, a translatable message.

The API answers them as `{"code", "detail"}` with the status below (409 unless stated);
the pages show the same message. Clients may rely on the codes, not on the wording.

    SignupError                      signup_error
    ├── EmailNotVerified             email_not_verified (403)
    ├── AlreadySignedUp              already_signed_up
    ├── ShiftOverlap                 shift_overlap
    ├── SignupClosed                 signup_closed
    │   ├── ShiftCancelled           shift_cancelled
    │   ├── ShiftStarted             shift_started
    │   ├── SiteNotOpen              site_not_open
    ├── NotSignedUp                  not_signed_up
    ├── ReleaseDeadlinePassed        release_deadline_passed
    └── CapacityBelowConfirmed       capacity_below_confirmed (field: capacity)

A full shift is not an error: the claim succeeds with status `waitlisted`.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from common.errors import DomainError


class SignupError(DomainError):
    code = "signup_error"
    default_message = _("This sign-up is not possible.")
    # The form field a page should show the message beside, if any.
    field: str | None = None


class EmailNotVerified(SignupError):
    code = "email_not_verified"
    status_code = 403
    default_message = _(
        "Confirm your e-mail address first: open the link in the e-mail we sent you. "
        "Then you can claim shifts."
    )


class AlreadySignedUp(SignupError):
    code = "already_signed_up"
    default_message = _("You already have a place on this shift.")


class ShiftOverlap(SignupError):
    code = "shift_overlap"
    default_message = _("You already have a confirmed shift at that time: %(other)s.")


class SignupClosed(SignupError):
    code = "signup_closed"
    default_message = _("Sign-up for this shift is closed.")


class ShiftCancelled(SignupClosed):
    code = "shift_cancelled"
    default_message = _("This shift has been cancelled.")


class ShiftStarted(SignupClosed):
    code = "shift_started"
    default_message = _("This shift has already started or is over.")


class SiteNotOpen(SignupClosed):
    code = "site_not_open"
    default_message = _("This site is not open for sign-up: it has not been published.")


class NotSignedUp(SignupError):
    code = "not_signed_up"
    default_message = _("You have no place on this shift.")


class ReleaseDeadlinePassed(SignupError):
    code = "release_deadline_passed"
    default_message = _(
        "Shifts can be released until %(deadline)s. Please tell the coordinator of the site "
        "that you cannot come."
    )


class CapacityBelowConfirmed(SignupError):
    code = "capacity_below_confirmed"
    field = "capacity"
    default_message = ngettext_lazy(
        "%(confirmed)s volunteer is already confirmed for this shift, so it needs at least "
        "%(confirmed)s place. Ask the volunteer to release the shift first.",
        "%(confirmed)s volunteers are already confirmed for this shift, so it needs at least "
        "%(confirmed)s places. Ask volunteers to release the shift first.",
        "confirmed",
    )
