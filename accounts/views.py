"""The signed-in person's own account pages beside allauth's: their API token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .selectors import api_token_expires_at, api_token_is_expired, api_token_of
from .services import api_token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Whether the person has an API token, since when and until when (never the token
    itself: it was shown once, to the program that asked for it); POST revokes it."""
    if request.method == "POST":
        if api_token_revoke(user=request.user):
            messages.success(
                request,
                _("Your API token has been revoked. A program using it is no longer signed in."),
            )
        return redirect("account_api_token")
    token = api_token_of(request.user)
    context = {"token": token}
    if token is not None:
        context["expires_at"] = api_token_expires_at(token)
        context["expired"] = api_token_is_expired(token)
    return render(request, "accounts/api_token.html", context)
