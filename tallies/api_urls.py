"""The tally API under `/api/v1/`, beside the sites API (`sites/<pk>/`), named
`tallies_api:<name>`."""

from django.urls import path

from common.access import public

from .api import SiteTalliesView, SiteTallyCorrectionsView
from .kinds_api import KindListView
from .results_api import EventResultsView

urlpatterns = [
    path("kinds/", public(KindListView.as_view()), name="kind_list"),
    path("sites/<int:pk>/tallies/", SiteTalliesView.as_view(), name="site_tallies"),
    path(
        "sites/<int:pk>/tallies/corrections/",
        SiteTallyCorrectionsView.as_view(),
        name="site_tally_corrections",
    ),
    path(
        "events/<slug:slug>/results/",
        public(EventResultsView.as_view()),
        name="event_results",
    ),
]
