"""The layers hold at run time too, not only on the import graph (which `lint-imports`
checks, see .importlinter): no app reaches another app's model, status, permission, URL,
template or static file by a string that sidesteps the imports.

Layers, lowest first (README, "Layout"): common, locations, accounts, events, then
tallies and volunteers side by side (neither may name the other), then demo and config.
A module may name what belongs to its own app or to a lower layer. Each rule is tested
against the code and against a snippet that breaks it, so a checker that cannot fail
fails here.
"""

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RANK = {
    "common": 0,
    "locations": 1,
    "accounts": 2,
    "events": 3,
    "tallies": 4,
    "volunteers": 4,
    "demo": 5,
    "config": 6,
}
APPS = [app for app in RANK if (ROOT / app).is_dir()]
# URL namespaces and the app that owns them.
NAMESPACES = {
    "events": "events",
    "events_api": "events",
    "tallies": "tallies",
    "tallies_api": "tallies",
    "volunteers": "volunteers",
    "volunteers_api": "volunteers",
    "calendar": "volunteers",
    "locations": "locations",
}
STATUS_KEYWORD = re.compile(r"^(\w+__)*(from_|to_)?status(__in)?$")


def may_name(app: str, other: str) -> bool:
    """Whether code of `app` may name something of `other`."""
    if other not in RANK or app == other:
        return True
    return RANK[other] < RANK[app]


def python_files(app: str):
    # Migrations (and their helpers) work on historical models, which they must load by
    # name.
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts and path.name != "migration_helpers.py":
            yield path


def template_files(app: str):
    for suffix in ("*.html", "*.txt"):
        yield from sorted((ROOT / app / "templates").rglob(suffix))


# --- The checks, each on the source text of one file ---------------------------------------


def model_back_doors(app: str, source: str) -> list[str]:
    """Models reached without importing them: `apps.get_model`, `related_model`, and the
    `_meta` of another app's model."""
    problems = []
    tree = ast.parse(source)
    foreign_models = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.endswith(".models")
        and node.module.split(".")[0] != app
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"get_model", "related_model"}:
            problems.append(f"line {node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "_meta"
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign_models
        ):
            problems.append(f"line {node.lineno}: {node.value.id}._meta")
    return problems


def _is_text(node) -> bool:
    # The empty text is "no status" (the first entry of a site's history), not a status.
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != ""


def _texts(node) -> bool:
    if _is_text(node):
        return True
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and any(_is_text(e) for e in node.elts)


def status_literals(source: str) -> list[str]:
    """A status written as a string (`status="confirmed"`, `signup.status == "waitlisted"`)
    instead of the model's choices (`Signup.Status.CONFIRMED`, `signup.is_waitlisted`)."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        is_status = isinstance(node, ast.keyword) and node.arg and STATUS_KEYWORD.match(node.arg)
        if is_status and _texts(node.value):
            problems.append(f"line {node.value.lineno}: {node.arg}=<text>")
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            names_status = any(
                isinstance(side, ast.Attribute) and side.attr.endswith("status") for side in sides
            )
            if names_status and any(_texts(side) for side in sides):
                problems.append(f"line {node.lineno}: status compared with text")
    return problems


PERMISSION = re.compile(r"""has_perm\(\s*["']([a-z_]+)\.[a-z_]+["']|perms\.([a-z_]+)\.[a-z_]+""")
URL_NAME = re.compile(r"""(?:\{%\s*url|reverse\(|redirect\()\s*["']([a-z_]+):[a-z_]+["']""")
TEMPLATE_NAME = re.compile(
    r"""(?:\{%\s*(?:include|extends)|render\(\s*request,|render_to_string\(|_template=)\s*"""
    r"""f?["']([a-z_]+)/"""
)
STATIC_NAME = re.compile(r"""\{%\s*static\s+["']([a-z_]+)/""")


def named_apps(source: str) -> list[tuple[str, str]]:
    """(what, app) for every permission, URL, template and static file named in `source`."""
    found = [("permission", a or b) for a, b in PERMISSION.findall(source)]
    found += [("url", NAMESPACES.get(ns, ns)) for ns in URL_NAME.findall(source)]
    found += [("template", app) for app in TEMPLATE_NAME.findall(source)]
    found += [("static", app) for app in STATIC_NAME.findall(source)]
    return found


def upward_names(app: str, source: str) -> list[str]:
    return [f"{what} of {other}" for what, other in named_apps(source) if not may_name(app, other)]


# --- The code keeps the rules ---------------------------------------------------------------


@pytest.mark.parametrize("app", APPS)
def test_no_model_is_reached_by_a_string(app):
    problems = {
        str(path.relative_to(ROOT)): found
        for path in python_files(app)
        if (found := model_back_doors(app, path.read_text(encoding="utf-8")))
    }
    assert problems == {}


@pytest.mark.parametrize("app", APPS)
def test_statuses_are_named_by_their_choices_not_by_text(app):
    problems = {
        str(path.relative_to(ROOT)): found
        for path in python_files(app)
        # Constraints in a model's Meta name their own statuses, as migrations store them.
        if path.name != "models.py" and (found := status_literals(path.read_text("utf-8")))
    }
    assert problems == {}


@pytest.mark.parametrize("app", APPS)
def test_templates_compare_no_status_with_text(app):
    pattern = re.compile(r"""\.status\s*[!=]=\s*["']""")
    problems = [
        str(path.relative_to(ROOT))
        for path in template_files(app)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize("app", APPS)
def test_no_permission_url_template_or_static_file_of_a_higher_app(app):
    files = [*python_files(app), *template_files(app)]
    problems = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := upward_names(app, path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_every_app_is_checked_and_the_names_in_it_are_read():
    assert set(APPS) == set(RANK)
    files = [path for app in APPS for path in [*python_files(app), *template_files(app)]]
    assert len(files) > 200
    kinds = Counter(what for path in files for what, _app in named_apps(path.read_text("utf-8")))
    # The finders see the names the code uses (a regular expression that matches nothing
    # would pass every check).
    assert kinds["url"] > 100 and kinds["template"] > 80
    assert kinds["static"] > 15 and kinds["permission"] > 15


# --- The checks find what they are for --------------------------------------------------------


def test_a_model_reached_by_a_string_is_found():
    source = (
        "from django.apps import apps\n"
        "from events.models import Shift\n"
        "Signup = apps.get_model('events', 'Signup')\n"
        "other = Shift._meta.get_field('signups').related_model\n"
    )
    assert len(model_back_doors("tallies", source)) == 3
    assert model_back_doors("events", "from .models import Shift\nShift._meta.fields\n") == []


def test_status_text_is_found():
    source = (
        "Signup.objects.filter(status='confirmed')\n"
        "Shift.objects.filter(signups__status__in=['confirmed', 'waitlisted'])\n"
        "if signup.status == 'waitlisted': pass\n"
    )
    assert len(status_literals(source)) == 3
    assert status_literals("Signup.objects.filter(status=Signup.Status.CONFIRMED)\n") == []


def test_names_of_higher_apps_are_found():
    source = (
        "user.has_perm('volunteers.appeal_for_site', site)\n"
        "reverse('tallies:site_counter', args=[1])\n"
        "{% url 'volunteers:shift_list' %}\n"
        "{% include 'volunteers/_languages.html' %}\n"
        "{% static 'tallies/counter.js' %}\n"
    )
    assert len(upward_names("events", source)) == 5
    assert upward_names("tallies", "{% url 'volunteers:my_shifts' %}") == ["url of volunteers"]
    assert upward_names("volunteers", "{% url 'events:site_detail' 1 %}") == []
