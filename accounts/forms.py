"""Extra fields on allauth's sign-up form: the name coordinators see on their roster."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.languages import interface_language_or_default, interface_languages
from common.text import PlainTextValidator


def language_field() -> forms.ChoiceField:
    """A person's own language: of their mails, calendar feeds and pages."""
    return forms.ChoiceField(
        label=_("Your language"),
        choices=interface_languages,
        # Left out (an older form, a client of its own): the page's language on sign-up,
        # unchanged on the profile.
        required=False,
        help_text=_("We write to you in this language, and show the site in it."),
    )


class SignupExtraForm(forms.Form):
    """allauth puts these fields before its own (ACCOUNT_SIGNUP_FORM_CLASS)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "given-name"}),
        validators=[PlainTextValidator(_("First name"))],
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
        validators=[PlainTextValidator(_("Last name"))],
    )
    language = language_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's language: the one the browser asked for, or the one chosen here.
        self.fields["language"].initial = interface_language_or_default(get_language())

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.language = self.cleaned_data["language"] or interface_language_or_default(
            get_language()
        )
        user.save(update_fields=["first_name", "last_name", "language"])
