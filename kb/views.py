import re

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers

from kb.models import Step, SupportLine
from kb.tree import MAX_DEPTH, Walk, shortest_path, walk, wizard_url

SLUG = re.compile(r"[-a-zA-Z0-9_]+")

# Never ask for secrets: every pre-filled e-mail reminds people not to send them.
MAIL_BODY = gettext_lazy(
    "Bonjour,\n\n"
    "Je n'arrive pas à utiliser ma e-CPS. Voici mon parcours sur Assistance e-CPS :\n"
    "{summary}\n"
    "Lien vers cette étape : {url}\n\n"
    "Nom et prénom :\n"
    "Profession :\n"
    "Identifiant national (8 + RPPS ou 0 + ADELI) :\n"
    "Service auquel je veux accéder :\n"
    "Description du problème :\n\n\n"
    "(Je ne communique ni mon mot de passe e-CPS ni le code PIN de ma carte.)\n"
)


def partial_or_page(request, template: str, partial: str) -> str:
    """htmx swaps only the partial; a normal visit or a history restore gets the page."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def home(request):
    return render(request, "kb/home.html", {"walk": walk(())})


@vary_on_headers("HX-Request")
def wizard_step(request, trail: str = ""):
    slugs = trail.split("/") if trail else []
    if len(slugs) > MAX_DEPTH or not all(SLUG.fullmatch(slug) for slug in slugs):
        raise Http404(_("Cette étape du parcours n'existe pas."))
    position = walk(slugs)
    if position is None:
        return redirect_to_current_path(slugs)
    return render(
        request,
        partial_or_page(request, "kb/wizard.html", "step"),
        {"walk": position, "contacts": contacts_for(request, position)},
    )


def redirect_to_current_path(slugs: list[str]):
    """An old bookmark or a link typed by hand: if its last step still exists, go there by
    the tree's current shortest path rather than show an error."""
    step = Step.objects.filter(slug=slugs[-1]).first() if slugs else None
    path = shortest_path(step) if step else None
    if path is None:
        raise Http404(_("Cette étape du parcours n'existe pas."))
    return redirect(wizard_url(path))


def contacts_for(request, position: Walk) -> list[tuple[SupportLine, str]]:
    """Each support line of an outcome with its mailto: link, pre-filled with the path."""
    if position.step.is_question:
        return []
    subject = _("[e-CPS] %(title)s") % {"title": position.step.heading}
    body = MAIL_BODY.format(
        summary=position.summary(), url=request.build_absolute_uri(position.url)
    )
    return [
        (line, line.mailto_href(subject=subject, body=body)) for line in position.support_lines
    ]


def support_lines(request):
    return render(request, "kb/support_lines.html", {"lines": SupportLine.objects.all()})
