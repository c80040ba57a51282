"""A team's front door: /hdf/… (or the team's own host name) shows every public page of the
national site, with what the team adds on top: its name in the header, its welcome text, its
lines and its regional tutorials first, its contact in the footer; and a help request filed
there goes to that team.

The teams are read from the database once per content check (kb.snapshot), never in a
visitor's request. The prefix is taken off the path before the URL is resolved and given to
reverse() as the script prefix, so every link of the page stays behind the door without any
view knowing about it. Only public pages open there: staff pages answer 404.

Behind a door, /hdf/integre/… is the same page for a partner's frame (issue 20): no header
nor footer, links that leave the site open outside the frame, and a Content-Security-Policy
whose frame-ancestors names the sites the team allows (Team.frame_origins), none otherwise.
Every other page keeps frame-ancestors 'none' and X-Frame-Options: DENY."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import get_script_prefix, set_script_prefix

from teams.models import EMBEDDED, Team

# What a front door shows: the public pages, and the professional's own request pages.
PUBLIC_VIEWS = {
    "kb:home", "kb:wizard_start", "kb:wizard_step", "kb:wizard_direct", "kb:overview",
    "kb:support_lines",
    "kb:tutorials", "kb:tutorial", "kb:known_problems", "kb:glossary", "kb:search",
    "kb:identifier", "kb:feedback", "kb:media", "triage:help", "triage:confirmation",
    "triage:follow", "triage:follow_settled",
}


@dataclass(frozen=True)
class Door:
    """A team as visitors see it (no member, no address of an agent)."""

    slug: str
    name: str
    organisation: str
    region: str
    host: str
    email: str
    phone: str
    opening_hours: str
    frame_origins: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return f"/{self.slug}/"


def load_doors() -> list[Door]:
    return [
        Door(slug=team.slug, name=team.name, organisation=team.organisation,
             region=team.region, host=team.host.lower(), email=team.email,
             phone=team.phone, opening_hours=team.opening_hours,
             frame_origins=tuple(_origins(team)))
        for team in Team.objects.filter(is_national=False)
    ]


def _origins(team: Team) -> list[str]:
    try:
        return team.allowed_frame_origins
    except ValidationError:  # written around the form: frame nowhere rather than anywhere
        return []


class Doors:
    """The front doors by path prefix and by host name."""

    def __init__(self, doors: list[Door]):
        self.by_slug = {door.slug: door for door in doors}
        self.by_host = {door.host: door for door in doors if door.host}


def teams_version():
    """Changes whenever a team is added, changed or removed: the content check compares it."""
    from django.db.models import Count, Max

    return tuple(Team.objects.aggregate(Max("updated_at"), Count("id")).values())


def door_for(request, doors: dict[str, Door], hosts: dict[str, Door]):
    """The door a request came through and the prefix to take off its path, or (None, "")."""
    host = request.get_host().split(":")[0].lower()
    if host in hosts:
        return hosts[host], ""
    first = request.path_info.split("/", 2)[1] if request.path_info.count("/") >= 2 else ""
    door = doors.get(first)
    return (door, door.prefix[:-1]) if door else (None, "")


# The first segments of pages that never stand behind a door: no door to look for there.
STAFF_SEGMENTS = {"admin", "agents", "equipes", "sante", "static", "media", "apercu"}


class FrontDoorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from kb.snapshot import published

        request.front_door = None
        request.embedded = False
        if request.path_info.split("/", 2)[1] in STAFF_SEGMENTS:
            return self.get_response(request)
        try:
            # The content, and the doors with it, as the views will read it (checked when due).
            request.published = published.get()
        except DatabaseError:
            return self.get_response(request)  # the view answers the French 503
        doors = published.doors
        bare = request.path_info.strip("/")
        if bare in doors.by_slug and not request.path_info.endswith("/"):
            return HttpResponsePermanentRedirect(f"/{bare}/")
        door, prefix = door_for(request, doors.by_slug, doors.by_host)
        request.front_door = door
        if door is None:
            return self.get_response(request)
        request.path_info = request.path_info[len(prefix):] or "/"
        if request.path_info.split("/", 2)[1] == EMBEDDED:
            request.embedded = True
            # The same page outside the frame, for « Ouvrir dans un nouvel onglet ».
            full = request.get_full_path()
            rest = full[len(prefix) + len(EMBEDDED) + 1:]
            # « //autre.site/ » must stay a path of this site, never become another site.
            request.unframed_path = full[:len(prefix)] + "/" + rest.lstrip("/")
            prefix += "/" + EMBEDDED
            request.path_info = request.path_info[len(EMBEDDED) + 1:] or "/"
        outer = get_script_prefix()
        set_script_prefix(outer.rstrip("/") + prefix + "/")
        try:
            response = self.get_response(request)
        finally:
            set_script_prefix(outer)
        if request.embedded:
            framed_by(response, door.frame_origins)
        return response

    def process_view(self, request, view, args, kwargs):
        if request.front_door and request.resolver_match.view_name not in PUBLIC_VIEWS:
            raise Http404  # the agents' space, the admin…: at the site's root only
        return None


def framed_by(response, origins) -> None:
    """Only the team's partners may frame its embedded pages; with none listed, nobody."""
    if origins:
        response._csp_replace = {"frame-ancestors": list(origins)}
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]


def context(request) -> dict:
    """The door the page is seen through, for the header and the footer, and what its team
    adds to the content (its published overlay, or the draft's in a preview)."""
    door = getattr(request, "front_door", None)
    if door is None:
        return {"front_door": None, "overlay": None, "embedded": False}
    from kb.snapshot import content_for

    return {"front_door": door, "overlay": content_for(request).overlays.get(door.slug),
            "embedded": request.embedded,
            # Absolute: a path would be taken for a content link and kept inside the frame.
            "unframed_url": request.embedded and request.build_absolute_uri(
                request.unframed_path)}
