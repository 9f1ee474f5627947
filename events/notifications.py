"""Mail about sites and shifts: to volunteers about their places, to a branch's
coordinators about its sites. Written by `accounts.mail.person_mail` (its languages).

Two halves:

- `mail_*` functions are what services call, inside their transaction: each queues a
  background task (`events.tasks`) once the change commits (`enqueue_after_commit`), with
  ids and strings only. A failing mail server never undoes a change, nobody is told about
  a change that was rolled back, and the request does not wait for the mail server.
- `send_*` functions are what those tasks run: they build the messages from the database
  as it is then and send them with `accounts.mail.send_once`, each under a key naming what
  was sent and to whom, so that a retried task sends only what failed before.
"""

import contextlib
import contextvars
import datetime
import logging
import uuid
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.mail import person_language, person_mail, send_once
from common.tasks import enqueue_after_commit

from . import calendar
from .calendar import place_text
from .disclosures import disclosures_record
from .feeds import cancelled_summary
from .models import AddressDisclosure, Signup, Site
from .selectors import shares_exact_place

logger = logging.getLogger(__name__)

# The volunteer's own shifts page is `calendar.MY_SHIFTS_PATH`. A helper without a log-in
# has their personal link instead (`volunteers.helpers`), which mails to them carry; named
# by path (this layer may not reverse the volunteers app's URLs), and pinned to its URL
# pattern by tests/volunteers/test_helpers.py.
MY_SHIFTS_PATH = calendar.MY_SHIFTS_PATH
HELPER_PAGE_PATH = "/me/{token}/"

# The attachment of the mails about a volunteer's own place (`shift_calendar`).
ICS_FILENAME = "shift.ics"
ICS_MIMETYPE = "text/calendar"


def shifts_page_url(volunteer) -> str:
    """Where the volunteer sees and releases their shifts: "my shifts" for an account,
    the personal link for a helper without a log-in."""
    if volunteer.helper_link_works:
        return settings.SITE_URL + HELPER_PAGE_PATH.format(token=volunteer.link_token)
    return settings.SITE_URL + MY_SHIFTS_PATH


def can_be_mailed(user) -> bool:
    """An active person with an address: a helper without a log-in who gave none (or
    whose data was erased) gets no mail."""
    return bool(user.is_active and user.email)


# Set while demo data is made (`quiet`): the people in it are invented, nobody to mail.
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("quiet_mail", default=False)


