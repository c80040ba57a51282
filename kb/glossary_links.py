"""Glossary terms linked on their first use on a page, automatically, from the published
glossary: « RPPS » in a step's text becomes a link to /glossaire/#rpps. Never inside a
heading, a link, a button, a label or a form control, and only in the page's main content.
Done once per cached page (kb.views.render_french), never per visitor."""

import re
from collections.abc import Iterable

from django.utils.html import escape

# Elements whose text must stay as it is: a link inside them would be invalid or misleading.
SKIPPED = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "button", "label", "summary", "option",
           "textarea", "select", "title", "script", "style", "svg", "code", "pre", "legend",
           "nav"}  # the trail of answers, the breadcrumbs: ways around, not text to read
TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"}


def term_pattern(term: str) -> re.Pattern:
    """The words of a term as they appear in a page's text: spaces may be non-breaking, an
    apostrophe escaped; a parenthesis (« Rooté (ou jailbreaké) ») is not part of it. An
    acronym (two capitals or more: RPPS, e-CPS, CPx) keeps its case; other words don't."""
    words = re.sub(r"\s*\(.*?\)\s*", "", term).strip()
    parts = []
    for char in words:
        if char.isspace():
            parts.append(r"[\s\u00a0]+")
        elif char in "'’":
            parts.append(r"(?:'|’|&#x27;|&#39;)")
        else:
            parts.append(re.escape(char))
    flags = 0 if sum(c.isupper() for c in words) >= 2 else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + "".join(parts) + r"(?![\w-])", flags)


def link_terms(html: str, terms: Iterable, glossary_url: str) -> str:
    """`html` with the first use of each term, in the main content, linked to its entry."""
    start, end = html.find("<main"), html.find("</main>")
    if start < 0 or end < 0:  # an htmx fragment: the main content alone
        start, end = 0, len(html)
    waiting = [(term, term_pattern(term.term)) for term in terms]
    pieces = TAG.split(html[start:end])
    open_skipped: list[str] = []
    for index, piece in enumerate(pieces):
        if piece.startswith("<"):
            match = TAG_NAME.match(piece)
            if match and match.group(2).lower() in SKIPPED:
                name = match.group(2).lower()
                if match.group(1):
                    if name in open_skipped:
                        del open_skipped[len(open_skipped) - 1 - open_skipped[::-1].index(name)]
                elif not piece.endswith("/>") and name not in VOID:
                    open_skipped.append(name)
            continue
        if open_skipped or not piece.strip() or not waiting:
            continue
        pieces[index] = link_text(piece, waiting, glossary_url)
    return html[:start] + "".join(pieces) + html[end:]


PREVIOUS_WORD = re.compile(r"(\w+)[\s\u00a0]+$")


def part_of_a_name(text: str, match: re.Match) -> bool:
    """« Store » in « App Store » is a name, not the glossary's word: a capitalised match
    right after another capitalised word is left alone (acronyms excepted)."""
    if match.re.flags & re.IGNORECASE == 0 or not match.group(0)[:1].isupper():
        return False
    before = PREVIOUS_WORD.search(text[:match.start()])
    return bool(before and before.group(1)[:1].isupper())


def link_text(text: str, waiting: list, glossary_url: str) -> str:
    """Each waiting term found in `text` linked, earliest first, and no longer waiting."""
    best = None
    for entry in waiting:
        found = next((match for match in entry[1].finditer(text)
                      if not part_of_a_name(text, match)), None)
        if found and (best is None or found.start() < best[1].start()):
            best = (entry, found)
    if best is None:
        return text
    (term, _pattern), found = best
    waiting.remove(best[0])
    link = f'<a class="glossary-term" href="{escape(glossary_url)}#{escape(term.slug)}">' \
        f"{found.group(0)}</a>"  # the text found is a piece of the page's escaped text
    return text[:found.start()] + link + link_text(text[found.end():], waiting, glossary_url)
