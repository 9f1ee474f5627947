"""Pieces shared by the apps' admin classes."""

from django import forms
from django.contrib import admin
from django.utils.text import capfirst

from .languages import LANGUAGE_CHOICES


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows records and never adds, changes or deletes them: for records
    that only a service writes (histories, sign-ups, counts), so that every change goes
    through the service's rules. Say which service in a comment on the subclass."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LanguageChoicesForm(forms.ModelForm):
    """A model form that shows JSON lists of language codes (the fields named in
    `language_fields`) as checkboxes over `LANGUAGE_CHOICES`, not as raw JSON.

    A code stored earlier that is not in the list stays a choice (ticked), so that saving
    the form for another change neither refuses nor drops it."""

    language_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        known = {code for code, _name in LANGUAGE_CHOICES}
        for name in self.language_fields:
            if name not in self.fields:
                continue  # read-only in this admin
            model_field = self._meta.model._meta.get_field(name)
            stored = self.initial.get(name)
            stored = stored if isinstance(stored, list) else []
            extra = [(code, code) for code in stored if isinstance(code, str) and code not in known]
            self.fields[name] = forms.MultipleChoiceField(
                label=capfirst(model_field.verbose_name),
                choices=[*LANGUAGE_CHOICES, *extra],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.initial[name] = [code for code in stored if isinstance(code, str)]
