"""The versioned API, `/api/v1/`. Each app adds its own routes here."""

from django.urls import include, path

from accounts.api import AuthTokenView
from common.access import public
from events.api_tallies import SiteTalliesView, SiteTallyCorrectionsView

urlpatterns: list = [
    path("auth/token/", public(AuthTokenView.as_view()), name="api_auth_token"),
    path("", include(("events.api.urls", "events_api"))),
    # Tallies have their own routes beside the sites API (`sites/<pk>/`), not under it.
    path("sites/<int:pk>/tallies/", SiteTalliesView.as_view(), name="api_site_tallies"),
    path(
        "sites/<int:pk>/tallies/corrections/",
        SiteTallyCorrectionsView.as_view(),
        name="api_site_tally_corrections",
    ),
    path("", include("volunteers.api_urls")),
]
