"""Extra fields on allauth's sign-up form: the name coordinators see on their roster."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.text import PlainTextValidator


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

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
