"""The scene and the list of every page type that the whole-site browser tests walk: the
right-to-left layout (test_rtl_layout.py) and the accessibility audit (test_accessibility.py).

`pages()` names each page type once, with the least role that opens it; the `scene` fixture
(conftest.py) builds what they show.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from common import clock
from events.models import Shift, Site, SiteHost
from events.services.attendance import check_in_code_for
from tallies.public_results import results_publish
from tests.browser.conftest import log_in
from tests.conftest import on_event_day
from tests.factories import make_signup
from tests.tallies.conftest import confirm_shift, make_site, make_today_event
from volunteers.helpers import HelperDetails, helper_add, new_form_key
from volunteers.invitations import invitation_create
from volunteers.messages import Target, message_send

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class Scene:
    """What the pages show: a coordinator, an organiser, a site with shifts (one today,
    for the counter) and a volunteer with sign-ups."""

    coordinator: object
    organiser: object
    volunteer: object
    site: Site
    today_site: Site
    shift: object
    open_shift: object
    location: object
    invitation: object
    helper: object
    check_in_code: object
    message: object


def build_scene(coordinator, organiser, volunteer, site, shift, location, branch) -> Scene:
    # Text that a right-to-left page scrambles unless it is isolated: a name that starts
    # or ends with a sign ("!’t Hoekje"), a postcode ("AB 3511"), a surname in Arabic
    # script next to a Dutch first name.
    site.name = "’t Hoekje (noord)!"
    site.public_description = "Kom langs! Koffie, thee en muziek.\nتفضلوا بزيارتنا."
    site.save()
    volunteer.last_name = "حداد"
    volunteer.save()
    make_signup(shift, volunteer.volunteer)
    # The azc's host and their house rules: on the roster, the site's page for
    # coordinators, the host page and the volunteer's shifts.
    SiteHost.objects.create(
        site=site,
        organisation="COA",
        contact_name="Anna de Vries",
        contact_phone="+31 6 12345678",
        contact_email="anna@coa.example",
        consent_given_by_name="Anna de Vries",
        consent_given_by_role="locatiemanager",
        consent_given_on=clock.today(),
        consent_recorded_by=coordinator,
        consent_recorded_at=clock.now(),
        no_photos_inside=True,
        visitor_limit=150,
        id_required=True,
        other_conditions="Slaapkamers blijven dicht.\nلا تصوير في الداخل.",
    )
    today_site = make_site(make_today_event(), location, branch)
    confirm_shift(volunteer, today_site)
    # Today's results are public: the results page and its embed, live.
    results_publish(event=today_site.event, by=organiser)
    # A shift on now, whatever the hour the tests run: the QR check-in page offers it.
    now = clock.now()
    make_signup(
        Shift.objects.create(
            site=today_site,
            role=Shift.Role.RECEPTION,
            starts_at=now - datetime.timedelta(minutes=15),
            ends_at=now + datetime.timedelta(hours=2),
            capacity=3,
        ),
        volunteer.volunteer,
    )
    open_shift = Shift.objects.create(
        site=site,
        role=Shift.Role.TOUR_GUIDE,
        starts_at=on_event_day(14),
        ends_at=on_event_day(16),
        capacity=2,
    )
    # A helper without an e-mail address, an Eritrean name in two scripts, and the
    # site's invitation link.
    helper = helper_add(
        shift=open_shift,
        details=HelperDetails(name="ሰላም Tesfay", language="ar", phone="06 12345678"),
        by=coordinator,
        form_key=new_form_key(),
    ).volunteer
    return Scene(
        coordinator=coordinator,
        organiser=organiser,
        volunteer=volunteer,
        site=site,
        today_site=today_site,
        shift=shift,
        open_shift=open_shift,
        location=location,
        invitation=invitation_create(site=site, by=coordinator),
        helper=helper,
        # The day itself: the today site's check-in code, and a message to its volunteers.
        check_in_code=check_in_code_for(
            today_site, day=timezone.localdate(today_site.opens_at), by=coordinator
        ),
        message=message_send(
            target=Target.for_site(today_site),
            by=coordinator,
            audiences=["confirmed"],
            subject="Koffie om 9 uur",
            body="Tot morgen bij ’t Hoekje!\nنراكم غداً.",
            language="nl",
        ),
    )


def pages(scene: Scene) -> list[tuple[str, object, str]]:
    """(name, who, path) of every page type; `who` None is a visitor without an account."""
    site, slug = scene.site, scene.site.event.slug
    coordinator, organiser, volunteer = scene.coordinator, scene.organiser, scene.volunteer
    return [
        ("home", None, reverse("events:home")),
        ("edition", None, reverse("events:event_detail", args=[slug])),
        ("map", None, reverse("events:map")),
        ("map-embed", None, reverse("events:map_embed")),
        ("results", None, reverse("tallies:public_results", args=[scene.today_site.event.slug])),
        (
            "results-embed",
            None,
            reverse("tallies:public_results_embed", args=[scene.today_site.event.slug]),
        ),
        ("site", None, reverse("events:site_detail", args=[site.pk])),
        ("shifts", None, reverse("volunteers:shift_list")),
        ("shift-search", None, reverse("volunteers:shift_list") + "?town=Utrecht"),
        ("log-in", None, reverse("account_login")),
        ("sign-up", None, reverse("account_signup")),
        ("password-reset", None, reverse("account_reset_password")),
        ("not-found", None, "/no-such-page/"),
        ("my-shifts", volunteer, reverse("volunteers:my_shifts")),
        ("profile", volunteer, reverse("volunteers:profile")),
        ("shifts-signed-in", volunteer, reverse("volunteers:shift_list") + f"?site={site.pk}"),
        ("claim", volunteer, reverse("volunteers:shift_claim", args=[scene.open_shift.pk])),
        ("release", volunteer, reverse("volunteers:shift_release", args=[scene.shift.pk])),
        ("counter", volunteer, reverse("tallies:site_counter", args=[scene.today_site.pk])),
        ("account-delete", volunteer, reverse("volunteers:account_delete")),
        ("api-token", volunteer, reverse("account_api_token")),
        ("log-out", volunteer, reverse("account_logout")),
        ("coordinate", coordinator, reverse("events:coordinate")),
        ("understaffed", coordinator, reverse("events:understaffed")),
        ("site-shifts", coordinator, reverse("events:site_shifts", args=[site.pk])),
        ("shift-series", coordinator, reverse("events:shift_series", args=[site.pk])),
        ("shift-edit", coordinator, reverse("events:shift_edit", args=[scene.shift.pk])),
        ("shift-delete", coordinator, reverse("events:shift_delete", args=[scene.shift.pk])),
        ("roster", coordinator, reverse("events:roster", args=[site.pk])),
        ("manage", coordinator, reverse("events:manage_index")),
        ("site-manage", coordinator, reverse("events:site_manage", args=[site.pk])),
        ("site-edit", coordinator, reverse("events:site_edit", args=[site.pk])),
        ("site-host", coordinator, reverse("events:site_host", args=[site.pk])),
        ("locations", coordinator, reverse("locations:list")),
        ("location-new", coordinator, reverse("locations:create")),
        ("location-edit", coordinator, reverse("locations:edit", args=[scene.location.pk])),
        ("tally-audit", coordinator, reverse("tallies:site_tally_audit", args=[site.pk])),
        ("appeal", coordinator, reverse("volunteers:site_appeal", args=[site.pk])),
        ("helpers", coordinator, reverse("volunteers:site_helpers", args=[site.pk])),
        (
            "helper",
            coordinator,
            reverse("volunteers:site_helper", args=[site.pk, scene.helper.pk]),
        ),
        ("invitation", coordinator, reverse("volunteers:invitation", args=[site.pk])),
        ("join", None, reverse("volunteers:join", args=[scene.invitation.token])),
        ("helper-page", None, reverse("volunteers:helper_page", args=[scene.helper.link_token])),
        ("dashboards", organiser, reverse("tallies:dashboard_index")),
        ("dashboard", organiser, reverse("tallies:dashboard", args=[slug])),
        ("impact-report", organiser, reverse("tallies:impact_report", args=[slug])),
        ("edition-manage", organiser, reverse("events:edition_overview", args=[slug])),
        ("edition-new", organiser, reverse("events:edition_create")),
        ("edition-settings", organiser, reverse("events:edition_settings", args=[slug])),
        ("edition-templates", organiser, reverse("events:edition_templates", args=[slug])),
        ("edition-clone", organiser, reverse("events:edition_clone", args=[slug])),
        ("review", organiser, reverse("events:review_queue", args=[slug])),
        ("staffing", organiser, reverse("events:staffing", args=[slug])),
        ("site-register", organiser, reverse("events:site_register", args=[slug])),
        ("site-cancel", organiser, reverse("events:site_cancel", args=[site.pk])),
        ("site-send-back", organiser, reverse("events:site_send_back", args=[site.pk])),
        # The action day itself (issue 16) and branches in bulk.
        ("check-in", volunteer, reverse("volunteers:check_in", args=[scene.check_in_code.token])),
        (
            "check-in-code",
            coordinator,
            reverse("volunteers:check_in_code", args=[scene.today_site.pk]),
        ),
        ("site-state", coordinator, reverse("events:site_state", args=[scene.today_site.pk])),
        (
            "control-room",
            organiser,
            reverse("tallies:control_room", args=[scene.today_site.event.slug]),
        ),
        ("messages", coordinator, reverse("volunteers:message_list")),
        (
            "message-new",
            coordinator,
            reverse("volunteers:message_compose") + f"?site={scene.today_site.pk}",
        ),
        ("message", coordinator, reverse("volunteers:message_detail", args=[scene.message.pk])),
        ("branches", organiser, reverse("events:branch_list")),
        ("branch", organiser, reverse("events:branch_detail", args=[site.branch_id])),
        ("branch-import", organiser, reverse("events:branch_import")),
        # Kinds of action day and what is counted at them (issue 19, item 2).
        ("kinds", organiser, reverse("tallies:kind_list")),
        ("kind-new", organiser, reverse("tallies:kind_new")),
        ("kind-edit", organiser, reverse("tallies:kind_edit", args=["open_day"])),
        (
            "category-delete",
            organiser,
            reverse("tallies:category_delete", args=["open_day", "children"]),
        ),
        # Past editions from a spreadsheet (issue 19).
        ("history-import", organiser, reverse("tallies:history_import")),
    ]


def new_context(browser, live_server, language: str, viewport: dict):
    """A browser that asks for `language`: Arabic by the browser's own language (the
    Accept-Language header), the others by Django's language cookie, which wins."""
    by_cookie = language != "ar"
    context = browser.new_context(
        viewport=viewport,
        locale="nl-NL" if by_cookie else language,
        timezone_id="Europe/Amsterdam",
    )
    context.set_default_timeout(15_000)
    if settings.TEST_CLOCK:
        context.clock.install(time=datetime.datetime.now(datetime.UTC))
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    return context, by_cookie


def sign_in_as(page, live_server, user, language: str, by_cookie: bool) -> None:
    page.context.clear_cookies()
    if by_cookie:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
    if user is not None:
        log_in(page, live_server, user)
