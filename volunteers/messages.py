"""Messages to the people on a shift: a coordinator writes to the volunteers of one of
their branch's shifts or sites, or of all their branch's sites in an edition; an organiser
also to a whole edition (every site).

Who is meant: those with a place (confirmed), those on the waitlist, those checked in
today (`events.Attendance`, checked in or out), any of them. Each person appears once,
however many of the shifts they hold. A message is stored with one `MessageRecipient` per
person before anything is sent, and mailed in the background (`volunteers.tasks`), each
mail under the key `message:<id>:user:<user id>`, so a retried task mails nobody twice.

Languages: the writer writes in their language and may add versions in the other offered
languages; each volunteer gets the version in their own language (`User.language`) where
there is one, else the writer's. The frame around it (greeting, who sent it about what,
the link to their shifts) is in the volunteer's language.

A cancelled site or shift may be written to (its people need to hear about it): there,
"with a place" means those who had one when it was cancelled.

Helpers without an e-mail address cannot be reached by mail: they are stored as
recipients not reachable (`by_mail=False`) and the compose page lists them with their
phone number, so that the coordinator can call them.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.mail import person_language, send_once
from accounts.models import SentMail, Volunteer
from accounts.roles import coordinated_branch_ids, is_organiser
from common import clock
from common.errors import DomainError, InvalidInput
from common.languages import is_offered
from common.tasks import enqueue_after_commit
from events import locking
from events.models import Attendance, Event, Shift, Signup, Site
from events.notifications import shifts_page_url
from locations.models import Branch

from .models import Message, MessageRecipient

log = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 5000
# The same text to the same people again within this time is taken for a second click,
# not a second message.
REPEAT_WINDOW = datetime.timedelta(minutes=10)

Scope = Message.Scope
Audience = Message.Audience


class MessageError(DomainError):
    code = "message"


class MessageNotAllowed(MessageError):
    code = "message_not_allowed"
    status_code = 403
    default_message = _(
        "Only the coordinators of the branch that runs these sites and the national "
        "organisers can write to their volunteers; only organisers to a whole action day."
    )


class NobodyToSend(MessageError):
    code = "nobody_to_send"
    default_message = _("Nobody to send to: no volunteer is in the group you chose.")


class MessageRepeated(MessageError):
    code = "message_repeated"
    default_message = _("You sent this message to these volunteers a few minutes ago.")


@dataclass(frozen=True)
class Target:
    """What a message is about: the scope and its object (a shift, a site, a branch in an
    edition, or an edition)."""

    scope: str
    event: Event
    branch: Branch | None = None
    site: Site | None = None
    shift: Shift | None = None

    @classmethod
    def for_shift(cls, shift: Shift) -> "Target":
        site = shift.site
        return cls(Scope.SHIFT, site.event, site.branch, site, shift)

    @classmethod
    def for_site(cls, site: Site) -> "Target":
        return cls(Scope.SITE, site.event, site.branch, site)

    @classmethod
    def for_branch(cls, event: Event, branch: Branch) -> "Target":
        return cls(Scope.BRANCH, event, branch)

    @classmethod
    def for_edition(cls, event: Event) -> "Target":
        return cls(Scope.EDITION, event)

    def shifts(self) -> QuerySet[Shift]:
        if self.shift is not None:
            return Shift.objects.filter(pk=self.shift.pk)
        if self.site is not None:
            return Shift.objects.filter(site=self.site)
        shifts = Shift.objects.filter(site__event=self.event)
        if self.branch is not None:
            shifts = shifts.filter(site__branch=self.branch)
        return shifts


def may_write(user, target: Target) -> bool:
    """Organisers to anything; a branch's coordinators to its shifts, sites and sites in
    an edition; nobody else (`volunteers.write_to_volunteers`)."""
    subject = target.shift or target.site or target.branch or target.event
    return user.has_perm("volunteers.write_to_volunteers", subject)


def _signups(target: Target, audiences: list[str]) -> QuerySet[Signup]:
    """The sign-ups of the people `audiences` of `target` mean."""
    shifts = target.shifts()
    held = Q(status=Signup.Status.CONFIRMED)
    waiting = Q(status=Signup.Status.WAITLISTED)
    # A cancelled shift (or one of a cancelled site) cancelled its sign-ups at the moment
    # it was cancelled (`shift_delete`, `site_cancel` write that moment on both): those
    # are its people.
    lost_with_shift = Q(
        status=Signup.Status.CANCELLED,
        shift__is_cancelled=True,
        cancelled_at__gte=F("shift__updated_at"),
    )
    wanted = Q(pk__in=[])
    if Audience.CONFIRMED in audiences:
        wanted |= held | (lost_with_shift & Q(confirmed_at__isnull=False))
    if Audience.WAITLISTED in audiences:
        wanted |= waiting | (lost_with_shift & Q(confirmed_at__isnull=True))
    if Audience.CHECKED_IN in audiences:
        today = Attendance.objects.filter(
            status__in=[Attendance.Status.CHECKED_IN, Attendance.Status.CHECKED_OUT],
            checked_in_at__date=clock.today(),
            signup__isnull=False,
        ).values("signup_id")
        wanted |= Q(pk__in=today)
    return Signup.objects.filter(shift__in=shifts).filter(wanted)


def message_audience(*, target: Target, audiences: list[str]) -> list[Volunteer]:
    """The volunteers the message would go to, each once, by name: those erased or with a
    closed account are left out."""
    volunteer_ids = _signups(target, audiences).values("volunteer_id")
    return list(
        Volunteer.objects.filter(pk__in=volunteer_ids, anonymised_at__isnull=True)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


def reachable(volunteer: Volunteer) -> bool:
    return bool(volunteer.user.email)


def _clean_text(subject: str, body: str, *, field_prefix: str = "") -> tuple[str, str]:
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors[f"{field_prefix}subject"] = [str(_("Write a subject."))]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors[f"{field_prefix}subject"] = [
            str(_("Keep the subject under %(max)d characters.") % {"max": SUBJECT_MAX_LENGTH})
        ]
    if not body:
        errors[f"{field_prefix}body"] = [str(_("Write a message."))]
    elif len(body) > BODY_MAX_LENGTH:
        errors[f"{field_prefix}body"] = [
            str(
                _("Keep the message under %(max)d characters (it has %(length)d).")
                % {"max": BODY_MAX_LENGTH, "length": len(body)}
            )
        ]
    if errors:
        raise InvalidInput(fields=errors)
    return subject, body


def _lock_writer(by) -> None:
    """Lock the writer's user row until the end of the transaction (`Busy`, 503, when it
    is held too long elsewhere)."""
    with locking.timed():
        list(get_user_model().objects.select_for_update().filter(pk=by.pk).values_list("pk"))


def message_send(
    *,
    target: Target,
    by,
    audiences: list[str],
    subject: str,
    body: str,
    language: str,
    versions: dict[str, dict[str, str]] | None = None,
) -> Message:
    """Store the message and its recipients and queue its mail (after the commit).

    Raises `MessageNotAllowed` (403) for a writer who may not write to `target`,
    `InvalidInput` for an empty or too long text, no audience or an unknown language,
    `NobodyToSend` when the audience is empty (nothing is stored), and `MessageRepeated`
    for the same text to the same people within `REPEAT_WINDOW` (a second click).
    """
    if not may_write(by, target):
        raise MessageNotAllowed()
    audiences = sorted(set(audiences or []))
    if not audiences or any(value not in Audience.values for value in audiences):
        raise InvalidInput(
            _("Choose who gets the message: with a place, on the waitlist or checked in."),
            field="audiences",
        )
    if not is_offered(language):
        raise InvalidInput(_("Choose a language the site is offered in."), field="language")
    subject, body = _clean_text(subject, body)
    cleaned_versions = {}
    for code, version in (versions or {}).items():
        if not is_offered(code):
            raise InvalidInput(_("Choose a language the site is offered in."), field="language")
        if code == language or not (version.get("subject") or version.get("body")):
            continue
        version_subject, version_body = _clean_text(
            version.get("subject", ""), version.get("body", ""), field_prefix=f"{code}_"
        )
        cleaned_versions[code] = {"subject": version_subject, "body": version_body}

    with transaction.atomic():
        # One writer's sends run one at a time, so that a second click sent at the same
        # moment sees the first message below (and is refused as repeated) instead of
        # reading before it is stored. On SQLite, transactions already run one at a time.
        _lock_writer(by)
        people = message_audience(target=target, audiences=audiences)
        if not people:
            raise NobodyToSend()
        now = clock.now()
        if Message.objects.filter(
            written_by=by,
            scope=target.scope,
            event=target.event,
            branch=target.branch,
            site=target.site,
            shift=target.shift,
            subject=subject,
            body=body,
            written_at__gte=now - REPEAT_WINDOW,
        ).exists():
            raise MessageRepeated()
        message = Message.objects.create(
            scope=target.scope,
            event=target.event,
            branch=target.branch,
            site=target.site,
            shift=target.shift,
            audiences=audiences,
            written_by=by,
            written_at=now,
            reply_to=by.email or "",
            language=language,
            subject=subject,
            body=body,
            versions=cleaned_versions,
        )
        MessageRecipient.objects.bulk_create(
            MessageRecipient(message=message, volunteer=person, by_mail=reachable(person))
            for person in people
        )
        from . import tasks  # imported here: the task module imports this one

        enqueue_after_commit(tasks.send_message_task, message.pk)
    log.info(
        "message %s by %s to %d volunteer(s) (%s)",
        message.pk,
        getattr(by, "pk", None),
        len(people),
        target.scope,
    )
    return message


# --- Sending (in the background) -------------------------------------------------------------


def _about(message: Message) -> str:
    """What the message is about, as its frame says it (in the current language)."""
    if message.shift is not None:
        shift = message.shift
        start = timezone.localtime(shift.starts_at)
        when = date_format(start, "l j F Y, H:i")
        return f"{capfirst(shift.get_role_display())}, {message.site.display_name}, {when}"
    if message.site is not None:
        return f"{message.site.display_name}, {message.event.name}"
    if message.branch is not None:
        return f"{message.event.name}, {message.branch.name}"
    return message.event.name


def message_mail(message: Message, volunteer: Volunteer) -> EmailMessage:
    """The mail of `message` to `volunteer`: their version of the text, framed in their
    language."""
    user = volunteer.user
    frame_language = person_language(user)
    text_language, subject, body = message.text_in(getattr(user, "language", "") or "")
    writer = message.written_by
    with translation.override(frame_language):
        context = {
            "name": "" if volunteer.is_helper else user.first_name,
            "writer": (writer.get_full_name() or writer.email) if writer else "",
            "branch": message.branch.name if message.branch else "",
            "about": _about(message),
            "body": body,
            "text_language": text_language,
            "my_shifts_url": shifts_page_url(volunteer),
            "reply_to": message.reply_to,
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("volunteers/email/message.txt", context)
    return EmailMessage(
        " ".join(subject.split()),
        text,
        to=[user.email],
        reply_to=[message.reply_to] if message.reply_to else [],
    )


def message_deliver(message_id: int) -> int:
    """Send `message` to each reachable recipient not yet mailed; record the time on each
    one sent. Safe to run again (`send_once`): a retry sends only the mails that failed."""
    message = (
        Message.objects.select_related("event", "branch", "site", "shift", "written_by")
        .filter(pk=message_id)
        .first()
    )
    if message is None:  # deleted meanwhile (its edition, site or shift was)
        return 0
    recipients = list(
        message.recipients.filter(by_mail=True, sent_at__isnull=True)
        .select_related("volunteer__user")
        .order_by("pk")
    )
    batch = []
    keys: dict[str, int] = {}
    for recipient in recipients:
        volunteer = recipient.volunteer
        if not volunteer.user.email or volunteer.anonymised_at:
            continue
        key = f"message:{message.pk}:user:{volunteer.user_id}"
        keys[key] = recipient.pk
        batch.append((key, message_mail(message, volunteer)))
    try:
        sent = send_once(batch, what=f"message {message.pk}")
    finally:
        # Whatever went out (now or by an earlier attempt) is recorded as sent; a mail
        # that failed has no SentMail row and is tried again with the task.
        done = set(SentMail.objects.filter(key__in=list(keys)).values_list("key", flat=True))
        MessageRecipient.objects.filter(pk__in=[keys[key] for key in done]).update(
            sent_at=clock.now()
        )
    return sent


# --- Reading ---------------------------------------------------------------------------------


def messages_visible_to(user) -> QuerySet[Message]:
    """The messages a person sees in the list: organisers all, coordinators those to their
    branches' volunteers."""
    messages = Message.objects.select_related("event", "branch", "site", "shift", "written_by")
    if is_organiser(user):
        return messages
    return messages.filter(branch_id__in=coordinated_branch_ids(user))
