"""Routes of `events.api` under `/api/v1/`, named `events_api:<name>`.

`shifts/<id>/` is served by `volunteers.api.ShiftDetailView` (it changes sign-ups).
Reading is open to anyone (marked `public`); writing checks the rule-book in each view.
Exact paths only (no router catch-alls), so other modules can add
`shifts/<id>/claim/`, `shifts/<id>/release/` and `sites/<id>/tallies/` beside them.
"""

from django.urls import path

from common.access import public

from . import views

urlpatterns = [
    path("events/", public(views.EventListView.as_view()), name="event_list"),
    path("sites/", public(views.SiteListView.as_view()), name="site_list"),
    path("sites/<int:pk>/", public(views.SiteDetailView.as_view()), name="site_detail"),
    path("shifts/", public(views.ShiftListView.as_view()), name="shift_list"),
]
