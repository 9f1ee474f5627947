"""E-mails to volunteers. Called after the change they report has been committed.

We do not store a language per volunteer, so a mail is written in Dutch (the site's
default) with the same text in English below it. Sending never happens inside a database
transaction: the services hand these functions to `transaction.on_commit`.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

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
    }


def _send(template: str, signup: Signup, **extra) -> None:
    user = signup.volunteer.user
    if not user.is_active or not user.email:
        return
    context = {**_shift_context(signup), **extra}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"volunteers/email/{template}_subject.txt", context)
    bodies = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            bodies.append(render_to_string(f"volunteers/email/{template}_message.txt", context))
    send_mail(" ".join(subject.split()), "\n-- \n\n".join(bodies), None, [user.email])


def _signups(ids: list[int]):
    return Signup.objects.filter(pk__in=ids).select_related(
        "volunteer__user", "shift__site__event", "shift__site__location"
    )


def mail_promoted(signup_ids: list[int]) -> None:
    """Tell volunteers they moved up from the waitlist and now have a place."""
    for signup in _signups(signup_ids):
        _send("promoted", signup)


def mail_shift_cancelled(signup_ids: list[int]) -> None:
    """Tell volunteers their shift was cancelled by the coordinator."""
    for signup in _signups(signup_ids):
        _send("shift_cancelled", signup)


def mail_reminder(signup: Signup, kind: str) -> None:
    """A reminder of a coming shift (`kind` is a `ReminderSent.Kind`)."""
    _send("reminder", signup, kind=kind)
