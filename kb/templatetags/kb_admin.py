from django import template

from kb.models import ContentVersion
from kb.services import draft_differs

register = template.Library()


@register.simple_tag
def content_status() -> dict:
    """What visitors see, and whether the draft has changed since (admin pages)."""
    return {"latest": ContentVersion.objects.first(), "differs": draft_differs()}
