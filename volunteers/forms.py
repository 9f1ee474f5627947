"""Forms of the volunteer's side: finding shifts, the profile, deleting the account, and
a coordinator's appeal. They check the shape of input; the services decide."""

import dataclasses
import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import language_field
from common.errors import DomainError
from common.languages import LANGUAGE_CHOICES
from common.text import PHONE_PATTERN, PlainTextValidator
from events.forms.fields import DateInput
from events.models import Event, Site
from events.search import NearPoint, locate_place
from locations.models import Branch

# "Near a town": how far from it, in km.
RADIUS_CHOICES_KM = (5, 10, 25)
DEFAULT_RADIUS_KM = 10


class FindShiftsForm(forms.Form):
    event = forms.ModelChoiceField(
        label=_("Action day"),
        queryset=Event.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All action days"),
    )
    # The site page links here with `?site=<id>`: that site's shifts only. An unknown or
    # unpublished site (an old link) shows every shift, with a word why (`unknown_site`).
    site = forms.CharField(required=False, widget=forms.HiddenInput)
    # Near a town or postcode, as on the map: Leusden finds the shifts in Amersfoort.
    town = forms.CharField(label=_("Near a town or postcode"), max_length=100, required=False)
    radius_km = forms.TypedChoiceField(
        label=_("Within"),
        choices=[(str(km), f"{km} km") for km in RADIUS_CHOICES_KM],
        coerce=int,
        initial=str(DEFAULT_RADIUS_KM),
        required=False,
        empty_value=DEFAULT_RADIUS_KM,
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    free = forms.BooleanField(label=_("Only shifts with free places"), required=False)
    language = forms.ChoiceField(
        label=_("Sites that need a speaker of"),
        choices=[("", _("Any language")), *LANGUAGE_CHOICES],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = (
            Event.objects.published().upcoming().order_by("date", "name")
        )
        self.unknown_site = False
        self.near: NearPoint | None = None

    def clean_site(self) -> Site | None:
        raw = self.cleaned_data["site"].strip()
        if not raw:
            return None
        site = None
        if re.fullmatch(r"[0-9]{1,18}", raw):  # not isdigit(): "²" is a digit to it
            site = Site.objects.published().select_related("location").filter(pk=raw).first()
        self.unknown_site = site is None
        return site

    def clean(self):
        data = super().clean()
        town = (data.get("town") or "").strip()
        if town and "town" not in self.errors:
            try:
                found = locate_place(town)
            except DomainError as error:  # every geocoding provider failed
                self.add_error("town", error.detail)
                return data
            if found is None:
                self.add_error(
                    "town", _("“%s” was not found: give a Dutch town or postcode.") % town
                )
            else:
                radius = data.get("radius_km") or DEFAULT_RADIUS_KM
                self.near = dataclasses.replace(found, radius_km=float(radius))
        return data


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        validators=[PlainTextValidator(_("First name"))],
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        validators=[PlainTextValidator(_("Last name"))],
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("Only the coordinators of the sites where you have a shift see it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = language_field()
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_branch = forms.ModelChoiceField(
        label=_("Home branch"),
        queryset=Branch.objects.order_by("name"),
        required=False,
        empty_label=_("No branch"),
    )
    # Coordinators only (the form leaves it out for others): `events.alerts`.
    staffing_alerts = forms.BooleanField(
        label=_("Understaffing alerts by e-mail"),
        required=False,
        help_text=_(
            "A daily list of your sites' unfilled places in the weeks before an action day, "
            "and a message when a shift starts with too few people."
        ),
    )

    def __init__(self, *args, coordinator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not coordinator:
            del self.fields["staffing_alerts"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                _("Enter a phone number of digits, such as 06 12345678 or +31 6 12345678."),
                code="invalid_phone",
            )
        return phone


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, delete my account. This cannot be undone."), required=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password


class AppealForm(forms.Form):
    message = forms.CharField(
        label=_("Your message (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    language = forms.ChoiceField(label=_("Ask"), required=False)

    def __init__(self, *args, languages: list[tuple[str, str, int]] = (), **kwargs):
        """`languages`: (code, name, number of volunteers who speak it) for each language
        the site needs; without any, the field goes."""
        super().__init__(*args, **kwargs)
        if not languages:
            del self.fields["language"]
            return
        self.fields["language"].choices = [
            ("", _("Every volunteer of the branch")),
            *(
                (
                    code,
                    ngettext(
                        "Only those who speak %(language)s (%(count)d volunteer)",
                        "Only those who speak %(language)s (%(count)d volunteers)",
                        count,
                    )
                    % {"language": name, "count": count},
                )
                for code, name, count in languages
            ),
        ]
