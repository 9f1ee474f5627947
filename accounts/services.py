"""Changes to people: the volunteer profile, API tokens, and removing a person's personal
data."""

import datetime

from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import Volunteer
from .selectors import api_token_is_expired, api_token_of
from .tokens import new_calendar_token


def volunteer_get_or_create(*, user) -> Volunteer:
    """The user's volunteer profile, made on first need."""
    volunteer, _created = Volunteer.objects.get_or_create(user=user)
    volunteer.user = user  # the person in hand: `volunteer.user` needs no second read
    return volunteer


def volunteer_update_profile(
    *,
    volunteer: Volunteer,
    first_name: str,
    last_name: str,
    phone: str,
    languages: list[str],
    home_branch=None,
    language: str | None = None,
    staffing_alerts: bool | None = None,
) -> Volunteer:
    """Change a volunteer's name, phone, languages spoken, home branch, own language and
    (a coordinator's) understaffing alerts (validated by the form; `language` or
    `staffing_alerts` None leaves it as it is)."""
    with transaction.atomic():
        user = volunteer.user
        user.first_name, user.last_name = first_name.strip(), last_name.strip()
        fields = ["first_name", "last_name"]
        if language is not None:
            user.language = language
            fields.append("language")
        if staffing_alerts is not None:
            user.staffing_alerts = staffing_alerts
            fields.append("staffing_alerts")
        user.save(update_fields=fields)
        volunteer.phone = phone.strip()
        volunteer.languages = sorted(set(languages))
        volunteer.home_branch = home_branch
        volunteer.save(update_fields=["phone", "languages", "home_branch", "updated_at"])
    return volunteer


def user_anonymise(*, user, volunteer: Volunteer | None, now: datetime.datetime) -> None:
    """Remove a person's personal data and close their account, inside the caller's
    transaction: name, e-mail address, phone, languages (spoken and their own), calendar
    tokens, personal link, API tokens and e-mail addresses go; they can no longer log in
    and stop being a coordinator. What
    they did (sign-ups, counts) stays, anonymous. See `volunteers.services.account_delete`
    for the whole of deleting an account."""
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    if volunteer is not None:
        volunteer.phone = ""
        volunteer.languages = []
        volunteer.home_branch = None
        volunteer.calendar_token = new_calendar_token()
        volunteer.coordinator_calendar_token = new_calendar_token()
        # A helper's personal link stops working; nothing of it is kept.
        volunteer.link_token = None
        volunteer.anonymised_at = now
        volunteer.save()
    EmailAddress.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    user.coordinated_branches.clear()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"deleted-{user.pk}@anonymised.invalid"
    user.first_name = ""
    user.last_name = ""
    user.language = ""  # with the languages spoken, it can point to where someone is from
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_organiser = False
    user.set_unusable_password()
    user.save()


def api_token_issue(*, user) -> Token:
    """The person's API token: the one they have, or a new one when they have none or
    theirs has expired (`API_TOKEN_DAYS`). Check the password before calling this."""
    with transaction.atomic():
        token = api_token_of(user)
        if token is not None and api_token_is_expired(token):
            token.delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user) -> bool:
    """Revoke the person's API token (after a password change or reset, or when they ask
    on their token page): a client using it gets 401 from then on. Whether there was one."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return bool(deleted)
