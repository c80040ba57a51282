import uuid
from datetime import timedelta
from functools import wraps
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, F, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from kb.cross_site import same_site_posts_only
from kb.middleware import bad_request
from kb.pages import describe_pages, resolve_local, shareable_page
from kb.pages_viewed import end_visit, pages_viewed
from kb.snapshot import VIA, published
from kb.views import partial_or_page, render_french
from teams.models import EMBEDDED, Team
from triage import services
from triage.figures import as_csv, column_chart, share, team_figures
from triage.forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    ReplyTemplateForm,
    SendLinkForm,
    StatusForm,
    TeamTransferForm,
    TicketForm,
    TransferForm,
    insert_at,
    template_text,
)
from triage.middleware import client_ip
from triage.models import OutgoingMail, ReplyTemplate, TeamTransfer, Ticket, TicketEvent

CONFIRMATION_SALT = "triage.confirmation"
PAGE_SIZE = 25


# --- Access -------------------------------------------------------------------------------

def agent_required(permission="triage.view_ticket"):
    """Anonymous: to the login page. Signed in without the permission (an editor): 403.
    Every agent page shows personal data: never stored by a browser or a proxy."""

    def decorator(view):
        @never_cache
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- Where the person comes from ----------------------------------------------------------

def origin(path: str) -> dict:
    """The wizard position or tutorial a help request starts from, from a local path."""
    match = resolve_local(path)
    if match is None:
        return {}
    content = published.get()  # what the visitor saw: the published version
    if match.url_name == "wizard_step":
        position = content.walk(match.kwargs["trail"].split("/"))
        return {"position": position} if position else {}
    if match.url_name == "wizard_direct":  # reached directly: no answer before it is claimed
        first, *rest = match.kwargs["trail"].split("/")
        position = content.walk(rest, arrived_at=first)
        via = parse_qs(urlsplit(path).query).get("via", [""])[0]
        return {"position": position, "via": via if via in VIA else ""} if position else {}
    if match.url_name == "tutorial":
        tutorial = content.tutorials.get(match.kwargs["slug"])
        return {"tutorial": tutorial} if tutorial and tutorial.is_published else {}
    return {}


def over_rate_limit(request, who: str = "") -> bool:
    """Counts requests filed per IP address (or per `who`: an agent) in the shared cache. In
    one transaction: with the cache in the database, a base that cannot be written (a lock
    held elsewhere) then fails once, after DATABASE_TIMEOUT, instead of once per cache write,
    each of which the database cache would silently give up on."""
    count, period = settings.TRIAGE_RATE_LIMIT
    key = f"triage:rate:{who or client_ip(request)}"
    with transaction.atomic():
        cache.add(key, 0, timeout=period)
        try:
            return cache.incr(key) > count
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period)
            return False


def submission_status(request, form, flooding_message: str, who: str = "") -> int:
    """0 when the form is accepted; otherwise the status of the page shown again with what
    was typed: 200 (nothing sent yet), 400 (errors beside the fields), 429 (too many sent
    from this address, or by this agent, in a short time)."""
    if not form.is_bound:
        return 200
    if not form.is_valid():
        return 400
    if over_rate_limit(request, who):
        form.add_error(None, flooding_message)
        return 429
    return 0


# --- Public: ask for help -----------------------------------------------------------------

def team_of_door(request) -> Team:
    """A request filed at a team's front door goes to that team; on the national site, to
    the national queue."""
    door = getattr(request, "front_door", None)
    return (door and Team.objects.filter(slug=door.slug).first()) or Team.national()


@never_cache  # what the person typed comes back in the page after an error
@same_site_posts_only
@sensitive_post_parameters("description", "identifier_number", "phone", "email", "name")
def help_request(request):
    source = request.POST.get("depuis") or request.GET.get("depuis", "")
    context = origin(source)
    pages = pages_viewed(request)
    form = TicketForm(request.POST if request.method == "POST" else None)
    status = submission_status(request, form, _(
        "Vous avez envoyé plusieurs demandes en peu de temps. Patientez quelques minutes puis "
        "réessayez : ce que vous avez saisi est conservé ci-dessous."))
    if status == 0:
        submitted = form.cleaned_data["jeton"]
        ticket, _new = services.once(Ticket, submitted, lambda: services.file_ticket(
            data=form.ticket_data(), position=context.get("position"),
            via=context.get("via", ""), pages_viewed=pages,
            team=team_of_door(request), token=submitted))
        token = signing.dumps(ticket.pk, salt=CONFIRMATION_SALT)
        response = redirect("triage:confirmation", token=token)
        end_visit(response)
        return response
    return render_french(request, "triage/help_form.html", {
        "form": form, "source": source, "pages": describe_pages(pages), **context,
        "retention_months": settings.TRIAGE_RETENTION_MONTHS,
    }, status=status, glossary=False)


