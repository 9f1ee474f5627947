from django.urls import path

from .views import appeals, checkin, helpers, join, messages, mine, shifts

app_name = "volunteers"

urlpatterns = [
    path("shifts/", shifts.shift_list, name="shift_list"),
    path("shifts/<int:pk>/claim/", shifts.shift_claim, name="shift_claim"),
    path("shifts/<int:pk>/release/", shifts.shift_release, name="shift_release"),
    path("my/shifts/", mine.my_shifts, name="my_shifts"),
    path("my/shifts/<int:pk>/check-in/", mine.shift_check_in, name="shift_check_in"),
    # Checking in with a site's QR code of the day, and the code itself (coordinators).
    path("c/<str:token>/", checkin.check_in_with_code_view, name="check_in"),
    path(
        "coordinate/sites/<int:pk>/check-in-code/",
        checkin.check_in_code_view,
        name="check_in_code",
    ),
    path("my/profile/", mine.profile, name="profile"),
    path("my/data.json", mine.my_data, name="my_data"),
    path("my/account/delete/", mine.account_delete, name="account_delete"),
    path("manage/sites/<int:pk>/appeal/", appeals.site_appeal_view, name="site_appeal"),
    # Messages to the volunteers of a shift, a site, a branch's sites, an edition.
    path("coordinate/messages/", messages.message_list, name="message_list"),
    path("coordinate/messages/new/", messages.message_compose, name="message_compose"),
    path("coordinate/messages/<int:pk>/", messages.message_detail, name="message_detail"),
    # Helpers without an e-mail address: the site's coordinators ...
    path("coordinate/sites/<int:pk>/helpers/", helpers.site_helpers_view, name="site_helpers"),
    path(
        "coordinate/sites/<int:pk>/helpers/<int:helper>/",
        helpers.site_helper_view,
        name="site_helper",
    ),
    path("coordinate/sites/<int:pk>/invitation/", helpers.invitation_view, name="invitation"),
    path(
        "coordinate/sites/<int:pk>/invitation/revoke/",
        helpers.invitation_revoke_view,
        name="invitation_revoke",
    ),
    # ... and the links anyone holding them opens: a site's invitation, a personal link.
    path("j/<str:token>/", join.join, name="join"),
    path("j/confirm/<str:value>/", join.join_confirm, name="join_confirm"),
    path("me/<str:token>/", join.helper_page, name="helper_page"),
    path("me/<str:token>/claim/", join.helper_claim_view, name="helper_claim"),
    path(
        "me/<str:token>/shifts/<int:shift>/release/",
        join.helper_release,
        name="helper_release",
    ),
    path(
        "me/<str:token>/shifts/<int:shift>/check-in/",
        join.helper_check_in,
        name="helper_check_in",
    ),
    path("me/<str:token>/new-link/", join.helper_reset, name="helper_reset"),
    path("me/<str:token>/language/", join.helper_language, name="helper_language"),
]
