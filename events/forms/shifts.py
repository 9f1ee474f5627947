"""Forms of shift planning: one shift, or a series. They ask for a day and times of day, so
phones show simple pickers; the services take aware datetimes."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import clock
from common.text import NOTES_MAX_LENGTH, MaxLengthValidator, PlainTextValidator

from ..models import Shift, Site
from .fields import DateInput, TimeInput

# The services name a shift's fields; the forms ask for a date and two times of day.
SHIFT_FIELD_NAMES = {"starts_at": "date", "ends_at": "end"}
PLACES = pgettext_lazy("number of places for volunteers in a shift", "Places")


def notes_field(*, rows: int) -> forms.CharField:
    label = _("Notes for volunteers")
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": NOTES_MAX_LENGTH}),
        validators=[
            PlainTextValidator(label, multiline=True),
            MaxLengthValidator(NOTES_MAX_LENGTH, label),
        ],
    )


class ShiftForm(forms.Form):
    """One shift: the site's day and times of day, so phones get simple pickers."""

    role = forms.ChoiceField(label=_("Role"), choices=Shift.Role.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("Until"), widget=TimeInput())
    capacity = forms.IntegerField(label=PLACES, min_value=0, max_value=500)
    notes = notes_field(rows=3)

    @classmethod
    def initial_for(cls, *, site: Site | None = None, shift: Shift | None = None) -> dict:
        if shift is not None:
            start = timezone.localtime(shift.starts_at, clock.local_zone())
            end = timezone.localtime(shift.ends_at, clock.local_zone())
            return {
                "role": shift.role,
                "date": start.date(),
                "start": start.time(),
                "end": end.time(),
                "capacity": shift.capacity,
                "notes": shift.notes,
            }
        opens = timezone.localtime(site.opens_at, clock.local_zone())
        closes = timezone.localtime(site.closes_at, clock.local_zone())
        return {"date": opens.date(), "start": opens.time(), "end": closes.time(), "capacity": 2}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "starts_at": clock.at_local(data["date"], data["start"]),
            "ends_at": clock.at_local(data["date"], data["end"]),
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
    notes = notes_field(rows=2)

    @classmethod
    def initial_for(cls, site: Site) -> dict:
        opens = timezone.localtime(site.opens_at, clock.local_zone())
        closes = timezone.localtime(site.closes_at, clock.local_zone())
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
            "starts_at": clock.at_local(data["date"], data["start"]),
            "ends_at": clock.at_local(data["date"], data["end"]),
            "slot_minutes": int(data["slot_hours"] * 60),
            "roles": data["roles"],
            "capacity": data["capacity"],
            "notes": data["notes"],
        }
