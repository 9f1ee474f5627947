from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalliesConfig(AppConfig):
    name = "tallies"
    verbose_name = _("Counting")

    def ready(self) -> None:
        from events import extensions

        from . import categories, checks  # noqa: F401 (checks registers the start-up check)
        from .links import (
            counting_links,
            day_counting_links,
            results_links,
            results_management_links,
        )
        from .results import edition_results, site_results
        from .views.history import history_import_links
        from .views.today import edition_day_links

        extensions.add_site_links(extensions.SITE_PAGE_TOOLS, counting_links)
        extensions.add_site_links(extensions.SHIFT_DAY_TOOLS, day_counting_links)
        extensions.add_edition_links(edition_day_links)
        extensions.add_editions_list_links(history_import_links)
        extensions.add_edition_links(results_management_links)
        extensions.add_edition_page_links(results_links)
        extensions.add_figures(extensions.SITE_PAGE_FIGURES, site_results)
        extensions.add_figures(extensions.EDITION_PAGE_FIGURES, edition_results)
        categories.connect()
