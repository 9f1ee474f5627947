"""The errors of editions, sites, shifts and sign-ups: one stable `code` each, a
translatable message, and the HTTP status the API answers with (409 unless stated). Pages
show the same message. Clients may rely on the codes, not on the wording.

    EditionError                     edition
    ├── RegistrationClosed           registration_closed
    │   └── RegistrationNotYetOpen   registration_not_open
    └── EditionClosed                edition_closed
    SiteStatusError                  site_status
    ├── SiteWrongStatus              site_wrong_status
    ├── SiteIncomplete               site_incomplete
    └── HostConsentMissing           host_consent_missing: an azc site without its host's consent
    CommentRequired                  comment_required (400, field: comment)
    ShiftError                       shift_error
    └── ShiftExists                  shift_exists (field: starts_at)
    SignupError                      signup_error
    ├── EmailNotVerified             email_not_verified (403)
    ├── AlreadySignedUp              already_signed_up
    ├── ShiftOverlap                 shift_overlap
    ├── SignupClosed                 signup_closed
    │   ├── ShiftCancelled           shift_cancelled
    │   ├── ShiftStarted             shift_started
    │   └── SiteNotOpen              site_not_open
    ├── LeadAppointedOnly            lead_appointed_only: a site-lead shift is not claimed
    ├── LeadShiftFull                lead_shift_full: appointing a lead to a full shift
    ├── NotLeadShift                 not_lead_shift: appointing on a shift of another role
    ├── NotSignedUp                  not_signed_up
    ├── ReleaseDeadlinePassed        release_deadline_passed
    └── CapacityBelowConfirmed       capacity_below_confirmed (field: capacity)
    SiteStateError                   site_state: a site's live state on the day
    ├── SiteStateNotAllowed          site_state_not_allowed (403)
    ├── SiteStateNotToday            site_state_not_today
    └── SiteStateSiteNotLive         site_state_site_not_live
    NoVolunteerWithAddress           no_volunteer_with_address (400, field: email)
    Busy                             busy (503): a row stayed locked too long

Input that is simply not valid (a shift ending before it starts, a day off the site's
day) is `common.errors.InvalidInput` (400, `invalid`, naming the field). A full shift is
not an error: the claim succeeds with status `waitlisted`.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from common.errors import DomainError, InvalidInput

# --- Editions -------------------------------------------------------------------------------


class EditionError(DomainError):
    code = "edition"


class RegistrationClosed(EditionError):
    code = "registration_closed"
    default_message = _("Registration for %(edition)s closed on %(closes)s.")


class RegistrationNotYetOpen(RegistrationClosed):
    code = "registration_not_open"
    default_message = _("Registration for %(edition)s opens on %(opens)s.")


class EditionClosed(EditionError):
    code = "edition_closed"
    default_message = _("%(edition)s took place on %(date)s; its sites can no longer change.")


# --- Sites ----------------------------------------------------------------------------------


class SiteStatusError(DomainError):
    code = "site_status"


class SiteWrongStatus(SiteStatusError):
    code = "site_wrong_status"
    default_message = _("This site is %(status)s; that is not possible now.")


class SiteIncomplete(SiteStatusError):
    code = "site_incomplete"
    default_message = _("This site is not complete yet. Missing: %(missing)s.")

    def __init__(self, missing: list) -> None:
        self.missing = missing
        super().__init__(missing=", ".join(str(req.label) for req in missing))


class HostConsentMissing(SiteStatusError):
    """A site at an azc is reviewed only once its host (usually COA) is named and their
    consent recorded (`events.hosts`)."""

    code = "host_consent_missing"
    default_message = _(
        "This site is at an azc: record its host and the host's consent (who gave it, in "
        "what role, on what day) before it can be submitted or approved. Use the page "
        '"Host and consent" of the site.'
    )


class CommentRequired(InvalidInput):
    code = "comment_required"
    field = "comment"
    default_message = _("Say what the branch should change before sending the site back.")


# --- Shifts ---------------------------------------------------------------------------------


class ShiftError(DomainError):
    code = "shift_error"


class ShiftExists(ShiftError):
    code = "shift_exists"
    field = "starts_at"
    default_message = _(
        "This site already has this shift (the same role and times). To make room for more "
        "volunteers, give that shift more places."
    )


# --- Sign-ups -------------------------------------------------------------------------------


class SignupError(DomainError):
    code = "signup_error"
    default_message = _("This sign-up is not possible.")


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


class LeadAppointedOnly(SignupError):
    """A site-lead shift (`Shift.Role.LEAD`) is given by the site's coordinators (or an
    organiser), never claimed: its volunteer may set the site's live state on the day."""

    code = "lead_appointed_only"
    default_message = _(
        "The site lead is chosen by the site's coordinators; ask them if you would like to "
        "lead this site."
    )


class LeadShiftFull(SignupError):
    code = "lead_shift_full"
    default_message = _(
        "Every place on this site-lead shift is taken. Give the shift another place, or ask "
        "the volunteer who has it to release it first."
    )


class NotLeadShift(SignupError):
    code = "not_lead_shift"
    default_message = _("Only the site-lead shift is given this way.")


class NoVolunteerWithAddress(InvalidInput):
    code = "no_volunteer_with_address"
    field = "email"
    default_message = _(
        "There is no volunteer account with this confirmed address. Ask them to create an "
        "account and confirm their address first, then try again."
    )


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


# --- A site's live state on the day (events.services.day) -----------------------------------


class SiteStateError(DomainError):
    code = "site_state"
    default_message = _("The state of this site cannot be set now.")


class SiteStateNotAllowed(SiteStateError):
    code = "site_state_not_allowed"
    status_code = 403
    default_message = _(
        "Only the site lead while their shift is on (from an hour before it starts), the "
        "branch's coordinators and the national organisers can set the state of this site."
    )


class SiteStateNotToday(SiteStateError):
    code = "site_state_not_today"
    default_message = _("The state of a site can only be set on its day: this site is on %(date)s.")


class SiteStateSiteNotLive(SiteStateError):
    code = "site_state_site_not_live"
    default_message = _("This site is %(status)s: it has no live state.")


# --- Locks ----------------------------------------------------------------------------------


class Busy(DomainError):
    code = "busy"
    status_code = 503
    default_message = _(
        "Someone else is changing this at the same moment. Nothing was changed; please try "
        "again in a moment."
    )
