import hashlib
import re
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kb import images
from kb import search as kb_search
from kb.cross_site import same_site_posts_only
from kb.forms import FeedbackForm, IdentifierForm
from kb.glossary_links import link_terms
from kb.middleware import bad_request
from kb.models import Feedback, Tutorial
from kb.page_cache import public_page
from kb.pages import resolve_local
from kb.snapshot import (
    MAX_DEPTH,
    PREVIEW_SESSION_KEY,
    VIA,
    Line,
    Snapshot,
    Walk,
    content_for,
)
from kb.templatetags.doors import content_links_here, links_leave_the_frame
from kb.templatetags.french import french_spacing_html
from kb.tree_picture import outline, picture

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


def render_french(request, template: str, context: dict, status: int = 200, *,
                  glossary: bool = True):
    """French spacing on the whole page, interface strings included, so that no string can
    miss it (for cached pages, once per content version); and, on content pages, the
    glossary's terms linked."""
    response = render(request, template, context, status=status)
    html = french_spacing_html(response.content.decode())
    if glossary and template != "kb/glossary.html":
        html = link_terms(html, content_for(request).glossary, reverse("kb:glossary"))
    html = content_links_here(html)
    if getattr(request, "embedded", False):
        html = links_leave_the_frame(html)
    response.content = html.encode()
    return response


@public_page
def home(request):
    content = content_for(request)
    return render_french(request, "kb/home.html", {
        "walk": content.walk(()), "most_questions": content.most_questions,
    })


@public_page
@vary_on_headers("HX-Request")
def wizard_step(request, trail: str = ""):
    slugs = trail.split("/") if trail else []
    if len(slugs) > MAX_DEPTH or not all(SLUG.fullmatch(slug) for slug in slugs):
        raise Http404(_("Cette étape du parcours n'existe pas."))
    content = content_for(request)
    position = content.walk(slugs)
    if position is None:
        return redirect_to_current_step(request, content, slugs)
    return show_step(request, position)


@public_page
@vary_on_headers("HX-Request")
def wizard_direct(request, trail: str):
    """A step reached without answering the questions before it (a search result, a
    tutorial, the overview, a bookmark, an agent's link), then the answers clicked from
    there: the page and what a help request attaches claim no other answer."""
    slugs = trail.split("/")
    if len(slugs) > MAX_DEPTH or not all(SLUG.fullmatch(slug) for slug in slugs):
        raise Http404(_("Cette étape du parcours n'existe pas."))
    content = content_for(request)
    position = content.walk(slugs[1:], arrived_at=slugs[0])
    if position is None:
        return redirect_to_current_step(request, content, slugs)
    return show_step(request, position)


def show_step(request, position: Walk):
    # Where a direct link was followed from, kept along the answers clicked after it and
    # given to the help form: the ticket says « depuis la recherche ».
    via = request.GET.get("via", "") if position.arrived_at else ""
    via = via if via in VIA else ""
    via_query = f"?via={via}" if via else ""
    context = {"walk": position, "contacts": contacts_for(request, position),
               "via_query": via_query, "origin_path": request.path + via_query}
    if not position.step.is_question and not position.step.is_success:
        context["feedback_form"] = FeedbackForm(initial={"page": request.path})
    return render_french(request, partial_or_page(request, "kb/wizard.html", "step"), context)


def redirect_to_current_step(request, content: Snapshot, slugs: list[str]):
    """An old bookmark, a link typed by hand, or a visitor mid-walk when an editor published
    a reshaped tree: go to the last step that still exists, shown as reached directly (no
    answer is made up), rather than show an error. Nothing left at all: the page that helps
    anyway."""
    slug = content.nearest_step(slugs)
    if slug is None:
        return gone(request, _("Cette étape du parcours n'existe plus"))
    return redirect(content.steps[slug].direct_url)


def gone(request, title: str):
    """A page that disappeared in a publish: a 404 that still leads somewhere useful."""
    return render_french(request, "kb/gone.html", {
        "title": title, "lines": content_for(request).lines,
    }, status=404)


def contacts_for(request, position: Walk) -> list[tuple[Line, str]]:
    """Each support line of an outcome with its mailto: link, pre-filled with the path."""
    if position.step.is_question:
        return []
    # In the visitor's own words, which make sense to the line that receives it: the last
    # answer clicked (« J'ai un problème avec ma carte… »), not the outcome's title, which
    # tells the card support to « contacter le support des cartes CPx ».
    said = position.trail[-1].answer.label if position.trail else \
        position.step.heading.split(" : ")[0]
    subject = _("[e-CPS] %(problem)s") % {"problem": said}
    body = MAIL_BODY.format(
        summary=position.summary(request.GET.get("via", "") if position.arrived_at else ""),
        url=request.build_absolute_uri(position.url)
    )
    overlay = overlay_for(request, content_for(request))
    # At a team's front door, the lines the team hangs on this step come first.
    ours = overlay.step_lines.get(position.step.slug, []) if overlay else []
    lines = ours + [line for line in position.support_lines if line not in ours]
    return [(line, line.mailto_href(subject=subject, body=body)) for line in lines]


def overlay_for(request, content):
    """What the team whose front door the page is seen through adds, or None."""
    door = getattr(request, "front_door", None)
    return content.overlays.get(door.slug) if door else None


