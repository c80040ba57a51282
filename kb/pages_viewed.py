"""Remembers the last help pages a visitor opened, so that a request for help arrives with
them. A signed cookie of paths only (no session, no database, nothing personal), kept for
one visit: it ends 30 minutes after the last page (on a shared hospital computer the browser
stays open, and the next person's request must not list the previous person's pages), and
as soon as a request is filed (triage reads it for the help form).

A search typed in the box is in the path's query ("/recherche/?q=mon+pin+1470"): a query that
looks like a password or a PIN (kb.privacy) is never recorded, only the path before it, so
that it is never attached to a help request.
"""

import functools
import json
import time
from urllib.parse import parse_qsl, urlsplit

from django.core import signing

from kb.privacy import contains_secret

COOKIE = "ecps_pages"
SALT = "triage.pages_viewed"  # its first home: cookies already given stay readable
KEEP = 10
VISIT_SECONDS = 30 * 60  # a visit ends after this long without a page
RECORDED = {"wizard_step", "tutorial", "known_problems", "search", "glossary", "identifier"}


def pages_viewed(request) -> list[str]:
    # None if tampered with, or signed more than a visit ago (the browser kept it open).
    pages = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=VISIT_SECONDS)
    try:
        value = json.loads(pages) if pages else []
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    # A cookie recorded before the query was checked may still hold a secret: never read it.
    return [page for page in value if isinstance(page, str) and not _holds_a_secret(page)
            ][-KEEP:]


def end_visit(response) -> None:
    """A request was filed: the pages it listed are not the next person's."""
    response.delete_cookie(COOKIE, samesite="Lax")


def recorded_path(request) -> str:
    full_path = request.get_full_path()
    if _holds_a_secret(full_path):
        return request.path[:300]
    return full_path[:300]


def _holds_a_secret(path: str) -> bool:
    """Each parameter of the query is read decoded, as the visitor typed it ("mon pin 1470"),
    with its name ("mdp=1470"), but not "q=", which would look like someone saying a code."""
    return any(contains_secret(value if name == "q" else f"{name} {value}")
               for name, value in parse_qsl(urlsplit(path).query, keep_blank_values=True))


def signed(value: str) -> str:
    """As HttpResponse.set_signed_cookie signs it (read back by get_signed_cookie)."""
    return signing.get_cookie_signer(salt=COOKIE + SALT).sign(value)


@functools.lru_cache(maxsize=512)
def first_page(path: str, second: int) -> str:
    """The cookie of a visit's first page: the same for everyone who opens that page in the
    same second (its signature holds the time to the second), so signed once (issue 23)."""
    return signed(json.dumps([path]))


def remember_page(request, response) -> None:
    """Adds the page to the visit's cookie (by the middleware below, or by the page cache for
    a page it serves from memory, before the rest of the stack)."""
    match = request.resolver_match
    if (request.method != "GET" or response.status_code != 200 or not match
            or match.url_name not in RECORDED
            or request.headers.get("HX-History-Restore-Request") == "true"):
        return
    path = recorded_path(request)
    if COOKIE in request.COOKIES:
        pages = [page for page in pages_viewed(request) if page != path] + [path]
        value = signed(json.dumps(pages[-KEEP:]))
    else:  # a first visit, the most common request of all
        value = first_page(path, int(time.time()))
    response.set_cookie(COOKIE, value, max_age=VISIT_SECONDS, httponly=True,
                        samesite="Lax", secure=request.is_secure())


class PagesViewedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        remember_page(request, response)
        return response
