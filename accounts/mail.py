"""Mail to a person: the one answer to "in which language(s) is it written?".

A person who chose a language (`User.language`: asked at sign-up, changed on the profile)
gets every mail in that language alone; a string its catalogue lacks shows in English
(`common.languages.fall_back_to_english`). Without a chosen language (accounts from before
it was asked, a branch's shared address) a mail is written in Dutch, the site's default,
with the same text in English below it, and a Dutch subject. Every mail the app itself
writes to people is made here; allauth's own (confirm your address, reset your password)
follow `User.language` through `accounts.adapter.AccountAdapter.send_mail`.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from common import clock
from common.languages import is_offered

from .models import SentMail

logger = logging.getLogger(__name__)

# Between the language versions of one body.
SEPARATOR = "\n-- \n\n"


def mail_languages(user=None) -> list[str]:
    """The languages of a mail to `user` (or to an address without an account): the
    person's own language, or Dutch and English when they chose none."""
    chosen = getattr(user, "language", "")
    if is_offered(chosen):
        return [chosen]
    default = settings.LANGUAGE_CODE
    return [default, *(code for code in ("en",) if code != default and is_offered(code))]


def person_language(user=None) -> str:
    """The one language of what is made for `user` alone (a calendar feed, a link's
    page): theirs when chosen, else the site's default."""
    return mail_languages(user)[0]


def person_mail(
    *,
    to: str,
    subject_template: str,
    body_template: str,
    context: dict,
    user=None,
    reply_to: list[str] | None = None,
) -> EmailMessage:
    """One message to `to`: the subject in the first of `mail_languages(user)`, the body
    in each of them in turn."""
    languages = mail_languages(user)
    with translation.override(languages[0]):
        subject = " ".join(render_to_string(subject_template, context).split())
    bodies = []
    for code in languages:
        with translation.override(code):
            bodies.append(render_to_string(body_template, context))
    return EmailMessage(subject, SEPARATOR.join(bodies), to=[to], reply_to=reply_to or [])


class MailNotSent(Exception):
    """Some messages of a batch could not be sent; a background task that raises this is
    tried again later, and sends only those (`send_once`)."""


def send_once(messages: Iterable[tuple[str, EmailMessage]], *, what: str) -> int:
    """Send each `(key, message)` unless a mail with that key was sent before (by an
    earlier attempt of the same task, or another worker): the key is recorded in its own
    committed transaction before the message goes out, and removed again if sending fails.
    Call outside a transaction.

    One message the mail server refuses does not stop the others; when any failed, raises
    `MailNotSent` after the batch, so that the task is retried for those alone. (A crash
    between recording and sending loses that one mail: we prefer that to sending it
    twice.) Returns how many were sent. `what` names the batch in the log (no addresses:
    they are personal data).
    """
    sent = failed = skipped = 0
    with get_connection() as connection:
        for key, message in messages:
            if not _record(key):
                skipped += 1
                continue
            message.connection = connection
            try:
                message.send()
            except Exception:
                failed += 1
                SentMail.objects.filter(key=key).delete()
                logger.exception("%s: a message could not be sent", what)
            else:
                sent += 1
    if skipped:
        logger.info("%s: %d message(s) were sent before, not again", what, skipped)
    if failed:
        raise MailNotSent(f"{what}: {failed} of {sent + failed} message(s) not sent")
    return sent


def _record(key: str) -> bool:
    """Record that the mail `key` is being sent; False when it was recorded before."""
    try:
        with transaction.atomic():
            SentMail.objects.create(key=key, sent_at=clock.now())
    except IntegrityError:
        return False
    return True
