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


# « e-CPS » is one word: a line break after its hyphen leaves « e- » alone at a line's end on
# a phone. A span that does not wrap keeps the characters as typed (copy, search, screen
# readers), which a non-breaking hyphen (U+2011) would not.
ONE_WORD = re.compile(r"\be-CPS\b")
TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# Kept exactly as written: what a visitor typed (a textarea's text), code, scripts.
VERBATIM = {"textarea", "script", "style", "pre", "code"}
# Text only, no HTML inside (an SVG's text takes no span): spacing, but no span.
TEXT_ONLY = {"title", "option", "svg"}
# Attributes that people read (tooltips, descriptions, screen readers); never `value`, which
# holds what was typed and goes back to the server.
READ_ATTRIBUTES = re.compile(r'(\s(?:title|alt|aria-label|placeholder)=")([^"]*)(")')


def french_spacing_html(html: str) -> str:
    """french_spacing on a whole page: its text and its read attributes, never the inside of
    a tag otherwise, what is typed in a form field, a script or code."""
    pieces = TAG.split(html)
    verbatim = text_only = None
    for index, piece in enumerate(pieces):
        if piece.startswith("<"):
            match = TAG_NAME.match(piece)
            name = match.group(2).lower() if match else ""
            if verbatim:
                if match and match.group(1) and name == verbatim:
                    verbatim = None
                continue
            if match and not match.group(1) and name in VERBATIM:
                verbatim = name
            if text_only is None and match and not match.group(1) and name in TEXT_ONLY:
                text_only = name
            elif text_only and match and match.group(1) and name == text_only:
                text_only = None
            pieces[index] = READ_ATTRIBUTES.sub(
                lambda found: found[1] + french_spacing(found[2]) + found[3], piece)
        elif verbatim is None:
            pieces[index] = french_spacing(piece)
            if text_only is None:
                pieces[index] = ONE_WORD.sub('<span class="text-nowrap">e-CPS</span>',
                                             pieces[index])
    return "".join(pieces)


@register.filter(is_safe=True)
def typo(value) -> str:
    return mark_safe(french_spacing(conditional_escape(value)))


@register.filter
def without_final_period(value) -> str:
    """A label that is a sentence (« J'accepte que … demande. »), followed by « : »."""
    return str(value).rstrip(" .")
