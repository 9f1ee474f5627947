"""Helpers without a log-in: people who help on the day without an account, most of them
refugees living in the azc, many with a phone but no e-mail address they read.

A helper is a user with no password and a volunteer profile holding a personal link
token (`Volunteer.link_token`): the link `/me/<token>/` is their key to their shifts. They
come in one of two ways, both through the claiming service everyone uses
(`events.services.signup_create`: capacity, waitlist and overlap hold for them alike):

- a coordinator of the site (or an organiser) adds them to a shift by name, with a phone
  number if they want, in their own language, and records their consent (`helper_add`);
- they open a site's invitation (`invitations`) and sign up themselves, with a phone
  number (`helper_join`) or an e-mail address (`join_confirmation_send`: nothing is made
  until the link mailed to it is opened, `helper_join_confirm`). An address that belongs
  to an account or to another helper makes nothing (never are two people merged), and the
  joiner learns nothing of it: whoever gives an address is told "we have sent a message to it"; its
  owner gets a mail (`mail_address_taken`): the account's owner how to log in, a helper
  their link again.

What they agree to: we keep their name, phone number or e-mail address for these shifts
until `HELPER_RETENTION_DAYS` days after their last shift; then `retention` erases them.
A helper who gave an e-mail address gets the usual mails about their shifts (in their own
language, with their personal link instead of the log-in page), and one with their link
when they join; one without gets none. Creating a helper and their sign-up is one
transaction: a refused claim leaves no helper behind. The form that creates one carries a
one-time key (`HelperOrigin.form_key`): the same form sent twice makes one helper.
"""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.mail import person_mail
from accounts.models import User, Volunteer
from accounts.tokens import new_calendar_token
from common import clock
from common.errors import DomainError, InvalidInput
from events import locking
from events.models import Shift, Signup, Site
from events.selectors import open_shifts
from events.services import signup_create

from .calendar import TOKEN_SHAPE
from .invitations import refuse_closed
from .models import HelperOrigin, SiteInvitation

logger = logging.getLogger(__name__)

FORM_KEY_BYTES = 24
# How long the join form's key leads back to what it made (a double tap, a resent
# request). Not longer: the key is in the page's HTML, and must not stay a second key to
# the personal link.
FORM_KEY_VALID = datetime.timedelta(minutes=10)
# How long the link in the mail to a new address stays good (`join_confirmation_send`);
# never beyond the invitation's end, which is checked when it is opened.
JOIN_CONFIRM_VALID = datetime.timedelta(hours=48)
JOIN_CONFIRM_SALT = "volunteers.helpers.join-confirm"


class HelperError(DomainError):
    code = "helper"


class EmailTaken(HelperError):
    """The address belongs to an account (`owner` "account") or to another helper
    ("helper"): nothing was made. Not to be shown as such: the joiner must not learn who
    uses an address (`mail_address_taken` tells its owner instead)."""

    code = "email_taken"
    field = "email"

    def __init__(self, *, owner: str) -> None:
        self.owner = owner
        super().__init__()


class FormAlreadySent(HelperError):
    code = "form_already_sent"
    default_message = _("This form was already sent. Load the page again to sign up.")


PHONE_OR_EMAIL_REQUIRED = _(
    "Give a phone number or an e-mail address, so the coordinator can reach you."
)


class NotInvitedHere(HelperError):
    code = "not_invited_here"
    default_message = _(
        "You can sign up here only for shifts of a site where you already help, while "
        "its invitation link works."
    )


@dataclass(frozen=True)
class HelperDetails:
    """What a helper tells about themselves (checked by the form)."""

    name: str
    language: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class HelperSignup:
    volunteer: Volunteer
    signup: Signup
    # False when the same form came again: the helper and sign-up it made before.
    created: bool


def new_form_key() -> str:
    return secrets.token_urlsafe(FORM_KEY_BYTES)


# --- Reads --------------------------------------------------------------------------------


def helpers() -> QuerySet[Volunteer]:
    """Helpers without a log-in whose data is still there and whose link works (the
    queryset form of `Volunteer.helper_link_works`)."""
    return Volunteer.objects.filter(
        is_helper=True, link_token__isnull=False, anonymised_at__isnull=True
    )


