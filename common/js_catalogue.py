"""The texts of our scripts in one language: Django's JavaScript catalogue at `/jsi18n/<lang>/`.

A page loads it with `<script src>` before its own scripts (templates/script_texts.html),
which then call `gettext`, `ngettext`, `pgettext`, `npgettext`, `interpolate` and
`get_format` with the plural rule of the page's language (six forms in Arabic). The
texts are the `djangojs` catalogues of our apps and of `locale/`; a text a catalogue
lacks stays in English, its source (`common.languages.fall_back_to_english`), never in
Dutch.

The language is in the address, not taken from the cookie, so one address always answers
the same script: browsers (and, later, the counter's service worker) keep it, and a page
works on with it when the network is gone. It may be kept for `MAX_AGE` seconds; after
that the browser asks again with its `ETag` and mostly gets a `304`. A new release's texts
thus reach a browser within that time.
"""

import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.http import Http404, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from common.languages import is_offered

MAX_AGE = 3600


def own_packages() -> list[str]:
    """Our apps (those inside the project), not Django's or the libraries': the admin
    has a catalogue of its own, which our scripts do not need."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
        and ".venv" not in Path(config.path).parts
    ]


@require_safe
def javascript_catalogue(request, language: str):
    """The catalogue of `language` as a script; 404 for a language we do not offer."""
    if not is_offered(language):
        raise Http404("No such language.")
    view = JavaScriptCatalog.as_view(packages=own_packages())
    with translation.override(language):
        response = view(request)
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    # The same for everyone: shared caches may keep it too. LocaleMiddleware would name
    # the cookie's language; this script speaks the address's.
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    response["Content-Language"] = language
    return response
