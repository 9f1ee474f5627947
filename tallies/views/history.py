"""The organisers' page to import a past edition from a spreadsheet, under
`/manage/editions/import-history/` (`tallies.history_import`; README, "Past editions
from a spreadsheet").

Two steps of one uploaded file, as the branch import: the upload is checked (a dry run:
every problem listed by row, and what would be created), then imported on "Import" if it
had no problem. Between the steps the file is kept by `common.uploads` (a private
temporary file named by a signed token, for an hour) and removed once imported. The
edition's name, slug and kind travel with the form; the import checks everything again.
Organisers only.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from common.text import PlainTextValidator
from common.uploads import KeptUploads
from events.extensions import Link
from events.kinds import action_kinds

from ..history_import import HistoryImportConflict, ImportFileError, history_import

TEMPLATE = "tallies/history_import.html"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOADS = KeptUploads(folder_name="history-imports", salt="tallies.history.import")


def _kind_choices() -> list[tuple[str, str]]:
    # Retired kinds too: their past editions may be imported.
    return [(slug, kind.name) for slug, kind in action_kinds().items()]


class HistoryImportForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the edition"),
        max_length=200,
        validators=[PlainTextValidator(gettext_lazy("Name"))],
        help_text=gettext_lazy("For example: Open azc dag 2018."),
    )
    slug = forms.SlugField(
        label=gettext_lazy("Short name in web addresses"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Leave empty to make one from the name. Importing into an edition again: "
            "the same short name."
        ),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("type of action day or of location", "Kind"))
    create_branches = forms.BooleanField(
        label=gettext_lazy("Create the branches the file names that do not exist yet"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()


def history_import_links(*, user) -> list[Link]:
    """ "Import a past edition" beside "New edition", for organisers."""
    if not user.has_perm("tallies.import_history"):
        return []
    return [Link(_("Import a past edition"), reverse("tallies:history_import"))]


def _options(form: HistoryImportForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "slug": data["slug"],
        "kind": data["kind"],
        "create_branches": data["create_branches"],
    }


@login_required
def history_import_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("tallies.import_history"):
        raise PermissionDenied
    max_mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": HistoryImportForm(), "max_mb": max_mb})

    form = HistoryImportForm(request.POST)
    context: dict = {"form": form, "max_mb": max_mb}

    def refuse(message: str) -> HttpResponse:
        context["error"] = message
        return render(request, TEMPLATE, context, status=400)

    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)

    if "token" in request.POST:
        kept = UPLOADS.kept(request.POST["token"], user)
        if kept is None:
            return refuse(
                _(
                    "The checked file is no longer at hand (after an hour it is dropped): "
                    "upload it again."
                )
            )
        digest, data = kept
        try:
            report = history_import(data=data, by=user, **_options(form))
        except (ImportFileError, HistoryImportConflict) as error:
            return refuse(error.detail)
        if not report.written:
            context.update(report=report, token=request.POST["token"], refused=True)
            return render(request, TEMPLATE, context, status=400)
        UPLOADS.drop(digest)
        if report.changed:
            messages.success(
                request,
                _(
                    "Imported %(name)s: %(sites)s new sites, %(entries)s totals and "
                    "%(corrections)s corrections."
                )
                % {
                    "name": report.name,
                    "sites": report.sites_created,
                    "entries": report.entries_created,
                    "corrections": report.corrections,
                },
            )
        else:
            messages.info(request, _("Nothing changed: the edition is as the file says."))
        return redirect(reverse("tallies:dashboard", args=[report.slug]))

    upload = request.FILES.get("file")
    if upload is None:
        return refuse(_("Choose a CSV or Excel file to check."))
    if upload.size > MAX_UPLOAD_BYTES:
        return refuse(
            ngettext(
                "The file is larger than %(count)d MB.",
                "The file is larger than %(count)d MB.",
                max_mb,
            )
            % {"count": max_mb}
        )
    data = upload.read()
    try:
        report = history_import(data=data, by=user, dry_run=True, **_options(form))
    except (ImportFileError, HistoryImportConflict) as error:
        return refuse(error.detail)
    context.update(report=report, filename=upload.name)
    if not report.problems:
        context["token"] = UPLOADS.keep(data, user)
    return render(request, TEMPLATE, context)
