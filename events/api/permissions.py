"""Who may write through the API. Reading is public (`IsAuthenticatedOrReadOnly` lets
anyone read and only signed-in users write); each write then asks the rule-book
(`events/rules.py`) through `user.has_perm(permission, object)`."""

from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticatedOrReadOnly


class _ManageObject(BasePermission):
    permission: str = ""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return request.user.has_perm(self.permission, obj)


class ManageSite(_ManageObject):
    """Writes need `events.manage_site` on the site (or on the branch, to register one):
    organisers, and coordinators of the site's branch."""

    permission = "events.manage_site"


class ManageShift(_ManageObject):
    """Writes need `events.manage_shift` on the shift (or on its site, to plan one)."""

    permission = "events.manage_shift"


SITE_PERMISSIONS = [IsAuthenticatedOrReadOnly, ManageSite]
SHIFT_PERMISSIONS = [IsAuthenticatedOrReadOnly, ManageShift]
