"""Tickets: the only place that holds personal data (retention, purge and role checks
are audited here)."""

import os
import re
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.models import SupportLine, Tutorial, validate_single_line
from kb.search import fold
from teams.models import Team

REFERENCE_PREFIX = "ECPS"
FOLLOW_SALT = "triage.follow"


def add_working_days(start, days: int):
    """The same time of day, `days` working days (Monday to Friday) later. Public holidays
    are not counted out: the target is a signal for the team, not a contract."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def response_due(start, team: Team):
    return add_working_days(start, team.response_target_days)


def compact_phone(field: str):
    """A phone number as its digits, in the database: « 06 12 34 56 78 », « 06.12.34.56.78 »
    and « +33 6 12 34 56 78 » all read 0612345678."""
    value = models.F(field)
    for written, read in ((" ", ""), (".", ""), ("-", ""), ("+33", "0")):
        value = Replace(value, models.Value(written), models.Value(read))
    return value


class TicketQuerySet(models.QuerySet):
    def of(self, user):
        """What `user` may see: the tickets of their teams (all for a superuser). Every agent
        view starts here, so that a ticket of another team is a 404 by every URL."""
        return self if user.is_superuser else self.filter(team__members=user)

    def open(self):
        return self.exclude(status__in=Ticket.CLOSED)

    def for_queue(self):
        """The queue's rows, each knowing whether the requester has answered since the
        team last wrote (`answered`): that ticket waits for the team again."""
        last_exchange = TicketEvent.objects.filter(
            ticket=models.OuterRef("pk"), kind__in=[TicketEvent.Kind.REPLY,
                                                    TicketEvent.Kind.ANSWER],
        ).order_by("-at", "-id").values("kind")[:1]
        return self.filter(merged_into__isnull=True).select_related(
            "assigned_to", "suggested_line").annotate(
            last_exchange=models.Subquery(last_exchange),
            answered=models.Case(
                models.When(last_exchange=TicketEvent.Kind.ANSWER, then=True),
                default=False, output_field=models.BooleanField()))

    def active(self):
        """What the team has to act on: « à traiter » and « en cours »."""
        return self.filter(status__in=Ticket.ACTIVE)

    def overdue(self, now=None):
        return self.active().filter(due_at__lt=now or timezone.now())

    def search(self, text: str):
        """What an agent types in the queue's search box: a reference; a name, its words in
        any order, accents left out (« dupont claire »); an e-mail or words of the
        description; a phone number in any spacing (« 06.12.34.56.78 », « +33 6 12… »); an
        RPPS or ADELI number, alone or as the national identifier (8… or 0…)."""
        pk = Ticket.pk_from_reference(text)
        if pk:
            return self.filter(pk=pk)
        text = text.strip()
        by_name = models.Q()
        for word in fold(text).split():
            by_name &= models.Q(search_name__contains=word)
        found = by_name | models.Q(email__icontains=text) | models.Q(
            description__icontains=text)
        compact = re.sub(r"[\s.\-()/]", "", text)
        if compact.startswith("+33"):
            compact = "0" + compact[3:]
        if len(compact) >= 4 and compact.isalnum() and any(c.isdigit() for c in compact):
            numbers = {compact.upper()}
            if len(compact) in (10, 12) and compact[0] in "08":  # a national identifier
                numbers.add(compact[1:].upper())
            for number in numbers:
                found |= models.Q(identifier_number__icontains=number)
            if compact.isdigit():
                found |= models.Q(phone_compact__contains=compact)
        return self.annotate(phone_compact=compact_phone("phone")).filter(found)

    def due_for_purge(self, *, months: int):
        cutoff = timezone.now() - timezone.timedelta(days=round(months * 30.44))
        return self.filter(status__in=Ticket.CLOSED, closed_at__lt=cutoff,
                           anonymised_at__isnull=True)


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "nouveau", _("À traiter")
        IN_PROGRESS = "en_cours", _("En cours")
        WAITING = "attente_usager", _("En attente de l'usager")
        RESOLVED = "resolu", _("Résolu")
        TRANSFERRED = "transfere", _("Transféré au support national")

    # Which status may follow which: the agents' workflow.
    TRANSITIONS = {
        Status.NEW: [Status.IN_PROGRESS, Status.RESOLVED, Status.TRANSFERRED],
        Status.IN_PROGRESS: [Status.WAITING, Status.RESOLVED, Status.TRANSFERRED],
        Status.WAITING: [Status.IN_PROGRESS, Status.RESOLVED, Status.TRANSFERRED],
        Status.RESOLVED: [Status.IN_PROGRESS],
        Status.TRANSFERRED: [Status.IN_PROGRESS],
    }
    CLOSED = [Status.RESOLVED, Status.TRANSFERRED]
    ACTIVE = [Status.NEW, Status.IN_PROGRESS]
    # What a reply may leave the ticket in (a template can preselect one: a macro).
    AFTER_REPLY = [Status.WAITING, Status.RESOLVED]

    class IdentifierType(models.TextChoices):
        RPPS = "rpps", _("RPPS")
        ADELI = "adeli", _("ADELI")
        UNKNOWN = "inconnu", _("Je ne sais pas")

    class Source(models.TextChoices):
        WEB = "web", _("Formulaire du site")
        PHONE = "telephone", _("Appel téléphonique (saisi par un agent)")

    PROFESSIONS = [
        ("medecin", _("Médecin")), ("pharmacien", _("Pharmacien")),
        ("infirmier", _("Infirmier ou infirmière")), ("sage-femme", _("Sage-femme")),
        ("chirurgien-dentiste", _("Chirurgien-dentiste")),
        ("kinesitherapeute", _("Masseur-kinésithérapeute")),
        ("autre-sante", _("Autre profession de santé")),
        ("personnel-etablissement", _("Personnel d'établissement")), ("autre", _("Autre")),
    ]
    SERVICES = [*Tutorial.Service.choices, ("autre", _("Un autre service"))]

    created_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    # The team that handles it: only its members (and superusers) ever see the ticket.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets",
                             verbose_name=_("équipe"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices,
                              default=Status.NEW, db_index=True)
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices,
                              default=Source.WEB)

    name = models.CharField(_("nom et prénom"), max_length=150)
    # The name as the queue's search reads it: lower case, no accents (« Dupont Clàire » is
    # found by « claire dupont »). Erased with the name (triage.services.anonymise).
    search_name = models.CharField(max_length=150, blank=True, editable=False)
    # Blank only for a phone call without e-mail (the agent form then requires a phone).
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    profession = models.CharField(_("profession"), max_length=30, choices=PROFESSIONS)
    identifier_type = models.CharField(_("type d'identifiant"), max_length=10,
                                       choices=IdentifierType.choices)
    identifier_number = models.CharField(_("numéro RPPS ou ADELI"), max_length=12, blank=True)
    service = models.CharField(_("service que vous voulez utiliser"), max_length=20,
                               choices=SERVICES)
    description = models.TextField(_("description du problème"), max_length=5000)

    # What the person did on the site before asking, snapshotted: the tree may change later.
    trail = models.JSONField(_("parcours"), default=list, blank=True)
    outcome_title = models.CharField(_("issue atteinte"), max_length=200, blank=True)
    wizard_url = models.CharField(_("adresse de l'étape"), max_length=500, blank=True)
    pages_viewed = models.JSONField(_("pages consultées"), default=list, blank=True)
    suggested_line = models.ForeignKey(
        SupportLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ligne suggérée"),
    )

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tickets", verbose_name=_("attribué à"),
    )
    transferred_to = models.ForeignKey(
        SupportLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("transféré à"),
    )
    transferred_at = models.DateTimeField(_("transféré le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    # When the team owes an answer (response target); empty once answered or closed.
    due_at = models.DateTimeField(_("réponse attendue avant"), null=True, blank=True,
                                  db_index=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates",
        verbose_name=_("fusionné dans"),
    )
    # The help form's token (triage.forms.SubmittedOnce): one ticket per form sent.
    submission_token = models.CharField(max_length=32, null=True, blank=True, unique=True,
                                        editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)[:150]  # folding may lengthen (« … » → « ... »)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("triage:ticket", args=[self.pk])

    @property
    def reference(self) -> str:
        """ECPS-2026-000123: the year it arrived and its number, unique because the number
        is the primary key (safe under concurrent submissions on any database)."""
        return f"{REFERENCE_PREFIX}-{self.created_at:%Y}-{self.pk:06d}"

    @staticmethod
    def pk_from_reference(text: str) -> int | None:
        parts = text.strip().upper().split("-")
        if len(parts) == 3 and parts[0] == REFERENCE_PREFIX and parts[2].isdigit():
            return int(parts[2])
        return None

    @property
    def follow_token(self) -> str:
        """The professional's private link: signed with the secret key, so it can be neither
        guessed nor altered into another ticket's; valid as long as the ticket is kept."""
        return signing.Signer(salt=FOLLOW_SALT).sign_object(self.pk)  # the same in every e-mail

    @staticmethod
    def pk_from_follow_token(token: str) -> int | None:
        try:
            pk = signing.Signer(salt=FOLLOW_SALT).unsign_object(token)
        except signing.BadSignature:
            return None
        return pk if isinstance(pk, int) else None

    def get_follow_url(self) -> str:
        return reverse("triage:follow", args=[self.follow_token])

    def is_overdue(self, now=None) -> bool:
        return bool(self.status in self.ACTIVE and self.due_at
                    and self.due_at < (now or timezone.now()))

    def merge_candidates(self):
        """The same professional's other tickets of the few days around this one. « The same »
        means the same e-mail address: a merged ticket's private link opens the kept one, so
        both links must belong to the same mailbox. An RPPS number is public and a phone may
        be a practice's: two people sharing one must never read each other's conversation.
        Tickets without e-mail (phone calls) have no private link: the same phone suffices."""
        window = timedelta(days=settings.TRIAGE_MERGE_WINDOW_DAYS)
        if self.email:
            same_person = models.Q(email__iexact=self.email)
        elif self.phone:
            same_person = models.Q(email="", phone=self.phone)
        else:
            return Ticket.objects.none()
        return (Ticket.objects.filter(same_person, team=self.team_id, merged_into__isnull=True,
                                      anonymised_at__isnull=True,
                                      created_at__range=(self.created_at - window,
                                                         self.created_at + window))
                .exclude(pk=self.pk).order_by("created_at"))

    @property
    def allowed_statuses(self) -> list:
        return self.TRANSITIONS[self.Status(self.status)]

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class TicketEvent(models.Model):
    """Every change to a ticket: who, when, what. Shown as the ticket's timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Demande reçue")
        STATUS = "status", _("Statut modifié")
        ASSIGNED = "assigned", _("Attribution")
        NOTE = "note", _("Note interne")
        REPLY = "reply", _("Réponse envoyée")
        TRANSFERRED = "transferred", _("Transfert au support national")
        ANSWER = "answer", _("Réponse du demandeur")
        MERGED = "merged", _("Fusion")
        TEAM = "team", _("Changement d'équipe")
        ANONYMISED = "anonymised", _("Données personnelles effacées")
        LINK = "link", _("Lien envoyé")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What the professional sees on their private page: never internal notes nor
    # assignments, which stay between agents.
    PUBLIC = [Kind.CREATED, Kind.REPLY, Kind.ANSWER, Kind.TRANSFERRED, Kind.MERGED]
    summary = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    # The token of the form that recorded it (a reply, an answer, a transfer): once per form.
    submission_token = models.CharField(max_length=32, null=True, blank=True, unique=True,
                                        editable=False)
    # An answer that came by e-mail: its Message-ID, so that the same mail is filed once and
    # a later reply that cites it finds this ticket (triage.inbound).
    message_id = models.CharField(max_length=300, null=True, blank=True, unique=True,
                                  editable=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def __str__(self):
        return f"{self.get_kind_display()} : {self.summary}"


class TeamTransfer(models.Model):
    """A ticket handed to another team. The sending team keeps this trace (reference, when,
    to whom, its own note) once the ticket itself is out of its sight."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="team_transfers")
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(max_length=2000)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("transfert à une autre équipe")
        verbose_name_plural = _("transferts à une autre équipe")

    def __str__(self):
        return f"{self.ticket.reference} : {self.from_team} → {self.to_team}"


class ReplyTemplateManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def for_team(self, team):
        """The team's own templates and the national ones, shared by every team."""
        return self.filter(models.Q(team__isnull=True) | models.Q(team=team))

    def readable_by(self, user):
        """The national templates and those of the user's teams (all for a superuser)."""
        if user.is_superuser:
            return self.all()
        return self.filter(models.Q(team__isnull=True) | models.Q(team__in=Team.objects.of(user)))


class ReplyTemplate(models.Model):
    """A reply agents start from; the tutorials it names are linked at the end."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    subject = models.CharField(_("objet"), max_length=200, validators=[validate_single_line])
    body = models.TextField(
        _("texte"), help_text=_("{nom} est remplacé par le nom du demandeur, {reference} par "
                                "la référence du ticket."),
    )
    tutorials = models.ManyToManyField(Tutorial, blank=True, verbose_name=_("tutoriels liés"))
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="reply_templates",
        verbose_name=_("équipe"),
        help_text=_("Vide : proposé à toutes les équipes (modèle national)."))
    status = models.CharField(
        _("statut après l'envoi"), max_length=20, blank=True,
        choices=[(value, label) for value, label in Ticket.Status.choices
                 if value in Ticket.AFTER_REPLY],
        help_text=_("Proposé quand l'agent choisit ce modèle, par exemple « En attente de "
                    "l'usager » pour une demande d'informations. L'agent peut le changer."),
    )

    objects = ReplyTemplateManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("modèle de réponse")
        verbose_name_plural = _("modèles de réponse")

    def __str__(self):
        return self.name

    def writable_by(self, user) -> bool:
        """Each team writes its own; the national ones, shared by every team, are written by
        superusers only."""
        return user.is_superuser or (self.team_id is not None and Team.objects.of(user).filter(
            pk=self.team_id).exists())

    def natural_key(self):
        return (self.name,)


class OutgoingMailQuerySet(models.QuerySet):
    def due(self):
        return self.filter(status=OutgoingMail.Status.PENDING)

    def release_stale_claims(self) -> int:
        """Mails claimed by a sender that died before it could say how it went."""
        return self.filter(status=OutgoingMail.Status.SENDING,
                           claimed_at__lt=timezone.now() - OutgoingMail.CLAIM_LEASE).update(
            status=OutgoingMail.Status.PENDING)


class OutgoingMail(models.Model):
    """An e-mail to a professional, kept until it is sent, so that a failing or hanging mail
    server never loses it, never holds a request, nor turns a saved ticket into an error page:
    sent by a background thread right after the ticket is saved, then retried by `manage.py
    send_pending_mail` (run by a timer). Whoever sends it first claims it (pending → sending,
    one conditional UPDATE), so that it leaves at most once whatever runs in parallel."""

    MAX_ATTEMPTS = 5
    # A claim older than this is taken to be a sender that died mid-send (a killed worker):
    # the mail is pending again. Far above EMAIL_TIMEOUT, which bounds each wait of a send.
    CLAIM_LEASE = timedelta(minutes=10)

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente d'envoi")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec de l'envoi")

    # None for a link an agent sends to a caller with no ticket open (« Envoyer ce lien à
    # l'appelant »): deleted as soon as it is sent, so that no address outlives it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="mails",
                               null=True, blank=True)
    to = models.EmailField()
    # A notice to the assigned agent (a new answer), not a message to the professional.
    to_agent = models.BooleanField(default=False)
    # From and Reply-To, fixed when the mail is written: the team that wrote it signs it,
    # even if the ticket moves to another team before it leaves.
    sender = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # Its Message-ID, fixed when it is written: a reply cites it (In-Reply-To, References),
    # which is how the reply finds its ticket again (triage.inbound).
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    # A public page of the site sent to a caller: the mail carries its QR code as an image.
    qr_link = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # the error's kind, no address
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")

    def __str__(self):
        return f"{self.subject} ({self.get_status_display()})"


class AttachmentStorage(FileSystemStorage):
    """Files professionals sent by e-mail, under TRIAGE_ATTACHMENTS_ROOT: never under
    MEDIA_ROOT, never given an address; served only through triage.views.attachment, to the
    ticket's agents. Read from the settings at each use (tests point it elsewhere)."""

    @property
    def base_location(self):
        return str(settings.TRIAGE_ATTACHMENTS_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


class Attachment(models.Model):
    """An image (re-encoded, without its metadata) or a PDF that came with a reply by e-mail
    (triage.inbound). Personal data: erased with the ticket's (triage.services.anonymise)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(TicketEvent, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=AttachmentStorage(), upload_to="%Y/%m/", max_length=200)
    name = models.CharField(_("nom du fichier"), max_length=150)  # as sent, shown to agents
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("triage:attachment", args=[self.ticket_id, self.pk])
