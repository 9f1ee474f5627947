"""Personal calendar feeds (`/calendar/volunteer/…`, `/calendar/branch/…`) and their reset."""

from django.urls import path

from . import feeds

app_name = "calendar"

urlpatterns = [
    path("volunteer/<str:token>.ics", feeds.volunteer_calendar, name="volunteer_feed"),
    path("branch/<str:token>.ics", feeds.coordinator_calendar, name="coordinator_feed"),
    path("reset/", feeds.calendar_reset, name="reset"),
]
