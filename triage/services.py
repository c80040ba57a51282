"""Writes that span a ticket and its timeline, called from the public form, agent mode
and the agent workspace."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import SupportLine
from kb.snapshot import Walk, published
from triage.models import OutgoingMail, Ticket, TicketEvent

logger = logging.getLogger(__name__)

AGENTS_GROUP = "Agents de support"
EDITORS_GROUP = "Éditeurs de contenu"


def trail_snapshot(position: Walk | None) -> dict:
    """What a ticket keeps of the wizard path: text, not links to rows that may change."""
    if position is None:
        return {}
    return {
        "trail": [{"question": entry.question.question, "answer": entry.answer.label}
                  for entry in position.trail],
        "outcome_title": position.step.heading,
        "wizard_url": position.url,
        # The draft row of the published line (same slug), so the ticket keeps a link to it.
        "suggested_line": SupportLine.objects.filter(
            slug=position.support_lines[0].slug).first() if position.support_lines else None,
    }


@transaction.atomic
def file_ticket(*, data: dict, position: Walk | None, pages_viewed: list[str],
                agent=None) -> Ticket:
    ticket = Ticket.objects.create(
        **data, **trail_snapshot(position), pages_viewed=pages_viewed,
        source=Ticket.Source.PHONE if agent else Ticket.Source.WEB,
        assigned_to=agent,
        status=Ticket.Status.IN_PROGRESS if agent else Ticket.Status.NEW,
    )
    TicketEvent.objects.create(
        ticket=ticket, actor=agent, kind=TicketEvent.Kind.CREATED,
        summary=_("Saisi au téléphone par un agent") if agent else _("Envoyé depuis le site"),
    )
    if ticket.email:
        context = {"ticket": ticket, "retention_months": settings.TRIAGE_RETENTION_MONTHS}
        queue_mail(ticket=ticket, subject=_("[%(reference)s] Nous avons bien reçu votre "
                                            "demande") % {"reference": ticket.reference},
                   body=render_to_string("triage/email/acknowledgement.txt", context))
    return ticket


def queue_mail(*, ticket: Ticket, subject: str, body: str) -> OutgoingMail:
    """Keep the e-mail, and try to send it as soon as the transaction is committed."""
    mail = OutgoingMail.objects.create(ticket=ticket, to=ticket.email, subject=subject,
                                       body=body)
    transaction.on_commit(lambda: deliver(mail))
    return mail


def deliver(mail: OutgoingMail) -> bool:
    """One attempt, bounded by EMAIL_TIMEOUT. A failure is recorded, never raised: the
    person's request is saved whatever the mail server does."""
    mail.attempts += 1
    try:
        send_mail(mail.subject, mail.body, None, [mail.to])
    except Exception as error:  # noqa: BLE001 - any failure of the mail server or its network
        mail.last_error = type(error).__name__[:200]
        if mail.attempts >= OutgoingMail.MAX_ATTEMPTS:
            mail.status = OutgoingMail.Status.FAILED
        logger.warning("mail %s not sent (attempt %s): %s", mail.pk, mail.attempts,
                       mail.last_error)
    else:
        mail.status, mail.sent_at, mail.last_error = (OutgoingMail.Status.SENT,
                                                      timezone.now(), "")
    mail.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return mail.status == OutgoingMail.Status.SENT


def _record(ticket, actor, kind, summary, text=""):
    TicketEvent.objects.create(ticket=ticket, actor=actor, kind=kind, summary=summary, text=text)


@transaction.atomic
def change_status(*, ticket: Ticket, status: str, actor) -> None:
    if status not in ticket.allowed_statuses:
        raise ValueError(f"{ticket.status} -> {status} is not allowed")
    old = ticket.get_status_display()
    ticket.status = status
    ticket.closed_at = timezone.now() if ticket.is_closed else None
    ticket.save(update_fields=["status", "closed_at"])
    _record(ticket, actor, TicketEvent.Kind.STATUS, f"{old} → {ticket.get_status_display()}")


@transaction.atomic
def transfer(*, ticket: Ticket, line, actor) -> None:
    """Close the ticket towards a national line, and tell the professional where to go."""
    ticket.status = Ticket.Status.TRANSFERRED
    ticket.transferred_to = line
    ticket.transferred_at = ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "transferred_to", "transferred_at", "closed_at"])
    message = transfer_message(ticket=ticket, line=line)
    if message:
        queue_mail(ticket=ticket, **message)
        summary = _("Transféré à : %(line)s ; la personne en est informée par e-mail.")
    else:
        summary = _("Transféré à : %(line)s ; pas d'e-mail : prévenez la personne par "
                    "téléphone.")
    _record(ticket, actor, TicketEvent.Kind.TRANSFERRED, summary % {"line": line.name},
            message["body"] if message else "")


def transfer_message(*, ticket: Ticket, line) -> dict | None:
    """The e-mail that tells the professional which line to contact (with the number and
    address visitors see on the site) and what to tell it; None without an e-mail."""
    if not ticket.email:
        return None
    shown = next((item for item in published.get().lines if item.slug == line.slug), line)
    return {
        "subject": _("[%(reference)s] Contactez le %(line)s") % {
            "reference": ticket.reference, "line": shown.name},
        "body": render_to_string("triage/email/transfer.txt", {"ticket": ticket,
                                                                "line": shown}),
    }


@transaction.atomic
def assign(*, ticket: Ticket, agent, actor) -> None:
    ticket.assigned_to = agent
    ticket.save(update_fields=["assigned_to"])
    who = agent.get_full_name() or agent.get_username() if agent else _("personne")
    _record(ticket, actor, TicketEvent.Kind.ASSIGNED, _("Attribué à %(who)s") % {"who": who})


def add_note(*, ticket: Ticket, text: str, actor) -> None:
    _record(ticket, actor, TicketEvent.Kind.NOTE, _("Note interne"), text)


@transaction.atomic
def send_reply(*, ticket: Ticket, subject: str, body: str, actor) -> None:
    _record(ticket, actor, TicketEvent.Kind.REPLY, subject, body)
    if ticket.status == Ticket.Status.NEW:
        change_status(ticket=ticket, status=Ticket.Status.IN_PROGRESS, actor=actor)
    queue_mail(ticket=ticket, subject=subject, body=body)


ERASED = "[effacé]"


@transaction.atomic
def anonymise(ticket: Ticket) -> None:
    """Keeps what helps improve the service (path, outcome, service, dates, statuses) and
    erases who the person is and what they wrote."""
    Ticket.objects.filter(pk=ticket.pk).update(
        name=ERASED, email="", phone="", identifier_number="", description=ERASED,
        anonymised_at=timezone.now(),
    )
    ticket.mails.update(to="", subject=ERASED, body=ERASED)
    ticket.events.filter(kind__in=[TicketEvent.Kind.NOTE, TicketEvent.Kind.REPLY]).update(
        text=ERASED
    )
    _record(ticket, None, TicketEvent.Kind.ANONYMISED, _("Durée de conservation écoulée"))
