import codecs
import json
import logging
import re
import time
from dataclasses import asdict

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.signals import setting_changed
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
# No link of the site comes near it (gunicorn even refuses request lines over 4 KB), and a
# longer search would reach the database as a LIKE pattern that SQLite refuses past 50,000
# bytes: an OperationalError, read as « base indisponible ».
MAX_URL_LENGTH = 32_000


def bad_request(request, reason: str = "") -> HttpResponse:
    """The French 400 page; `reason` says what was wrong when it helps the person."""
    return HttpResponse(render_to_string("400.html", {"reason": reason}, request=request),
                        status=400)


def sent_texts(request) -> list[str]:
    """Every name and value a request carries: path, query string, form fields, and the
    names of uploaded files, for urlencoded and multipart bodies alike."""
    texts = [request.path]
    for data in (request.GET, request.POST) if request.content_type in FORM_TYPES else (
            request.GET,):
        texts += [text for name, values in data.lists() for text in (name, *values)]
    if request.content_type == "multipart/form-data":
        texts += [text for name, files in request.FILES.lists()
                  for text in (name, *(file.name or "" for file in files))]
    return texts


def reject_nul_bytes(get_response):
    """A NUL byte is never part of what a person types; PostgreSQL refuses it in any query,
    which would turn a hostile or broken request into a 500. Answer 400, in French.

    An address longer than MAX_URL_LENGTH is refused the same way.

    This is also where a request's body is first read, so a body Django cannot read (a form
    sent in a charset other than UTF-8, malformed multipart, too many fields, too large) is
    refused here with the same page. Left to Django, the refusal is a 500: its 400 page reads
    the body again for its CSRF token and the second reading raises outside any handler."""

    def middleware(request):
        if len(request.get_full_path()) > MAX_URL_LENGTH:
            return bad_request(request, _("Cette adresse est trop longue pour être une page du "
                                          "site : vérifiez le lien, ou raccourcissez votre "
                                          "recherche."))
        try:
            texts = sent_texts(request)
        except (BadRequest, SuspiciousOperation, MultiPartParserError):
            return bad_request(request)
        if any("\x00" in text for text in texts):
            return bad_request(request)
        return get_response(request)

    return middleware


def decodes_text(charset: str) -> bool:
    """Whether Python can decode a form with this charset label, as Django does (errors
    replaced). Codecs such as rot13, base64 or zlib are known to Python but do not decode
    bytes to text; « undefined » and « idna » refuse to; a NUL makes the label invalid."""
    try:
        codecs.lookup(charset)
        b"a".decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError):
        return False
    return True


def set_content_type_params(self, meta) -> None:
    """Django's HttpRequest._set_content_type_params, with two differences that keep a hostile
    Content-Type from failing while the request object is built, before any middleware could
    answer 400 (a 500 from the server, without our page):
    - the charset label must decode text (see decodes_text); any other one is ignored, as
      Django ignores labels Python does not know: the body is then read as UTF-8;
    - the encoding is stored, not set through HttpRequest.encoding, whose setter parses the
      query string at once (to clear a cache that is still empty), so that an error in it
      (too many fields…) would also be raised here rather than in reject_nul_bytes."""
    self.content_type, self.content_params = parse_header_parameters(
        meta.get("CONTENT_TYPE", ""))
    charset = self.content_params.get("charset")
    if charset and decodes_text(charset):
        self._encoding = charset


def guard_request_charset() -> None:
    """Installed once at start-up (kb.apps)."""
    HttpRequest._set_content_type_params = set_content_type_params


class DatabaseUnavailableMiddleware:
    """The database stopped or hung (connect timeout): a French 503 that says to come back,
    with the support line, instead of Django's 500. Public content pages do not need the
    database at all (kb.snapshot), so this is mostly about forms and staff pages.

    Only a failed connection or query is « unavailable » (OperationalError: refused, timed
    out, closed, locked; InterfaceError: the connection object is unusable). Data that the
    database refused (DataError: too long, out of range, a NUL; IntegrityError) means a
    check is missing before the query, not an outage: a 400, logged so that it gets fixed,
    instead of a false alarm. Any other database error is a bug in a query: Django's 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("database unavailable: %s", type(exception).__name__)
            response = HttpResponse(render_to_string("503.html"), status=503)
            response["Retry-After"] = "30"
            return response
        if isinstance(exception, (DataError, IntegrityError)):
            # The kind only: the message can quote the value that was sent.
            logger.warning("database refused the data: %s", type(exception).__name__)
            return bad_request(request)
        if isinstance(exception, OverflowError):
            # A number sent too large for a date: Django admin's date filters
            # (?attempt_time__year=6530700426) pass it to datetime(). Bad input reaching
            # Django's own code, not a check missing in ours: noted, not a warning.
            logger.info("number out of range in the request")
            return bad_request(request)
        return None


request_logger = logging.getLogger("helpdesk.requests")


def logged_path(path: str, match) -> str:
    """A path holding a key (a private follow-up link, a confirmation) is logged as its
    route: whoever reads the logs must not be able to open a professional's request. A
    request refused before its view was found (reject_nul_bytes) has no route: its key is
    masked."""
    if match and "token" in match.kwargs:
        return "/" + match.route
    return without_keys(path)[:200]


def request_log(get_response):
    """One structured line per request, for operators, with nothing personal in it: the path
    without its query string (a search may hold a name), the view, the status and the time
    taken; never the address, the form, the cookies or the user."""

    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        request_logger.info("request", extra={"http": {
            "method": request.method,
            "path": logged_path(request.path, match),
            "view": match.view_name if match else None,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }})
        return response

    return middleware


# A signed key in a path (a private follow-up link, a confirmation): "MQ:1xVW6…".
SIGNED_KEY = re.compile(r"/[\w-]+:[\w:-]{10,}")


def without_keys(text: str) -> str:
    """Django's own messages ("Bad Request: /aide/suivi/…/") name the path: whoever reads
    the logs must not be able to open a professional's request."""
    return SIGNED_KEY.sub("/<clé>", text)


class JsonFormatter(logging.Formatter):
    """Log records as JSON lines: time, level, logger, message, and the request's fields."""

    def format(self, record):
        entry = {"time": self.formatTime(record), "level": record.levelname,
                 "logger": record.name, "message": without_keys(record.getMessage())}
        if hasattr(record, "http"):
            entry.update(record.http)
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


# Per-response settings of django-csp: a response with any of them gets its own policy.
CSP_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
                    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with the settings' policy built once instead of for every response: it is
    the policy of every page but a partner's frame's (teams.front_door.framed_by), and
    building it cost as much as serving a page from memory (issue 23). Anything else (a
    response with its own policy, a nonce, a report-only policy) goes through django-csp."""

    built: str | None = None  # forgotten when a test changes the settings (settings_changed)

    def process_response(self, request, response):
        from django.conf import settings

        policy = settings.CONTENT_SECURITY_POLICY or {}
        if (getattr(request, "_csp_nonce", None) is not None
                or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or policy.get("EXCLUDE_URL_PREFIXES")
                or any(hasattr(response, name) for name in CSP_PER_RESPONSE)
                or (settings.DEBUG and response.status_code in (404, 500))):
            return super().process_response(request, response)
        header = ContentSecurityPolicyMiddleware.built
        if header is None:
            header = ContentSecurityPolicyMiddleware.built = build_policy(
                **asdict(self.get_policy_parts(request=request, response=HttpResponse())))
        if header and CSP_HEADER not in response:
            response[CSP_HEADER] = header
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@receiver(setting_changed)
def forget_built_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        ContentSecurityPolicyMiddleware.built = None
