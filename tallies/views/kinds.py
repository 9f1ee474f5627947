"""The kinds of action day and what is counted at them, under `/manage/kinds/`
(national organisers only, `events.manage_event`): the list, a new kind, one kind with
its default shifts and categories, and deleting a category that has no counts. The
services (`tallies.kinds_editing`) decide; their errors are shown beside the fields."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import DomainError, InvalidInput
from common.forms import show_errors
from events.forms.editions import TemplateFormSet
from events.models import ActionKind
from events.services.editions import TemplateSpec
from events.views.access import require

from ..categories import categories_of, category_in_use
from ..forms_kinds import KindForm, category_formset, category_initial, kind_initial
from ..kinds_editing import category_delete, kind_create, kind_update
from ..models import Category

PERMISSION = "events.manage_event"


def _template_initial(kind: ActionKind | None) -> list[dict]:
    if kind is None:
        return []
    return [
        {
            "role": spec.role,
            "starts_at": spec.starts_at,
            "ends_at": spec.ends_at,
            "capacity": spec.capacity,
        }
        for spec in (TemplateSpec.from_data(row) for row in kind.shift_templates)
    ]


def _show(error: DomainError, form, templates, categories) -> list[str]:
    """Each message beside its field: the kind's on `form`, `categories-<n>-<field>` on
    the n-th filled category row. Returns those about the default shifts and about the
    categories as a whole, which the page shows above those parts."""
    if not isinstance(error, InvalidInput) or not error.field_errors:
        show_errors(form, error)
        return []
    rows = categories.filled()
    kind_errors, above = {}, []
    for name, texts in error.field_errors.items():
        if name.startswith("categories-"):
            _prefix, index, field = name.split("-", 2)
            row = rows[int(index)] if int(index) < len(rows) else None
            for text in texts:
                if row is None:
                    above.append(text)
                else:
                    row.add_error(field if field in row.fields else None, text)
        elif name in ("templates", "categories"):
            above.extend(texts)
        else:
            kind_errors[name] = texts
    if kind_errors:
        show_errors(form, InvalidInput(fields=kind_errors))
    return above


def _edit_page(request, *, kind: ActionKind | None) -> HttpResponse:
    creating = kind is None
    data = request.POST if request.method == "POST" else None
    form = KindForm(data, creating=creating, initial=kind_initial(kind) if kind else None)
    templates = TemplateFormSet(data, initial=_template_initial(kind), prefix="templates")
    existing = categories_of(kind, retired=True) if kind else []
    categories = category_formset(
        data, creating=creating, initial=[category_initial(c) for c in existing]
    )
    problems: list[str] = []
    if data is not None and form.is_valid() and templates.is_valid() and categories.is_valid():
        changes = form.changes()
        try:
            if creating:
                kind = kind_create(
                    by=request.user,
                    slug=form.cleaned_data["slug"],
                    categories=categories.specs(),
                    templates=templates.specs(),
                    **changes,
                )
            else:
                kind = kind_update(
                    kind=kind,
                    by=request.user,
                    categories=categories.specs(),
                    templates=templates.specs(),
                    **changes,
                )
        except DomainError as error:
            problems = _show(error, form, templates, categories)
        else:
            messages.success(
                request,
                (_("%(kind)s has been created.") if creating else _("%(kind)s has been saved."))
                % {"kind": kind.name},
            )
            return redirect("tallies:kind_edit", slug=kind.slug)
    rows = []
    for index, row in enumerate(categories.forms):
        category = existing[index] if index < len(existing) else None
        rows.append(
            {
                "form": row,
                "category": category,
                "deletable": category is not None and not category_in_use(category),
            }
        )
    return render(
        request,
        "tallies/kinds/kind_form.html",
        {
            "kind": kind if not creating else None,
            "form": form,
            "templates": templates,
            "categories": categories,
            "category_rows": rows,
            "problems": problems,
            # Back on the page after sending it: something was refused.
            "failed": data is not None,
        },
    )


@login_required
def kind_list(request: HttpRequest) -> HttpResponse:
    require(request.user, PERMISSION)
    editions = dict(ActionKind.objects.annotate(n=Count("editions")).values_list("slug", "n"))
    kinds = []
    for kind in ActionKind.objects.order_by("-is_active", "position", "slug"):
        kinds.append(
            {
                "kind": kind,
                "categories": categories_of(kind),
                "retired_categories": [
                    c for c in categories_of(kind, retired=True) if c.is_retired
                ],
                "editions": editions.get(kind.slug, 0),
            }
        )
    return render(request, "tallies/kinds/kind_list.html", {"kinds": kinds})


@login_required
def kind_new(request: HttpRequest) -> HttpResponse:
    require(request.user, PERMISSION)
    return _edit_page(request, kind=None)


@login_required
def kind_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, PERMISSION)
    return _edit_page(request, kind=get_object_or_404(ActionKind, slug=slug))


@login_required
def category_delete_page(request: HttpRequest, slug: str, category: str) -> HttpResponse:
    """Asks before deleting; a category with counts is refused (retire it instead)."""
    require(request.user, PERMISSION)
    kind = get_object_or_404(ActionKind, slug=slug)
    found = get_object_or_404(Category, kind=kind, slug=category)
    problem = ""
    if request.method == "POST":
        try:
            category_delete(category=found, by=request.user)
        except DomainError as error:
            problem = error.detail
        else:
            messages.success(
                request, _("%(category)s has been deleted.") % {"category": found.name}
            )
            return redirect("tallies:kind_edit", slug=kind.slug)
    elif category_in_use(found):
        problem = _("%(category)s has counts: retire it instead.") % {"category": found.name}
    return render(
        request,
        "tallies/kinds/category_delete.html",
        {"kind": kind, "category": found, "problem": problem},
        status=409 if problem and request.method == "POST" else 200,
    )
