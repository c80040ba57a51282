"""Writes that span a ticket and its timeline, called from the public form, agent mode
and the agent workspace."""

import io
import logging
import secrets
from email.utils import parseaddr

import segno
from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import SupportLine
from kb.snapshot import Walk, arrived_directly, published
from kb.templatetags.french import french_spacing
from teams.models import Team
from triage.models import OutgoingMail, TeamTransfer, Ticket, TicketEvent, response_due

logger = logging.getLogger(__name__)

AGENTS_GROUP = "Agents de support"
EDITORS_GROUP = "Éditeurs de contenu"


def trail_snapshot(position: Walk | None, via: str = "") -> dict:
    """What a ticket keeps of the wizard path: text, not links to rows that may change;
    exactly the answers clicked, after « arrivé directement sur l'étape … » if so."""
    if position is None:
        return {}
    arrived = ([{"question": arrived_directly(position.arrived_at, via), "answer": ""}]
               if position.arrived_at else [])
    return {
        "trail": arrived + [{"question": entry.question.question, "answer": entry.answer.label}
                            for entry in position.trail],
        "outcome_title": position.step.heading,
        "wizard_url": position.url,
        # The draft row of the published line (same slug), so the ticket keeps a link to it.
        "suggested_line": SupportLine.objects.filter(
            slug=position.support_lines[0].slug).first() if position.support_lines else None,
    }


def once(model, token: str, write):
    """`write()`, unless a form with this token was already acted on (sent twice: a double
    tap, a client trying again after a time-out); then what that first submission recorded.
    Returns (what write() returned, True), or (the earlier ticket or event, False). Two
    copies arriving at the
    same moment are told apart by the token's unique index: the second one's INSERT fails,
    and it finds the first one's row."""
    if token and (earlier := model.objects.filter(submission_token=token).first()):
        return earlier, False
    try:
        with transaction.atomic():
            return write(), True
    except IntegrityError:
        earlier = model.objects.filter(submission_token=token).first() if token else None
        if earlier is None:
            raise
        return earlier, False


@transaction.atomic
def file_ticket(*, data: dict, position: Walk | None, pages_viewed: list[str], team: Team,
                agent=None, token: str = "", via: str = "") -> Ticket:
    now = timezone.now()
    ticket = Ticket.objects.create(
        **data, **trail_snapshot(position, via), pages_viewed=pages_viewed, team=team,
        submission_token=token or None,
        source=Ticket.Source.PHONE if agent else Ticket.Source.WEB,
        assigned_to=agent, created_at=now,
        status=Ticket.Status.IN_PROGRESS if agent else Ticket.Status.NEW,
        # A caller has had the team's first answer on the phone.
        due_at=None if agent else response_due(now, team),
    )
    TicketEvent.objects.create(
        ticket=ticket, actor=agent, kind=TicketEvent.Kind.CREATED,
        summary=_("Saisi au téléphone par un agent") if agent else _("Envoyé depuis le site"),
    )
    if ticket.email:
        context = {"ticket": ticket, "retention_months": settings.TRIAGE_RETENTION_MONTHS,
                   "follow_url": follow_link(ticket)}
        queue_mail(ticket=ticket, subject=_("[%(reference)s] Nous avons bien reçu votre "
                                            "demande") % {"reference": ticket.reference},
                   body=render_mail_text("triage/email/acknowledgement.txt", context))
    return ticket


def render_mail_text(template_name: str, context: dict) -> str:
    """A plain-text e-mail body. Its template turns autoescaping off (a mail is not HTML),
    and render_to_string marks the result safe for HTML all the same: shown in a page (the
    transfer preview), what the person typed would become markup. str.__str__ drops the
    mark, so every page escapes a mail body like any other text."""
    return french_spacing(str.__str__(render_to_string(template_name, context)))


def root_path(path: str) -> str:
    """A path reversed during a request at a front door carries its prefix (/hdf/…): the
    same path from the site's root."""
    prefix = get_script_prefix()
    return "/" + path[len(prefix):] if path.startswith(prefix) else path


def follow_link(ticket: Ticket) -> str:
    """The professional's private link, behind their team's front door (its name and its
    contact on the page), whichever page or thread writes the e-mail."""
    return settings.TRIAGE_SITE_URL + ticket.team.door + root_path(ticket.get_follow_url())


def agents_link(ticket: Ticket) -> str:
    """The ticket in the agents' space, which is at the site's root only."""
    return settings.TRIAGE_SITE_URL + root_path(ticket.get_absolute_url())


