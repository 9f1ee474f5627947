from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from events import extensions

        from .links import ask_for_help, help_here

        extensions.add_site_links(extensions.SITE_PAGE_HELP, help_here)
        extensions.add_site_links(extensions.SITE_MANAGE_ACTIONS, ask_for_help)
