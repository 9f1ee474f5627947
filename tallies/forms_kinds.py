"""Forms of the kinds pages (`views/kinds.py`): a kind, and the categories counted at it.

Names are asked per language (`settings.LANGUAGES`): each input carries its language and
writing direction (`lang`, `dir`), so that Arabic and Farsi are typed right to left and a
screen reader reads each in its own voice. Shapes only: the rules (codes, contrast, the
required languages, at least one category) are the services' (`kinds_editing`)."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from common.text import PlainTextValidator
from events.forms.fields import time_field
from events.models import ActionKind
from locations.models import Location

from .kinds_editing import NAME_MAX_LENGTH, REQUIRED_LANGUAGES, TAP_MAX_LENGTH, CategorySpec

# A code is typed as it is: left to right, no capitals, no spelling corrections.
CODE_INPUT = {"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"}

# Shown at once; the others are folded away (`<details>`) on the page.
SHOWN_LANGUAGES = REQUIRED_LANGUAGES


def language_attrs(code: str) -> dict[str, str]:
    return {"lang": code, "dir": "rtl" if get_language_info(code)["bidi"] else "ltr"}


def language_label(code: str) -> str:
    return str(dict(settings.LANGUAGES)[code])


class LanguageFields:
    """Adds `<prefix>_<language>` text fields, one per language, to a form."""

    def add_language_fields(
        self, prefix: str, label: str, *, required: tuple[str, ...], max_length: int
    ) -> None:
        for code, _name in settings.LANGUAGES:
            self.fields[f"{prefix}_{code}"] = forms.CharField(
                label=label % {"language": language_label(code)},
                required=code in required,
                max_length=max_length,
                validators=[PlainTextValidator(label % {"language": language_label(code)})],
                widget=forms.TextInput(attrs=language_attrs(code)),
            )

    def language_texts(self, prefix: str) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"{prefix}_{code}") or ""
            for code, _name in settings.LANGUAGES
        }

    def language_fields(self, prefix: str, *, shown: bool) -> list:
        return [
            self[f"{prefix}_{code}"]
            for code, _name in settings.LANGUAGES
            if (code in SHOWN_LANGUAGES) == shown
        ]


class KindForm(LanguageFields, forms.Form):
    """A kind of action day: its code (only when it is made), names, look on the map,
    usual hours, and whether it is in use (only when it is changed)."""

    slug = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "Small letters a–z, digits and _, e.g. market_stall. The API, the map and the "
            "exports use it; it cannot change later."
        ),
        widget=forms.TextInput(
            attrs={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    marker_colour = forms.CharField(
        label=gettext_lazy("Colour on the map"),
        max_length=7,
        initial="#6b2c91",
        help_text=gettext_lazy("Dark enough to stand out on a light map (contrast 3:1 or more)."),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    marker_shape = forms.ChoiceField(
        label=gettext_lazy("Shape on the map"),
        choices=ActionKind.Shape.choices,
        initial=ActionKind.Shape.PIN,
        widget=forms.RadioSelect,
    )
    location_kind = forms.ChoiceField(
        label=gettext_lazy("Usual kind of location"),
        choices=Location.Kind.choices,
        initial=Location.Kind.OTHER,
    )
    default_opens_at = time_field(gettext_lazy("Sites usually open at"))
    default_closes_at = time_field(gettext_lazy("Sites usually close at"))
    same_weekday = forms.BooleanField(
        label=gettext_lazy("A copy for next year falls on the same weekday (not the same date)"),
        required=False,
    )
    position = forms.IntegerField(
        label=pgettext_lazy("order of a kind in lists", "Position in lists"),
        min_value=0,
        max_value=999,
        required=False,
        help_text=gettext_lazy("Lower comes first. Empty: after the others."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("In use: new editions can be of this kind"),
        required=False,
        help_text=gettext_lazy("Retired kinds keep their editions and figures."),
    )

    def __init__(self, *args, creating: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_language_fields(
            "name",
            _("Name in %(language)s"),
            required=REQUIRED_LANGUAGES,
            max_length=NAME_MAX_LENGTH,
        )
        if creating:
            del self.fields["is_active"]
        else:
            del self.fields["slug"]

    def clean_marker_colour(self) -> str:
        return self.cleaned_data["marker_colour"].strip().lower()

    def changes(self) -> dict:
        """The service's arguments (`kind_create`, `kind_update`) besides the lists."""
        data = self.cleaned_data
        fields = (
            "marker_colour",
            "marker_shape",
            "location_kind",
            "default_opens_at",
            "default_closes_at",
            "same_weekday",
            "position",
            "is_active",
        )
        found = {name: data[name] for name in fields if name in self.fields}
        if found.get("position") is None:
            found.pop("position", None)
        found["names"] = self.language_texts("name")
        return found

    @property
    def names_shown(self) -> list:
        return self.language_fields("name", shown=True)

    @property
    def names_folded(self) -> list:
        return self.language_fields("name", shown=False)


