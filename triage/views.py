from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from kb.pages import describe_pages, resolve_local
from kb.snapshot import published
from kb.views import partial_or_page
from triage import services
from triage.forms import (
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    StatusForm,
    TicketForm,
    TransferForm,
    reply_from_template,
)
from triage.middleware import pages_viewed
from triage.models import ReplyTemplate, Ticket

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
    if match.url_name == "tutorial":
        tutorial = content.tutorials.get(match.kwargs["slug"])
        return {"tutorial": tutorial} if tutorial and tutorial.is_published else {}
    return {}


def client_ip(request) -> str:
    return request.META.get(settings.TRIAGE_CLIENT_IP_HEADER) or request.META.get(
        "REMOTE_ADDR", "inconnue"
    )


def over_rate_limit(request) -> bool:
    """Counts requests filed per IP address in the shared cache."""
    count, period = settings.TRIAGE_RATE_LIMIT
    key = f"triage:rate:{client_ip(request)}"
    cache.add(key, 0, timeout=period)
    try:
        return cache.incr(key) > count
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        return False


# --- Public: ask for help -----------------------------------------------------------------

@never_cache  # what the person typed comes back in the page after an error
@sensitive_post_parameters("description", "identifier_number", "phone", "email", "name")
def help_request(request):
    source = request.POST.get("depuis") or request.GET.get("depuis", "")
    context = origin(source)
    pages = pages_viewed(request)
    form = TicketForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid() and over_rate_limit(request):
            form.add_error(None, _("Vous avez envoyé plusieurs demandes en peu de temps. "
                                   "Patientez quelques minutes puis réessayez : ce que vous "
                                   "avez saisi est conservé ci-dessous."))
            status = 429
        elif form.is_valid():
            ticket = services.file_ticket(data=form.ticket_data(),
                                          position=context.get("position"), pages_viewed=pages)
            token = signing.dumps(ticket.pk, salt=CONFIRMATION_SALT)
            return redirect("triage:confirmation", token=token)
        else:
            status = 400
    return render(request, "triage/help_form.html", {
        "form": form, "source": source, "pages": describe_pages(pages), **context,
        "retention_months": settings.TRIAGE_RETENTION_MONTHS,
    }, status=status)


@never_cache
def confirmation(request, token: str):
    try:
        pk = signing.loads(token, salt=CONFIRMATION_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        raise Http404(_("Ce lien de confirmation n'est plus valable.")) from None
    ticket = get_object_or_404(Ticket, pk=pk)
    return render(request, "triage/confirmation.html", {"ticket": ticket})


# --- Agents -------------------------------------------------------------------------------

def filtered_tickets(form: QueueFilterForm, user):
    tickets = Ticket.objects.for_queue()
    if not form.is_valid():
        return tickets
    data = form.cleaned_data
    if data["q"]:
        pk = Ticket.pk_from_reference(data["q"])
        tickets = tickets.filter(pk=pk) if pk else tickets.filter(
            Q(name__icontains=data["q"]) | Q(email__icontains=data["q"])
            | Q(description__icontains=data["q"])
        )
    if data["status"] == "ouverts":
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
    return tickets.order_by(data["sort"] or "-created_at", "-id")


@agent_required()
@vary_on_headers("HX-Request")
def queue(request):
    form = QueueFilterForm(request.GET)
    page = Paginator(filtered_tickets(form, request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, partial_or_page(request, "triage/queue.html", "results"),
                  {"form": form, "page": page, "query": query.urlencode()})


@agent_required()
def ticket_detail(request, pk: int):
    ticket = get_object_or_404(
        Ticket.objects.select_related("assigned_to", "suggested_line", "transferred_to"), pk=pk
    )
    template = None
    if request.GET.get("modele", "").isdigit():
        template = ReplyTemplate.objects.filter(pk=request.GET["modele"]).first()
    reply_initial = (reply_from_template(template, ticket, request.build_absolute_uri)
                     if template else {"subject": f"[{ticket.reference}] "})
    return render(request, "triage/ticket.html", {
        "ticket": ticket,
        "pages": describe_pages(ticket.pages_viewed),
        "events": ticket.events.select_related("actor"),
        "note_form": NoteForm(ticket=ticket),
        "status_form": StatusForm(ticket=ticket),
        "transfer_form": TransferForm(ticket=ticket, initial={"line": ticket.suggested_line}),
        "reply_form": ReplyForm(ticket=ticket, initial=reply_initial),
        "templates": ReplyTemplate.objects.all(),
        "chosen_template": template,
    })


def _ticket_action(form_class, action, done_message):
    """A POST on a ticket: validate, act through the service, back to the ticket page."""

    @require_POST
    @agent_required("triage.change_ticket")
    def view(request, pk: int):
        ticket = get_object_or_404(Ticket, pk=pk)
        form = form_class(request.POST, ticket=ticket)
        if form.is_valid():
            action(ticket=ticket, actor=request.user, **form.cleaned_data)
            messages.success(request, done_message)
        else:
            for errors in form.errors.values():
                messages.error(request, errors[0])
        return redirect(ticket)

    return view


add_note = _ticket_action(NoteForm, services.add_note, _("Note ajoutée."))
change_status = _ticket_action(StatusForm, services.change_status, _("Statut modifié."))
@agent_required("triage.change_ticket")
def transfer(request, pk: int):
    """A transfer closes the ticket and writes to the professional: the agent first sees the
    line and the e-mail, then confirms (a POST with « confirmer »)."""
    ticket = get_object_or_404(Ticket, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    form = TransferForm(data, ticket=ticket)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(ticket)
    line = form.cleaned_data["line"]
    if request.method == "POST" and "confirmer" in request.POST:
        services.transfer(ticket=ticket, line=line, actor=request.user)
        messages.success(request, _("Ticket transféré ; la personne est informée par e-mail.")
                         if ticket.email else _("Ticket transféré : prévenez la personne par "
                                                "téléphone."))
        return redirect(ticket)
    return render(request, "triage/transfer_confirm.html", {
        "ticket": ticket, "line": line,
        "message": services.transfer_message(ticket=ticket, line=line),
    })
reply = _ticket_action(ReplyForm, services.send_reply, _("Réponse envoyée par e-mail."))


@require_POST
@agent_required("triage.change_ticket")
def take(request, pk: int):
    ticket = get_object_or_404(Ticket, pk=pk)
    services.assign(ticket=ticket, agent=request.user, actor=request.user)
    messages.success(request, _("Ce ticket vous est attribué."))
    return redirect(ticket)


@agent_required("triage.add_ticket")
@sensitive_post_parameters("description", "identifier_number", "phone", "email", "name")
def agent_new_ticket(request):
    """Agent mode: file a ticket for a caller, with the wizard path walked on the phone."""
    source = request.POST.get("depuis") or request.GET.get("depuis", "")
    context = origin(source)
    form = TicketForm(request.POST if request.method == "POST" else None, agent_mode=True)
    if form.is_bound and form.is_valid():
        ticket = services.file_ticket(data=form.ticket_data(), position=context.get("position"),
                                      pages_viewed=[], agent=request.user)
        messages.success(request, _("Ticket %(reference)s créé.") % {"reference": ticket.reference})
        return redirect(ticket)
    return render(request, "triage/agent_new.html",
                  {"form": form, "source": source, **context},
                  status=400 if form.is_bound else 200)