@never_cache
def confirmation(request, token: str):
    try:
        pk = signing.loads(token, salt=CONFIRMATION_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404(_("Ce lien de confirmation n'est plus valable.")) from None
    ticket = get_object_or_404(Ticket, pk=pk)
    return render_french(request, "triage/confirmation.html", {"ticket": ticket},
                         glossary=False)


# --- Public: the professional's private page ----------------------------------------------

def followed_ticket(token: str) -> Ticket:
    """The ticket a private link opens: a wrong or altered token is a 404, never another
    ticket; a merged duplicate's link opens the ticket it was merged into."""
    pk = Ticket.pk_from_follow_token(token)
    ticket = Ticket.objects.select_related("merged_into").filter(pk=pk).first() if pk else None
    if ticket and ticket.merged_into:
        ticket = ticket.merged_into
    if ticket is None or ticket.anonymised_at:
        raise Http404(_("Ce lien de suivi n'est plus valable."))
    return ticket


def at_its_door(request, ticket: Ticket):
    """The follow page shows the header and contact of the team that handles the request: a
    link from before a transfer, or one opened through another door, is sent behind the
    right one. (Not through a team's own host name: there the door is the host.)"""
    came = request.path[:len(request.path) - len(request.path_info)]
    host_door = request.front_door and request.front_door.host
    if request.method != "GET" or (host_door and came in ("", f"/{EMBEDDED}")):
        return None
    # Inside a partner's frame, the team's door inside the frame (/hdf/integre/…).
    door = ticket.team.door + (f"/{EMBEDDED}" if request.embedded and ticket.team.door else "")
    if came == door:
        return None
    return redirect(door + services.root_path(request.get_full_path()))


@never_cache
@same_site_posts_only
@sensitive_post_parameters("text")
def follow(request, token: str):
    ticket = followed_ticket(token)
    elsewhere = at_its_door(request, ticket)
    if elsewhere:
        return elsewhere
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status = submission_status(request, form, _(
        "Vous avez envoyé plusieurs messages en peu de temps. Patientez quelques minutes puis "
        "réessayez : ce que vous avez saisi est conservé ci-dessous."))
    if status == 0:
        token = form.cleaned_data["jeton"]
        services.once(TicketEvent, token, lambda: services.professional_answer(
            ticket=ticket, text=form.cleaned_data["text"], token=token))
        messages.success(request, _("Votre réponse est envoyée à l'équipe d'assistance."))
        return redirect(request.path)
    return render_french(request, "triage/follow.html", {
        "ticket": ticket, "form": form,
        "events": ticket.events.filter(kind__in=TicketEvent.PUBLIC),
    }, status=status, glossary=False)


@same_site_posts_only
@require_POST
@never_cache
def follow_settled(request, token: str):
    ticket = followed_ticket(token)
    if not ticket.is_closed:
        services.professional_settled(ticket=ticket)
    messages.success(request, _("Merci : votre demande est close. Si le problème revient, "
                                "répondez sur cette page, elle sera rouverte."))
    return redirect("triage:follow", token=token)


# --- Agents -------------------------------------------------------------------------------

def filtered_tickets(form: QueueFilterForm, user):
    tickets = Ticket.objects.of(user).for_queue()
    if not form.is_valid():
        return tickets.active()
    data = form.cleaned_data
    if data["q"]:
        tickets = tickets.search(data["q"])
    if data["status"] == QueueFilterForm.DEFAULT_STATUS:
        tickets = tickets.active()
    elif data["status"] == "retard":
        tickets = tickets.overdue()
    elif data["status"] == "ouverts":
        tickets = tickets.open()
    elif data["status"]:
        tickets = tickets.filter(status=data["status"])
    if data["service"]:
        tickets = tickets.filter(service=data["service"])
    if data["line"]:
        tickets = tickets.filter(suggested_line=data["line"])
    now = timezone.now()
    if data["age"] == "24h":
        tickets = tickets.filter(created_at__gte=now - timedelta(days=1))
    elif data["age"] == "7j":
        tickets = tickets.filter(created_at__gte=now - timedelta(days=7))
    elif data["age"] == "ancien":
        tickets = tickets.filter(created_at__lt=now - timedelta(days=7))
    if data["mine"]:
        tickets = tickets.filter(assigned_to=user)
    if data["sort"] in ("", "echeance"):
        # The default: what is overdue, then tickets whose requester has answered (first
        # among equals: they wait for us again), then due soonest.
        overdue = Case(When(due_at__lt=timezone.now(), status__in=Ticket.ACTIVE, then=0),
                       default=1)
        return tickets.order_by(overdue, F("answered").desc(),
                                F("due_at").asc(nulls_last=True), "-created_at", "-id")
    return tickets.order_by(data["sort"], "-id")


def queue_counts(user) -> dict:
    """The user's teams' tickets per status, and overdue ones, in two queries."""
    counts = {row["status"]: row["n"] for row in Ticket.objects.of(user).filter(
        merged_into__isnull=True).values("status").annotate(n=Count("id"))}
    return {
        "statuses": [(value, label, counts.get(value, 0)) for value, label in
                     Ticket.Status.choices],
        "to_do": counts.get(Ticket.Status.NEW, 0),
        "overdue": Ticket.objects.of(user).for_queue().overdue().count(),
    }


@agent_required()
@vary_on_headers("HX-Request")
def queue(request):
    data = request.GET.copy()
    data.setdefault("status", QueueFilterForm.DEFAULT_STATUS)  # a first visit: the work to do
    form = QueueFilterForm(data)
    page = Paginator(filtered_tickets(form, request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, partial_or_page(request, "triage/queue.html", "results"), {
        "form": form, "page": page, "query": query.urlencode(), "now": timezone.now(),
        "bulk_form": BulkForm(user=request.user), "active_statuses": Ticket.ACTIVE,
        "teams": Team.objects.of(request.user), **queue_counts(request.user),
        "handed_over": TeamTransfer.objects.filter(
            from_team__in=Team.objects.of(request.user)).exclude(
            to_team__in=Team.objects.of(request.user)).select_related(
            "ticket", "to_team", "actor")[:10],
    })


@require_POST
@agent_required("triage.change_ticket")
def bulk(request):
    form = BulkForm(request.POST, user=request.user)
    back = redirect(f"{reverse('triage:queue')}?{request.POST.get('retour', '')}"[:2000])
    if not form.is_valid():
        say_errors(request, form)
        return back
    tickets = list(form.cleaned_data["tickets"])
    kind, target = form.target()
    if kind == "agent":
        count = services.bulk_assign(tickets=tickets, agent=target, actor=request.user)
        messages.success(request, ngettext("%(n)d ticket attribué.", "%(n)d tickets attribués.",
                                           count) % {"n": count})
    else:
        changed, left = services.bulk_status(tickets=tickets, status=target,
                                             actor=request.user)
        text = ngettext("%(n)d ticket modifié.", "%(n)d tickets modifiés.", changed) % {
            "n": changed}
        if left:
            text += " " + ngettext(
                "%(n)d laissé tel quel : ce statut ne peut pas suivre le sien.",
                "%(n)d laissés tels quels : ce statut ne peut pas suivre le leur.", left) % {
                "n": left}
        messages.success(request, text)
    return back


def say_errors(request, form) -> None:
    """A form posted from a page of the agents' space comes back as messages on that page,
    the first error of each field."""
    for errors in form.errors.values():
        messages.error(request, errors[0])


def render_ticket(request, ticket: Ticket, *, reply_form=None, note_form=None, status=200,
                  cursor=None, meanwhile=()):
    """The ticket page; after a refused reply or an inserted template, with what the agent
    typed."""
    return render(request, "triage/ticket.html", {
        "ticket": ticket,
        "pages": describe_pages(ticket.pages_viewed),
        "events": ticket.events.select_related("actor").prefetch_related("attachments"),
        "note_form": note_form or NoteForm(ticket=ticket),
        "status_form": StatusForm(ticket=ticket),
        "transfer_form": TransferForm(ticket=ticket, initial={"line": ticket.suggested_line}),
        "assign_form": AssignForm(ticket=ticket, initial={"agent": ticket.assigned_to}),
        "merge_form": MergeForm(ticket=ticket),
        "team_form": TeamTransferForm(ticket=ticket),
        "reply_form": reply_form or ReplyForm(
            ticket=ticket, initial={"subject": f"[{ticket.reference}] "}),
        "templates": ReplyTemplate.objects.for_team(ticket.team),
        "cursor": cursor,
        "meanwhile": meanwhile,
    }, status=status)


def agent_ticket(request, pk: int) -> Ticket:
    """A ticket of the user's teams; another team's is a 404, as if it did not exist. A
    merged duplicate is only a way to the ticket it was merged into (its page redirects
    there): a POST on it is a 404 too, nothing is done to it."""
    ticket = get_object_or_404(
        Ticket.objects.of(request.user).select_related(
            "team", "assigned_to", "suggested_line", "transferred_to", "merged_into"), pk=pk)
    if ticket.merged_into_id and request.method == "POST":
        raise Http404(_("Ce ticket a été fusionné dans un autre."))
    return ticket


@agent_required()
def ticket_detail(request, pk: int):
    ticket = agent_ticket(request, pk)
    if ticket.merged_into:
        messages.info(request, _("%(duplicate)s a été fusionné dans ce ticket.") % {
            "duplicate": ticket.reference})
        return redirect(ticket.merged_into)
    return render_ticket(request, ticket)


@require_POST
@agent_required("triage.change_ticket")
@vary_on_headers("HX-Request")
def insert_template(request, pk: int):
    """A reply template inserted where the agent's cursor is (sent by site.js; without
    JavaScript, after the typed text), never replacing what was typed. A template with a
    status preselects it: a macro."""
    ticket = agent_ticket(request, pk)
    chosen = request.POST.get("modele", "")
    template = (ReplyTemplate.objects.for_team(ticket.team).filter(pk=int(chosen)).first()
                if chosen.isascii() and chosen.isdigit() else None)
    subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
    then_status = request.POST.get("then_status", "")
    cursor = None
    if template:
        body, cursor = insert_at(body, template_text(template, ticket,
                                                     request.build_absolute_uri),
                                 request.POST.get("curseur", ""))
        if subject.strip() in ("", f"[{ticket.reference}]"):
            subject = f"[{ticket.reference}] {template.subject}"
        then_status = template.status or then_status
    form = ReplyForm(ticket=ticket, initial={"subject": subject, "body": body,
                                             "then_status": then_status})
    if request.htmx:
        return render(request, "triage/ticket.html#reply-fields",
                      {"ticket": ticket, "reply_form": form, "cursor": cursor})
    return render_ticket(request, ticket, reply_form=form, cursor=cursor)


@require_POST
@agent_required("triage.change_ticket")
@sensitive_post_parameters("body")
def reply(request, pk: int):
    ticket = agent_ticket(request, pk)
    form = ReplyForm(request.POST, ticket=ticket)
    if not ticket.email:
        messages.error(request, _("Ce ticket n'a pas d'adresse e-mail : rappelez la personne."))
        return redirect(ticket)
    if not form.is_valid():  # the page comes back with the text, and the error beside it
        return render_ticket(request, ticket, reply_form=form, status=400)
    meanwhile = form.replies_meanwhile(request.user)
    if meanwhile:  # a colleague answered while this was typed: read it before sending
        again = request.POST.copy()
        again["malgre"] = "1"
        return render_ticket(request, ticket, reply_form=ReplyForm(again, ticket=ticket),
                             meanwhile=meanwhile, status=409)
    data = form.cleaned_data
    token = data.pop("jeton")
    del data["vu"], data["malgre"]
    services.once(TicketEvent, token, lambda: services.send_reply(
        ticket=ticket, actor=request.user, token=token, **data))
    messages.success(request, _("Réponse envoyée par e-mail."))
    return redirect(ticket)


def _ticket_action(form_class, action, done_message):
    """A POST on a ticket: validate, act through the service, back to the ticket page."""

    @require_POST
    @agent_required("triage.change_ticket")
    def view(request, pk: int):
        ticket = agent_ticket(request, pk)
        form = form_class(request.POST, ticket=ticket)
        if form.is_valid():
            action(ticket=ticket, actor=request.user, **form.cleaned_data)
            messages.success(request, done_message)
        else:
            say_errors(request, form)
        return redirect(ticket)

    return view


@require_POST
@agent_required("triage.change_ticket")
@sensitive_post_parameters("text")
def add_note(request, pk: int):
    """A refused note comes back with its text and the error beside it, as a reply does."""
    ticket = agent_ticket(request, pk)
    form = NoteForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return render_ticket(request, ticket, note_form=form, status=400)
    services.add_note(ticket=ticket, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Note ajoutée."))
    return redirect(ticket)


change_status = _ticket_action(StatusForm, services.change_status, _("Statut modifié."))


@agent_required("triage.change_ticket")
def transfer(request, pk: int):
    """A transfer closes the ticket and writes to the professional: the agent first sees the
    line and the e-mail, then confirms (a POST with « confirmer »)."""
    ticket = agent_ticket(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    form = TransferForm(data, ticket=ticket)
    if not form.is_valid():
        if "line" in form.errors or request.method != "POST":
            say_errors(request, form)
            return redirect(ticket)
        # The e-mail's text is refused: the page again, with what was typed and why.
        return render(request, "triage/transfer_confirm.html", {
            "ticket": ticket, "line": form.cleaned_data["line"], "form": form,
            "token": data.get("jeton", ""),
            "message": {"subject": data.get("subject", ""), "body": data.get("body", "")},
        }, status=400)
    line = form.cleaned_data["line"]
    edited = form.edited_message()
    if request.method == "POST" and "confirmer" in request.POST and edited != {}:
        token = form.cleaned_data["jeton"]
        mail, new = services.once(TicketEvent, token, lambda: services.transfer(
            ticket=ticket, line=line, actor=request.user, token=token, message=edited))
        if not new:  # this confirmation was already acted on: say so once more
            messages.success(request, _("Ticket transféré."))
        elif mail and mail.status != OutgoingMail.Status.FAILED:
            messages.success(request, _("Ticket transféré ; la personne est informée par "
                                        "e-mail."))
        elif mail:
            messages.warning(request, _("Ticket transféré, mais l'e-mail n'a pas pu être "
                                        "préparé : prévenez la personne par téléphone."))
        else:
            messages.success(request, _("Ticket transféré : prévenez la personne par "
                                        "téléphone."))
        return redirect(ticket)
    message = edited or services.transfer_message(ticket=ticket, line=line)
    return render(request, "triage/transfer_confirm.html", {
        "ticket": ticket, "line": line,
        "token": form.cleaned_data["jeton"] or form.fields["jeton"].initial,
        "message": message, "form": form, "empty": edited == {},
    }, status=400 if edited == {} else 200)
assign = _ticket_action(AssignForm, lambda *, ticket, actor, agent: services.assign(
    ticket=ticket, agent=agent, actor=actor), _("Ticket attribué."))


@require_POST
@agent_required("triage.change_ticket")
def merge(request, pk: int):
    duplicate = agent_ticket(request, pk)
    form = MergeForm(request.POST, ticket=duplicate)
    if not form.is_valid():
        say_errors(request, form)
        return redirect(duplicate)
    into = form.cleaned_data["into"]
    services.merge(duplicate=duplicate, into=into, actor=request.user)
    messages.success(request, _("%(duplicate)s est fusionné dans %(into)s ; les deux historiques "
                                "sont ici, et le lien de suivi du demandeur mène à ce ticket.")
                     % {"duplicate": duplicate.reference, "into": into.reference})
    return redirect(into)


@require_POST
@agent_required("triage.change_ticket")
def transfer_to_team(request, pk: int):
    ticket = agent_ticket(request, pk)
    form = TeamTransferForm(request.POST, ticket=ticket)
    if not form.is_valid():
        say_errors(request, form)
        return redirect(ticket)
    team, token = form.cleaned_data["team"], form.cleaned_data["jeton"]
    services.once(TicketEvent, token, lambda: services.transfer_to_team(
        ticket=ticket, team=team, note=form.cleaned_data["note"], actor=request.user,
        token=token))
    messages.success(request, _("%(reference)s est transféré à %(team)s, qui en est prévenue "
                                "par sa file ; la personne est informée par e-mail.") % {
        "reference": ticket.reference, "team": team.name} if ticket.email else _(
        "%(reference)s est transféré à %(team)s ; prévenez la personne par téléphone.") % {
        "reference": ticket.reference, "team": team.name})
    if ticket.team in Team.objects.of(request.user):
        return redirect(ticket)
    return redirect("triage:queue")  # the ticket is no longer ours to see


@require_POST
@agent_required("triage.change_ticket")
def take(request, pk: int):
    ticket = agent_ticket(request, pk)
    services.assign(ticket=ticket, agent=request.user, actor=request.user)
    messages.success(request, _("Ce ticket vous est attribué."))
    return redirect(ticket)


@agent_required("triage.add_ticket")
@sensitive_post_parameters("description", "identifier_number", "phone", "email", "name")
def agent_new_ticket(request):
    """Agent mode: file a ticket for a caller, with the wizard path walked on the phone."""
    source = request.POST.get("depuis") or request.GET.get("depuis", "")
    context = origin(source)
    form = TicketForm(request.POST if request.method == "POST" else None, agent_mode=True,
                      teams=Team.objects.of(request.user))
    if form.is_bound and form.is_valid():
        token = form.cleaned_data["jeton"]
        ticket, _new = services.once(Ticket, token, lambda: services.file_ticket(
            data=form.ticket_data(), position=context.get("position"),
            via=context.get("via", ""), pages_viewed=[],
            team=form.team(), agent=request.user, token=token))
        messages.success(request, _("Ticket %(reference)s créé.") % {"reference": ticket.reference})
        return redirect(ticket)
    return render(request, "triage/agent_new.html",
                  {"form": form, "source": source, **context},
                  status=400 if form.is_bound else 200)


@agent_required("triage.add_ticket")
@sensitive_post_parameters("email")
def send_link(request):
    """« Envoyer ce lien à l'appelant », from any step or tutorial in agent mode: the page's
    public address (never the agent's session, nothing personal) and its QR code by e-mail,
    from the team; on the ticket if the call is about one. Limited like the help form."""
    page = request.POST.get("page") or request.GET.get("page", "")
    shared = shareable_page(page)
    if shared is None:
        return bad_request(request, _("Cette page ne peut pas être envoyée : seules les pages "
                                      "publiques du site (étapes, tutoriels…) peuvent l'être."))
    path, title = shared
    form = SendLinkForm(request.POST if request.method == "POST" else None, user=request.user)
    status = submission_status(request, form, _(
        "Vous avez envoyé beaucoup de liens en peu de temps. Patientez quelques minutes puis "
        "réessayez : l'adresse saisie est conservée."), who=f"agent-{request.user.pk}")
    if status == 0:
        data = form.cleaned_data
        # The same form sent twice (a double click) sends one e-mail.
        once = f"triage:link:{data['jeton'] or uuid.uuid4().hex}"
        if cache.add(once, 1, timeout=3600):
            try:
                services.send_link(to=data["email"], url=(
                    settings.TRIAGE_SITE_URL + data["team"].door + path), title=title,
                    team=data["team"], ticket=data["ticket"], actor=request.user)
            except Exception:
                cache.delete(once)  # not sent: the same form may be sent again
                raise
        messages.success(request, _("Le lien vers « %(title)s » est envoyé à %(email)s.") % {
            "title": title, "email": data["email"]})
        return redirect(page)
    return render(request, "triage/send_link.html", {
        "form": form, "page": page, "title": title, "path": path}, status=status)


# --- The team's figures -------------------------------------------------------------------

FIGURE_PERIODS = {"4": 4, "12": 12, "26": 26, "52": 52}


def figures_period(request) -> int:
    return FIGURE_PERIODS.get(request.GET.get("semaines", ""), 12)


def figure_teams(user):
    """The teams whose figures `user` may read (no personal data in them): every team for
    the national coordinator, editors (they say what the content should fix) and
    superusers; an agent, their own teams; anyone else, none."""
    if (user.has_perm("teams.view_all_figures") or user.has_perm("kb.publish_content")):
        return Team.objects.all()
    if user.has_perm("triage.view_ticket"):
        return Team.objects.of(user)
    raise PermissionDenied


def chosen_teams(request):
    """All the teams the user may read, or the one chosen (« ?equipe=hdf »)."""
    teams = figure_teams(request.user)
    chosen = teams.filter(slug=request.GET.get("equipe", "")[:30]).first()
    return teams, ([chosen] if chosen else teams)


@never_cache
@login_required
def figures(request):
    teams, chosen = chosen_teams(request)
    weeks = figures_period(request)
    data = team_figures(teams=chosen, weeks=weeks)
    labels = [f"{week.monday:%d/%m}" for week in data.weeks]
    return render(request, "triage/figures.html", {
        "figures": data, "weeks": weeks, "periods": FIGURE_PERIODS.values(),
        "teams": teams, "chosen": chosen[0] if len(chosen) == 1 else None,
        "opened_chart": column_chart([week.opened for week in data.weeks], labels),
        "reply_chart": column_chart([week.median_hours for week in data.weeks], labels),
        "outcomes": [(title, count, share(count, data.outcomes[0][1]))
                     for title, count in data.outcomes],
        "pages": [(path, title, count, share(count, data.pages[0][2]))
                  for path, title, count in data.pages],
    })


@never_cache
@login_required
def figures_csv(request):
    _teams, chosen = chosen_teams(request)
    weeks = figures_period(request)
    response = HttpResponse(as_csv(team_figures(teams=chosen, weeks=weeks)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="assistance-ecps-chiffres-{timezone.localdate():%Y-%m-%d}.csv"')
    return response


# --- Reply templates, written where they are used ----------------------------------------

@agent_required("triage.view_replytemplate")
def templates_list(request):
    templates = ReplyTemplate.objects.readable_by(request.user).select_related("team")
    return render(request, "triage/templates_list.html", {
        "templates": [(template, template.writable_by(request.user)) for template in templates],
        "can_add": request.user.has_perm("triage.add_replytemplate"),
    })


@agent_required("triage.view_replytemplate")
def template_edit(request, pk: int | None = None):
    """A new template (no `pk`), or a change to one the user may write; a national one is
    shown read-only to a team's agent."""
    template = None
    if pk is not None:
        template = get_object_or_404(ReplyTemplate.objects.readable_by(request.user), pk=pk)
    needed = "triage.change_replytemplate" if template else "triage.add_replytemplate"
    writable = request.user.has_perm(needed) and (template is None
                                                  or template.writable_by(request.user))
    form = ReplyTemplateForm(request.POST if request.method == "POST" else None,
                             instance=template, user=request.user)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        if "supprimer" in request.POST and template:
            if not request.user.has_perm("triage.delete_replytemplate"):
                raise PermissionDenied
            template.delete()
            messages.success(request, _("Modèle « %(name)s » supprimé.") % {
                "name": template.name})
            return redirect("triage:templates")
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("Modèle « %(name)s » enregistré.") % {
                "name": saved.name})
            return redirect("triage:templates")
    return render(request, "triage/template_form.html", {
        "form": form, "template": template, "writable": writable,
        "can_delete": request.user.has_perm("triage.delete_replytemplate"),
    }, status=400 if form.is_bound and form.errors else 200)


@agent_required()
def attachment(request, pk: int, attachment_pk: int):
    """A file the professional sent, to the ticket's agents only (another team's ticket is a
    404 like the ticket itself). A PDF is downloaded, never run in the page; an image is
    shown, its response allowed to run nothing."""
    ticket = agent_ticket(request, pk)
    sent = get_object_or_404(ticket.attachments, pk=attachment_pk)
    try:
        handle = sent.file.open("rb")
    except OSError:
        raise Http404(_("Ce fichier n'est plus disponible.")) from None
    # The name as sent, but always with the extension of what was checked: never a « .html »
    # or « .cmd » that a double-click would run.
    extension = ".pdf" if sent.content_type == "application/pdf" else ".png"
    name = sent.name if sent.name.lower().endswith(extension) else sent.name + extension
    response = FileResponse(handle, content_type=sent.content_type,
                            as_attachment=sent.content_type == "application/pdf",
                            filename=name)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
