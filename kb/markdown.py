"""Markdown written by content editors, rendered then sanitised.

Editors are not trusted like developers: a pasted <script>, an onerror= attribute or a
javascript: link must come out inert. Markdown first (it passes raw HTML through), then nh3
with an allow-list, so the sanitiser has the last word.
"""

import markdown
import nh3

from kb.templatetags.french import french_spacing

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "kbd",
    "li", "ol", "p", "pre", "strong", "ul", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    return french_spacing(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ))
