"""Remembers the last help pages a visitor opened, so that a request for help arrives with
them. A signed cookie of paths only (no session, no database, nothing personal), kept until
the browser closes."""

import ipaddress
import json

from django.conf import settings

COOKIE = "ecps_pages"
SALT = "triage.pages_viewed"
KEEP = 10
RECORDED = {"wizard_step", "tutorial", "known_problems", "search", "glossary", "identifier"}


def pages_viewed(request) -> list[str]:
    pages = request.get_signed_cookie(COOKIE, default=None, salt=SALT)  # None if tampered
    try:
        value = json.loads(pages) if pages else []
    except ValueError:
        return []
    return [page for page in value if isinstance(page, str)][-KEEP:] if isinstance(
        value, list) else []


class PagesViewedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if (request.method == "GET" and response.status_code == 200 and match
                and match.url_name in RECORDED and not request.htmx.history_restore_request):
            path = request.get_full_path()[:300]
            pages = [page for page in pages_viewed(request) if page != path] + [path]
            response.set_signed_cookie(COOKIE, json.dumps(pages[-KEEP:]), salt=SALT,
                                       httponly=True, samesite="Lax",
                                       secure=request.is_secure())
        return response


def client_ip(request) -> str:
    """The visitor's address, for the help form's rate limit and the staff login lockout
    alike. Behind a reverse proxy, REMOTE_ADDR is the proxy's: TRIAGE_CLIENT_IP_HEADER (e.g.
    HTTP_X_REAL_IP, set by the proxy) names the header that carries the real one. A value
    that is not an address (a forged or broken header) falls back to REMOTE_ADDR."""
    for value in (request.META.get(settings.TRIAGE_CLIENT_IP_HEADER, ""),
                  request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            continue
    return "0.0.0.0"  # the test client without REMOTE_ADDR, or a broken server set-up
