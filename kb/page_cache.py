"""Public pages rendered once per content version, then served from memory.

A page is the same for every anonymous visitor but for two things, which are kept out of
the stored page and put back on each response:
- the CSRF token of its forms: views render the placeholder CSRF_PLACEHOLDER and every
  response gets the visitor's own token (`get_token` also sets their CSRF cookie);
- the pages-viewed cookie, set by triage's middleware on the way out (a header, never part
  of the page).
Requests that could see something else are never served from or stored into the cache:
staff (a session cookie: agent mode, draft preview), a flash message waiting to be shown,
anything but GET/HEAD. The key holds the content version, so a publish is a new cache.
"""

import threading
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers

from kb.snapshot import content_for, published

CSRF_PLACEHOLDER = "csrf-token-placeholder-0d9c4e1a"
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


def personalised(request, response):
    """Put the visitor's own CSRF token where the page has the placeholder."""
    if CSRF_PLACEHOLDER.encode() in response.content:
        response.content = response.content.replace(CSRF_PLACEHOLDER.encode(),
                                                    get_token(request).encode())
    return response


def public_page(view):
    """For views that render published content only (see the module's docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        snapshot = content_for(request)
        if snapshot.is_preview:
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)  # a draft must never sit in any cache
            return personalised(request, response)
        if not _cacheable(request):
            return personalised(request, view(request, *args, **kwargs))
        partial = bool(request.htmx) and not request.htmx.history_restore_request
        # The host too: a page may print its own address (the fiche pratique's QR code).
        # The teams too: a front door's page shows its team's name and welcome.
        key = ((snapshot.number, published.doors_version), request.get_host(),
               request.get_full_path(), partial)
        page = pages.get(key)
        if page is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return personalised(request, response)
            page = (response.content, [(k, v) for k, v in response.items()
                                       if k.lower() != "content-length"])
            pages.put(key, page)
        content, headers = page
        return personalised(request, HttpResponse(content, headers=headers))

    return wrapper