class CategoryForm(LanguageFields, forms.Form):
    """One category. For one that exists, the code is shown but not sent (it never
    changes); an extra row left empty adds nothing."""

    slug = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("E.g. visitors. Cannot change later."),
        widget=forms.TextInput(
            attrs={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    reached = forms.BooleanField(
        label=gettext_lazy("Counts towards people reached"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Off for what is not a person (cups of coffee, flyers)."),
    )
    is_retired = forms.BooleanField(
        label=gettext_lazy("Retired: no longer counted at new taps"),
        required=False,
        help_text=gettext_lazy("Figures of editions that counted it keep it."),
    )

    def __init__(self, *args, existing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.add_language_fields(
            "name",
            _("Name in %(language)s"),
            required=REQUIRED_LANGUAGES,
            max_length=NAME_MAX_LENGTH,
        )
        self.add_language_fields(
            "tap",
            _("One tap means, in %(language)s"),
            required=(),
            max_length=TAP_MAX_LENGTH,
        )
        if existing:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _("Cannot change.")
            # The code the row was shown with: the page's rows are matched to the
            # categories by their place, so a category added or deleted meanwhile (another
            # organiser, another tab) must not put one row's texts on another category.
            self.fields["shown_code"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=self.initial.get("slug")
            )
        else:
            del self.fields["is_retired"]

    def spec(self) -> CategorySpec:
        data = self.cleaned_data
        return CategorySpec(
            slug=(data.get("slug") or "").strip(),
            names=self.language_texts("name"),
            taps=self.language_texts("tap"),
            reached=bool(data.get("reached")),
            is_retired=bool(data.get("is_retired")),
        )

    @property
    def texts_shown(self) -> list:
        return self.language_fields("name", shown=True) + self.language_fields("tap", shown=True)

    @property
    def texts_folded(self) -> list:
        return self.language_fields("name", shown=False) + self.language_fields("tap", shown=False)


class BaseCategoryFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["existing"] = index is not None and index < self.initial_form_count()
        return kwargs

    def clean(self) -> None:
        for form in self.forms[: self.initial_form_count()]:
            shown = (getattr(form, "cleaned_data", None) or {}).get("shown_code")
            if not form.initial.get("slug") or shown != form.initial["slug"]:
                raise forms.ValidationError(
                    _(
                        "The categories of this kind changed while you were editing them "
                        "(another organiser, or another tab). Open the page again and make "
                        "your changes there."
                    ),
                    code="categories_changed",
                )

    def filled(self) -> list[CategoryForm]:
        """The rows that say something (an extra row left empty is not one)."""
        return [form for form in self.forms if form.existing or form.has_changed()]

    def specs(self) -> list[CategorySpec]:
        return [form.spec() for form in self.filled()]


def category_formset(*args, creating: bool, **kwargs):
    formset = forms.formset_factory(
        CategoryForm,
        formset=BaseCategoryFormSet,
        extra=2 if creating else 1,
        max_num=12,
        validate_max=True,
    )
    return formset(*args, prefix="categories", **kwargs)


def category_initial(category) -> dict:
    initial = {
        "slug": category.slug,
        "reached": category.reached,
        "is_retired": category.is_retired,
    }
    for code, _name in settings.LANGUAGES:
        initial[f"name_{code}"] = category.names.get(code, "")
        initial[f"tap_{code}"] = category.taps.get(code, "")
    return initial


def kind_initial(kind: ActionKind) -> dict:
    initial = {
        name: getattr(kind, name)
        for name in (
            "marker_colour",
            "marker_shape",
            "location_kind",
            "default_opens_at",
            "default_closes_at",
            "same_weekday",
            "position",
            "is_active",
        )
    }
    for code, _name in settings.LANGUAGES:
        initial[f"name_{code}"] = kind.names.get(code, "")
    return initial
