"""Routes of `events.api` under `/api/v1/`, named `events_api:<name>`.

Reading is open to anyone (marked `public`); writing checks the rule-book in each view.
Exact paths only (no router catch-alls), so other apps can add `shifts/<id>/claim/`,
`shifts/<id>/release/` and `sites/<id>/tallies/` beside them.
"""

from django.urls import path

from common.access import public

from . import attendance, events, hosts, shifts, sites, workflow

urlpatterns = [
    path("events/", public(events.EventListView.as_view()), name="event_list"),
    path("sites/", public(sites.SiteListView.as_view()), name="site_list"),
    path("sites/<int:pk>/", public(sites.SiteDetailView.as_view()), name="site_detail"),
    path("sites/<int:pk>/submit/", workflow.SiteSubmitView.as_view(), name="site_submit"),
    path("sites/<int:pk>/publish/", workflow.SitePublishView.as_view(), name="site_publish"),
    path("sites/<int:pk>/send-back/", workflow.SiteSendBackView.as_view(), name="site_send_back"),
    path("sites/<int:pk>/cancel/", workflow.SiteCancelView.as_view(), name="site_cancel"),
    path("sites/<int:pk>/host/", hosts.SiteHostView.as_view(), name="site_host"),
    path("shifts/", public(shifts.ShiftListView.as_view()), name="shift_list"),
    path("shifts/<int:pk>/", public(shifts.ShiftDetailView.as_view()), name="shift_detail"),
    # Attendance on the day (events.api.attendance).
    path(
        "shifts/<int:pk>/attendance/",
        attendance.ShiftAttendanceView.as_view(),
        name="shift_attendance",
    ),
    path(
        "shifts/<int:pk>/attendance/<int:signup>/check-in/",
        attendance.SignupCheckInView.as_view(),
        name="attendance_check_in",
    ),
    path(
        "shifts/<int:pk>/attendance/<int:signup>/check-out/",
        attendance.SignupCheckOutView.as_view(),
        name="attendance_check_out",
    ),
    path(
        "shifts/<int:pk>/attendance/<int:signup>/no-show/",
        attendance.SignupNoShowView.as_view(),
        name="attendance_no_show",
    ),
    path(
        "shifts/<int:pk>/attendance/<int:signup>/undo/",
        attendance.SignupUndoView.as_view(),
        name="attendance_undo",
    ),
    path("shifts/<int:pk>/walk-ins/", attendance.WalkInListView.as_view(), name="walk_ins"),
    path(
        "shifts/<int:pk>/walk-ins/<int:walk_in>/",
        attendance.WalkInDetailView.as_view(),
        name="walk_in",
    ),
    path(
        "shifts/<int:pk>/walk-ins/<int:walk_in>/check-out/",
        attendance.WalkInCheckOutView.as_view(),
        name="walk_in_check_out",
    ),
    path("shifts/<int:pk>/check-in/", attendance.SelfCheckInView.as_view(), name="shift_check_in"),
    path("check-in/<str:token>/", attendance.CodeCheckInView.as_view(), name="check_in_with_code"),
    path(
        "events/<slug:slug>/attendance/",
        attendance.EditionAttendanceView.as_view(),
        name="edition_attendance",
    ),
]
