"""Mail to a person: the one answer to "in which language(s) is it written?".

We do not store a language per person yet, so every mail to a person (a volunteer, a
coordinator) is written in Dutch, the site's default, with the same text in English
below it, and a Dutch subject. Every mail the app sends to people is made here, so a
person's own language, once stored, changes this one function.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

# Between the language versions of one body.
SEPARATOR = "\n-- \n\n"


def mail_languages(user=None) -> list[str]:
    """The languages of a mail to `user` (or to an address without an account): the
    site's languages, its default first."""
    codes = [code for code, _name in settings.LANGUAGES]
    default = settings.LANGUAGE_CODE
    return [default, *(code for code in codes if code != default)]


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
