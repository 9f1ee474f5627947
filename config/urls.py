from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.access import public
from common.js_catalogue import javascript_catalogue
from config.webapp import web_app_manifest

# Unknown API URLs and refused API requests answer JSON; an unreachable database answers
# 503 (common/handlers.py).
handler400 = "common.handlers.bad_request"
handler404 = "common.handlers.page_not_found"
handler500 = "common.handlers.server_error"

admin.site.site_header = _("Action days – administration")
admin.site.site_title = _("Action days")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    # The texts of our scripts in one language (common/js_catalogue.py).
    path("jsi18n/<str:language>/", public(javascript_catalogue), name="javascript-catalog"),
    # The app on a phone's home screen (config/webapp.py), in one language.
    path("manifest/<str:language>.webmanifest", web_app_manifest, name="web_app_manifest"),
    path("api/v1/", include("config.api_urls")),
    path(
        "api/schema/",
        public(SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[])),
        name="api_schema",
    ),
    path(
        "api/docs/",
        public(
            # The split view serves its start-up script from `?script` instead of inline,
            # so the page works under our Content-Security-Policy (no inline scripts).
            SpectacularSwaggerSplitView.as_view(
                url_name="api_schema", permission_classes=[], authentication_classes=[]
            )
        ),
        name="api_docs",
    ),
    path("calendar/", include("volunteers.feed_urls")),
    path("locations/", include("locations.urls")),
    path("", include("volunteers.urls")),
    path("", include("tallies.urls")),
    path("", include("events.urls")),
]
