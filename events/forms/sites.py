"""Forms of a site: registering and editing it, the review (comment, bulk approval) and
cancelling it."""

import datetime
import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common import clock
from common.languages import LANGUAGE_CHOICES
from common.text import PUBLIC_DESCRIPTION_MAX_LENGTH, MaxLengthValidator, PlainTextValidator
from locations.models import Branch, Location
from locations.selectors import locations_search

from ..models import Event, Site
from .fields import time_field

# A primary key as a query parameter: ASCII digits, below 2**63 (what a database holds).
PRIMARY_KEY = re.compile(r"[0-9]{1,18}")


class SiteForm(forms.Form):
    """Register a site (with `branch` when there is a choice) or change its details."""

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.all(),
        help_text=_("Search above when the location is not in the list."),
    )
    name = forms.CharField(
        label=_("Name on the map"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the location's name."),
        validators=[PlainTextValidator(_("Name on the map"))],
    )
    opens_at = time_field(_("Opens at"))
    closes_at = time_field(_("Closes at"))
    public_description = forms.CharField(
        label=_("Public description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": PUBLIC_DESCRIPTION_MAX_LENGTH}),
        help_text=_("What visitors can expect. Shown on the public site page."),
        validators=[
            PlainTextValidator(_("Public description"), multiline=True),
            MaxLengthValidator(PUBLIC_DESCRIPTION_MAX_LENGTH, _("Public description")),
        ],
    )
    languages_needed = forms.MultipleChoiceField(
        label=_("Languages needed"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Volunteers who speak these languages are especially welcome."),
    )
    expected_visitors = forms.IntegerField(
        label=_("Expected visitors"), min_value=0, max_value=100_000, required=False
    )
    show_approximate_location = forms.BooleanField(
        label=_("Show only the town publicly"),
        required=False,
        help_text=_("For a building whose address should not be public."),
    )

    def __init__(
        self,
        *args,
        branches=None,
        extra_languages=(),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if branches is None or len(branches) == 1:
            del self.fields["branch"]  # the site's branch, or the person's only branch
        else:
            self.fields["branch"].queryset = Branch.objects.filter(
                pk__in=[branch.pk for branch in branches]
            ).order_by("name")
        known = {code for code, _label in LANGUAGE_CHOICES}
        extra = [(code, code) for code in extra_languages if code not in known]
        if extra:
            self.fields["languages_needed"].choices = [*LANGUAGE_CHOICES, *extra]

    def narrow_locations(self, locations) -> None:
        """Show only `locations` in the list (any location still validates)."""
        self.fields["location"].queryset = locations

    def chosen_pk(self, name: str) -> int | None:
        """The primary key picked in the choice field `name` (the submitted value, else the
        initial one), or None when nothing is picked or the value is no key. Not
        `str.isdecimal()`: it takes "٣" and numbers beyond what the database holds
        (`?location=99999999999999999999999` overflowed on SQLite)."""
        value = str(self[name].value() or "")
        return int(value) if PRIMARY_KEY.fullmatch(value) else None

    def details_on(self, date: datetime.date) -> dict:
        """The site's details as `site_create` and `site_update` take them, with the
        opening hours on `date`. Only after `is_valid()`."""
        data = self.cleaned_data
        at_local = clock.at_local
        return {
            "location": data["location"],
            "name": data["name"],
            "opens_at": at_local(date, data["opens_at"]),
            "closes_at": at_local(date, data["closes_at"]),
            "public_description": data["public_description"],
            "languages_needed": data["languages_needed"],
            "expected_visitors": data["expected_visitors"],
            "show_approximate_location": data["show_approximate_location"],
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("A site must close after it opens."))
        return data


def location_suggestions(*, branch: Branch | None, query: str, include=()):
    """Locations to offer: matches for `query` (every word, in name, town, street,
    postcode...), or the branch's earlier locations and those in its town; plus `include`
    (the current choice). At most 60."""
    query = query.strip()
    if query:
        found = locations_search(text=query)
    elif branch is not None:
        wanted = Q(sites__branch=branch)
        if branch.town:
            wanted |= Q(city__iexact=branch.town)
        found = Location.objects.filter(wanted).order_by("city", "name", "pk")
    else:
        found = Location.objects.none()
    ids = list(found.values_list("pk", flat=True).distinct()[:60])
    ids += [pk for pk in include if pk]
    return Location.objects.filter(pk__in=ids).order_by("city", "name")


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CancelForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (sent to the volunteers and kept in the history)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel this site and free every volunteer's place"), required=True
    )


class BulkApproveForm(forms.Form):
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=Site.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any site of the edition validates; the service reports those not submitted.
        self.fields["sites"].queryset = Site.objects.filter(event=event).select_related(
            "location", "event"
        )
        self.fields["sites"].error_messages["required"] = _("Tick at least one site.")
