"""The visitors' forms (a vote, a help request, an answer on a private link, the identifier
checker) are protected against cross-site posting by where the request comes from, not by a
CSRF token: a public page is then the same bytes for every visitor, served from memory with
no cookie set on the first visit, and the forms also work inside a partner's frame, where
the browser withholds this site's cookies (README « Sécurité »).

What the threat is: another site making a visitor's browser send one of these forms. The
visitor has no session here, so nothing is done in their name; what such a post could do is
file requests or votes from many visitors' addresses, past the per-address rate limit. Every
browser in use sends `Sec-Fetch-Site` or `Origin` with a form's POST, and neither can be set
by a page: the post is accepted only when they say this very site (scheme, host and port)
sent it. With neither, the `Referer` must be this site, which is what Django's own check asks
of an HTTPS post without a token; with none of the three, the post is refused. Staff forms
keep Django's CSRF token as well (they act with a session)."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseForbidden
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def this_site(request) -> str:
    return f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"


def _same_origin(url: str, request) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return origin == this_site(request).lower() or origin in {
        trusted.lower() for trusted in settings.CSRF_TRUSTED_ORIGINS}


def sent_from_this_site(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin != "null" and _same_origin(origin, request)
    referer = request.headers.get("Referer")
    return bool(referer) and _same_origin(referer, request)


def refused(request, reason: str = "") -> HttpResponseForbidden:
    """The French page for a post refused as cross-site (also Django's CSRF_FAILURE_VIEW, for
    the staff forms)."""
    return HttpResponseForbidden(render_to_string("403_cross_site.html", request=request))


def same_site_posts_only(view):
    """For the visitors' forms: instead of Django's token, see the module's docstring.
    Django's test client marks its requests as exempt from CSRF checks unless it is asked
    to enforce them; this check honours the same mark, so tests say when they test it."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (request.method not in SAFE_METHODS
                and not getattr(request, "_dont_enforce_csrf_checks", False)
                and not sent_from_this_site(request)):
            return refused(request)
        return view(request, *args, **kwargs)

    return wrapper
