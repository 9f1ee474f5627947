"""The versioned API, `/api/v1/`. Each app adds its own routes here."""

from django.urls import include, path

urlpatterns: list = [
    path("", include(("events.api.urls", "events_api"))),
]
