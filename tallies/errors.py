"""The errors of counting (one stable `code` each)."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class TallyError(DomainError):
    code = "tally_error"


class SiteCancelled(TallyError):
    code = "site_cancelled"
    status_code = 409
    default_message = _("This site is cancelled; nothing can be counted there.")


class SiteNotApproved(TallyError):
    code = "site_not_approved"
    status_code = 409
    default_message = _("This site is not approved (yet); nothing can be counted there.")


class EditionNotPublished(TallyError):
    code = "edition_not_published"
    status_code = 409
    default_message = _("Publish the edition first; its results can then be published.")
