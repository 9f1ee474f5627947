from django.urls import path

from . import feeds, map_views, urls_editions, views, views_tallies

app_name = "events"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("calendar/events/<slug:slug>.ics", feeds.event_calendar, name="event_calendar"),
    path("calendar/sites/<int:pk>.ics", feeds.site_calendar, name="site_calendar"),
    # Counting, corrections, dashboard and report (views_tallies).
    path("sites/<int:pk>/count/", views_tallies.site_counter, name="site_counter"),
    path("sites/<int:pk>/tallies/", views_tallies.site_tally_audit, name="site_tally_audit"),
    path("dashboard/", views_tallies.dashboard_index, name="dashboard_index"),
    path("dashboard/<slug:slug>/", views_tallies.dashboard, name="dashboard"),
    path("dashboard/<slug:slug>/data.json", views_tallies.dashboard_data, name="dashboard_data"),
    path(
        "dashboard/<slug:slug>/sites.csv",
        views_tallies.dashboard_sites_csv,
        name="dashboard_sites_csv",
    ),
    path(
        "dashboard/<slug:slug>/hours.csv",
        views_tallies.dashboard_hours_csv,
        name="dashboard_hours_csv",
    ),
    path("dashboard/<slug:slug>/report/", views_tallies.impact_report, name="impact_report"),
    path("map/", map_views.map_page, name="map"),
    path("map/embed/", map_views.map_embed, name="map_embed"),
]

# Running an edition: set-up, registration, review, staffing (under /manage/).
urlpatterns += urls_editions.urlpatterns
