from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/<int:pk>/claim/", views.shift_claim, name="shift_claim"),
    path("shifts/<int:pk>/release/", views.shift_release, name="shift_release"),
    path("my/shifts/", views.my_shifts, name="my_shifts"),
    path("my/profile/", views.profile, name="profile"),
    path("my/data.json", views.my_data, name="my_data"),
    path("my/account/delete/", views.account_delete, name="account_delete"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("coordinate/understaffed/", views.understaffed, name="understaffed"),
    path("coordinate/sites/<int:pk>/shifts/", views.site_shifts, name="site_shifts"),
    path("coordinate/sites/<int:pk>/shifts/series/", views.shift_series, name="shift_series"),
    path("coordinate/sites/<int:pk>/roster/", views.roster, name="roster"),
    path("coordinate/sites/<int:pk>/roster.csv", views.roster_csv, name="roster_csv"),
    path("coordinate/shifts/<int:pk>/edit/", views.shift_edit, name="shift_edit"),
    path("coordinate/shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
]
