"""What the pages about helpers without a log-in share: how they are kept out of caches
and search engines (`private`), and what a claim's outcome says (`placed_message`)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from events import selectors
from events.models import Signup


def private(response: HttpResponse, *, token_in_url: bool = False) -> HttpResponse:
    """A page that holds a secret link or a person's data: kept by no cache, listed by no
    search engine. With `token_in_url` (the pages at `/j/<token>/` and `/me/<token>/`),
    its address is sent nowhere as a referrer either: not to other sites, and not to our
    own server, whose proxy and gunicorn access logs write the Referer of every stylesheet
    and image the page loads. `strict-origin` sends the origin alone, so its forms still
    pass Django's CSRF check (`no-referrer` would make browsers post them with
    `Origin: null`, which the check refuses). The other pages keep the site's policy
    (same-origin): nothing of them reaches another site."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if token_in_url:
        response["Referrer-Policy"] = "strict-origin"
    return response


def placed_message(request: HttpRequest, signup: Signup, *, name: str | None = None) -> None:
    """Say whether the claim got a place or a waitlist position: to the helper themselves,
    or, with `name`, to the coordinator who put that helper on the shift."""
    if signup.is_confirmed:
        if name is None:
            messages.success(request, _("You are signed up. Thank you!"))
        else:
            messages.success(request, _("%(name)s has a place on the shift.") % {"name": name})
        return
    position = selectors.waitlist_position(signup)
    if name is None:
        text = _(
            "The shift is full: you are number %(position)s on its waitlist. When a place "
            "comes free, you move up."
        ) % {"position": position}
    else:
        text = _(
            "The shift is full: %(name)s is number %(position)s on its waitlist and moves up "
            "when a place comes free."
        ) % {"name": name, "position": position}
    messages.warning(request, text)
