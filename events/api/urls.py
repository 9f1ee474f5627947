"""Routes of `events.api` under `/api/v1/`, named `events_api:<name>`.

Reading is open to anyone (marked `public`); writing checks the rule-book in each view.
Exact paths only (no router catch-alls), so other apps can add `shifts/<id>/claim/`,
`shifts/<id>/release/` and `sites/<id>/tallies/` beside them.
"""

from django.urls import path

from common.access import public

from . import events, shifts, sites, workflow

urlpatterns = [
    path("events/", public(events.EventListView.as_view()), name="event_list"),
    path("sites/", public(sites.SiteListView.as_view()), name="site_list"),
    path("sites/<int:pk>/", public(sites.SiteDetailView.as_view()), name="site_detail"),
    path("sites/<int:pk>/submit/", workflow.SiteSubmitView.as_view(), name="site_submit"),
    path("sites/<int:pk>/publish/", workflow.SitePublishView.as_view(), name="site_publish"),
    path("sites/<int:pk>/send-back/", workflow.SiteSendBackView.as_view(), name="site_send_back"),
    path("sites/<int:pk>/cancel/", workflow.SiteCancelView.as_view(), name="site_cancel"),
    path("shifts/", public(shifts.ShiftListView.as_view()), name="shift_list"),
    path("shifts/<int:pk>/", public(shifts.ShiftDetailView.as_view()), name="shift_detail"),
]
