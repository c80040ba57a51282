import hashlib
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from kb import search as kb_search
from kb.forms import FeedbackForm, IdentifierForm
from kb.models import Feedback, GlossaryTerm, KnownProblem, Step, SupportLine, Tutorial
from kb.tree import MAX_DEPTH, Walk, shortest_path, walk, wizard_url

VISITOR_COOKIE = "ecps_visiteur"

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
    context = {"walk": position, "contacts": contacts_for(request, position)}
    if not position.step.is_question and not position.step.is_success:
        context["feedback_form"] = FeedbackForm(initial={"page": request.path})
    return render(request, partial_or_page(request, "kb/wizard.html", "step"), context)


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


def tutorial_list(request):
    tutorials = Tutorial.objects.published()
    sections = [
        (label, [t for t in tutorials if t.service == value])
        for value, label in Tutorial.Service.choices
    ]
    return render(request, "kb/tutorial_list.html",
                  {"sections": [(label, items) for label, items in sections if items]})


def tutorial(request, slug: str):
    tutorials = Tutorial.objects.select_related("help_step").prefetch_related(
        "steps", "help_lines", Prefetch("related", queryset=Tutorial.objects.published())
    )
    tutorial = get_object_or_404(tutorials, slug=slug)
    is_preview = not tutorial.is_published
    if is_preview and not request.user.is_staff:
        raise Http404(_("Ce tutoriel n'existe pas."))
    response = render(request, "kb/tutorial.html", {
        "tutorial": tutorial,
        "is_preview": is_preview,
        "help_url": wizard_url([tutorial.help_step.slug]) if tutorial.help_step else None,
        "feedback_form": FeedbackForm(initial={"page": request.path}),
    })
    if is_preview:
        add_never_cache_headers(response)  # a draft must never sit in a shared cache
    return response


def known_problems(request):
    problems = KnownProblem.objects.select_related("support_line", "tutorial")
    return render(request, "kb/known_problems.html", {"problems": problems})


def glossary(request):
    return render(request, "kb/glossary.html", {"terms": GlossaryTerm.objects.all()})


@vary_on_headers("HX-Request")
def search(request):
    query = request.GET.get("q", "").strip()[: kb_search.MAX_QUERY_LENGTH]
    results = kb_search.search(query) if query else []
    return render(request, partial_or_page(request, "kb/search.html", "results"), {
        "query": query,
        "results": results,
        "support_lines": SupportLine.objects.all() if query and not results else [],
    })


@never_cache
@sensitive_post_parameters("number")
def identifier(request):
    """Nothing typed here is stored or logged: POST (never in a URL or an access log), no
    model, and the number is hidden from error reports."""
    form = IdentifierForm(request.POST if request.method == "POST" else None)
    result = form.cleaned_data["number"] if form.is_bound and form.is_valid() else None
    return render(request, partial_or_page(request, "kb/identifier.html", "tool"),
                  {"form": form, "result": result})


@require_POST
def feedback(request):
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        template = partial_or_page(request, "kb/feedback.html", "feedback")
        return render(request, template, {"feedback_form": form}, status=400)
    token = request.COOKIES.get(VISITOR_COOKIE) or secrets.token_urlsafe(24)
    Feedback.objects.update_or_create(
        page=form.cleaned_data["page"],
        visitor=hashlib.sha256(token.encode()).hexdigest(),
        defaults={"helpful": form.cleaned_data["helpful"],
                  "comment": form.cleaned_data["comment"]},
    )
    if request.htmx:
        response = render(request, "kb/feedback.html#feedback", {"feedback_saved": True})
    else:
        messages.success(request, _("Merci, votre avis a été enregistré."))
        response = redirect(form.cleaned_data["page"] + "#avis")
    response.set_cookie(VISITOR_COOKIE, token, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax", secure=not settings.DEBUG)
    return response
