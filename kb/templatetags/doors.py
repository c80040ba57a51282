import re

from django import template
from django.urls import get_script_prefix

from teams.front_door import STAFF_SEGMENTS

register = template.Library()


@register.filter
def here(path: str) -> str:
    """A path of the site's root (« /tutoriels/… ») as seen from the page's front door: the
    same page behind /hdf/ when the visitor came through the Hauts-de-France door."""
    return get_script_prefix() + path.lstrip("/")


@register.filter
def at_root(path: str) -> str:
    """A path reversed behind a front door (« /hdf/agents/… ») from the site's root: the
    agents' pages open there only."""
    prefix = get_script_prefix()
    return "/" + path[len(prefix):] if path.startswith(prefix) else path


# Not //host (another site), nor the staff pages, which never stand behind a door.
ROOT_HREF = re.compile(r'(\shref=")/(?!/|' + "|".join(f"{segment}/" for segment in
                                                     sorted(STAFF_SEGMENTS)) + ")")


def content_links_here(html: str) -> str:
    """Links written in the content (« [méthode B](/parcours/etape/methode-b/) ») name the
    site's root; behind a front door they lead to the same page behind that door, as the
    site's own links do. Links the site built already carry the door's prefix."""
    prefix = get_script_prefix()
    if prefix == "/":
        return html
    return ROOT_HREF.sub(lambda found: found[0] if html.startswith(
        prefix, found.end() - 1) else found[1] + prefix, html)


LEAVING_LINK = re.compile(r'<a\s(?![^>]*\starget=)([^>]*\bhref="(?:tel:|mailto:|https?://)[^>]*)>')


def links_leave_the_frame(html: str) -> str:
    """In a partner's frame (/hdf/integre/…), a call, an e-mail or another site opens outside
    the frame, where the visitor's phone and browser handle it, not inside a small box of
    someone else's page."""
    return LEAVING_LINK.sub(r'<a \1 target="_blank" rel="noopener">', html)
