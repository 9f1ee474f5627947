from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Editions, sites and shifts")

    def ready(self) -> None:
        from locations.signals import location_moved

        from .services import sites_location_moved

        location_moved.connect(sites_location_moved, dispatch_uid="events.sites_location_moved")

        from . import kinds, published

        published.connect()
        kinds.connect()