@contextlib.contextmanager
def quiet():
    """Within this block, no mail about sites and shifts is queued (the demo's seed: its
    hundreds of invented claims would otherwise bury the console in confirmations)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _queue(task, *args) -> None:
    if not _quiet.get():
        enqueue_after_commit(task, *args)


def _tasks():
    # `events.tasks` imports this module for the senders; imported here, when a mail is
    # queued, so that neither module needs the other half-loaded.
    from . import tasks

    return tasks


# --- Queueing (called by services, inside their transaction) --------------------------------


def mail_promoted(signup_ids: list[int]) -> None:
    """Tell volunteers they moved up from the waitlist and now have a place."""
    _queue(_tasks().send_shift_mails_task, "promoted", list(signup_ids))


def mail_shift_cancelled(signup_ids: list[int]) -> None:
    """Tell volunteers their shift was cancelled by the coordinator."""
    _queue(_tasks().send_shift_mails_task, "shift_cancelled", list(signup_ids))


def mail_address_shared(signup_ids: list[int]) -> None:
    """Tell volunteers the coordinators shared the exact address of their site with them."""
    _queue(_tasks().send_shift_mails_task, "address_shared", list(signup_ids))


def mail_signup_made(signup: Signup) -> None:
    """Confirm a claim to its volunteer: a place (with the shift as a calendar file), or a
    place on the waitlist."""
    name = "signup_confirmed" if signup.status == Signup.Status.CONFIRMED else "signup_waitlisted"
    _queue(_tasks().send_shift_mails_task, name, [signup.pk])


def mail_released(signup: Signup, *, was_confirmed: bool) -> None:
    """Confirm a release to its volunteer; a place they held comes with a calendar file
    that takes the shift out of their calendar."""
    name = "signup_released" if was_confirmed else "waitlist_left"
    _queue(_tasks().send_shift_mails_task, name, [signup.pk])


def mail_shift_moved(signup_ids: list[int], *, was: tuple, now: tuple) -> None:
    """Tell volunteers the coordinator gave their shift a new time (`was`: the old start
    and end; `now`: the new ones). A shift moved twice mails twice."""
    _queue(
        _tasks().send_shift_moved_task,
        list(signup_ids),
        *(moment.isoformat() for moment in (*was, *now)),
    )


def mail_site_cancelled(site: Site, groups: Iterable[list[Signup]], *, comment: str) -> None:
    """Tell each volunteer who had a place at `site` (`groups`: their cancelled sign-ups,
    one list per volunteer) that it is cancelled, with their shifts there and where to find
    another."""
    ids = sorted(signup.pk for group in groups for signup in group)
    if ids:
        _queue(_tasks().send_site_cancelled_task, site.pk, ids, comment)


def mail_coordinators(site: Site, *, kind: str, comment: str = "") -> None:
    """Mail the branch's coordinators about `site` once the transaction commits, one
    message each. `kind` names the templates `events/email/site_<kind>_subject.txt` and
    `_body.txt` (published, sent_back, cancelled)."""
    # A site is sent back, published again…: each change is its own mail, named by a
    # token made now and kept by the task across its attempts.
    change = uuid.uuid4().hex
    _queue(_tasks().send_coordinators_task, site.pk, kind, comment, change)


# --- To volunteers, about their shifts -------------------------------------------------------

# The mails about one sign-up: the key each is sent under (with the sign-up's id), and
# whether it carries the shift as a calendar file: "PUBLISH" (add or update it) or
# "CANCEL" (take it out).
SHIFT_MAILS = {
    "promoted": ("promoted", "PUBLISH"),
    "shift_cancelled": ("shift-cancelled", None),
    "address_shared": ("address-shared", None),
    "signup_confirmed": ("confirmed", "PUBLISH"),
    "signup_waitlisted": ("waitlisted", None),
    "signup_released": ("released", "CANCEL"),
    "waitlist_left": ("waitlist-left", None),
}


def shift_context(signup: Signup) -> dict:
    """What every mail about one of a volunteer's shifts says about it."""
    shift = signup.shift
    site = shift.site
    return {
        "signup": signup,
        "shift": shift,
        "site": site,
        "event": site.event,
        "starts_at": timezone.localtime(shift.starts_at),
        "ends_at": timezone.localtime(shift.ends_at),
        "my_shifts_url": shifts_page_url(signup.volunteer),
        # A helper's name is what they typed, to an address nobody proved theirs: their
        # mails greet neutrally.
        "name": "" if signup.volunteer.is_helper else signup.volunteer.user.first_name,
        # Where, once: "azc Zeist, Kerkweg 1, 3701 AB Zeist", or only the address when the
        # name is part of it (a street spot named "Neude, Utrecht"). Only the town of a site
        # shown approximately, until its coordinators share the address with this volunteer.
        "place": place_text(site.location, approximate=not shares_exact_place(signup)),
    }


def shift_mail(template: str, signup: Signup, **extra):
    """The mail `<template>_subject.txt` / `<template>_message.txt` (e.g.
    `events/email/promoted`) about `signup`, or None when its volunteer cannot be mailed."""
    user = signup.volunteer.user
    if not can_be_mailed(user):
        return None
    return person_mail(
        to=user.email,
        user=user,
        subject_template=f"{template}_subject.txt",
        body_template=f"{template}_message.txt",
        context={**shift_context(signup), **extra},
    )


def signups_for_mail(ids: list[int]):
    return Signup.objects.filter(pk__in=ids).select_related(
        "volunteer__user", "shift__site__event", "shift__site__location"
    )


