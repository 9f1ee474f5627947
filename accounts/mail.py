"""Mail to a person: the one answer to "in which language(s) is it written?".

A person who chose a language (`User.language`: asked at sign-up, changed on the profile)
gets every mail in that language alone; a string its catalogue lacks shows in English
(`common.languages.fall_back_to_english`). Without a chosen language (accounts from before
it was asked, a branch's shared address) a mail is written in Dutch, the site's default,
with the same text in English below it, and a Dutch subject. Every mail the app itself
writes to people is made here; allauth's own (confirm your address, reset your password)
follow `User.language` through `accounts.adapter.AccountAdapter.send_mail`.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from common.languages import is_offered

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
