"""Forms for helpers without an e-mail address: a coordinator adds one, a person joins
through a site's invitation, a coordinator makes an invitation. They check the shape of
the input; `volunteers.helpers` and `volunteers.invitations` decide."""

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from common.languages import interface_language_or_default, interface_languages
from common.text import PlainTextValidator
from events.forms.fields import DateInput

from .forms import PHONE_PATTERN
from .helpers import PHONE_OR_EMAIL_REQUIRED, HelperDetails, new_form_key


class ShiftChoiceField(forms.ModelChoiceField):
    """A shift named by role, day, time and free places (from `open_shifts`)."""

    def label_from_instance(self, shift) -> str:
        start = timezone.localtime(shift.starts_at)
        end = timezone.localtime(shift.ends_at)
        open_spots = getattr(shift, "open_spots", None)
        if open_spots is None:
            places = ""
        elif open_spots > 0:
            places = ngettext("%(count)d place free", "%(count)d places free", open_spots) % {
                "count": open_spots
            }
        else:
            places = str(_("full: you join the waitlist"))
        text = "{role}, {day} {start}–{end}".format(
            role=capfirst(shift.get_role_display()),
            day=formats.date_format(start, "l j F Y"),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
        return f"{text} ({places})" if places else text


def _name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Name"),
        max_length=150,
        validators=[PlainTextValidator(_("Name"))],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


def _phone_field(help_text="") -> forms.CharField:
    return forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )


def _language_field(label) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=interface_languages)


def _retention_days() -> int:
    return settings.HELPER_RETENTION_DAYS


class _HelperForm(forms.Form):
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = shifts
        if not self.is_bound:
            self.initial.setdefault("form_key", new_form_key())
            self.initial.setdefault("language", interface_language_or_default(get_language()))

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                _("Enter a phone number of digits, such as 06 12345678 or +31 6 12345678."),
                code="invalid_phone",
            )
        return phone

    def details(self) -> HelperDetails:
        data = self.cleaned_data
        return HelperDetails(
            name=data["name"].strip(),
            language=data["language"],
            phone=data.get("phone", ""),
            email=data.get("email", "") or "",
        )


class HelperAddForm(_HelperForm):
    """A coordinator adds a helper without a log-in to one of the site's shifts."""

    shift = ShiftChoiceField(label=_("Shift"), queryset=None, empty_label=None)
    name = _name_field()
    phone = _phone_field(
        _("Optional. Only the coordinators of the site see it, to reach the helper.")
    )
    language = _language_field(_("The helper's language"))
    consent = forms.BooleanField(required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = _retention_days()
        self.fields["consent"].label = ngettext(
            "The helper agrees that we keep their name and phone number for these shifts "
            "until %(days)d day after their last shift.",
            "The helper agrees that we keep their name and phone number for these shifts "
            "until %(days)d days after their last shift.",
            days,
        ) % {"days": days}
        self.fields["consent"].error_messages["required"] = _(
            "Ask the helper first: without their consent we cannot keep their name."
        )


class JoinForm(_HelperForm):
    """A person signs up through a site's invitation, without an account."""

    shift = ShiftChoiceField(
        label=_("Choose a shift"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    name = _name_field()
    language = _language_field(_("Your language"))
    phone = _phone_field()
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        # The column's length (`User.email`): a longer address that passes the validator
        # (up to 320 characters) would fail on saving, on PostgreSQL.
        max_length=254,
        help_text=_("A phone number or an e-mail address: at least one."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    consent = forms.BooleanField(required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].help_text = _(
            "We show your page in this language, and write to you in it."
        )
        days = _retention_days()
        self.fields["consent"].label = ngettext(
            "I agree that you keep my name and my phone number or e-mail address for these "
            "shifts until %(days)d day after my last shift. Only the coordinators of the "
            "site see them.",
            "I agree that you keep my name and my phone number or e-mail address for these "
            "shifts until %(days)d days after my last shift. Only the coordinators of the "
            "site see them.",
            days,
        ) % {"days": days}
        self.fields["consent"].error_messages["required"] = _(
            "Tick the box to agree; without it we cannot keep your name for the shift."
        )

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
            self.add_error("phone", PHONE_OR_EMAIL_REQUIRED)
        return data


class AddToShiftForm(forms.Form):
    """A coordinator puts one of the site's helpers on another of its shifts."""

    shift = ShiftChoiceField(label=_("Shift"), queryset=None, empty_label=None)

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = shifts


class InvitationForm(forms.Form):
    """Make (or renew) a site's invitation, valid until the end of a day."""

    last_day = forms.DateField(
        label=_("Valid until the end of"),
        widget=DateInput(),
        help_text=_("At the latest the site's last day."),
    )


class HelperLanguageForm(forms.Form):
    language = forms.ChoiceField(choices=interface_languages)
