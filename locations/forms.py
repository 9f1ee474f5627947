"""The location form of the coordinators' pages. Shape only; `location_save` decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.text import PlainTextValidator

from .addresses import parse_house_number
from .models import Location, Province
from .postcodes import normalise_postcode
from .services import LocationInput

# Two positions closer than this (in degrees, about 10 cm) are the same pin.
SAME_PIN = 1e-6


class LocationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, validators=[PlainTextValidator(_("Name"))]
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("type of action day or of location", "Kind"),
        choices=Location.Kind.choices,
    )
    street = forms.CharField(
        label=_("Street"),
        max_length=200,
        required=False,
        validators=[PlainTextValidator(_("Street"))],
    )
    house_number = forms.CharField(
        label=_("House number"),
        max_length=20,
        required=False,
        help_text=_("With a letter or addition if any: 10, 10A, 10-2."),
        validators=[PlainTextValidator(_("House number"))],
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        validators=[PlainTextValidator(_("Postcode"))],
    )
    city = forms.CharField(
        label=_("Town"), max_length=200, validators=[PlainTextValidator(_("Town"))]
    )
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=200,
        required=False,
        validators=[PlainTextValidator(_("Municipality"))],
    )
    province = forms.ChoiceField(
        label=_("Province"), choices=[("", "—"), *Province.choices], required=False
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Optional: the key this location has in an import file."),
        validators=[PlainTextValidator(_("Reference"))],
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, localize=True
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, localize=True
    )
    position_is_manual = forms.BooleanField(
        label=_("I placed this position by hand: keep it, never replace it by a looked-up one"),
        required=False,
    )
    looked_up_latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    looked_up_longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    # Set when a look-up kept a pin placed by hand: unticking "placed by hand" then means
    # "use the looked-up position", as the page says.
    pin_kept = forms.BooleanField(required=False, widget=forms.HiddenInput)
    outside_netherlands_allowed = forms.BooleanField(
        label=_("Allowed outside the Netherlands"), required=False
    )

    def __init__(self, *args, may_allow_abroad: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_allow_abroad:
            del self.fields["outside_netherlands_allowed"]
        self.fields["postcode"].widget.attrs.update({"autocomplete": "postal-code"})
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})

    def clean_house_number(self):
        value = self.cleaned_data["house_number"].strip()
        if not value:
            return None
        return parse_house_number(value)

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip()
        return normalise_postcode(value) if value else ""

    def clean_reference(self):
        return self.cleaned_data["reference"].strip() or None

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
        return data

    @property
    def pin_was_moved(self) -> bool:
        """The pin differs from the last looked-up position: dragged or typed by hand."""
        data = self.cleaned_data
        if data.get("latitude") is None:
            return False
        looked_up = (data.get("looked_up_latitude"), data.get("looked_up_longitude"))
        if None in looked_up:
            return True
        return (
            abs(data["latitude"] - looked_up[0]) > SAME_PIN
            or abs(data["longitude"] - looked_up[1]) > SAME_PIN
        )

    def to_input(self, *, position_is_manual: bool) -> LocationInput:
        data = self.cleaned_data
        house = data.get("house_number")
        return LocationInput(
            name=data["name"],
            kind=data["kind"],
            reference=data.get("reference"),
            street=data.get("street", ""),
            house_number=house.number if house else None,
            house_number_addition=house.suffix if house else "",
            postcode=data.get("postcode", ""),
            city=data["city"],
            municipality=data.get("municipality", ""),
            province=data.get("province", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            position_is_manual=position_is_manual,
            outside_netherlands_allowed=data.get("outside_netherlands_allowed"),
        )


def initial_for(location: Location) -> dict:
    from .addresses import format_house_number

    number = format_house_number(location.house_number, location.house_number_addition)
    return {
        "name": location.name,
        "kind": location.kind,
        "street": location.street,
        "house_number": number,
        "postcode": location.postcode,
        "city": location.city,
        "municipality": location.municipality,
        "province": location.province,
        "reference": location.reference or "",
        "latitude": location.latitude,
        "longitude": location.longitude,
        "position_is_manual": location.position_is_manual,
        "looked_up_latitude": None if location.position_is_manual else location.latitude,
        "looked_up_longitude": None if location.position_is_manual else location.longitude,
        "outside_netherlands_allowed": location.outside_netherlands_allowed,
    }
