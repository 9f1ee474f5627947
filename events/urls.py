"""The pages of editions, sites and shifts. Counting (`tallies.urls`) and the volunteer's
side (`volunteers.urls`) add their own under the same paths' prefixes."""

from django.urls import path

from .views import (
    attendance,
    branches,
    calendar,
    coordinate,
    day,
    editions,
    hosts,
    kinds,
    map,
    public,
    review,
    roster,
    shifts,
    sites,
)

app_name = "events"

urlpatterns = [
    # Public.
    path("", public.home, name="home"),
    path("events/<slug:slug>/", public.event_detail, name="event_detail"),
    path("sites/<int:pk>/", public.site_detail, name="site_detail"),
    # The day itself: a site lead sets the site's live state from their phone.
    path("sites/<int:pk>/state/", day.site_state, name="site_state"),
    path("calendar/events/<slug:slug>.ics", calendar.event_calendar, name="event_calendar"),
    path("calendar/sites/<int:pk>.ics", calendar.site_calendar, name="site_calendar"),
    path("map/", map.map_page, name="map"),
    path("kinds/<slug:version>.css", kinds.kinds_css, name="kinds_css"),
    path("map/embed/", map.map_embed, name="map_embed"),
    # Running an edition (organisers; coordinators register their branch's sites).
    path("manage/", editions.manage_index, name="manage_index"),
    # Branches and their coordinators (organisers; a coordinator sees their own).
    path("manage/branches/", branches.branch_list, name="branch_list"),
    path("manage/branches/import/", branches.branch_import_page, name="branch_import"),
    path("manage/branches/<int:pk>/", branches.branch_detail, name="branch_detail"),
    path("manage/editions/new/", editions.edition_create, name="edition_create"),
    path("manage/editions/<slug:slug>/", editions.edition_overview, name="edition_overview"),
    path(
        "manage/editions/<slug:slug>/settings/",
        editions.edition_settings,
        name="edition_settings",
    ),
    path(
        "manage/editions/<slug:slug>/templates/",
        editions.edition_templates,
        name="edition_templates",
    ),
    path("manage/editions/<slug:slug>/clone/", editions.edition_clone, name="edition_clone"),
    path("manage/editions/<slug:slug>/review/", review.review_queue, name="review_queue"),
    path(
        "manage/editions/<slug:slug>/review/approve/",
        review.review_bulk_approve,
        name="review_bulk_approve",
    ),
    path("manage/editions/<slug:slug>/staffing/", coordinate.staffing_overview, name="staffing"),
    path("manage/editions/<slug:slug>/register/", sites.site_register, name="site_register"),
    # A site and its workflow.
    path("manage/sites/<int:pk>/", sites.site_manage, name="site_manage"),
    path("manage/sites/<int:pk>/edit/", sites.site_edit, name="site_edit"),
    # The host of the site (at an azc: COA) and their consent.
    path("manage/sites/<int:pk>/host/", hosts.site_host, name="site_host"),
    path("manage/sites/<int:pk>/submit/", sites.site_submit_view, name="site_submit"),
    path("manage/sites/<int:pk>/publish/", sites.site_publish_view, name="site_publish"),
    path("manage/sites/<int:pk>/send-back/", sites.site_send_back_view, name="site_send_back"),
    path("manage/sites/<int:pk>/cancel/", sites.site_cancel_view, name="site_cancel"),
    # Coordinators: their sites, shift planning, rosters.
    path("coordinate/", coordinate.coordinate, name="coordinate"),
    path("coordinate/understaffed/", coordinate.understaffed, name="understaffed"),
    path("coordinate/sites/<int:pk>/shifts/", shifts.site_shifts, name="site_shifts"),
    path("coordinate/sites/<int:pk>/shifts/series/", shifts.shift_series, name="shift_series"),
    path("coordinate/sites/<int:pk>/roster/", roster.roster, name="roster"),
    path("coordinate/sites/<int:pk>/roster.csv", roster.roster_csv, name="roster_csv"),
    path(
        "coordinate/sites/<int:pk>/roster/share-address/",
        roster.share_address,
        name="share_address",
    ),
    path(
        "coordinate/sites/<int:pk>/roster/attendance/",
        attendance.roster_attendance,
        name="roster_attendance",
    ),
    # The site lead is appointed by the site's coordinators, never claimed.
    path("coordinate/shifts/<int:pk>/lead/", roster.lead_appoint, name="lead_appoint"),
    path("coordinate/shifts/<int:pk>/edit/", shifts.shift_edit, name="shift_edit"),
    path("coordinate/shifts/<int:pk>/delete/", shifts.shift_delete, name="shift_delete"),
]