def helper_by_link(token: str) -> Volunteer | None:
    """The helper whose personal link holds `token`, with their user; None for an
    unknown, reset or malformed token, and for a helper whose data was erased."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return helpers().select_related("user").filter(link_token=token, user__is_active=True).first()


def site_helpers(site: Site) -> list[Volunteer]:
    """The helpers with a sign-up (any, also a released one) at `site`: those whose
    personal link the site's coordinators may see."""
    return list(
        helpers()
        .filter(signups__shift__site=site)
        .select_related("user")
        .distinct()
        .order_by("user__first_name", "pk")
    )


def site_helper(site: Site, volunteer_pk: int) -> Volunteer | None:
    return (
        helpers()
        .filter(pk=volunteer_pk, signups__shift__site=site)
        .select_related("user")
        .distinct()
        .first()
    )


def helper_url(volunteer: Volunteer, request=None) -> str:
    """The absolute URL of the helper's personal link (on the request's host, else on
    settings.SITE_URL)."""
    path = reverse("volunteers:helper_page", args=[volunteer.link_token])
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def email_owner(email: str) -> str | None:
    """Who already uses `email`: "account" (a person who logs in, by any of their
    addresses), "helper" (a helper without a log-in), or None."""
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).select_related("volunteer").first()
    if user is not None:
        volunteer = getattr(user, "volunteer", None)
        if volunteer is not None and volunteer.is_helper:
            return "helper"
        return "account"
    if EmailAddress.objects.filter(email__iexact=email).exists():
        return "account"
    return None


def invited_sites(volunteer: Volunteer, now: datetime.datetime | None = None) -> list[dict]:
    """The sites where the helper has a sign-up and whose invitation works now, each as
    {"site", "invitation", "shifts"}: its shifts open for claims that the helper holds no
    place on (with `open_spots`). What the personal page offers to sign up for."""
    now = now or clock.now()
    site_ids = set(
        Signup.objects.filter(volunteer=volunteer).values_list("shift__site_id", flat=True)
    )
    invitations = (
        SiteInvitation.objects.filter(
            site_id__in=site_ids, revoked_at__isnull=True, expires_at__gt=now
        )
        .select_related("site__event", "site__location")
        .order_by("site__opens_at", "site_id")
    )
    held = set(
        Signup.objects.filter(volunteer=volunteer).active().values_list("shift_id", flat=True)
    )
    found = []
    for invitation in invitations:
        # The site-lead shift is the coordinators' to give, not offered to claim.
        offered = open_shifts(site=invitation.site).exclude(role=Shift.Role.LEAD)
        shifts = [s for s in offered if s.pk not in held]
        found.append({"site": invitation.site, "invitation": invitation, "shifts": shifts})
    return found


# --- Changes ------------------------------------------------------------------------------


def _origin(
    form_key: str, *, shift: Shift, invitation: SiteInvitation | None
) -> HelperSignup | None:
    """What the form with `form_key` made, when it is the same form sent again: within
    `FORM_KEY_VALID`, through the same invitation (or the same site's coordinators), to a
    helper whose link still works. A key used otherwise raises `FormAlreadySent`: it never
    leads to a link. (Resetting the link gives the origin a new key, `helper_link_reset`.)"""
    origin = HelperOrigin.objects.select_related("volunteer__user").filter(form_key=form_key)
    origin = origin.first()
    if origin is None:
        return None
    volunteer = origin.volunteer
    if (
        origin.invitation_id != (invitation.pk if invitation is not None else None)
        or origin.site_id != shift.site_id
        or origin.created_at < clock.now() - FORM_KEY_VALID
        or not volunteer.helper_link_works
    ):
        raise FormAlreadySent()
    signup = (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("shift__site")
        .order_by("created_at", "pk")
        .first()
    )
    return HelperSignup(volunteer=volunteer, signup=signup, created=False)


def _refuse_taken_email(email: str) -> None:
    owner = email_owner(email)
    if owner is not None:
        raise EmailTaken(owner=owner)


