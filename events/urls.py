from django.urls import path

from . import feeds, map_views, views

app_name = "events"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("calendar/events/<slug:slug>.ics", feeds.event_calendar, name="event_calendar"),
    path("calendar/sites/<int:pk>.ics", feeds.site_calendar, name="site_calendar"),
    path("map/", map_views.map_page, name="map"),
    path("map/embed/", map_views.map_embed, name="map_embed"),
]
