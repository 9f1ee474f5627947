"""Going back to where the person came from (`next`), safely."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, target: str | None, default: str) -> str:
    """`target` when it is a path on this site (`/my/shifts/?x=1`), else `default`.

    Only absolute paths are accepted: a bare word such as `abc` would otherwise be read
    by `django.shortcuts.redirect` as the name of a URL pattern (a 500), and a full URL
    could send the person to another site.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def redirect_to_next(request, target: str | None, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next_url(request, target, default))
