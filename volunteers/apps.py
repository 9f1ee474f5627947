from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from events import extensions

        from .links import ask_for_help, check_in_code, help_here, helpers_without_email

        extensions.add_site_links(extensions.SITE_PAGE_HELP, help_here)
        extensions.add_site_links(extensions.SITE_MANAGE_ACTIONS, ask_for_help)
        extensions.add_site_links(extensions.STAFFING_MAIL, ask_for_help)
        extensions.add_site_links(extensions.SITE_MANAGE_ACTIONS, helpers_without_email)
        extensions.add_site_links(extensions.SITE_ROSTER_ACTIONS, helpers_without_email)
        extensions.add_site_links(extensions.SITE_MANAGE_ACTIONS, check_in_code)
        extensions.add_site_links(extensions.SITE_ROSTER_ACTIONS, check_in_code)

        from .views.messages import edition_message_links, site_message_link

        extensions.add_site_links(extensions.SITE_ROSTER_ACTIONS, site_message_link)
        extensions.add_site_links(extensions.SITE_MANAGE_ACTIONS, site_message_link)
        extensions.add_edition_links(edition_message_links)

        from allauth.account import signals

        from .helpers import helper_became_account

        # A helper who gave an e-mail address and then set a password through it (a
        # password reset proves the address is theirs) has an account from then on.
        for signal in (signals.password_reset, signals.password_set):
            signal.connect(helper_became_account, dispatch_uid=f"helper-account-{id(signal)}")