def record_mail_disclosure(signup: Signup) -> None:
    """A mail about `signup` carries its site's exact address: record that, when the site
    is shown approximately."""
    if signup.shift.site.show_approximate_location and shares_exact_place(signup):
        disclosures_record(
            site_ids=[signup.shift.site_id],
            user=signup.volunteer.user,
            channel=AddressDisclosure.Channel.MAIL,
        )


def send_shift_mails(name: str, signup_ids: list[int], *, key_suffix: str = "", **extra) -> int:
    """Send the mail `events/email/<name>` about each sign-up (one each), under the key
    `<what>:signup:<id>[:<key_suffix>]`, with the shift as a calendar file where the mail
    is about the volunteer's own place (`SHIFT_MAILS`). The exact address of a site shown
    approximately, where a mail carries it, is recorded as disclosed."""
    what, method = SHIFT_MAILS.get(name, (name.replace("_", "-"), None))
    messages = []
    for signup in signups_for_mail(signup_ids).order_by("pk"):
        # A place given up again before this mail went out is not put in a calendar.
        attach = method == "CANCEL" or (method == "PUBLISH" and signup.is_confirmed)
        message = shift_mail(f"events/email/{name}", signup, with_calendar=attach, **extra)
        if message is None:
            continue
        if attach:
            message.attach(ICS_FILENAME, shift_calendar(signup, method=method), ICS_MIMETYPE)
        key = f"{what}:signup:{signup.pk}" + (f":{key_suffix}" if key_suffix else "")
        messages.append((key, message))
        record_mail_disclosure(signup)
    return send_once(messages, what=f"{name} mail")


def send_shift_moved(signup_ids: list[int], was_starts: str, was_ends: str, starts: str) -> int:
    """The mail about a shift's new time (`starts`, ISO), once per sign-up and time."""
    return send_shift_mails(
        "shift_moved",
        signup_ids,
        key_suffix=starts,
        was_starts_at=timezone.localtime(_parse(was_starts)),
        was_ends_at=timezone.localtime(_parse(was_ends)),
    )