@public_page
def overview(request):
    """The whole decision tree on one page: a picture, and the same as nested lists."""
    content = content_for(request)
    drawn = picture(content)
    return render_french(request, "kb/overview.html", {"picture": drawn,
                                                     "outline": outline(content, drawn)})


@public_page
def support_lines(request):
    """At a team's front door, the team's own lines come first, apart from the national."""
    content = content_for(request)
    overlay = overlay_for(request, content)
    ours = overlay.lines if overlay else []
    return render_french(request, "kb/support_lines.html", {
        "team_lines": ours, "lines": [line for line in content.lines if line not in ours]})


@public_page
def tutorial_list(request):
    """By service; at a team's front door, its regional services first."""
    content = content_for(request)
    tutorials = content.published_tutorials
    overlay = overlay_for(request, content)
    services = sorted(Tutorial.Service.choices,
                      key=lambda choice: not (overlay and choice[0] in overlay.services))
    sections = [
        (label, [t for t in tutorials if t.service == value])
        for value, label in services
    ]
    return render_french(request, "kb/tutorial_list.html",
                       {"sections": [(label, items) for label, items in sections if items]})


@public_page
def tutorial(request, slug: str):
    content = content_for(request)
    tutorial = content.tutorials.get(slug)
    if tutorial is None or not (tutorial.is_published or content.is_preview):
        return gone(request, _("Ce tutoriel n'existe pas ou plus"))
    page_url = request.build_absolute_uri(tutorial.get_absolute_url())
    return render_french(request, "kb/tutorial.html", {
        "tutorial": tutorial,
        "help_url": None if tutorial.help_step is None else (
            reverse("kb:wizard_start") if tutorial.help_step is content.start
            else tutorial.help_step.direct_url + "?via=tutoriel"),
        "help_is_start": tutorial.help_step is not None and tutorial.help_step is content.start,
        "feedback_form": FeedbackForm(initial={"page": request.path}),
        "page_url": page_url,
        # Printed on the fiche pratique: the phone goes back to the up-to-date page.
        "qr_svg": mark_safe(segno.make(page_url, error="m").svg_inline(
            scale=2, title=_("QR code de cette page"))),
    })


@public_page
def known_problems(request):
    return render_french(request, "kb/known_problems.html",
                       {"problems": content_for(request).known_problems})


@public_page
def glossary(request):
    return render_french(request, "kb/glossary.html", {"terms": content_for(request).glossary})


@public_page
@vary_on_headers("HX-Request")
def search(request):
    query = request.GET.get("q", "").strip()[: kb_search.MAX_QUERY_LENGTH]
    content = content_for(request)
    results = content.search_index.search(query) if query else []
    return render_french(request, partial_or_page(request, "kb/search.html", "results"), {
        "query": query,
        "results": results,
        "support_lines": content.lines if query and not results else [],
        "most_questions": content.most_questions,
    })


def is_site_path(value: str) -> bool:
    """Whether `value` is the path of a page of this site, as the admin's « Voir sur le site »
    links give it (plain ASCII): not another site, nor a number, a line break, a look-alike
    letter or an emoji."""
    return (value.isascii() and value.isprintable() and " " not in value
            and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
            and resolve_local(value) is not None)


@staff_member_required
def preview(request):
    """Staff browse the whole site as the draft would be published, until they leave.
    Entering and leaving are POSTs; the GET page only offers the button."""
    next_url = request.POST.get("suivant") or request.GET.get("suivant") or "/"
    if not is_site_path(next_url):
        return bad_request(request, _("L'adresse de retour de ce lien n'est pas une page de ce "
                                      "site : revenez en arrière et cliquez de nouveau sur "
                                      "« Voir sur le site »."))
    if request.method == "POST":
        if request.POST.get("action") == "quitter":
            request.session.pop(PREVIEW_SESSION_KEY, None)
            messages.info(request, _("Vous avez quitté l'aperçu : vous voyez le site publié."))
        else:
            request.session[PREVIEW_SESSION_KEY] = True
        # Not redirect(): given a word (« -1 »), it would look for a view of that name.
        return HttpResponseRedirect(next_url)
    response = render(request, "kb/preview.html", {"next_url": next_url})
    add_never_cache_headers(response)
    return response


@never_cache
@same_site_posts_only
@sensitive_post_parameters("number")
def identifier(request):
    """Nothing typed here is stored or logged: POST (never in a URL or an access log), no
    model, and the number is hidden from error reports."""
    form = IdentifierForm(request.POST if request.method == "POST" else None)
    result = form.cleaned_data["number"] if form.is_bound and form.is_valid() else None
    return render_french(request, partial_or_page(request, "kb/identifier.html", "tool"),
                         {"form": form, "result": result})


@same_site_posts_only
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


MEDIA_TYPES = {"webp": "image/webp", "png": "image/png", "jpg": "image/jpeg",
               "jpeg": "image/jpeg", "gif": "image/gif"}


@require_safe
def media(request, name: str):
    """A screenshot, read through the storage setting (local files or an object store),
    from this site's own address: the pages' security policy and closed networks need no
    other host. Names never change their content, so browsers keep them a year."""
    match = images.SERVED_NAME.fullmatch(name)
    if not match:
        raise Http404
    try:
        file = default_storage.open(name)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, content_type=MEDIA_TYPES[match[1]])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
