"""Forms of the edition pages: set-up, shift templates, cloning."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.text import PlainTextValidator

from ..kinds import kind_choices
from ..models import Shift
from ..services.editions import TemplateSpec
from .fields import datetime_field, time_field


class EditionForm(forms.Form):
    """Create an edition (with `kind`) or change its settings (without)."""

    name = forms.CharField(
        label=_("Name"), max_length=200, validators=[PlainTextValidator(_("Name"))]
    )
    slug = forms.SlugField(
        label=_("Short name in web addresses"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to make one from the name, e.g. open-azc-dag-2028."),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("type of action day or of location", "Kind"))
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    registration_opens_at = datetime_field(
        _("Registration opens"), _("Empty: branches can register right away.")
    )
    registration_closes_at = datetime_field(
        _("Registration closes"), _("Empty: registration closes when the day begins.")
    )
    default_opens_at = time_field(
        _("Sites open at"),
        required=False,
        help_text=_("Empty: the kind's usual opening time."),
    )
    default_closes_at = time_field(
        _("Sites close at"),
        required=False,
        help_text=_("Empty: the kind's usual closing time."),
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
        if with_kind:
            self.fields["kind"].choices = kind_choices()
        else:
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
    starts_at = time_field(_("From"), required=False)
    ends_at = time_field(_("Until"), required=False)
    capacity = forms.IntegerField(
        label=pgettext_lazy("number of places for volunteers in a shift", "Places"),
        min_value=0,
        max_value=500,
        required=False,
    )

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
    name = forms.CharField(
        label=_("Name of the new edition"),
        max_length=200,
        validators=[PlainTextValidator(_("Name of the new edition"))],
    )
    slug = forms.SlugField(
        label=_("Short name in web addresses"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to make one from the name."),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    registration_opens_at = datetime_field(
        _("Registration opens"),
        _("Empty: the old window moved by the same number of days."),
    )
    registration_closes_at = datetime_field(
        _("Registration closes"),
        _("Empty: the old window moved by the same number of days."),
    )
