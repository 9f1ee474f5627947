"""The volunteer's own account: deleting it (personal data goes, the counts stay).

Claiming and releasing places are the sign-up rules in `events.services.signups`; the
profile is changed by `accounts.services.volunteer_update_profile`.
"""

from accounts.models import Volunteer
from accounts.services import user_anonymise
from common import clock
from events import locking
from events.services.signups import retrying, signups_release_coming


def account_delete(*, user) -> None:
    """Delete a person's account: personal data goes, the counts stay.

    The person can no longer log in; their name, e-mail address, phone, languages,
    calendar tokens, API tokens and e-mail addresses are removed. Their sign-ups stay,
    anonymous, so that the numbers per shift and site remain true; places on shifts that
    have not started are released (ignoring the release deadline: they will not come) and
    go to the waitlist. They stop being a coordinator.
    """
    volunteer = Volunteer.objects.filter(user=user).first()

    def change() -> None:
        with locking.write_transaction():
            now = clock.now()
            if volunteer is not None:
                signups_release_coming(volunteer=volunteer, now=now)
            user_anonymise(user=user, volunteer=volunteer, now=now)

    retrying(change)
