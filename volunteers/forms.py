"""Forms check the shape of input; the services in `services.py` decide."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, Shift, Site
from locations.models import Branch

from .languages import LANGUAGE_CHOICES

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{6,20}$")


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


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
    town = forms.CharField(label=_("Town"), max_length=100, required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    free = forms.BooleanField(label=_("Only shifts with free places"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = (
            Event.objects.published().upcoming().order_by("date", "name")
        )
        self.unknown_site = False

    def clean_site(self) -> Site | None:
        raw = self.cleaned_data["site"].strip()
        if not raw:
            return None
        site = None
        if re.fullmatch(r"[0-9]{1,18}", raw):  # not isdigit(): "²" is a digit to it
            site = Site.objects.published().select_related("location").filter(pk=raw).first()
        self.unknown_site = site is None
        return site


class ShiftForm(forms.Form):
    """One shift: the site's day and times of day, so phones get simple pickers."""

    role = forms.ChoiceField(label=_("Role"), choices=Shift.Role.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("Until"), widget=TimeInput())
    capacity = forms.IntegerField(label=_("Places"), min_value=0, max_value=500)
    notes = forms.CharField(
        label=_("Notes for volunteers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_for(cls, *, site: Site | None = None, shift: Shift | None = None) -> dict:
        if shift is not None:
            start = timezone.localtime(shift.starts_at, _tz())
            end = timezone.localtime(shift.ends_at, _tz())
            return {
                "role": shift.role,
                "date": start.date(),
                "start": start.time(),
                "end": end.time(),
                "capacity": shift.capacity,
                "notes": shift.notes,
            }
        opens = timezone.localtime(site.opens_at, _tz())
        closes = timezone.localtime(site.closes_at, _tz())
        return {"date": opens.date(), "start": opens.time(), "end": closes.time(), "capacity": 2}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "starts_at": datetime.datetime.combine(data["date"], data["start"], tzinfo=_tz()),
            "ends_at": datetime.datetime.combine(data["date"], data["end"], tzinfo=_tz()),
            "capacity": data["capacity"],
            "notes": data["notes"],
        }


class ShiftSeriesForm(forms.Form):
    """Many shifts at once: opening hours cut into slots, for each chosen role."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("Until"), widget=TimeInput())
    slot_hours = forms.DecimalField(
        label=_("Length of a slot (hours)"),
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        decimal_places=2,
        initial=Decimal("2"),
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Shift.Role.choices, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(label=_("Places per shift"), min_value=0, max_value=500)
    notes = forms.CharField(
        label=_("Notes for volunteers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_for(cls, site: Site) -> dict:
        opens = timezone.localtime(site.opens_at, _tz())
        closes = timezone.localtime(site.closes_at, _tz())
        return {
            "date": opens.date(),
            "start": opens.time(),
            "end": closes.time(),
            "slot_hours": Decimal("2"),
            "capacity": 2,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": datetime.datetime.combine(data["date"], data["start"], tzinfo=_tz()),
            "ends_at": datetime.datetime.combine(data["date"], data["end"], tzinfo=_tz()),
            "slot_minutes": int(data["slot_hours"] * 60),
            "roles": data["roles"],
            "capacity": data["capacity"],
            "notes": data["notes"],
        }


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("Only the coordinators of the sites where you have a shift see it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
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
