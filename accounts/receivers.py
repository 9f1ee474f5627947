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


def verify_address_on_password_reset(sender, *, request, user, **kwargs) -> None:
    """A password reset link reached the person through their address: when the account
    has that one address (`User.email`), it is verified now. An invited coordinator whose
    address someone registered and never verified gets in with the invitation's link
    (accounts.coordinator_invites) without a second mail to confirm it. An account with
    other addresses too is left as it is: the link may have gone to one of those."""
    email = (user.email or "").strip()
    if not email:
        return
    addresses = list(EmailAddress.objects.filter(user=user))
    if any(address.email.lower() != email.lower() for address in addresses):
        return
    if addresses:
        EmailAddress.objects.filter(pk__in=[a.pk for a in addresses]).update(verified=True)
    else:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
