"""The host of a site: the organisation whose building it is (at an azc usually COA), the
contact person there, and the host's consent with its house rules.

A model of its own, one row per site, not fields on `Site`: the contact person's name,
phone and e-mail address are a third party's personal data, and a separate row keeps them
out of everything that reads sites (the map, the API, feeds, CSV exports, the site
serialisers) unless a caller asks for them on purpose. The row goes with its site
(`on_delete=CASCADE`). Who may see what is in `events/rules.py`
(`events.view_host_contact`, `events.view_host_conditions`); the changes are
`events.services.hosts`, and the rule that an azc site needs it before review is
`events.services.workflow`.

Imported at the end of `events/models.py`, so that Django finds the model.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from locations.models import Location

OTHER_CONDITIONS_MAX_LENGTH = 1000


def consent_recorded(prefix: str = "") -> Q:
    """The condition for a host row that names the host and holds its consent (who gave
    it, in what role, on what day). `prefix` reaches the row through a relation."""
    return Q(**{f"{prefix}consent_given_on__isnull": False}) & ~(
        Q(**{f"{prefix}organisation": ""})
        | Q(**{f"{prefix}consent_given_by_name": ""})
        | Q(**{f"{prefix}consent_given_by_role": ""})
    )


def needs_host_consent(site) -> bool:
    """Whether `site` may be reviewed only once its host and their consent are recorded:
    a site at an azc (an open day happens in a building run by another organisation)."""
    return site.location.kind == Location.Kind.AZC


def with_host_consent(sites):
    """Annotate `host_consent_recorded` on a queryset of sites (for lists)."""
    return sites.annotate(
        host_consent_recorded=Exists(
            SiteHost.objects.filter(consent_recorded(), site=OuterRef("pk"))
        )
    )


def has_host_consent(site) -> bool:
    """Whether `site` has its host named and their consent recorded (one query, unless
    the site was annotated by `with_host_consent`)."""
    known = getattr(site, "host_consent_recorded", None)
    if known is not None:
        return known
    return SiteHost.objects.filter(consent_recorded(), site_id=site.pk).exists()


def host_of(site) -> "SiteHost | None":
    return SiteHost.objects.filter(site_id=site.pk).select_related("consent_recorded_by").first()


def hosts_of_sites(site_ids) -> dict[int, "SiteHost"]:
    """The host rows of these sites, by site id (one query)."""
    return {host.site_id: host for host in SiteHost.objects.filter(site_id__in=set(site_ids))}


class SiteHost(models.Model):
    """The host organisation of a site, its contact person, and the host's consent."""

    site = models.OneToOneField(
        "events.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="host"
    )
    organisation = models.CharField(_("host organisation"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    consent_given_by_name = models.CharField(_("consent given by"), max_length=150, blank=True)
    consent_given_by_role = models.CharField(
        _("role of the person who gave consent"), max_length=150, blank=True
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    no_photos_inside = models.BooleanField(_("no photos inside"), default=False)
    visitor_limit = models.PositiveIntegerField(_("visitor limit"), null=True, blank=True)
    id_required = models.BooleanField(_("visitors must show ID"), default=False)
    other_conditions = models.TextField(_("other conditions"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site host")
        verbose_name_plural = _("site hosts")
        ordering = ["site"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visitor_limit__isnull=True) | Q(visitor_limit__gt=0),
                name="sitehost_visitor_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.organisation}"

    @property
    def has_consent(self) -> bool:
        return bool(
            self.organisation
            and self.consent_given_on
            and self.consent_given_by_name
            and self.consent_given_by_role
        )

    @property
    def has_conditions(self) -> bool:
        return bool(
            self.no_photos_inside
            or self.visitor_limit
            or self.id_required
            or self.other_conditions.strip()
        )

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)
