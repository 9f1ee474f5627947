"""Routes of `events.api` under `/api/v1/`, named `events_api:<name>`.

Exact paths only (no router catch-alls), so other modules can add
`shifts/<id>/claim/`, `shifts/<id>/release/` and `sites/<id>/tallies/` beside them.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("shifts/", views.ShiftListView.as_view(), name="shift_list"),
    path("shifts/<int:pk>/", views.ShiftDetailView.as_view(), name="shift_detail"),
]
