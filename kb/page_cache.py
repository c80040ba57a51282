"""Public pages rendered once per content version, then served from memory by
PageCacheMiddleware, which sits right after the front door: a page found in memory leaves
without the rest of the middleware stack (sessions, CSRF, authentication, messages, URL
resolution, the view), which cost a page more than the page itself (issue 23).

A page is the same bytes for every anonymous visitor: its forms carry no CSRF token (they
are protected by where a post comes from, kb.cross_site). It leaves memory with the headers
it left with when it was rendered (X-Frame-Options, Vary…, as the rest of the stack set
them), compressed if the browser accepts gzip, and with the visitor's own pages-viewed
cookie (kb.pages_viewed), never part of the page.
Requests that could see something else are never served from or stored into memory: staff
(a session cookie: agent mode, draft preview), a flash message waiting to be shown, anything
but GET/HEAD. The key holds the content and doors' versions, so a publish is a new cache.
"""

import gzip
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import ResolverMatch
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from kb.pages_viewed import remember_page
from kb.snapshot import content_for, published

ACCEPTS_GZIP = re.compile(r"\bgzip\b(?!\s*;\s*q=0(?:\.0*)?\s*(?:,|$))")
MAX_PAGES = 1000  # a few tens of MB at most; searches make the key space unbounded


class _Pages:
    def __init__(self):
        self._lock = threading.Lock()
        self._pages: OrderedDict = OrderedDict()
        self._version = None

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page) -> None:
        with self._lock:
            if key[0] != self._version:  # a newer version: the old pages are garbage
                self._pages.clear()
                self._version = key[0]
            self._pages[key] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


pages = _Pages()


def _cacheable(request) -> bool:
    return (request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES)


@dataclass(frozen=True)
class Page:
    content: bytes
    compressed: bytes  # once per version: nothing personal in it, nothing for BREACH to guess
    headers: list[tuple[str, str]]
    match: ResolverMatch  # for the request log and the pages-viewed cookie

    @classmethod
    def of(cls, response, match) -> "Page":
        patch_vary_headers(response, ["Accept-Encoding"])
        return cls(response.content, gzip.compress(response.content, compresslevel=6, mtime=0),
                   [(k, v) for k, v in response.items() if k.lower() != "content-length"],
                   match)

    def response(self, request) -> HttpResponse:
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(self.compressed, headers=self.headers)
            response["Content-Encoding"] = "gzip"
            return response
        return HttpResponse(self.content, headers=self.headers)


def page_key(request):
    """The content and the doors as this request sees them (set by the front door); the
    scheme and host (a page may print its own address: the fiche pratique's QR code, the
    frame's « Ouvrir dans un nouvel onglet »); the path and query; and
    whether htmx asks for the step alone. None: not a page to look for in memory."""
    snapshot = getattr(request, "published", None)
    if snapshot is None or not _cacheable(request):
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the stack answers its 400
    partial = (request.headers.get("HX-Request") == "true"
               and request.headers.get("HX-History-Restore-Request") != "true")
    return ((snapshot.number, published.doors_version), request.scheme, host,
            request.get_full_path(), partial)


class PageCacheMiddleware:
    """Right after the front door (settings.MIDDLEWARE): see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = page_key(request)
        page = pages.get(key) if key else None
        if page is not None:
            request.resolver_match = page.match
            response = page.response(request)
            remember_page(request, response)
            return response
        response = self.get_response(request)
        if (key and getattr(response, "public_page", False) and response.status_code == 200
                and not response.streaming and request.resolver_match):
            pages.put(key, Page.of(response, request.resolver_match))
        return response


def public_page(view):
    """For views that render published content only: their pages may be kept in memory
    (PageCacheMiddleware); a draft's preview never is, nor kept by any other cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if content_for(request).is_preview:
            add_never_cache_headers(response)
        elif not response.cookies:
            response.public_page = True
        return response

    return wrapper
