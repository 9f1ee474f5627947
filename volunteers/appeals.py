"""A coordinator asks their branch's volunteers for help at a site short of people.

The mail goes to volunteers whose home branch runs the site, who have a verified address,
and who have no place there yet; one message each, so nobody sees another's address.
Appeals for one site are spaced at least `APPEAL_INTERVAL` apart, so that a branch's
volunteers are not flooded.
"""

import datetime
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from events.editions import edition_closed_error, edition_is_closed
from events.models import Site
from events.staffing import shifts_with_confirmed, with_staffing

from .models import Signup, StaffingAppeal, Volunteer

log = logging.getLogger(__name__)

APPEAL_INTERVAL = datetime.timedelta(hours=12)
MESSAGE_MAX_LENGTH = 2000


class AppealError(DomainError):
    code = "appeal"


class AppealNotPossible(AppealError):
    code = "appeal_not_possible"
    default_message = _(
        "Volunteers can only sign up for a published site of a published edition; "
        "ask for help once it is."
    )


class SiteFullyStaffed(AppealError):
    code = "site_fully_staffed"
    default_message = _("Every place at this site is taken; there is nothing to ask for.")


class AppealTooSoon(AppealError):
    code = "appeal_too_soon"
    default_message = _(
        "Your branch's volunteers were asked for this site at %(last)s; "
        "you can ask again from %(next)s."
    )


class NoVolunteersToAsk(AppealError):
    code = "no_volunteers_to_ask"
    default_message = _(
        "No volunteers of %(branch)s can be asked: none with a confirmed e-mail address "
        "without a place at this site."
    )


def appeal_recipients(site: Site):
    """Volunteers of the site's branch who could still help there."""
    has_place_here = Signup.objects.filter(
        volunteer=OuterRef("pk"), shift__site=site, status__in=Signup.ACTIVE_STATUSES
    )
    verified = EmailAddress.objects.filter(
        user=OuterRef("user"), email__iexact=OuterRef("user__email"), verified=True
    )
    return (
        Volunteer.objects.filter(
            home_branch_id=site.branch_id, user__is_active=True, anonymised_at__isnull=True
        )
        .exclude(user__email="")
        .filter(Exists(verified))
        .exclude(Exists(has_place_here))
        .select_related("user")
        .order_by("pk")
    )


def last_appeal(site: Site) -> StaffingAppeal | None:
    return site.staffing_appeals.order_by("-sent_at", "-pk").first()


def _format(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


@transaction.atomic
def staffing_appeal_send(*, site: Site, by, message: str = "") -> StaffingAppeal:
    """Mail the branch's volunteers about the open places at `site`.

    Raises `AppealNotPossible` (not published), `EditionClosed`, `SiteFullyStaffed`,
    `AppealTooSoon` or `NoVolunteersToAsk`; then nothing is sent or recorded.
    """
    message = (message or "").strip()[:MESSAGE_MAX_LENGTH]
    # The site's row lock makes two appeals sent at once queue, so the second sees the
    # first and is refused as too soon.
    locked = (
        with_staffing(Site.objects.select_for_update(of=("self",)))
        .select_related("event", "location", "branch")
        .get(pk=site.pk)
    )
    if locked.status != Site.Status.PUBLISHED or not locked.event.is_published:
        raise AppealNotPossible()
    if edition_is_closed(locked.event):
        raise edition_closed_error(locked.event)
    if locked.places_confirmed >= locked.places_needed:
        raise SiteFullyStaffed()
    now = timezone.now()
    previous = last_appeal(locked)
    if previous and now < previous.sent_at + APPEAL_INTERVAL:
        raise AppealTooSoon(
            last=_format(previous.sent_at), next=_format(previous.sent_at + APPEAL_INTERVAL)
        )
    volunteers = list(appeal_recipients(locked))
    if not volunteers:
        raise NoVolunteersToAsk(branch=locked.branch.name)

    open_shifts = []
    for shift in shifts_with_confirmed(locked).filter(is_cancelled=False):
        if shift.capacity > shift.confirmed:
            shift.open_places = shift.capacity - shift.confirmed
            open_shifts.append(shift)
    appeal = StaffingAppeal.objects.create(
        site=locked, sent_by=by, sent_at=now, message=message, recipients=len(volunteers)
    )
    reply_to = [by.email] if getattr(by, "email", "") else []
    emails = []
    with translation.override(settings.LANGUAGE_CODE):
        for volunteer in volunteers:
            context = {
                "site": locked,
                "event": locked.event,
                "user": volunteer.user,
                "open_shifts": open_shifts,
                "open_places": locked.places_needed - locked.places_confirmed,
                "message": message,
                "site_url": settings.SITE_URL + locked.get_absolute_url(),
            }
            subject = render_to_string("volunteers/mail/staffing_appeal_subject.txt", context)
            body = render_to_string("volunteers/mail/staffing_appeal_body.txt", context)
            emails.append(
                EmailMessage(
                    " ".join(subject.split()), body, to=[volunteer.user.email], reply_to=reply_to
                )
            )

    def send() -> None:
        get_connection().send_messages(emails)
        log.info("appeal %s for site %s: %d volunteer(s) mailed", appeal.pk, locked.pk, len(emails))

    transaction.on_commit(send, robust=True)
    return appeal
