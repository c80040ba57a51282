from django import template
from django.urls import get_script_prefix

register = template.Library()


@register.filter
def here(path: str) -> str:
    """A path of the site's root (« /tutoriels/… ») as seen from the page's front door: the
    same page behind /hdf/ when the visitor came through the Hauts-de-France door."""
    return get_script_prefix() + path.lstrip("/")
