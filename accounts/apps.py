from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.account import signals

        from common.languages import fall_back_to_english

        fall_back_to_english()

        from .languages import show_own_language
        from .receivers import (
            forget_login_failures,
            revoke_api_token,
            verify_address_on_password_reset,
        )

        for signal in (signals.password_changed, signals.password_reset, signals.password_set):
            signal.connect(revoke_api_token, dispatch_uid="accounts.revoke_api_token")
        signals.password_reset.connect(
            forget_login_failures, dispatch_uid="accounts.forget_login_failures"
        )
        signals.password_reset.connect(
            verify_address_on_password_reset, dispatch_uid="accounts.verify_address"
        )
        signals.user_logged_in.connect(show_own_language, dispatch_uid="accounts.own_language")
