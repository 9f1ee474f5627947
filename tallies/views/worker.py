"""The counter's service worker at `/sw.js` (template `tallies/sw.js`).

It makes the counter open with no connection once it was loaded before: the counter pages
(`/sites/{id}/count/`) network-first with the last copy as the fallback, and the static
files they need (script, styles, the script texts of each language) from a cache. No other
page, no API answer and nothing personal is cached: those requests pass the worker by.

Served from the site root so that its scope covers `/sites/…`; `Cache-Control: no-cache`
so that browsers check it on every visit (a browser also checks at least once a day).
The static files' URLs are rendered in: in production they carry a hash of their content
(whitenoise's manifest storage), so a new release changes these bytes, the browser installs
the new worker and it drops the old files' cache.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from common.access import public

# Workbox's modules (static/vendor/workbox, VERSIONS), loaded by the worker in this order:
# each defines itself on `self.workbox` and uses the ones before it.
WORKBOX_MODULES = ["workbox-core", "workbox-routing", "workbox-strategies"]

# What the counter page loads (tallies/counter.html, templates/base.html, script_texts.html).
COUNTER_STATIC = [
    "css/app.css",
    "favicon.svg",
    "js/intl.js",
    "tallies/counter.css",
    "tallies/counter.js",
]

# The page's path, as a pattern the worker matches (`tallies:site_counter`; a test checks
# that the two agree).
COUNTER_PATH = re.compile(r"^/sites/\d+/count/$")


def worker_config() -> dict:
    """What the worker needs to know, the same for everyone (no user, no session)."""
    static_files = [static(name) for name in COUNTER_STATIC]
    # The script texts are served by a view, under the language's own address.
    catalogues = [
        reverse("javascript-catalog", kwargs={"language": code}) for code, _ in settings.LANGUAGES
    ]
    hashed = isinstance(staticfiles_storage, ManifestFilesMixin)
    version = hashlib.sha256("\n".join(static_files).encode()).hexdigest()[:12]
    return {
        "counterPath": COUNTER_PATH.pattern,
        "staticFiles": static_files,
        "catalogues": catalogues,
        # Hashed names never change content: the cached copy is served first. Names
        # without a hash (development) are asked from the network first.
        "hashedNames": hashed,
        "version": version,
        # A log-in or log-out (a form sent to these addresses) drops the cached pages.
        "forgetPagesOn": [reverse("account_login"), reverse("account_logout")],
    }


@public  # the same file for everyone; nothing personal in it
@require_safe
def service_worker(request):
    imports = [static(f"vendor/workbox/{name}.prod.js") for name in WORKBOX_MODULES]
    response = render(
        request,
        "tallies/sw.js",
        {
            "imports": json.dumps(imports)[1:-1],
            "config": json.dumps(worker_config(), indent=2),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
