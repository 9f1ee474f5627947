"""The volunteers' routes under /api/v1/ (included by config/api_urls.py)."""

from django.urls import path

from common.access import public

from . import api

urlpatterns = [
    path("shifts/<int:pk>/", public(api.ShiftDetailView.as_view()), name="api_shift_detail"),
    path("shifts/<int:pk>/claim/", api.ShiftClaimView.as_view(), name="api_shift_claim"),
    path("shifts/<int:pk>/release/", api.ShiftReleaseView.as_view(), name="api_shift_release"),
    path("me/", api.MeView.as_view(), name="api_me"),
]
