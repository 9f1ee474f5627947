"""`/manage/…`: running an edition (set-up, registration, review, staffing)."""

from django.urls import path

from . import views_editions as views

urlpatterns = [
    path("manage/", views.manage_index, name="manage_index"),
    path("manage/editions/new/", views.edition_create, name="edition_create"),
    path("manage/editions/<slug:slug>/", views.edition_overview, name="edition_overview"),
    path("manage/editions/<slug:slug>/settings/", views.edition_settings, name="edition_settings"),
    path(
        "manage/editions/<slug:slug>/templates/",
        views.edition_templates,
        name="edition_templates",
    ),
    path("manage/editions/<slug:slug>/clone/", views.edition_clone, name="edition_clone"),
    path("manage/editions/<slug:slug>/review/", views.review_queue, name="review_queue"),
    path(
        "manage/editions/<slug:slug>/review/approve/",
        views.review_bulk_approve,
        name="review_bulk_approve",
    ),
    path("manage/editions/<slug:slug>/staffing/", views.staffing_overview, name="staffing"),
    path("manage/editions/<slug:slug>/register/", views.site_register, name="site_register"),
    path("manage/sites/<int:pk>/", views.site_manage, name="site_manage"),
    path("manage/sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("manage/sites/<int:pk>/submit/", views.site_submit_view, name="site_submit"),
    path("manage/sites/<int:pk>/publish/", views.site_publish_view, name="site_publish"),
    path("manage/sites/<int:pk>/send-back/", views.site_send_back_view, name="site_send_back"),
]
