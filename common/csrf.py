"""CSRF protection for the forms of pages sent with `Referrer-Policy: no-referrer`.

Pages whose URL holds a secret (a helper's personal link `/me/<token>/`, a site's
invitation `/j/<token>/`) send no referrer, so that the secret reaches no other site and
no access log through a `Referer` header. A browser then sends `Origin: null` with the
forms of such a page, also to its own site (the Fetch standard serialises the origin of a
POST as "null" under that policy), and Django's CSRF check refuses every one of them as
coming from a foreign origin.

`csrf_protect_without_referrer` keeps Django's check whole (the CSRF token of the form
against the cookie; an Origin naming another site refused) and reads `Origin: null` as
our own origin only when the browser does not say otherwise: `Sec-Fetch-Site`, which
pages cannot set, is `same-origin`, or absent (browsers from before it, which still need
the token). A request from another site says `cross-site` and is refused, as is one from
the same host over plain HTTP (`same-site`).
"""

from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _refusal(request, view, args, kwargs):
    meta = request.META
    if meta.get("HTTP_ORIGIN") == "null" and meta.get("HTTP_SEC_FETCH_SITE", "same-origin") == (
        "same-origin"
    ):
        meta["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
    return CsrfViewMiddleware(lambda _request: None).process_view(request, view, args, kwargs)


def csrf_protect_without_referrer(view):
    """Django's CSRF protection for a view whose pages send no referrer (see above)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            refused = _refusal(request, view, args, kwargs)
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    # Checked above instead of by the middleware, which would refuse `Origin: null`.
    return csrf_exempt(wrapped)
