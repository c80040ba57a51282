from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string


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
