"""allauth's account adapter, with our budget of failed log-ins (`login_limits`), and
allauth's mails in their reader's own language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.utils import translation

from common.languages import is_offered

from .login_limits import login_attempt_spend


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (confirm your address, reset your password) in the language
        the person chose (`User.language`), as every mail of ours (`accounts.mail`); in
        the page's language for an address without an account or a chosen language."""
        user = context.get("user")
        if user is None and email:
            user = get_user_model().objects.filter(email__iexact=email).first()
        chosen = getattr(user, "language", "")
        if not is_offered(chosen):
            return super().send_mail(template_prefix, email, context)
        with translation.override(chosen):
            return super().send_mail(template_prefix, email, context)

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
