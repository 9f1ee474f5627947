"""Writing to the volunteers of a shift, a site, a branch's sites in an edition, or a
whole edition (`volunteers.messages`), and the list of what was written.

- `/coordinate/messages/new/?shift=<id>` | `?site=<id>` | `?event=<slug>&branch=<id>` |
  `?event=<slug>` (organisers: every site of the edition);
- `/coordinate/messages/`: the messages to the volunteers of the person's branches (all,
  for organisers), with how many they went to and how many were sent;
- `/coordinate/messages/<id>/`: one message and its recipients.
"""

import re

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.roles import coordinated_branch_ids, is_organiser
from common.errors import DomainError
from common.forms import show_errors
from common.languages import language_name
from events.extensions import Link
from events.models import Event, Shift
from events.selectors import shift_for, site_for
from locations.models import Branch

from ..messages import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Audience,
    MessageNotAllowed,
    Target,
    may_write,
    message_audience,
    message_send,
    messages_visible_to,
    reachable,
)
from ..models import Message

ID = re.compile(r"[0-9]{1,18}")


class MessageForm(forms.Form):
    audiences = forms.MultipleChoiceField(
        label=gettext_lazy("To the volunteers"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Audience.CONFIRMED],
    )
    language = forms.ChoiceField(label=gettext_lazy("Written in"), choices=())
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [code for code, _name in settings.LANGUAGES]
        self.fields["language"].choices = [(code, language_name(code)) for code in codes]
        self.fields["language"].initial = language
        self.version_codes = codes
        for code in codes:
            self.fields[f"{code}_subject"] = forms.CharField(
                label=_("Subject"),
                max_length=SUBJECT_MAX_LENGTH,
                required=False,
                widget=forms.TextInput(attrs={"dir": "auto", "lang": code}),
            )
            self.fields[f"{code}_body"] = forms.CharField(
                label=_("Message"),
                max_length=BODY_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 6, "dir": "auto", "lang": code}),
            )

    def versions(self) -> list[dict]:
        """The "add a version in …" parts of the form, one per language."""
        return [
            {
                "code": code,
                "name": language_name(code),
                "subject": self[f"{code}_subject"],
                "body": self[f"{code}_body"],
                "open": bool(self.data.get(f"{code}_subject") or self.data.get(f"{code}_body")),
            }
            for code in self.version_codes
        ]

    def cleaned_versions(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            code: {"subject": data.get(f"{code}_subject", ""), "body": data.get(f"{code}_body", "")}
            for code in self.version_codes
            if code != data.get("language")
            and (data.get(f"{code}_subject") or data.get(f"{code}_body"))
        }


def _target(request: HttpRequest) -> Target:
    """The target named by the query: a shift, a site, a branch in an edition, or an
    edition. Something the person may not even see is not found (404)."""
    query = request.GET
    user = request.user
    if ID.fullmatch(query.get("shift", "")):
        return Target.for_shift(shift_for(user, int(query["shift"])))
    if ID.fullmatch(query.get("site", "")):
        return Target.for_site(site_for(user, int(query["site"])))
    slug = query.get("event", "")
    if slug:
        event = get_object_or_404(Event, slug=slug)
        if ID.fullmatch(query.get("branch", "")):
            return Target.for_branch(event, get_object_or_404(Branch, pk=int(query["branch"])))
        if not is_organiser(user):
            # A coordinator of one branch means their branch's sites.
            branches = sorted(coordinated_branch_ids(user))
            if len(branches) == 1:
                return Target.for_branch(event, Branch.objects.get(pk=branches[0]))
        return Target.for_edition(event)
    raise Http404


def _describe(target: Target) -> str:
    if target.shift is not None:
        return _("the volunteers of the shift %(role)s at %(site)s") % {
            "role": target.shift.get_role_display(),
            "site": target.site.display_name,
        }
    if target.site is not None:
        return _("the volunteers of %(site)s") % {"site": target.site.display_name}
    if target.branch is not None:
        return _("the volunteers of every site of %(branch)s on %(event)s") % {
            "branch": target.branch.name,
            "event": target.event.name,
        }
    return _("the volunteers of every site on %(event)s") % {"event": target.event.name}


def _writer_language(request: HttpRequest) -> str:
    chosen = getattr(request.user, "language", "")
    codes = [code for code, _name in settings.LANGUAGES]
    if chosen in codes:
        return chosen
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in codes else settings.LANGUAGE_CODE


