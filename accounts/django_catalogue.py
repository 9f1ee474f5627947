"""Django messages that its own Dutch catalogue does not translate (Django 5.2).

Django 5.2 rewrote some messages, and its Dutch catalogue still has only the old
wording, so these appeared in English on Dutch pages (a new volunteer choosing a short
password read "This password is too short..."). Naming them here puts them in our
catalogue (`accounts/locale/nl`), which fills the gap; nothing imports this module.
Drop an entry once Django's own catalogue translates it.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

MISSING = [
    # django.contrib.auth.password_validation.MinimumLengthValidator
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    # The admin: adding a user. (Its "If disabled, the current password for this user
    # will be lost." on the password page is not translatable in Django 5.2 at all.)
    gettext_lazy("After you’ve created a user, you’ll be able to edit more user options."),
]

# Django's Dutch for these is formal ("Uw wachtwoord ..."), shown under the new-password
# fields beside our informal "je": naming them here lets our catalogue say "Je wachtwoord".
INFORMAL = [
    # django.contrib.auth.password_validation: the validators' help texts.
    gettext_lazy("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        8,
    ),
    gettext_lazy("Your password can’t be a commonly used password."),
    gettext_lazy("Your password can’t be entirely numeric."),
]
