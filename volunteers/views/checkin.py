"""Checking in with a site's QR code of the day.

- `/c/<token>/`: the link in the code a site's coordinator shows or prints. For a signed-in
  person (others log in first and come back here): GET shows the site and their shifts
  there that are open for check-in now, with one big button; POST checks them in
  (`events.services.attendance.check_in_with_code`). A code that was withdrawn or has
  expired is a 410 page that says so, an unknown one a 404; someone with no shift there
  now gets a page that says why, with the way to "My shifts".
- `/coordinate/sites/<id>/check-in-code/`: the code of a day for the site's coordinators
  and organisers, to show on a phone or print: the QR code, the short link, until when it
  works; renew it (the old link stops working) or withdraw it.

The token is the key: these pages are never cached, tell search engines to stay away and
send no referrer with the token (`private`).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from common import clock
from common.errors import DomainError
from events.roles import site_days
from events.selectors import site_for
from events.services import attendance

from ..qr import qr_svg
from .private import private


def _refused(request: HttpRequest, error: DomainError, site=None) -> HttpResponse:
    status = error.status_code if error.status_code in (404, 410) else 409
    response = render(
        request,
        "volunteers/check_in_refused.html",
        {"detail": error.detail, "code": error.code, "site": site},
        status=status,
    )
    return private(response, token_in_url=True)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("token")
def check_in_with_code_view(request: HttpRequest, token: str) -> HttpResponse:
    now = clock.now()
    try:
        code = attendance.code_by_token(token, now)
    except DomainError as error:
        return _refused(request, error)
    if request.method == "POST":
        try:
            rows = attendance.check_in_with_code(token=token, user=request.user, now=now)
        except DomainError as error:
            return _refused(request, error, code.site)
        if rows:
            messages.success(request, _("You are checked in. Welcome, and thank you!"))
        return private(HttpResponseRedirect(request.path), token_in_url=True)
    try:
        signups = attendance.code_signups(code, request.user, now)
    except DomainError as error:
        return _refused(request, error, code.site)
    response = render(
        request,
        "volunteers/check_in.html",
        {
            "site": code.site,
            "signups": signups,
            "all_in": all(
                s.attendance_row is not None and not s.attendance_row.is_no_show for s in signups
            ),
        },
    )
    return private(response, token_in_url=True)


def _code_day(site, raw: str) -> datetime.date:
    """The day asked for (`YYYY-MM-DD`, one of the site's days), else today when it is
    one of them, else the site's first day."""
    first, last = site_days(site)
    try:
        day = datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        day = None
    if day is not None and first <= day <= last:
        return day
    today = clock.today()
    return today if first <= today <= last else first


@login_required
@require_http_methods(["GET", "POST"])
def check_in_code_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A site's check-in code of one day: made on first need (GET), renewed or withdrawn
    (POST `action`)."""
    site = site_for(request.user, pk, "events.take_attendance")
    day = _code_day(site, request.POST.get("day") or request.GET.get("day", ""))
    here = f"{reverse('volunteers:check_in_code', args=[site.pk])}?day={day.isoformat()}"
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "renew":
                attendance.check_in_code_renew(site=site, day=day, by=request.user)
                messages.success(request, _("A new code is ready; the old one no longer works."))
            elif action == "withdraw":
                if attendance.check_in_code_revoke(site=site, day=day, by=request.user):
                    messages.success(request, _("The code has been withdrawn: it no longer works."))
                return private(HttpResponseRedirect(here + "&withdrawn=1"))
        except DomainError as error:
            messages.error(request, error.detail)
        return private(HttpResponseRedirect(here))
    code = attendance.live_code(site, day)
    problem = ""
    if code is None and request.GET.get("withdrawn") != "1":
        try:
            code = attendance.check_in_code_for(site, day=day, by=request.user)
        except DomainError as error:
            problem = error.detail
    link = ""
    if code is not None:
        link = request.build_absolute_uri(reverse("volunteers:check_in", args=[code.token]))
    first, last = site_days(site)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    response = render(
        request,
        "volunteers/check_in_code.html",
        {
            "site": site,
            "day": day,
            "days": days if len(days) > 1 else [],
            "code": code,
            "link": link,
            "qr": qr_svg(link, title=_("QR code to check in")) if code else "",
            "expired": code is not None and code.expires_at <= clock.now(),
            "problem": problem,
        },
    )
    return private(response, token_in_url=True)
