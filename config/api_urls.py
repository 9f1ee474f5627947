"""The versioned API, `/api/v1/`. Each app adds its own routes here."""

from django.urls import include, path

from accounts.api import AuthTokenView
from common.access import public

urlpatterns: list = [
    path("auth/token/", public(AuthTokenView.as_view()), name="api_auth_token"),
    path("", include(("events.api.urls", "events_api"))),
    path("", include(("tallies.api_urls", "tallies_api"))),
    path("", include(("volunteers.api_urls", "volunteers_api"))),
]
