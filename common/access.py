"""Marks for who may use a view, read by the test that walks every URL pattern.

Every view is either protected (it checks a permission or a signed-in user) or marked
public on purpose with `@public`. A view that is neither fails the test suite.
"""

from collections.abc import Callable
from typing import TypeVar

View = TypeVar("View", bound=Callable)


def public(view: View) -> View:
    """Mark a view as open to anyone, on purpose."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
