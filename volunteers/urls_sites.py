"""`/manage/sites/<id>/cancel/` and `/appeal/`: site actions that touch volunteers."""

from django.urls import path

from . import views_sites

app_name = "site_actions"

urlpatterns = [
    path("manage/sites/<int:pk>/cancel/", views_sites.site_cancel_view, name="cancel"),
    path("manage/sites/<int:pk>/appeal/", views_sites.site_appeal_view, name="appeal"),
]
