"""Forms of the edition pages: they check the shape of the input; the services decide."""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.languages import LANGUAGE_CHOICES
from locations.models import Branch, Location
from locations.selectors import locations_search

from .editions import TemplateSpec
from .models import Event, Shift, Site

DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def language_names(codes) -> list[str]:
    names = dict(LANGUAGE_CHOICES)
    return [str(names.get(code, code)) for code in codes or []]


def show_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's `ValidationError` beside the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _datetime_field(label, help_text="") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT),
    )


def _time_field(label, required=True, help_text="") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class EditionForm(forms.Form):
    """Create an edition (with `kind`) or change its settings (without)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name in web addresses"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to make one from the name, e.g. open-azc-dag-2028."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    registration_opens_at = _datetime_field(
        _("Registration opens"), _("Empty: branches can register right away.")
    )
    registration_closes_at = _datetime_field(
        _("Registration closes"), _("Empty: registration closes when the day begins.")
    )
    default_opens_at = _time_field(
        _("Sites open at"),
        required=False,
        help_text=_("Empty: 11:00 for an open day, 10:00 for a coffee action."),
    )
    default_closes_at = _time_field(
        _("Sites close at"),
        required=False,
        help_text=_("Empty: 16:00 for an open day, 14:00 for a coffee action."),
    )
    release_deadline_hours = forms.IntegerField(
        label=_("Volunteers can release a shift until (hours before it starts)"),
        min_value=0,
        max_value=24 * 14,
        initial=24,
    )
    is_published = forms.BooleanField(
        label=_("Published: the edition and its approved sites are public"), required=False
    )

    def __init__(self, *args, with_kind: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not with_kind:
            del self.fields["kind"]
            self.fields["slug"].required = True
            self.fields["default_opens_at"].required = True
            self.fields["default_closes_at"].required = True
            for name in ("default_opens_at", "default_closes_at"):
                self.fields[name].help_text = ""

    def clean(self):
        data = super().clean()
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        return data


class TemplateRowForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "—"), *Shift.Role.choices], required=False
    )
    starts_at = _time_field(_("From"), required=False)
    ends_at = _time_field(_("Until"), required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=0, max_value=500, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("role"):
            return data  # an empty row: ignored
        for name in ("starts_at", "ends_at", "capacity"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("This field is required."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A shift must end after it starts."))
        return data


class BaseTemplateFormSet(forms.BaseFormSet):
    def specs(self) -> list[TemplateSpec]:
        return [
            TemplateSpec(
                role=form.cleaned_data["role"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                capacity=form.cleaned_data["capacity"],
            )
            for form in self.forms
            if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")
        ]


TemplateFormSet = forms.formset_factory(
    TemplateRowForm, formset=BaseTemplateFormSet, extra=2, can_delete=True, max_num=40
)


class CloneForm(forms.Form):
    name = forms.CharField(label=_("Name of the new edition"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name in web addresses"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to make one from the name."),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    registration_opens_at = _datetime_field(
        _("Registration opens"),
        _("Empty: the old window moved by the same number of days."),
    )
    registration_closes_at = _datetime_field(
        _("Registration closes"),
        _("Empty: the old window moved by the same number of days."),
    )


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
    )
    opens_at = _time_field(_("Opens at"))
    closes_at = _time_field(_("Closes at"))
    public_description = forms.CharField(
        label=_("Public description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What visitors can expect. Shown on the public site page."),
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
        initial one), or None when nothing is picked or the value is not a number."""
        value = self[name].value()
        return int(value) if str(value or "").isdecimal() else None

    def details_on(self, date: datetime.date) -> dict:
        """The site's details as `site_create` and `site_update` take them, with the
        opening hours on `date`. Only after `is_valid()`."""
        from .editions import at_local

        data = self.cleaned_data
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


class AppealForm(forms.Form):
    message = forms.CharField(
        label=_("Your message (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
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