def queue_mail(*, ticket: Ticket | None, subject: str, body: str, to_agent=None, to: str = "",
               team: Team | None = None, qr_link: str = "") -> OutgoingMail:
    """Keep the e-mail, and have it sent as soon as the transaction is committed, outside
    the request (send_soon: the task queue). One that cannot even be built (a line break in
    a header, a broken address) is failed at once, so that nobody is told « la personne est
    informée » of a mail that will never leave. Without a ticket (a link sent to a caller),
    `to` and `team` say to whom and from whom."""
    team = team or ticket.team
    # French typography in every e-mail as on every page (« Votre référence : »).
    mail = OutgoingMail(ticket=ticket,
                        to=to or (to_agent.email if to_agent else ticket.email),
                        to_agent=bool(to_agent), subject=french_spacing(subject),
                        body=french_spacing(body), sender=team.sender, qr_link=qr_link)
    if ticket is not None:
        # Unguessable (a reply citing it is filed in the ticket): the system's randomness.
        mail.message_id = f"<{secrets.token_hex(16)}@{mail_domain(mail.sender)}>"
    try:
        build_message(mail).message()
    except (BadHeaderError, ValueError) as error:
        mail.status, mail.last_error = OutgoingMail.Status.FAILED, type(error).__name__
        logger.warning("mail for ticket %s cannot be built: %s", ticket and ticket.pk,
                       mail.last_error)
    mail.save()
    if mail.status == OutgoingMail.Status.PENDING:
        transaction.on_commit(lambda: send_soon(mail.pk))
    return mail


def mail_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


def build_message(mail: OutgoingMail) -> EmailMessage:
    # From the ticket's team's mailbox, answers to it: the professional can simply reply,
    # and the reply, citing this Message-ID, comes back into the ticket (triage.inbound).
    # Mail servers are asked not to answer it with out-of-office messages.
    sender = mail.sender or mail.ticket.team.sender
    headers = {"X-Auto-Response-Suppress": "OOF, AutoReply"}
    if mail.message_id:
        headers["Message-ID"] = mail.message_id
    message = EmailMessage(mail.subject, mail.body, sender, [mail.to], reply_to=[sender],
                           headers=headers)
    if mail.qr_link:  # read on a computer, the page opens on the phone that scans it
        image = io.BytesIO()
        segno.make(mail.qr_link, error="m").save(image, kind="png", scale=6, border=4)
        message.attach("qr-code.png", image.getvalue(), "image/png")
    return message


def deliver(pk: int) -> bool:
    """One attempt, bounded by EMAIL_TIMEOUT, by whoever claims the mail first: the
    background thread, or `send_pending_mail` (several may run at once). A failure is
    recorded, never raised: the person's request is saved whatever the mail server does."""
    claimed = OutgoingMail.objects.filter(pk=pk, status=OutgoingMail.Status.PENDING).update(
        status=OutgoingMail.Status.SENDING, claimed_at=timezone.now())
    if not claimed:
        return False  # sent, failed, or being sent by another process
    mail = OutgoingMail.objects.select_related("ticket__team").get(pk=pk)
    mail.attempts += 1
    try:
        build_message(mail).send()
    except Exception as error:  # noqa: BLE001 - any failure of the mail server or its network
        mail.last_error = type(error).__name__[:200]
        mail.status = (OutgoingMail.Status.FAILED if mail.attempts >= OutgoingMail.MAX_ATTEMPTS
                       or isinstance(error, BadHeaderError) else OutgoingMail.Status.PENDING)
        logger.warning("mail %s not sent (attempt %s): %s", mail.pk, mail.attempts,
                       mail.last_error)
    else:
        mail.status, mail.sent_at, mail.last_error = (OutgoingMail.Status.SENT,
                                                      timezone.now(), "")
    sent = mail.status == OutgoingMail.Status.SENT
    if sent and mail.ticket_id is None:
        mail.delete()  # a link sent to a caller: nothing of the address is kept
        return True
    mail.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return sent


def send_soon(pk: int) -> None:
    """Hands the mail to the task queue's worker (triage.tasks), right after the commit. If
    even that fails (the database gone at that instant), the mail stays pending for
    `send_pending_mail`. With TRIAGE_MAIL_IN_BACKGROUND off (the tests), it is sent at once
    in the calling thread."""
    if not settings.TRIAGE_MAIL_IN_BACKGROUND:
        deliver(pk)
        return
    from triage.tasks import send_mail

    try:
        send_mail.enqueue(pk)
    except Exception as error:  # noqa: BLE001 - left for send_pending_mail, never a 500
        logger.warning("mail %s left for send_pending_mail: %s", pk, type(error).__name__)


