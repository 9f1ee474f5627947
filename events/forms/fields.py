"""Date and time inputs as phones show them (native pickers)."""

from django import forms

DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_field(label, help_text="") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT),
    )


def time_field(label, required=True, help_text="") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)