def _parse(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


# --- The shift as a calendar file ------------------------------------------------------------


def personal_sequence(signup: Signup) -> int:
    """The SEQUENCE the volunteer's personal feed gives this shift (`volunteers.calendar`):
    the shift's own revision plus each time this volunteer gained it again or lost it. The
    same number here, so that a calendar app takes the file as the newest version of the
    event it has from the feed (same UID), not an older one."""
    held = list(
        Signup.objects.filter(volunteer_id=signup.volunteer_id, shift_id=signup.shift_id)
        .filter(Q(status=Signup.Status.CONFIRMED) | Q(confirmed_at__isnull=False))
        .values_list("status", flat=True)
    )
    times_confirmed = len(held)
    times_lost = sum(1 for status in held if status != Signup.Status.CONFIRMED)
    return signup.shift.sequence + max(times_confirmed - 1, 0) + times_lost


def shift_calendar(signup: Signup, *, method: str) -> bytes:
    """The shift of `signup` as an iCalendar file for a mail to its volunteer, in their
    language: the event of their personal feed (the same UID, `shift-<id>@…`), with
    METHOD:PUBLISH for a place they have, or METHOD:CANCEL and STATUS:CANCELLED for one
    they gave up (a calendar app then removes the event it has)."""
    shift = signup.shift
    site = shift.site
    volunteer = signup.volunteer
    cancelled = method == "CANCEL"
    with translation.override(person_language(volunteer.user)):
        role = capfirst(str(shift.get_role_display()))
        parts = calendar.shift_paragraphs(
            shift, role=role, cancelled=cancelled, has_login=volunteer.has_login
        )
        page = calendar.site_page_url(site)
        parts.append(_("More information: %(url)s") % {"url": page})
        event = calendar.new_event(
            uid=calendar.uid_for("shift", shift.pk),
            summary=cancelled_summary(f"{role}: {site.display_name}", cancelled),
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            changed_at=calendar.last_change(
                shift.updated_at,
                site.updated_at,
                site.location.updated_at,
                site.event.updated_at,
                signup.updated_at,
            ),
            created_at=shift.created_at,
            sequence=personal_sequence(signup),
            status="CANCELLED" if cancelled else "CONFIRMED",
            description="\n\n".join(parts),
            url=page,
            place=site.location,
            approximate=site.show_approximate_location and not shares_exact_place(signup),
            busy=True,
        )
        head = calendar.new_calendar(name=site.event.name)
    # METHOD after CALSCALE, where the `icalendar` library puts it (RFC 5546: a file
    # mailed on its own, not a feed).
    head = head.replace("CALSCALE:GREGORIAN\r\n", f"CALSCALE:GREGORIAN\r\nMETHOD:{method}\r\n", 1)
    return calendar.finish(head, [event])


# --- A site cancelled, to its volunteers ------------------------------------------------------


def send_site_cancelled(site_id: int, signup_ids: list[int], comment: str) -> int:
    """Tell each volunteer with a cancelled sign-up in `signup_ids` that the site is
    cancelled, with their shifts there and where to find another; one mail each."""
    site = Site.objects.select_related("event", "location").get(pk=site_id)
    map_url = (
        settings.SITE_URL
        + reverse("events:map")
        + "?"
        + urlencode({"event": site.event.slug, "open_spots": "true"})
    )
    groups: dict[int, list[Signup]] = {}
    for signup in signups_for_mail(signup_ids).order_by("shift__starts_at", "pk"):
        groups.setdefault(signup.volunteer_id, []).append(signup)
    messages = []
    for volunteer_id, group in sorted(groups.items()):
        volunteer = group[0].volunteer
        if not can_be_mailed(volunteer.user) or volunteer.anonymised_at:
            continue
        message = person_mail(
            to=volunteer.user.email,
            user=volunteer.user,
            subject_template="events/email/volunteer_site_cancelled_subject.txt",
            body_template="events/email/volunteer_site_cancelled_message.txt",
            context={
                "site": site,
                "event": site.event,
                "user": volunteer.user,
                "signups": group,
                "comment": comment,
                "map_url": map_url,
            },
        )
        messages.append((f"site-cancelled:site:{site_id}:volunteer:{volunteer_id}", message))
    sent = send_once(messages, what=f"site {site_id} cancelled")
    logger.info("told %d volunteer(s) that site %s is cancelled", sent, site_id)
    return sent


# --- To a branch's coordinators, about its sites ----------------------------------------------


def coordinator_recipients(site: Site) -> list[tuple[str, object]]:
    """(address, user) of each active coordinator of the site's branch, each mailed in
    their own language; the branch's own address (no person: Dutch and English) if none."""
    coordinators = site.branch.coordinators.filter(is_active=True).exclude(email=None)
    recipients = sorted(((user.email, user) for user in coordinators.exclude(email="")), key=_first)
    if not recipients and site.branch.email:
        recipients = [(site.branch.email, None)]
    return recipients


def _first(pair: tuple) -> str:
    return pair[0]


def send_coordinators(site_id: int, kind: str, comment: str, change: str) -> int:
    """The mail `kind` about a site to its branch's coordinators (see `mail_coordinators`),
    once per change (`change`) and person."""
    site = Site.objects.select_related("event", "branch").get(pk=site_id)
    context = {
        "site": site,
        "event": site.event,
        "comment": comment,
        "manage_url": settings.SITE_URL + reverse("events:site_manage", args=[site.pk]),
        "public_url": settings.SITE_URL + site.get_absolute_url(),
    }
    messages = []
    for address, user in coordinator_recipients(site):
        whom = f"user:{user.pk}" if user is not None else f"branch:{site.branch_id}"
        message = person_mail(
            to=address,
            user=user,
            subject_template=f"events/email/site_{kind}_subject.txt",
            body_template=f"events/email/site_{kind}_body.txt",
            context=context,
        )
        messages.append((f"site-{kind}:site:{site_id}:{change}:{whom}", message))
    sent = send_once(messages, what=f"site {site_id} {kind}")
    logger.info("mailed %d coordinator(s) of site %s: %s", sent, site_id, kind)
    return sent
