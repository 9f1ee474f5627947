"""The volunteer's routes under /api/v1/, named `volunteers_api:<name>` (included by
config/api_urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("shifts/<int:pk>/claim/", api.ShiftClaimView.as_view(), name="shift_claim"),
    path("shifts/<int:pk>/release/", api.ShiftReleaseView.as_view(), name="shift_release"),
    path("me/", api.MeView.as_view(), name="me"),
]