def _record(ticket, actor, kind, summary, text="", token=""):
    return TicketEvent.objects.create(ticket=ticket, actor=actor, kind=kind, summary=summary,
                                      text=text, submission_token=token or None)


def _move(ticket: Ticket, status: str, *, actor, due_at=None, why: str = "") -> None:
    """The one way a ticket changes status: closed or not, still owed an answer or not
    (`due_at` sets a new target), and the change on the timeline."""
    old = ticket.get_status_display()
    ticket.status = status
    ticket.closed_at = timezone.now() if ticket.is_closed else None
    if due_at or status not in Ticket.ACTIVE:
        ticket.due_at = due_at
    ticket.save(update_fields=["status", "closed_at", "due_at"])
    if old != ticket.get_status_display():
        summary = f"{old} → {ticket.get_status_display()}"
        _record(ticket, actor, TicketEvent.Kind.STATUS, f"{summary} : {why}" if why else summary)


@transaction.atomic
def change_status(*, ticket: Ticket, status: str, actor) -> None:
    """An agent's change, within the workflow."""
    if status not in ticket.allowed_statuses:
        raise ValueError(f"{ticket.status} -> {status} is not allowed")
    _move(ticket, status, actor=actor)


@transaction.atomic
def transfer(*, ticket: Ticket, line, actor, token: str = "",
             message: dict | None = None) -> OutgoingMail | None:
    """Close the ticket towards a national line, and tell the professional where to go
    (`message`: the e-mail as the agent edited it; by default the site's). Returns the
    e-mail that tells them, if there is one."""
    ticket.status = Ticket.Status.TRANSFERRED
    ticket.transferred_to = line
    ticket.transferred_at = ticket.closed_at = timezone.now()
    ticket.due_at = None
    ticket.save(update_fields=["status", "transferred_to", "transferred_at", "closed_at",
                               "due_at"])
    message = (message or transfer_message(ticket=ticket, line=line)) if ticket.email else None
    mail = queue_mail(ticket=ticket, **message) if message else None
    if mail and mail.status != OutgoingMail.Status.FAILED:
        summary = _("Transféré à : %(line)s ; la personne en est informée par e-mail.")
    elif mail:
        summary = _("Transféré à : %(line)s ; l'e-mail n'a pas pu être préparé : prévenez la "
                    "personne par téléphone.")
    else:
        summary = _("Transféré à : %(line)s ; pas d'e-mail : prévenez la personne par "
                    "téléphone.")
    _record(ticket, actor, TicketEvent.Kind.TRANSFERRED, summary % {"line": line.name},
            message["body"] if message else "", token)
    return mail


def transfer_message(*, ticket: Ticket, line) -> dict | None:
    """The e-mail that tells the professional which line to contact (with the number and
    address visitors see on the site) and what to tell it; None without an e-mail."""
    if not ticket.email:
        return None
    shown = next((item for item in published.get().lines if item.slug == line.slug), line)
    return {
        "subject": _("[%(reference)s] Contactez le %(line)s") % {
            "reference": ticket.reference, "line": shown.name},
        "body": render_mail_text("triage/email/transfer.txt", {
            "ticket": ticket, "line": shown, "follow_url": follow_link(ticket)}),
    }


@transaction.atomic
def transfer_to_team(*, ticket: Ticket, team: Team, note: str, actor,
                     token: str = "") -> TicketEvent:
    """The ticket moves to `team`, to be handled there from the start (« à traiter », nobody
    assigned, its response target); the sending team keeps a trace (TeamTransfer), the
    professional is told by the new team who now handles it."""
    previous = ticket.team
    TeamTransfer.objects.create(ticket=ticket, from_team=previous, to_team=team, actor=actor,
                                note=note)
    ticket.team, ticket.assigned_to = team, None
    ticket.save(update_fields=["team", "assigned_to"])
    # Its merged duplicates go with it: their private links open it, their history is in it.
    Ticket.objects.filter(merged_into=ticket).update(team=team, assigned_to=None)
    event = _record(ticket, actor, TicketEvent.Kind.TEAM, _(
        "%(from)s → %(to)s") % {"from": previous.name, "to": team.name}, note, token)
    if ticket.status != Ticket.Status.NEW:
        _move(ticket, Ticket.Status.NEW, actor=actor, due_at=response_due(timezone.now(), team),
              why=_("nouvelle équipe"))
    else:
        ticket.due_at = response_due(timezone.now(), team)
        ticket.save(update_fields=["due_at"])
    if ticket.email:
        queue_mail(ticket=ticket, subject=_("[%(reference)s] Votre demande est suivie par "
                                            "%(team)s") % {"reference": ticket.reference,
                                                           "team": team.name},
                   body=render_mail_text("triage/email/team_transfer.txt", {
                       "ticket": ticket, "follow_url": follow_link(ticket)}))
    return event


