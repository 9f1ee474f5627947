"""Checks that a hand-written form template ties each field to its help and its error, as
Django's own form rendering does: a screen reader then announces "House number, invalid
entry, Enter a whole number" on the field, not somewhere further down the page (WCAG 1.3.1,
3.3.1). Used by tests/locations and tests/tallies.
"""

from html.parser import HTMLParser

DESCRIBING = {"help", "field-error", "errorlist"}


class Fields(HTMLParser):
    """The form fields, the ids, and the help and error texts of a page."""

    def __init__(self):
        super().__init__()
        self.fields: list[dict] = []
        self.ids: set[str] = set()
        self.described: dict[str, str] = {}  # id of a help or an error text -> its class
        self.nameless: list[str] = []  # help or error texts without an id

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        classes = set((attrs.get("class") or "").split())
        identifier = attrs.get("id") or ""
        if identifier.endswith(("_helptext", "_error")):
            self.described[identifier] = identifier.rsplit("_", 1)[1]
        elif DESCRIBING & classes:
            if identifier:
                self.described[identifier] = " ".join(sorted(classes))
            else:
                self.nameless.append(f"<{tag} class={' '.join(sorted(classes))}>")
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.fields.append(attrs)


def description_problems(html: str) -> list[str]:
    """What a screen reader would miss: `aria-describedby` pointing at ids that do not
    exist, a help or error text no field points at (or that has no id to point at), a field
    whose error is among its descriptions without `aria-invalid="true"`."""
    page = Fields()
    page.feed(html)
    problems = [f"{each} has no id, so no field can point at it" for each in page.nameless]
    pointed_at = set()
    for field in page.fields:
        name = field.get("name") or field.get("id")
        described_by = (field.get("aria-describedby") or "").split()
        pointed_at.update(described_by)
        missing = [each for each in described_by if each not in page.ids]
        if missing:
            problems.append(f"{name} points at {missing}, which do not exist")
        errors = [each for each in described_by if "error" in page.described.get(each, "")]
        if errors and field.get("aria-invalid") != "true":
            problems.append(f"{name} has an error but no aria-invalid")
    unlinked = set(page.described) - pointed_at
    if unlinked:
        problems.append(f"help or error texts no field points at: {sorted(unlinked)}")
    return problems
