"""What accounts does when allauth reports a change of password (connected in
`AccountsConfig.ready`)."""

from allauth.account.models import EmailAddress

from .login_limits import login_failures_forget
from .services import api_token_revoke


def revoke_api_token(sender, *, user, **kwargs) -> None:
    """A new password ends the API token made with the old one: whoever had learnt the
    old password (or the token) keeps no way in."""
    api_token_revoke(user=user)


def forget_login_failures(sender, *, request, user, **kwargs) -> None:
    """A password reset proves the address is the person's: their failed log-ins are
    forgotten, as allauth does for its own count."""
    logins = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    for login in logins:
        login_failures_forget(request, login=login)