@transaction.atomic
def assign(*, ticket: Ticket, agent, actor) -> None:
    ticket.assigned_to = agent
    ticket.save(update_fields=["assigned_to"])
    who = agent.get_full_name() or agent.get_username() if agent else _("personne")
    _record(ticket, actor, TicketEvent.Kind.ASSIGNED, _("Attribué à %(who)s") % {"who": who})


def add_note(*, ticket: Ticket, text: str, actor) -> None:
    _record(ticket, actor, TicketEvent.Kind.NOTE, _("Note interne"), text)


def reply_subject(ticket: Ticket, subject: str) -> str:
    """Every e-mail of a ticket carries its reference, so that the team finds it again."""
    return subject if ticket.reference in subject else f"[{ticket.reference}] {subject}"


def reply_footer(ticket: Ticket) -> str:
    return "\n\n-- \n" + ticket.team.signature + "\n\n" + _(
        "Pour nous répondre ou nous dire que c'est réglé, sans compte ni mot de passe : "
        "%(url)s\nCe lien est personnel : ne le transférez pas.") % {
        "url": follow_link(ticket)}


@transaction.atomic
def send_reply(*, ticket: Ticket, subject: str, body: str, actor, then_status="",
               token: str = "") -> TicketEvent:
    """The text recorded is what the professional sees on their page; the e-mail adds the
    private link. The team no longer owes an answer; `then_status` is the macro's status."""
    subject = reply_subject(ticket, subject)
    event = _record(ticket, actor, TicketEvent.Kind.REPLY, subject, body, token)
    ticket.due_at = None
    moves = []
    if ticket.status == Ticket.Status.NEW or then_status and then_status not in [
            ticket.status, *ticket.allowed_statuses]:
        # Answered, so in progress at least; a closed ticket goes through « en cours » to
        # the macro's status (résolu → en attente is not a step of the workflow).
        moves.append(Ticket.Status.IN_PROGRESS)
    if then_status and then_status != (moves[-1] if moves else ticket.status):
        moves.append(then_status)
    for status in moves:
        _move(ticket, status, actor=actor)
    if not moves:
        ticket.save(update_fields=["due_at"])
    queue_mail(ticket=ticket, subject=subject, body=body + reply_footer(ticket))
    return event


@transaction.atomic
def send_link(*, to: str, url: str, title: str, team: Team, ticket: Ticket | None,
              actor) -> OutgoingMail:
    """« Envoyer ce lien à l'appelant »: a public page of the site, by e-mail with its QR
    code, from the team. On the ticket if the agent chose one (its reference in the subject,
    so that a reply comes back to it); otherwise nothing is kept once it is sent."""
    subject = _("Le lien dont nous avons parlé : %(title)s") % {"title": title}
    body = render_mail_text("triage/email/link.txt", {
        "title": title, "url": url, "signature": team.signature})
    if ticket is not None:
        subject = reply_subject(ticket, subject)
        # The address is not in the summary, which anonymisation keeps.
        _record(ticket, actor, TicketEvent.Kind.LINK,
                _("Lien envoyé : %(title)s") % {"title": title[:250]}, url)
    return queue_mail(ticket=ticket, subject=subject, body=body, to=to, team=team,
                      qr_link=url)


# --- The professional's side, through the private link -----------------------------------

@transaction.atomic
def professional_answer(*, ticket: Ticket, text: str, token: str = "") -> TicketEvent:
    """An answer puts the ticket back « à traiter » for its agent, who is told by e-mail
    (the e-mail says where to read it, not what it says)."""
    event = _record(ticket, None, TicketEvent.Kind.ANSWER, _("Le demandeur a répondu"), text,
                    token)
    _move(ticket, Ticket.Status.NEW, actor=None,
          due_at=response_due(timezone.now(), ticket.team))
    agent = ticket.assigned_to
    if agent and agent.email:
        queue_mail(ticket=ticket, to_agent=agent, subject=_(
            "[%(reference)s] Nouvelle réponse du demandeur") % {"reference": ticket.reference},
            body=render_mail_text("triage/email/agent_notice.txt", {
                "ticket": ticket, "agent": agent,
                "ticket_url": agents_link(ticket)}))
    return event


