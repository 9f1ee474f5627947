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
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.mail import person_mail, send_once
from accounts.models import Volunteer
from common import clock
from common.errors import DomainError
from common.languages import language_label
from common.tasks import enqueue_after_commit
from events import locking
from events.errors import SignupClosed
from events.models import Shift, Signup, Site
from events.selectors import shifts_with_counts
from events.services.editions import refuse_closed_edition

# The claiming rule's own check, so that an appeal never asks volunteers for a shift they
# could not claim (whatever that rule decides about windows and start times).
from events.services.signups import check_open_for_claims
from events.staffing import with_staffing

from .models import StaffingAppeal

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


CLAIMS_CLOSED_MESSAGE = _("Volunteers cannot sign up for this site now: %(reason)s")


class LanguageNotNeeded(AppealError):
    code = "language_not_needed"
    default_message = _("This site does not list that language as needed.")


class SiteFullyStaffed(AppealError):
    code = "site_fully_staffed"
    default_message = _("Every place at this site is taken; there is nothing to ask for.")


class OnlyLeadOpen(AppealError):
    code = "appeal_only_lead_open"
    default_message = _(
        "The only free place at this site is the site lead's, which the site's coordinators "
        "give on the roster; there is nothing to ask volunteers for."
    )


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


def appeal_recipients(site: Site, *, language: str = ""):
    """Volunteers of the site's branch who could still help there (who speak `language`,
    when given)."""
    has_place_here = Signup.objects.filter(volunteer=OuterRef("pk"), shift__site=site).active()
    verified = EmailAddress.objects.filter(
        user=OuterRef("user"), email__iexact=OuterRef("user__email"), verified=True
    )
    volunteers = Volunteer.objects.filter(
        home_branch_id=site.branch_id, user__is_active=True, anonymised_at__isnull=True
    )
    if language:
        # As `events.selectors.open_shifts`: the code in quotes in the JSON list's text.
        volunteers = volunteers.filter(languages__icontains=f'"{language}"')
    return (
        volunteers.exclude(user__email="")
        .filter(Exists(verified))
        .exclude(Exists(has_place_here))
        .select_related("user")
        .order_by("pk")
    )


def last_appeal(site: Site) -> StaffingAppeal | None:
    return site.staffing_appeals.order_by("-sent_at", "-pk").first()


def _format(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j b H:i")


def appealable_shifts(site: Site):
    """The site's shifts an appeal may ask volunteers to claim: not cancelled, and not the
    site-lead shift (its coordinators choose the lead: `LeadAppointedOnly`)."""
    return site.shifts.filter(is_cancelled=False).exclude(role=Shift.Role.LEAD)


def _claimable_open_shifts(site: Site, now: datetime.datetime) -> list:
    """The site's shifts with free places that a volunteer could claim now (by the
    claiming rule itself); raises `AppealNotPossible` with its reason when there are none."""
    open_shifts, refusal = [], None
    shifts = shifts_with_counts(appealable_shifts(site))
    for shift in shifts.order_by("starts_at", "role", "pk"):
        if not shift.open_spots:
            continue
        shift.site = site
        try:
            check_open_for_claims(shift, now)
        except SignupClosed as error:
            refusal = refusal or error
            continue
        open_shifts.append(shift)
    if not open_shifts and refusal is not None:
        raise AppealNotPossible(CLAIMS_CLOSED_MESSAGE, reason=refusal.detail)
    return open_shifts


@transaction.atomic
def staffing_appeal_send(
    *, site: Site, by, message: str = "", language: str = ""
) -> StaffingAppeal:
    """Mail the branch's volunteers about the open places at `site`.

    With `language` (one the site needs), only volunteers who speak it are asked. Only
    shifts a volunteer could claim now (by the claiming rule) are offered. Raises
    `AppealNotPossible` (not published, or no open shift can be claimed now, with the
    reason), `EditionClosed`, `SiteFullyStaffed`, `OnlyLeadOpen` (the site-lead shift is
    never offered: its coordinators choose the lead), `AppealTooSoon` or `NoVolunteersToAsk`;
    then nothing is sent or recorded.
    """
    message = (message or "").strip()[:MESSAGE_MAX_LENGTH]
    # The site's row lock makes two appeals sent at once queue, so the second sees the
    # first and is refused as too soon.
    locked = locking.lock_site(site.pk, related=("event", "location", "branch"))
    if not locked.is_public:
        raise AppealNotPossible()
    refuse_closed_edition(locked.event)
    staffing = with_staffing(Site.objects.filter(pk=locked.pk)).get()
    if staffing.places_confirmed >= staffing.places_needed:
        raise SiteFullyStaffed()
    now = clock.now()
    # Refused now when no shift can be claimed; the mail lists those open when it is sent.
    if not _claimable_open_shifts(locked, now):
        raise OnlyLeadOpen()
    previous = last_appeal(locked)
    if previous and now < previous.sent_at + APPEAL_INTERVAL:
        raise AppealTooSoon(
            last=_format(previous.sent_at), next=_format(previous.sent_at + APPEAL_INTERVAL)
        )
    if language and language not in (locked.languages_needed or []):
        raise LanguageNotNeeded()
    volunteers = list(appeal_recipients(locked, language=language))
    if not volunteers:
        raise NoVolunteersToAsk(branch=locked.branch.name)

    appeal = StaffingAppeal.objects.create(
        site=locked,
        sent_by=by,
        sent_at=now,
        message=message,
        recipients=len(volunteers),
        language=language,
    )
    from . import tasks  # imported here: the task module imports this one

    enqueue_after_commit(
        tasks.send_appeal_task, appeal.pk, [volunteer.pk for volunteer in volunteers]
    )
    return appeal


def appeal_deliver(appeal_id: int, volunteer_ids: list[int]) -> int:
    """Mail the appeal to these volunteers (in the background), one message each under
    the key `appeal:<id>:user:<user id>`: a retry mails only those not mailed yet. The
    open shifts are those of the moment the mail is written."""
    appeal = (
        StaffingAppeal.objects.select_related(
            "site__event", "site__location", "site__branch", "sent_by"
        )
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        return 0
    site = appeal.site
    try:
        open_shifts = _claimable_open_shifts(site, clock.now())
    except AppealNotPossible:
        open_shifts = []
    if not open_shifts:
        log.info("appeal %s for site %s: no open place left to ask for", appeal.pk, site.pk)
        return 0
    by = appeal.sent_by
    reply_to = [by.email] if by is not None and by.email else []
    volunteers = (
        Volunteer.objects.filter(pk__in=volunteer_ids, anonymised_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    emails = [
        (
            f"appeal:{appeal.pk}:user:{volunteer.user_id}",
            person_mail(
                to=volunteer.user.email,
                user=volunteer.user,
                subject_template="volunteers/email/staffing_appeal_subject.txt",
                body_template="volunteers/email/staffing_appeal_message.txt",
                context={
                    "site": site,
                    "event": site.event,
                    "user": volunteer.user,
                    "open_shifts": open_shifts,
                    "open_places": sum(shift.open_spots for shift in open_shifts),
                    "message": appeal.message,
                    "language": language_label(appeal.language) if appeal.language else "",
                    "site_url": settings.SITE_URL + site.get_absolute_url(),
                },
                reply_to=reply_to,
            ),
        )
        for volunteer in volunteers
    ]
    sent = send_once(emails, what=f"appeal {appeal.pk}")
    log.info("appeal %s for site %s: %d volunteer(s) mailed", appeal.pk, site.pk, sent)
    return sent
