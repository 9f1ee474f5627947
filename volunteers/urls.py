from django.urls import path

from .views import appeals, mine, shifts

app_name = "volunteers"

urlpatterns = [
    path("shifts/", shifts.shift_list, name="shift_list"),
    path("shifts/<int:pk>/claim/", shifts.shift_claim, name="shift_claim"),
    path("shifts/<int:pk>/release/", shifts.shift_release, name="shift_release"),
    path("my/shifts/", mine.my_shifts, name="my_shifts"),
    path("my/profile/", mine.profile, name="profile"),
    path("my/data.json", mine.my_data, name="my_data"),
    path("my/account/delete/", mine.account_delete, name="account_delete"),
    path("manage/sites/<int:pk>/appeal/", appeals.site_appeal_view, name="site_appeal"),
]
