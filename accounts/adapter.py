"""allauth's account adapter, with our budget of failed log-ins (`login_limits`)."""

from allauth.account.adapter import DefaultAccountAdapter

from .login_limits import login_attempt_spend


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        """Spend one attempt from the budget the API's token log-in shares, instead of
        allauth's own per-address count (whose per-e-mail limit let anyone lock the owner
        out)."""
        login = credentials.get("email") or credentials.get("username") or ""
        usage = login_attempt_spend(request, login=login)
        # allauth's `authenticate` rolls this usage back when the password was right.
        self._login_failed_rl_usage = usage
        if usage is None:
            raise self.validation_error("too_many_login_attempts")
