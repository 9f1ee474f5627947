from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): the top layer, since it fills every app."""

    name = "demo"
    verbose_name = "Demo"