@login_required
def message_compose(request: HttpRequest) -> HttpResponse:
    """Write to the volunteers of a shift, a site, a branch's sites or an edition."""
    target = _target(request)
    if not may_write(request.user, target):
        raise PermissionDenied(MessageNotAllowed().detail)
    form = MessageForm(request.POST or None, language=_writer_language(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = message_send(
                target=target,
                by=request.user,
                audiences=data["audiences"],
                subject=data["subject"],
                body=data["body"],
                language=data["language"],
                versions=form.cleaned_versions(),
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            count = message.recipients.filter(by_mail=True).count()
            flash.success(
                request,
                ngettext(
                    "Your message is being sent to %(count)d volunteer.",
                    "Your message is being sent to %(count)d volunteers.",
                    count,
                )
                % {"count": count},
            )
            return redirect("volunteers:message_detail", pk=message.pk)
    groups = []
    for value, label in Audience.choices:
        people = message_audience(target=target, audiences=[value])
        groups.append({"value": value, "label": label, "count": len(people)})
    everyone = message_audience(target=target, audiences=list(Audience.values))
    unreachable = [person for person in everyone if not reachable(person)]
    shifts = []
    if target.site is not None and target.shift is None:
        shifts = list(Shift.objects.filter(site=target.site).order_by("starts_at", "role", "pk"))
    return render(
        request,
        "volunteers/messages/compose.html",
        {
            "target": target,
            "described": _describe(target),
            "form": form,
            "groups": groups,
            "unreachable": unreachable,
            "shifts": shifts,
            "site_cancelled": target.site is not None and target.site.is_cancelled,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    """The messages to the volunteers of the person's branches (all, for organisers)."""
    user = request.user
    if not (is_organiser(user) or coordinated_branch_ids(user)):
        raise PermissionDenied
    rows = messages_visible_to(user).annotate(
        recipient_count=Count("recipients"),
        sent_count=Count("recipients", filter=Q(recipients__sent_at__isnull=False)),
    )[:200]
    compose_links = []
    upcoming = Event.objects.order_by("-date")[:3]
    for event in upcoming:
        if is_organiser(user):
            compose_links.append((event, None, _message_url(event=event.slug)))
        for branch in Branch.objects.filter(pk__in=coordinated_branch_ids(user)).order_by("name"):
            compose_links.append((event, branch, _message_url(event=event.slug, branch=branch.pk)))
    return render(
        request,
        "volunteers/messages/list.html",
        {"rows": rows, "compose_links": compose_links},
    )


def _message_url(**query) -> str:
    return reverse("volunteers:message_compose") + "?" + urlencode(query)


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message: its text, its versions, and each recipient with when it was sent."""
    message = get_object_or_404(messages_visible_to(request.user), pk=pk)
    recipients = message.recipients.select_related("volunteer__user").order_by(
        "volunteer__user__first_name", "volunteer__user__last_name", "pk"
    )
    return render(
        request,
        "volunteers/messages/detail.html",
        {
            "message": message,
            "recipients": recipients,
            "versions": [
                (language_name(code), version) for code, version in message.versions.items()
            ],
            "language": language_name(message.language),
            "audiences": [label for value, label in Audience.choices if value in message.audiences],
            "scope": Message.Scope(message.scope).label,
        },
    )


# --- Links on the pages of sites and editions (`events.extensions`) --------------------------


def site_message_link(*, user, site) -> list[Link]:
    """On a site's roster and management page: write to its volunteers (also of a
    cancelled site: they need to hear about it)."""
    if not may_write(user, Target.for_site(site)):
        return []
    return [Link(_("Write to the volunteers"), _message_url(site=site.pk))]


def edition_message_links(*, user, event) -> list[Link]:
    """On an edition's pages: organisers write to every site's volunteers, coordinators
    to those of their branch's sites."""
    if is_organiser(user):
        return [Link(_("Write to the volunteers of every site"), _message_url(event=event.slug))]
    branches = Branch.objects.filter(
        pk__in=coordinated_branch_ids(user), sites__event=event
    ).distinct()
    return [
        Link(
            _("Write to the volunteers of %(branch)s") % {"branch": branch.name},
            _message_url(event=event.slug, branch=branch.pk),
        )
        for branch in branches.order_by("name")
    ]
