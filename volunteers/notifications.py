"""E-mails to volunteers. Called after the change they report has been committed.

We do not store a language per volunteer, so a mail is written in Dutch (the site's
default) with the same text in English below it. Sending never happens inside a database
transaction: the services hand these functions to `transaction.on_commit`.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from common.mail import send_each
from events.calendar import place_text

from .models import Signup

logger = logging.getLogger(__name__)


def _shift_context(signup: Signup) -> dict:
    shift = signup.shift
    site = shift.site
    return {
        "signup": signup,
        "shift": shift,
        "site": site,
        "event": site.event,
        "starts_at": timezone.localtime(shift.starts_at),
        "ends_at": timezone.localtime(shift.ends_at),
        "my_shifts_url": settings.SITE_URL + reverse("volunteers:my_shifts"),
        "name": signup.volunteer.user.first_name,
        # Where, once: "azc Zeist, Kerkweg 1, 3701 AB Zeist", or only the address when the
        # name is part of it (a street spot named "Neude, Utrecht").
        "place": place_text(site.location, approximate=False),
    }


def _message(template: str, signup: Signup, **extra) -> EmailMessage | None:
    user = signup.volunteer.user
    if not user.is_active or not user.email:
        return None
    context = {**_shift_context(signup), **extra}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"volunteers/email/{template}_subject.txt", context)
    bodies = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            bodies.append(render_to_string(f"volunteers/email/{template}_message.txt", context))
    return EmailMessage(" ".join(subject.split()), "\n-- \n\n".join(bodies), to=[user.email])


def _send_each(template: str, signup_ids: list[int]) -> None:
    messages = (_message(template, signup) for signup in _signups(signup_ids))
    send_each([m for m in messages if m is not None], what=f"{template} mail")


def _signups(ids: list[int]):
    return Signup.objects.filter(pk__in=ids).select_related(
        "volunteer__user", "shift__site__event", "shift__site__location"
    )


def mail_promoted(signup_ids: list[int]) -> None:
    """Tell volunteers they moved up from the waitlist and now have a place."""
    _send_each("promoted", signup_ids)


def mail_shift_cancelled(signup_ids: list[int]) -> None:
    """Tell volunteers their shift was cancelled by the coordinator."""
    _send_each("shift_cancelled", signup_ids)


def mail_shift_moved(signup_ids: list[int], *, was: tuple) -> None:
    """Tell volunteers the coordinator gave their shift a new time (`was`: the old start
    and end)."""
    starts, ends = (timezone.localtime(moment) for moment in was)
    messages = (
        _message("shift_moved", signup, was_starts_at=starts, was_ends_at=ends)
        for signup in _signups(signup_ids)
    )
    send_each([m for m in messages if m is not None], what="shift_moved mail")


def mail_reminder(signup: Signup, kind: str) -> None:
    """A reminder of a coming shift (`kind` is a `ReminderSent.Kind`)."""
    message = _message("reminder", signup, kind=kind)
    if message is not None:
        message.send()  # a failure goes up: the caller un-records the reminder
