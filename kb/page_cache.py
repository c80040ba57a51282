"""Public pages rendered once per content version, then served from memory.

A page is the same bytes for every anonymous visitor: its forms carry no CSRF token (they
are protected by where a post comes from, kb.cross_site), and the pages-viewed cookie is set
by triage's middleware on the way out (a header, never part of the page).
Requests that could see something else are never served from or stored into the cache:
staff (a session cookie: agent mode, draft preview), a flash message waiting to be shown,
anything but GET/HEAD. The key holds the content version, so a publish is a new cache.
"""

import gzip
import re
import threading
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

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


def public_page(view):
    """For views that render published content only (see the module's docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        snapshot = content_for(request)
        if snapshot.is_preview:
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)  # a draft must never sit in any cache
            return response
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        partial = bool(request.htmx) and not request.htmx.history_restore_request
        # The host too: a page may print its own address (the fiche pratique's QR code).
        # The teams too: a front door's page shows its team's name and welcome.
        key = ((snapshot.number, published.doors_version), request.get_host(),
               request.get_full_path(), partial)
        page = pages.get(key)
        if page is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            patch_vary_headers(response, ["Accept-Encoding"])
            page = (response.content, gzip.compress(response.content, compresslevel=6, mtime=0),
                    [(k, v) for k, v in response.items() if k.lower() != "content-length"])
            pages.put(key, page)
        content, compressed, headers = page
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            # Compressed once per version (nothing personal in it, so nothing for BREACH to
            # guess): a fifth of the bytes to send, and no work per request.
            response = HttpResponse(compressed, headers=headers)
            response["Content-Encoding"] = "gzip"
            return response
        return HttpResponse(content, headers=headers)

    return wrapper
