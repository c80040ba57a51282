import json
import logging
import re
import time

from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def reject_nul_bytes(get_response):
    """A NUL byte is never part of what a person types; PostgreSQL refuses it in any query,
    which would turn a hostile or broken request into a 500. Answer 400, in French."""

    def middleware(request):
        values = [request.META.get("QUERY_STRING", ""), request.path]
        if request.content_type == "application/x-www-form-urlencoded":
            values += [value for _name, items in request.POST.lists() for value in items]
        if any("\x00" in value or "%00" in value for value in values):
            return HttpResponseBadRequest(render_to_string("400.html", request=request))
        return get_response(request)

    return middleware


class DatabaseUnavailableMiddleware:
    """The database stopped or hung (connect timeout): a French 503 that says to come back,
    with the support line, instead of Django's 500. Public content pages do not need the
    database at all (kb.snapshot), so this is mostly about forms and staff pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.error("database unavailable: %s", type(exception).__name__)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


request_logger = logging.getLogger("helpdesk.requests")


def logged_path(path: str, match) -> str:
    """A path holding a key (a private follow-up link, a confirmation) is logged as its
    route: whoever reads the logs must not be able to open a professional's request."""
    if match and "token" in match.kwargs:
        return "/" + match.route
    return path[:200]


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
