"""`{% new_form_key %}`: a fresh one-time key for a form that must not act twice when it is
sent twice (a double tap): the walk-in form on the roster."""

from django import template

from ..services.attendance import new_form_key as _new_form_key

register = template.Library()


@register.simple_tag
def new_form_key() -> str:
    return _new_form_key()
