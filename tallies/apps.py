from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalliesConfig(AppConfig):
    name = "tallies"
    verbose_name = _("Counting")

    def ready(self) -> None:
        from events import extensions

        from . import checks  # noqa: F401 (registers the start-up check)
        from .links import counting_links
        from .results import edition_results, site_results

        extensions.add_site_links(extensions.SITE_PAGE_TOOLS, counting_links)
        extensions.add_figures(extensions.SITE_PAGE_FIGURES, site_results)
        extensions.add_figures(extensions.EDITION_PAGE_FIGURES, edition_results)