@transaction.atomic
def professional_settled(*, ticket: Ticket) -> None:
    _move(ticket, Ticket.Status.RESOLVED, actor=None,
          why=_("le demandeur indique que c'est réglé"))


# --- Several tickets at once -------------------------------------------------------------

def record_for_all(pks: list[int], *, actor, kind: str, summary: str) -> None:
    """The same event on many tickets in one INSERT … SELECT: bulk_create would split it
    into batches on SQLite (999 parameters a query), this stays one query."""
    if not pks:
        return
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(TicketEvent._meta.db_table)} "
            "(ticket_id, at, actor_id, kind, summary, text) "
            f"SELECT id, %s, %s, %s, %s, '' FROM {quote(Ticket._meta.db_table)} "
            f"WHERE id IN ({', '.join(['%s'] * len(pks))})",
            [now, actor.pk if actor else None, kind, summary[:300], *pks])


@transaction.atomic
def bulk_assign(*, tickets: list[Ticket], agent, actor) -> int:
    """A constant number of queries whatever the number of tickets."""
    pks = [t.pk for t in tickets]
    Ticket.objects.filter(pk__in=pks).update(assigned_to=agent)
    who = agent.get_full_name() or agent.get_username()
    record_for_all(pks, actor=actor, kind=TicketEvent.Kind.ASSIGNED,
                   summary=_("Attribué à %(who)s") % {"who": who})
    return len(tickets)


@transaction.atomic
def bulk_status(*, tickets: list[Ticket], status: str, actor) -> tuple[int, int]:
    """Applies the status where the workflow allows it; returns (changed, left alone)."""
    changed = [t for t in tickets if status in t.allowed_statuses]
    label = Ticket.Status(status).label
    closing = status in Ticket.CLOSED
    fields = {"status": status, "closed_at": timezone.now() if closing else None}
    if status not in Ticket.ACTIVE:
        fields["due_at"] = None
    Ticket.objects.filter(pk__in=[t.pk for t in changed]).update(**fields)
    # One event query per former status (five at most), whatever the number of tickets.
    for old, label_old in Ticket.Status.choices:
        record_for_all([t.pk for t in changed if t.status == old], actor=actor,
                       kind=TicketEvent.Kind.STATUS, summary=f"{label_old} → {label}")
    return len(changed), len(tickets) - len(changed)


@transaction.atomic
def merge(*, duplicate: Ticket, into: Ticket, actor) -> None:
    """Both timelines end up on `into`, in time order; the duplicate's request is kept there
    as text, and the duplicate's private link leads to `into`."""
    duplicate.events.update(ticket=into)
    duplicate.mails.update(ticket=into)
    duplicate.attachments.update(ticket=into)
    _record(into, actor, TicketEvent.Kind.MERGED,
            _("%(duplicate)s, envoyée le %(date)s, est jointe à cette demande") % {
                "duplicate": duplicate.reference,
                "date": timezone.localtime(duplicate.created_at).strftime("%d/%m/%Y")},
            duplicate.description)
    duplicate.merged_into = into
    duplicate.status, duplicate.closed_at, duplicate.due_at = (Ticket.Status.RESOLVED,
                                                               timezone.now(), None)
    duplicate.save(update_fields=["merged_into", "status", "closed_at", "due_at"])
    _record(duplicate, actor, TicketEvent.Kind.MERGED,
            _("Fusionné dans %(into)s") % {"into": into.reference})


ERASED = "[effacé]"


@transaction.atomic
def anonymise(ticket: Ticket) -> None:
    """Keeps what helps improve the service (path, outcome, service, dates, statuses) and
    erases who the person is and what they wrote."""
    Ticket.objects.filter(pk=ticket.pk).update(
        name=ERASED, search_name="", email="", phone="", identifier_number="",
        description=ERASED,
        anonymised_at=timezone.now(),
    )
    ticket.mails.update(to="", subject=ERASED, body=ERASED)
    for attachment in ticket.attachments.all():  # files the person sent: gone with them
        attachment.file.delete(save=False)
    ticket.attachments.all().delete()
    # Notes, replies, answers, a merged request and the transfer e-mail all hold what the
    # person wrote or their name.
    ticket.events.exclude(text="").update(text=ERASED)
    ticket.team_transfers.update(note=ERASED)
    _record(ticket, None, TicketEvent.Kind.ANONYMISED, _("Durée de conservation écoulée"))