def _helper_create(
    *,
    shift: Shift,
    details: HelperDetails,
    form_key: str,
    consent_by,
    invitation: SiteInvitation | None,
) -> HelperSignup:
    """Make the helper and claim their place, in one transaction; or find what the same
    form made before."""
    if not form_key:
        raise InvalidInput(_("The form is incomplete: please load the page again."))
    done = _origin(form_key, shift=shift, invitation=invitation)
    if done is not None:
        return done
    email = details.email.strip().lower()
    if email:
        _refuse_taken_email(email)
    try:
        with locking.write_transaction():
            # Asked again inside the transaction: on SQLite it runs alone, so a second
            # copy of the form sent at the same moment finds the first here; on
            # PostgreSQL it waits on the form key's unique index and lands below.
            done = _origin(form_key, shift=shift, invitation=invitation)
            if done is not None:
                return done
            now = clock.now()
            user = User(
                email=email or None,
                first_name=details.name.strip(),
                language=details.language,
                is_active=True,
            )
            user.set_unusable_password()
            user.save()
            volunteer = Volunteer.objects.create(
                user=user,
                phone=details.phone.strip(),
                is_helper=True,
                link_token=new_calendar_token(),
                consent_at=now,
                consent_recorded_by=consent_by,
            )
            HelperOrigin.objects.create(
                volunteer=volunteer,
                site=shift.site,
                invitation=invitation,
                form_key=form_key,
                created_at=now,
            )
            # A coordinator adding a helper may put them on the site-lead shift; a person
            # joining through an invitation may not (`LeadAppointedOnly`).
            signup = signup_create(shift=shift, volunteer=volunteer, appointed_by=consent_by)
            if email:
                transaction.on_commit(lambda: mail_helper_link(volunteer), robust=True)
    except IntegrityError:
        done = _origin(form_key, shift=shift, invitation=invitation)
        if done is not None:
            return done
        if email:
            # The same address, sent by another form at the same moment.
            _refuse_taken_email(email)
        raise
    return HelperSignup(volunteer=volunteer, signup=signup, created=True)


def helper_add(*, shift: Shift, details: HelperDetails, by, form_key: str) -> HelperSignup:
    """A coordinator of the shift's site (or an organiser: the caller checks
    `volunteers.manage_helpers`) adds a helper without a log-in to `shift`, having asked
    for their consent (recorded as given now, by `by`). The claiming rules hold as for
    everyone: a full shift puts them on the waitlist. Raises a `SignupError` (nothing
    made) when the claim is refused."""
    return _helper_create(
        shift=shift, details=details, form_key=form_key, consent_by=by, invitation=None
    )


def helper_join(
    *, invitation: SiteInvitation, shift: Shift, details: HelperDetails, form_key: str
) -> HelperSignup:
    """A person signs themselves up for `shift` through the site's `invitation`, having
    agreed (the form's consent box) that we keep their details. Raises `InvitationClosed`
    when the invitation no longer works, `InvalidInput` for a shift of another site,
    `EmailTaken` for an address in use, `FormAlreadySent` for a form key used before
    (longer ago than `FORM_KEY_VALID`, elsewhere, or for a link since reset), or the
    claim's `SignupError`; nothing is made then."""
    refuse_closed(invitation)
    if shift.site_id != invitation.site_id:
        raise InvalidInput(_("Choose one of the shifts of this site."), field="shift")
    if not details.phone.strip() and not details.email.strip():
        raise InvalidInput(PHONE_OR_EMAIL_REQUIRED, field="phone")
    return _helper_create(
        shift=shift, details=details, form_key=form_key, consent_by=None, invitation=invitation
    )


class ConfirmationInvalid(HelperError):
    """A confirmation link that is tampered with, too old, or about a shift or invitation
    that no longer exists."""

    code = "join_confirmation_invalid"
    default_message = _(
        "This confirmation link does not work (any more). Open the invitation again to sign up."
    )


@dataclass(frozen=True)
class JoinRequest:
    """What the join form held, carried by the signed link in the mail to the address."""

    invitation: SiteInvitation
    shift: Shift
    details: HelperDetails
    form_key: str


def _invitation_mark(invitation: SiteInvitation) -> str:
    return hashlib.sha256(invitation.token.encode()).hexdigest()[:16]


def join_confirmation_token(
    *, invitation: SiteInvitation, shift: Shift, details: HelperDetails, form_key: str
) -> str:
    """The signed, timestamped value of the confirmation link: what the form held. Signed,
    not encrypted: it reaches only the address it names."""
    payload = {
        "i": invitation.pk,
        # Not the invitation's token itself (the address's owner need not learn it):
        # enough to tell that it was not renewed since.
        "t": _invitation_mark(invitation),
        "s": shift.pk,
        "n": details.name,
        "l": details.language,
        "p": details.phone,
        "e": details.email,
        "k": form_key,
    }
    return signing.dumps(payload, salt=JOIN_CONFIRM_SALT, compress=True)


