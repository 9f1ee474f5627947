"""What every management page of this app does the same way: refuse who may not use it,
send people back where they came from, and set up the small maps."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from common.redirects import safe_next_url


def require(user, permission: str, obj=None) -> None:
    """403 unless `user` has `permission` (on `obj`)."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied


def permission_required(permission: str):
    """Signed-in users only (others go to the log-in page), then `permission` (403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, permission)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The page to go back to (`next`, when it is on this site), else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_url(request, target, fallback)


def map_context() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
