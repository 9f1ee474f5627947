"""Django's error handlers (`handler404`, `handler500` in config/urls.py).

- Under `/api/` an unknown URL answers in the API's error format
  (`{"code": "not_found", "detail": ...}`, JSON), as every other API error does; pages
  keep Django's HTML 404. So does a request Django refuses before a view sees it (a body
  over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 `request_too_large`; others 400).
- An unreachable database answers 503 with Retry-After instead of 500 (see
  `common.db_unavailable`), also when the error was raised outside a view.
- A refused CSRF check (`CSRF_FAILURE_VIEW`: a form left open while the person logged out
  and in again elsewhere, or a page kept open for days) explains itself in the site's own
  layout and language instead of Django's page for developers.
"""

import sys
from urllib.parse import urlsplit

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found as default_page_not_found
from django.views.defaults import server_error as default_server_error

from .api import suspicious_request_answer
from .db_unavailable import is_database_unavailable, unavailable_response
from .redirects import safe_next_url


@requires_csrf_token
def bad_request(request, exception, template_name: str = "400.html"):
    if request.path.startswith("/api/"):
        if not isinstance(exception, SuspiciousOperation):
            exception = SuspiciousOperation()
        body, status = suspicious_request_answer(exception)
        return JsonResponse(body, status=status)
    return default_bad_request(request, exception, template_name)


@requires_csrf_token
def page_not_found(request, exception, template_name: str = "404.html"):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return default_page_not_found(request, exception, template_name)


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return unavailable_response(request)
    try:
        return default_server_error(request, template_name)
    except Exception:  # the 500 page itself must never fail
        return HttpResponseServerError(b"<h1>Server Error (500)</h1>", content_type="text/html")


def csrf_failure(request, reason: str = ""):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "csrf_failed",
                "detail": _("The request was refused (CSRF check): load the page again."),
            },
            status=403,
        )
    # Back to the page the form was on, when that page is on this site.
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    back = ""
    if referer.netloc == request.get_host():
        path = referer.path + (f"?{referer.query}" if referer.query else "")
        back = safe_next_url(request, path, "")
    return render(request, "403_csrf.html", {"back": back}, status=403)
