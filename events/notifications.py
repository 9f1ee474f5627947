"""Mail about sites and shifts: to volunteers about their places, to a branch's
coordinators about its sites. Written by `accounts.mail.person_mail` (its languages), and
never sent inside a database transaction: the services hand these functions to
`transaction.on_commit` (`after_commit`), so a failing mail server never undoes a change
and nobody is told about a change that was rolled back.
"""

import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.mail import person_mail
from common.mail import send_each

from .calendar import place_text
from .disclosures import disclosures_record
from .models import AddressDisclosure, Signup, Site
from .selectors import shares_exact_place

logger = logging.getLogger(__name__)

# The volunteer's own shifts page (DESIGN.md, Pages); named by path, as it is a page of
# the volunteers app, a layer above this one. A helper without a log-in has their
# personal link instead (`volunteers.helpers`), which mails to them carry; named by path
# too (this layer may not reverse the volunteers app's URLs), and pinned to its URL
# pattern by tests/volunteers/test_helpers.py.
MY_SHIFTS_PATH = "/my/shifts/"
HELPER_PAGE_PATH = "/me/{token}/"


def shifts_page_url(volunteer) -> str:
    """Where the volunteer sees and releases their shifts: "my shifts" for an account,
    the personal link for a helper without a log-in."""
    if volunteer.helper_link_works:
        return settings.SITE_URL + HELPER_PAGE_PATH.format(token=volunteer.link_token)
    return settings.SITE_URL + MY_SHIFTS_PATH


def after_commit(send: Callable[[list[int]], None], signup_ids: list[int]) -> None:
    """Send mail about these sign-ups once the change is committed."""

    def send_mail_after_commit() -> None:
        send(signup_ids)

    transaction.on_commit(send_mail_after_commit, robust=True)


def can_be_mailed(user) -> bool:
    """An active person with an address: a helper without a log-in who gave none (or
    whose data was erased) gets no mail."""
    return bool(user.is_active and user.email)


# --- To volunteers, about their shifts -------------------------------------------------------


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


def send_shift_mails(template: str, signups, *, what: str, **extra) -> int:
    """Send the mail `template` about each of `signups` (one each); the exact address of a
    site shown approximately, where a mail carries it, is recorded as disclosed."""
    messages = []
    for signup in signups:
        message = shift_mail(template, signup, **extra)
        if message is not None:
            messages.append(message)
            record_mail_disclosure(signup)
    return send_each(messages, what=what)


def record_mail_disclosure(signup: Signup) -> None:
    """A mail about `signup` carries its site's exact address: record that, when the site
    is shown approximately."""
    if signup.shift.site.show_approximate_location and shares_exact_place(signup):
        disclosures_record(
            site_ids=[signup.shift.site_id],
            user=signup.volunteer.user,
            channel=AddressDisclosure.Channel.MAIL,
        )


def _send_each(name: str, signup_ids: list[int], **extra) -> None:
    send_shift_mails(
        f"events/email/{name}", signups_for_mail(signup_ids), what=f"{name} mail", **extra
    )


def mail_promoted(signup_ids: list[int]) -> None:
    """Tell volunteers they moved up from the waitlist and now have a place."""
    _send_each("promoted", signup_ids)


def mail_shift_cancelled(signup_ids: list[int]) -> None:
    """Tell volunteers their shift was cancelled by the coordinator."""
    _send_each("shift_cancelled", signup_ids)


def mail_address_shared(signup_ids: list[int]) -> None:
    """Tell volunteers the coordinators shared the exact address of their site with them."""
    _send_each("address_shared", signup_ids)


def mail_shift_moved(signup_ids: list[int], *, was: tuple) -> None:
    """Tell volunteers the coordinator gave their shift a new time (`was`: the old start
    and end)."""
    starts, ends = (timezone.localtime(moment) for moment in was)
    _send_each("shift_moved", signup_ids, was_starts_at=starts, was_ends_at=ends)


def mail_site_cancelled(site: Site, groups: Iterable[list[Signup]], *, comment: str) -> None:
    """Tell each volunteer (one group of sign-ups each) that `site` is cancelled, with
    their shifts there and where to find another; after the commit."""
    map_url = (
        settings.SITE_URL
        + reverse("events:map")
        + "?"
        + urlencode({"event": site.event.slug, "open_spots": "true"})
    )
    messages = []
    for group in groups:
        volunteer = group[0].volunteer
        if not can_be_mailed(volunteer.user) or volunteer.anonymised_at:
            continue
        messages.append(
            person_mail(
                to=volunteer.user.email,
                user=volunteer.user,
                subject_template="events/email/volunteer_site_cancelled_subject.txt",
                body_template="events/email/volunteer_site_cancelled_message.txt",
                context={
                    "site": site,
                    "event": site.event,
                    "user": volunteer.user,
                    "signups": sorted(group, key=lambda s: s.shift.starts_at),
                    "comment": comment,
                    "map_url": map_url,
                },
            )
        )
    if not messages:
        return

    def send() -> None:
        sent = send_each(messages, what=f"site {site.pk} cancelled")
        logger.info("told %d volunteer(s) that site %s is cancelled", sent, site.pk)

    transaction.on_commit(send, robust=True)


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


def mail_coordinators(site: Site, *, kind: str, comment: str = "") -> None:
    """Mail the branch's coordinators about `site` once the transaction commits, one
    message each. `kind` names the templates `events/email/site_<kind>_subject.txt` and
    `_body.txt` (published, sent_back, cancelled)."""
    recipients = coordinator_recipients(site)
    if not recipients:
        return
    context = {
        "site": site,
        "event": site.event,
        "comment": comment,
        "manage_url": settings.SITE_URL + reverse("events:site_manage", args=[site.pk]),
        "public_url": settings.SITE_URL + site.get_absolute_url(),
    }

    def send() -> None:
        messages = [
            person_mail(
                to=address,
                user=user,
                subject_template=f"events/email/site_{kind}_subject.txt",
                body_template=f"events/email/site_{kind}_body.txt",
                context=context,
            )
            for address, user in recipients
        ]
        sent = send_each(messages, what=f"site {site.pk} {kind}")
        logger.info("mailed %d coordinator(s) of site %s: %s", sent, site.pk, kind)

    transaction.on_commit(send, robust=True)
