"""The form of a site's host and the host's consent. It checks the shape of the input;
`events.services.hosts.site_host_record` decides (the day not in the future, a consent
given by whom, in what role, on what day)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common import clock
from common.text import PlainTextValidator

from ..hosts import OTHER_CONDITIONS_MAX_LENGTH, SiteHost
from ..services.hosts import VISITOR_LIMIT_MAX, HostDetails
from .fields import DateInput


def _text(label, max_length: int, *, required: bool = False, help_text="", **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        validators=[PlainTextValidator(label)],
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


class HostForm(forms.Form):
    organisation = _text(
        _("Host organisation"),
        200,
        required=True,
        help_text=_("The organisation that runs the building, such as COA."),
    )
    contact_name = _text(_("Contact person"), 150, autocomplete="off")
    contact_phone = _text(
        _("Contact phone"), 30, type="tel", dir="ltr", autocomplete="off", inputmode="tel"
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    consent_given_by_name = _text(
        _("Consent given by"),
        150,
        help_text=_("The person at the host who agreed to the open day."),
        autocomplete="off",
    )
    consent_given_by_role = _text(
        _("Their role"), 150, help_text=_("For example: location manager.")
    )
    consent_given_on = forms.DateField(
        label=_("Consent given on"), required=False, widget=DateInput()
    )
    no_photos_inside = forms.BooleanField(label=_("No photos inside"), required=False)
    visitor_limit = forms.IntegerField(
        label=_("Visitor limit"),
        required=False,
        min_value=1,
        max_value=VISITOR_LIMIT_MAX,
        help_text=_("The most visitors allowed inside at once; leave empty for no limit."),
    )
    id_required = forms.BooleanField(label=_("Visitors must show ID"), required=False)
    other_conditions = forms.CharField(
        label=_("Other conditions"),
        required=False,
        max_length=OTHER_CONDITIONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": OTHER_CONDITIONS_MAX_LENGTH}),
        help_text=_("House rules volunteers must know, such as rooms that stay closed."),
        validators=[PlainTextValidator(_("Other conditions"), multiline=True)],
    )

    def __init__(self, *args, host: SiteHost | None = None, **kwargs) -> None:
        if host is not None:
            kwargs.setdefault(
                "initial", {name: getattr(host, name) for name in HostDetails.__dataclass_fields__}
            )
        super().__init__(*args, **kwargs)
        self.fields["consent_given_on"].widget.attrs["max"] = clock.today().isoformat()

    def details(self) -> HostDetails:
        return HostDetails(**self.cleaned_data)
