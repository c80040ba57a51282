import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

NBSP = "\u00a0"
BEFORE = re.compile(r" ([?!:;»])")
AFTER = re.compile(r"« ")


def french_spacing(text: str) -> str:
    """A non-breaking space before ? ! : ; » and after «, so that "activée ?" never
    leaves its question mark alone at the start of a line on a phone."""
    return AFTER.sub("«" + NBSP, BEFORE.sub(NBSP + r"\1", text))


@register.filter(is_safe=True)
def typo(value) -> str:
    return mark_safe(french_spacing(conditional_escape(value)))