def join_confirmation_load(value: str) -> JoinRequest:
    """The join request in a confirmation link's `value`. Raises `ConfirmationInvalid` for
    a tampered or expired link (older than `JOIN_CONFIRM_VALID`), or one whose invitation
    was renewed or whose shift is gone."""
    try:
        payload = signing.loads(value or "", salt=JOIN_CONFIRM_SALT, max_age=JOIN_CONFIRM_VALID)
        invitation = SiteInvitation.objects.select_related("site").filter(pk=payload["i"]).first()
        if invitation is not None and _invitation_mark(invitation) != payload["t"]:
            invitation = None
        shift = Shift.objects.select_related("site").filter(pk=payload["s"]).first()
        details = HelperDetails(
            name=str(payload["n"]),
            language=str(payload["l"]),
            phone=str(payload["p"]),
            email=str(payload["e"]),
        )
        form_key = str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ConfirmationInvalid() from None
    if invitation is None or shift is None or not details.email:
        raise ConfirmationInvalid()
    return JoinRequest(invitation=invitation, shift=shift, details=details, form_key=form_key)


def join_confirmation_send(
    *,
    invitation: SiteInvitation,
    shift: Shift,
    details: HelperDetails,
    form_key: str,
    url_for: Callable[[str], str],
    may_mail: Callable[[], bool] = lambda: True,
) -> bool:
    """Someone joins through `invitation` with an e-mail address: make nothing yet, and
    mail the address a link (`url_for(value)` makes its URL) that signs them up once
    opened (`helper_join_confirm`), so that whether a place is taken never depends on
    whether the address is in use. Raises `EmailTaken` for an address in use (the caller
    tells its owner instead, `mail_address_taken`), `InvitationClosed`, or
    `InvalidInput`. `may_mail` (asked last) limits how often one address is mailed.
    Whether a message went out."""
    refuse_closed(invitation)
    if shift.site_id != invitation.site_id:
        raise InvalidInput(_("Choose one of the shifts of this site."), field="shift")
    email = details.email.strip().lower()
    if not email:
        raise InvalidInput(PHONE_OR_EMAIL_REQUIRED, field="phone")
    _refuse_taken_email(email)
    if not may_mail():
        return False
    details = HelperDetails(
        name=details.name, language=details.language, phone=details.phone, email=email
    )
    value = join_confirmation_token(
        invitation=invitation, shift=shift, details=details, form_key=form_key
    )
    valid_until = min(clock.now() + JOIN_CONFIRM_VALID, invitation.expires_at)
    message = person_mail(
        to=email,
        # Not a saved user: only the language chosen on the form, for `mail_languages`.
        user=User(language=details.language),
        subject_template="volunteers/email/join_confirm_subject.txt",
        body_template="volunteers/email/join_confirm_message.txt",
        context={
            # No name: the joiner typed it, and the address is not proven theirs yet.
            "site": shift.site,
            "shift": shift,
            "link": url_for(value),
            "valid_until": valid_until,
        },
    )
    try:
        message.send()
    except Exception:
        logger.exception("the confirmation of a join through invitation %s failed", invitation.pk)
        return False
    return True


def helper_join_confirm(*, value: str) -> HelperSignup:
    """The link in the mail to a new address was opened: sign the person up as the form
    asked, through `helper_join` (same rules, same one-time form key: a link opened twice
    makes one helper). Raises `ConfirmationInvalid`, `InvitationClosed`, `EmailTaken`
    (the address came into use since), `FormAlreadySent`, or the claim's
    `SignupError`; nothing is made then."""
    request = join_confirmation_load(value)
    shift = request.shift
    if not open_shifts(site=shift.site).filter(pk=shift.pk).exists():
        raise InvalidInput(_("That shift is not (or no longer) open."))
    return helper_join(
        invitation=request.invitation,
        shift=shift,
        details=request.details,
        form_key=request.form_key,
    )


