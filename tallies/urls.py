from django.urls import path

from .views import counting, dashboard, history, kinds, results, today, worker

app_name = "tallies"

urlpatterns = [
    path("sites/<int:pk>/count/", counting.site_counter, name="site_counter"),
    # The counter's service worker: at the root, so that its scope covers /sites/….
    path("sw.js", worker.service_worker, name="service_worker"),
    path("sites/<int:pk>/tallies/", counting.site_tally_audit, name="site_tally_audit"),
    path("dashboard/", dashboard.dashboard_index, name="dashboard_index"),
    path("dashboard/<slug:slug>/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<slug:slug>/data.json", dashboard.dashboard_data, name="dashboard_data"),
    path(
        "dashboard/<slug:slug>/sites.csv",
        dashboard.dashboard_sites_csv,
        name="dashboard_sites_csv",
    ),
    path(
        "dashboard/<slug:slug>/hours.csv",
        dashboard.dashboard_hours_csv,
        name="dashboard_hours_csv",
    ),
    path("dashboard/<slug:slug>/report/", dashboard.impact_report, name="impact_report"),
    # A past edition from a spreadsheet (organisers). Before `events.urls`, whose
    # `manage/editions/<slug>/` would otherwise take it.
    path(
        "manage/editions/import-history/",
        history.history_import_page,
        name="history_import",
    ),
    path(
        "dashboard/<slug:slug>/results/",
        results.results_publication_change,
        name="results_publication",
    ),
    # An edition's public results, once published, and the live counter partners frame.
    path("results/<slug:slug>/", results.results_page, name="public_results"),
    path("results/<slug:slug>/embed/", results.results_embed, name="public_results_embed"),
    # The control room of an edition on its day (organisers, the branches' coordinators).
    path("manage/editions/<slug:slug>/today/", today.control_room, name="control_room"),
    # Kinds of action day and what is counted at them (organisers).
    path("manage/kinds/", kinds.kind_list, name="kind_list"),
    path("manage/kinds/new/", kinds.kind_new, name="kind_new"),
    path("manage/kinds/<slug:slug>/", kinds.kind_edit, name="kind_edit"),
    path(
        "manage/kinds/<slug:slug>/categories/<slug:category>/delete/",
        kinds.category_delete_page,
        name="category_delete",
    ),
]
