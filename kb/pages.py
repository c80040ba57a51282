"""Names for the help pages a visitor opened, so that a help request lists "Activer sa e-CPS
avec sa carte CPx" rather than "/tutoriels/activer-e-cps-avec-carte/", for the requester
who checks what is attached and for the agent who reads it."""

from urllib.parse import parse_qs, urlsplit

from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.translation import gettext as _

from kb.snapshot import published

FIXED_TITLES = {
    "kb:home": lambda: _("Accueil du parcours guidé"),
    "kb:wizard_start": lambda: _("Parcours guidé"),
    "kb:known_problems": lambda: _("Problèmes connus et solutions"),
    "kb:glossary": lambda: _("Glossaire"),
    "kb:identifier": lambda: _("Quel est mon identifiant national ?"),
    "kb:support_lines": lambda: _("Contacts d'assistance"),
    "kb:tutorials": lambda: _("Tutoriels"),
}


def resolve_local(path: str) -> ResolverMatch | None:
    """The page of this site that a path sent by a browser names (query string ignored),
    or None: a path from outside ("https://…", "//host/…") or unknown is never followed."""
    if not path.startswith("/") or path.startswith("//"):
        return None
    path = urlsplit(path).path
    from teams.models import EMBEDDED

    door = path.split("/", 2)[1]
    if door in published.doors.by_slug:  # the same page, seen through a team's front door
        path = path[len(door) + 1:] or "/"
        if path.split("/", 2)[1] == EMBEDDED:  # … inside a partner's frame
            path = path[len(EMBEDDED) + 1:] or "/"
    try:
        return resolve(path)
    except Resolver404:
        return None


def describe_pages(paths: list[str]) -> list[tuple[str, str]]:
    """(path, title) for each path, in order, from the published content (no query).
    A page that no longer exists keeps its path as its title."""
    matches = [(path, resolve_local(path)) for path in paths]
    content = published.get()
    steps = {slug: step.heading for slug, step in content.steps.items()}
    tutorials = {slug: tutorial.title for slug, tutorial in content.tutorials.items()}
    return [(path, title_of(path, match, steps, tutorials)) for path, match in matches]


def title_of(path: str, match, steps: dict, tutorials: dict) -> str:
    if match is None:
        return path
    if match.view_name == "kb:wizard_step":
        heading = steps.get(match.kwargs["trail"].rsplit("/", 1)[-1])
        return _("Parcours guidé : %(step)s") % {"step": heading} if heading else path
    if match.view_name == "kb:tutorial":
        title = tutorials.get(match.kwargs["slug"])
        return _("Tutoriel : %(title)s") % {"title": title} if title else path
    if match.view_name == "kb:search":
        query = parse_qs(urlsplit(path).query).get("q", [""])[0].strip()
        return _("Recherche « %(query)s »") % {"query": query} if query else _("Recherche")
    fixed = FIXED_TITLES.get(match.view_name)
    return fixed() if fixed else path


def shareable_page(path: str) -> tuple[str, str] | None:
    """A public page an agent may send to a caller (« Envoyer ce lien à l'appelant »): its
    address from the site's root and its title, or None. A step is sent as its direct link,
    which claims no answer the caller did not give (« depuis un lien envoyé par
    l'assistance »); the door and the site's address are the sending team's."""
    from django.urls import reverse

    content = published.get()  # and the doors with it (an agent's page passes no door)
    match = resolve_local(path)
    if match is None:
        return None
    if match.url_name in ("wizard_step", "wizard_direct"):
        slugs = match.kwargs["trail"].split("/")
        position = (content.walk(slugs) if match.url_name == "wizard_step"
                    else content.walk(slugs[1:], arrived_at=slugs[0]))
        if position is None:
            return None
        if position.step is content.start:
            return reverse("kb:wizard_start"), FIXED_TITLES["kb:wizard_start"]()
        return position.step.direct_url + "?via=agent", position.step.heading
    if match.url_name == "tutorial":
        tutorial = content.tutorials.get(match.kwargs["slug"])
        if tutorial is None or not tutorial.is_published:
            return None
        return tutorial.get_absolute_url(), tutorial.title
    fixed = FIXED_TITLES.get(match.view_name)
    return (reverse(match.view_name), fixed()) if fixed else None
