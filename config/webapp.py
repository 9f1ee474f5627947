"""The web app manifest: the app installed on a phone's home screen ("Add to home screen").

At `/manifest/<language>.webmanifest`: browsers fetch a manifest without cookies, so the
language is in the address (as for the script texts, `/jsi18n/<language>/`), and
templates/base.html links the page's own. The installed app opens on "My shifts", where
the volunteer finds the counter of the day; the counter itself opens with no connection
through the service worker (`tallies.views.worker`).

It lives in `config` because it names pages of several apps (My shifts of `volunteers`).
"""

from django.http import Http404, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.access import public
from common.languages import is_offered

# The accent of static/css/app.css (--accent), the colour of the page header.
THEME_COLOUR = "#b3003b"
BACKGROUND_COLOUR = "#ffffff"
MAX_AGE = 3600


@public  # the same for everyone
@require_safe
def web_app_manifest(request, language: str):
    if not is_offered(language):
        raise Http404("No such language.")
    with translation.override(language):
        manifest = {
            "id": "/",
            "name": _("Refugee support action days"),
            "short_name": _("Action days"),
            "lang": language,
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
            "start_url": reverse("volunteers:my_shifts"),
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [
                {
                    "src": static("icons/app-192.png"),
                    "sizes": "192x192",
                    "type": "image/png",
                    "purpose": "any",
                },
                {
                    "src": static("icons/app-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any",
                },
                {
                    "src": static("icons/app-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        }
    response = JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Language"] = language
    return response