def helper_claim(*, volunteer: Volunteer, shift: Shift) -> Signup:
    """A helper signs up for another shift from their personal page: one of a site where
    they already have a sign-up, while its invitation works (`NotInvitedHere`
    otherwise). The claiming rules as for everyone (waitlist, overlap)."""
    if not any(entry["site"].pk == shift.site_id for entry in invited_sites(volunteer)):
        raise NotInvitedHere()
    return signup_create(shift=shift, volunteer=volunteer)


def helper_add_to_shift(*, volunteer: Volunteer, shift: Shift, by=None) -> Signup:
    """A coordinator of the shift's site (`by`) puts one of its helpers on another of its
    shifts (the caller checks the permission and that the helper is one of the site's);
    the site-lead shift too, when `by` is given."""
    return signup_create(shift=shift, volunteer=volunteer, appointed_by=by)


def helper_link_reset(*, volunteer: Volunteer) -> Volunteer:
    """Give the helper a new personal link, and a new calendar link (the old page showed
    it): the old ones stop working at once."""
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
        if not locked.helper_link_works:
            raise HelperError(_("This personal link no longer works."))
        locked.link_token = new_calendar_token()
        locked.calendar_token = new_calendar_token()
        locked.save(update_fields=["link_token", "calendar_token", "updated_at"])
        # The form that made the helper must not lead to the new link.
        HelperOrigin.objects.filter(volunteer=locked).update(form_key=new_form_key())
    return locked


def helper_language_set(*, volunteer: Volunteer, language: str) -> Volunteer:
    """The helper's own language: of their pages, mails and calendar."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose one of the languages offered."), field="language")
    user = volunteer.user
    user.language = language
    user.save(update_fields=["language"])
    return volunteer


def helper_became_account(sender, *, user, **kwargs) -> None:
    """A helper set a password through their e-mail address (allauth's password reset,
    which proves the address is theirs): they log in from now on, like any account, and
    their personal link stops working. Their shifts stay theirs."""
    Volunteer.objects.filter(user=user, is_helper=True).update(link_token=None, is_helper=False)


# --- Mail -----------------------------------------------------------------------------------


def mail_helper_link(volunteer: Volunteer) -> bool:
    """Send the helper their personal link, in their language, when they gave an e-mail
    address (after they joined, or when they try to join again with it). Whether a
    message went out."""
    user = volunteer.user
    if not (user.is_active and user.email and volunteer.helper_link_works):
        return False
    sites = list(
        Site.objects.filter(shifts__signups__volunteer=volunteer)
        .select_related("location")
        .distinct()
        .order_by("opens_at")
    )
    message = person_mail(
        to=user.email,
        user=user,
        subject_template="volunteers/email/helper_link_subject.txt",
        body_template="volunteers/email/helper_link_message.txt",
        context={
            # No name: it is what the joiner typed, and the address is not proven theirs
            # (anyone may give anyone's address on the form); the mail greets neutrally.
            "sites": sites,
            "link": helper_url(volunteer),
            "retention_days": settings.HELPER_RETENTION_DAYS,
        },
    )
    try:
        message.send()
    except Exception:
        logger.exception("the personal link of helper %s could not be mailed", volunteer.pk)
        return False
    return True


def mail_address_taken(*, email: str, site: Site) -> bool:
    """Someone tried to join through `site`'s invitation with `email`, which is in use:
    tell its owner, not the joiner. A helper gets their personal link again; the owner of
    an account, that someone tried to sign up with their address and how to log in and
    claim a shift. Only the owner reads it, and nothing the joiner typed is in it. The
    caller limits how often one address is mailed (`join_limits.address_mail_spend`).
    Whether a message went out."""
    email = email.strip()
    user = User.objects.filter(email__iexact=email).select_related("volunteer").first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user")
        address = address.first()
        user = address.user if address is not None else None
    if user is None or not user.is_active:
        return False
    volunteer = getattr(user, "volunteer", None)
    if volunteer is not None and volunteer.is_helper:
        return mail_helper_link(volunteer) if volunteer.helper_link_works else False
    message = person_mail(
        to=email,
        user=user,
        subject_template="volunteers/email/join_address_taken_subject.txt",
        body_template="volunteers/email/join_address_taken_message.txt",
        context={
            "site": site,
            "login_url": settings.SITE_URL + reverse("account_login"),
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
            "site_url": settings.SITE_URL,
        },
    )
    try:
        message.send()
    except Exception:
        logger.exception("the mail about a join with the address of user %s failed", user.pk)
        return False
    return True
