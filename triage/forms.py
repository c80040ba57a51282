import re
import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kb.identifiers import national_identifier
from kb.models import SupportLine, Tutorial
from kb.privacy import contains_secret
from teams.models import Team
from triage.models import ReplyTemplate, Ticket, TicketEvent


class SubmittedOnce(forms.Form):
    """A hidden token, new each time the form is shown empty and kept when it comes back with
    its errors: the same form sent twice (a double tap, a browser or a proxy trying again
    after a time-out) is recognised, and acted on once (triage.services.once)."""

    jeton = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jeton"].initial = uuid.uuid4().hex

    def clean_jeton(self) -> str:
        token = self.cleaned_data["jeton"]
        return token if re.fullmatch(r"[0-9a-f]{32}", token) else ""


class TicketForm(SubmittedOnce, forms.ModelForm):
    consent = forms.BooleanField(
        label=_("J'accepte que ces informations soient utilisées pour traiter ma demande."),
        error_messages={"required": _("Cochez cette case pour que nous puissions traiter "
                                      "votre demande.")},
    )
    # Honeypot: invisible to people, irresistible to robots that fill every field.
    website = forms.CharField(required=False, label=_("Ne pas remplir ce champ"))

    class Meta:
        model = Ticket
        fields = ["name", "email", "phone", "profession", "identifier_type",
                  "identifier_number", "service", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "identifier_number": forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}),
        }
        help_texts = {
            "phone": _("Facultatif, si vous préférez être rappelé."),
            "identifier_number": _("Facultatif. Votre numéro RPPS (11 chiffres) ou ADELI (9)."),
            "description": _("Ce que vous avez fait, le message d'erreur affiché. 5 000 "
                             "caractères au plus. N'indiquez ni mot de passe ni code PIN."),
        }
        error_messages = {
            "name": {"required": _("Indiquez votre nom."),
                     "max_length": _("Votre nom est trop long (150 caractères au plus).")},
            "email": {"required": _("Indiquez l'adresse e-mail où vous répondre."),
                      "invalid": _("Saisissez une adresse e-mail complète, par exemple "
                                   "prenom.nom@exemple.fr.")},
            "profession": {"required": _("Choisissez votre profession.")},
            "identifier_type": {"required": _("Indiquez votre type d'identifiant.")},
            "service": {"required": _("Indiquez le service que vous voulez utiliser.")},
            "description": {"required": _("Décrivez votre problème en quelques mots."),
                            "max_length": _("Votre description dépasse 5 000 caractères (elle "
                                            "en compte %(show_value)d) : raccourcissez-la.")},
        }

    def __init__(self, *args, agent_mode=False, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("profession", "service", "identifier_type"):
            self.fields[name].choices = [("", _("— Choisissez —")),
                                         *self.fields[name].choices[1:]]
        self.agent_mode = agent_mode
        if agent_mode:
            self.speak_to_the_agent()
            # The call is filed for one of the agent's teams: asked only if there are several.
            self.only_team = teams.first() if len(teams) == 1 else None
            if self.only_team is None:
                self.fields["team"] = forms.ModelChoiceField(
                    label=_("Équipe qui traite l'appel"), queryset=teams,
                    widget=forms.Select(attrs={"class": "form-select"}),
                    error_messages={"required": _("Choisissez l'équipe."),
                                    "invalid_choice": _("Choisissez une de vos équipes.")})
        else:
            self.fields["email"].required = True

    # The phone-call form is filled in by the agent, about the caller.
    AGENT_LABELS = {
        "name": (_("Nom et prénom de l'appelant"), ""),
        "email": (_("Adresse e-mail de l'appelant"),
                  _("Facultative si vous notez son téléphone ; sans e-mail, aucun message ne "
                    "lui est envoyé.")),
        "phone": (_("Téléphone de l'appelant"),
                  _("Facultatif si vous notez son e-mail ; pour le rappeler.")),
        "profession": (_("Profession de l'appelant"), ""),
        "identifier_type": (_("Type d'identifiant de l'appelant"), ""),
        "identifier_number": (_("Numéro RPPS ou ADELI de l'appelant"),
                              _("Facultatif. RPPS : 11 chiffres ; ADELI : 9.")),
        "service": (_("Service que l'appelant veut utiliser"), ""),
        "description": (_("Description du problème"),
                        _("Ce que l'appelant a fait, le message d'erreur affiché. N'y notez ni "
                          "mot de passe ni code PIN, même si l'appelant vous les dicte.")),
    }

    def speak_to_the_agent(self):
        for name, (label, help_text) in self.AGENT_LABELS.items():
            self.fields[name].label, self.fields[name].help_text = label, help_text
        self.fields["identifier_type"].choices = [
            (value, gettext("L'appelant ne sait pas") if value == Ticket.IdentifierType.UNKNOWN
             else label) for value, label in self.fields["identifier_type"].choices]
        for name, message in [
            ("name", _("Indiquez le nom de l'appelant.")),
            ("profession", _("Choisissez la profession de l'appelant.")),
            ("identifier_type", _("Indiquez le type d'identifiant de l'appelant.")),
            ("service", _("Indiquez le service que l'appelant veut utiliser.")),
            ("description", _("Décrivez le problème de l'appelant en quelques mots.")),
        ]:
            # A copy: the field's messages are shared with the public form's class.
            self.fields[name].error_messages = {**self.fields[name].error_messages,
                                                "required": message}
        self.fields["consent"].label = _("L'appelant accepte que ses informations soient "
                                         "utilisées pour traiter sa demande.")
        self.fields["consent"].error_messages["required"] = _(
            "Demandez à l'appelant s'il accepte, puis cochez cette case.")
        del self.fields["website"]

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(_("Votre envoi a été refusé. Si vous êtes une personne, "
                                    "laissez vide le dernier champ et réessayez."))
        return ""

    def clean_phone(self):
        phone = re.sub(r"[\s.\-]", "", self.cleaned_data["phone"])
        if phone and not re.fullmatch(r"(?:0|\+33)[1-9]\d{8}", phone):
            raise ValidationError(_("Saisissez un numéro français à 10 chiffres, par exemple "
                                    "06 12 34 56 78."))
        return self.cleaned_data["phone"].strip()

    def clean_description(self):
        description = self.cleaned_data["description"]
        if contains_secret(description):
            raise ValidationError(_(
                "Votre description semble contenir un mot de passe ou un code PIN. Retirez-le "
                "avant d'envoyer : nous ne vous le demanderons jamais, et personne ne doit le "
                "connaître."))
        return description

    def clean_name(self):
        if contains_secret(self.cleaned_data["name"]):
            raise ValidationError(_("Ce champ semble contenir un mot de passe ou un code PIN : "
                                    "indiquez seulement vos nom et prénom."))
        return self.cleaned_data["name"]

    def clean(self):
        cleaned = super().clean()
        if (self.agent_mode and not cleaned.get("email") and not cleaned.get("phone")
                and "email" not in self.errors and "phone" not in self.errors):
            self.add_error("email", _("Notez l'e-mail ou le téléphone de l'appelant, pour "
                                      "pouvoir lui répondre."))
        number, kind = cleaned.get("identifier_number"), cleaned.get("identifier_type")
        if number and kind:
            try:
                identifier = national_identifier(number)
            except ValidationError as error:
                self.add_error("identifier_number", error)
            else:
                if kind != Ticket.IdentifierType.UNKNOWN and identifier.register.lower() != kind:
                    self.add_error("identifier_number", _(
                        "Ce numéro est un numéro %(register)s : corrigez le type d'identifiant."
                    ) % {"register": identifier.register})
                cleaned["identifier_number"] = identifier.number
        return cleaned

    def team(self):
        """The team a phone call is filed for (agent mode)."""
        return self.only_team or self.cleaned_data["team"]

    def ticket_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QueueFilterForm(forms.Form):
    AGES = [("", _("Toutes")), ("24h", _("Moins de 24 h")), ("7j", _("Moins de 7 jours")),
            ("ancien", _("Plus de 7 jours"))]
    SORTS = [("echeance", _("En retard d'abord")), ("-created_at", _("Plus récents d'abord")),
             ("created_at", _("Plus anciens d'abord")), ("status", _("Par statut"))]

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    DEFAULT_STATUS = "actifs"
    status = forms.ChoiceField(label=_("Statut"), required=False,
                               choices=[(DEFAULT_STATUS, _("À traiter et en cours")),
                                        ("retard", _("En retard")),
                                        ("ouverts", _("Tous les ouverts")),
                                        *Ticket.Status.choices, ("", _("Tous"))])
    service = forms.ChoiceField(label=_("Service"), required=False,
                                choices=[("", _("Tous")), *Ticket.SERVICES])
    line = forms.ModelChoiceField(label=_("Ligne suggérée"), required=False,
                                  queryset=SupportLine.objects.all(), empty_label=_("Toutes"))
    age = forms.ChoiceField(label=_("Ancienneté"), required=False, choices=AGES)
    mine = forms.BooleanField(label=_("Attribués à moi"), required=False)
    sort = forms.ChoiceField(label=_("Tri"), required=False, choices=SORTS)


class TicketActionForm(forms.Form):
    """A form posted from a ticket page: it knows the ticket it acts on."""

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket


class NoteForm(TicketActionForm):
    text = forms.CharField(label=_("Note interne"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Écrivez la note.")})

    def clean_text(self):
        # Even in an internal note: a secret heard on the phone must never be stored.
        if contains_secret(self.cleaned_data["text"]):
            raise ValidationError(_("Cette note semble contenir un mot de passe ou un code "
                                    "PIN : retirez-le."))
        return self.cleaned_data["text"]


class StatusForm(TicketActionForm):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=Ticket.Status.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in Ticket.Status.choices
            if value in self.ticket.allowed_statuses and value != Ticket.Status.TRANSFERRED
        ]


def agents(teams):
    """Everyone who may work on the tickets of these teams, for the « attribuer à » menus:
    their members with the permission (a superuser too, once a member)."""
    User = get_user_model()
    # Subqueries, not joins: joining groups, their permissions, the user's own permissions
    # and the teams multiplies the rows (and PostgreSQL once took over 5 s to plan and
    # DISTINCT them on a fresh base).
    may_change = (
        Q(is_superuser=True)
        | Q(pk__in=User.groups.through.objects.filter(
            group__permissions__codename="change_ticket").values("user_id"))
        | Q(pk__in=User.user_permissions.through.objects.filter(
            permission__codename="change_ticket").values("user_id")))
    members = Q(pk__in=Team.members.through.objects.filter(team__in=teams).values("user_id"))
    return User.objects.filter(may_change, members, is_active=True).order_by(
        "first_name", "last_name", "username")


def agent_label(user) -> str:
    return user.get_full_name() or user.get_username()


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return agent_label(user)


class AssignForm(TicketActionForm):
    agent = AgentChoiceField(label=_("Attribuer à"), queryset=None,
                             empty_label=_("— Choisissez —"),
                             widget=forms.Select(attrs={"class": "form-select"}),
                             error_messages={"required": _("Choisissez un agent.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents([self.ticket.team_id])


class MergeForm(TicketActionForm):
    into = forms.ModelChoiceField(
        label=_("Ce ticket est un doublon de"), queryset=Ticket.objects.none(),
        empty_label=_("— Choisissez —"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Choisissez le ticket à garder."),
                        "invalid_choice": _("Ce ticket ne peut pas être fusionné avec "
                                            "celui-ci.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = self.ticket.merge_candidates()
        self.fields["into"].label_from_instance = lambda other: gettext(
            "%(reference)s du %(date)s (%(status)s)") % {
            "reference": other.reference, "date": other.created_at.strftime("%d/%m/%Y"),
            "status": other.get_status_display()}


class LimitedTicketsField(forms.ModelMultipleChoiceField):
    MAX = 500  # far above a page of the queue; keeps every query's parameters bounded

    def clean(self, value):
        if value and len(value) > self.MAX:
            raise ValidationError(_("Cochez %(max)d tickets au plus à la fois.") % {
                "max": self.MAX})
        return super().clean(value)


class BulkForm(forms.Form):
    """One action on the tickets ticked in the queue."""

    tickets = LimitedTicketsField(
        queryset=Ticket.objects.filter(merged_into__isnull=True),
        error_messages={"required": _("Cochez au moins un ticket."),
                        "invalid_choice": _("Un des tickets cochés n'existe plus."),
                        "invalid_pk_value": _("Un des tickets cochés n'existe plus.")})
    action = forms.ChoiceField(label=_("Pour les tickets cochés"),
                               widget=forms.Select(attrs={"class": "form-select"}),
                               error_messages={"required": _("Choisissez une action."),
                                               "invalid_choice": _("Choisissez une action.")})

    STATUSES = [Ticket.Status.IN_PROGRESS, Ticket.Status.WAITING, Ticket.Status.RESOLVED]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.of(user)
        self.fields["tickets"].queryset = Ticket.objects.of(user).filter(
            merged_into__isnull=True)
        self.agents = {str(agent.pk): agent for agent in agents(teams)}
        self.fields["action"].choices = [
            ("", _("— Choisissez —")),
            (_("Attribuer à"), [(f"agent:{pk}", agent_label(user))
                                for pk, user in self.agents.items()]),
            (_("Passer au statut"), [(f"statut:{status}", Ticket.Status(status).label)
                                     for status in self.STATUSES]),
        ]

    def clean(self):
        data = super().clean()
        if "tickets" in data and "action" in data:
            kind, target = self.target()
            if kind == "agent" and not target.is_superuser:
                theirs = set(target.teams.values_list("pk", flat=True))
                if any(ticket.team_id not in theirs for ticket in data["tickets"]):
                    raise ValidationError(_(
                        "%(agent)s n'est pas membre de l'équipe de tous les tickets cochés : "
                        "attribuez-les-lui équipe par équipe.") % {"agent": agent_label(target)})
        return data

    def target(self):
        kind, _sep, value = self.cleaned_data["action"].partition(":")
        return kind, self.agents[value] if kind == "agent" else value


class GuardedMessage:
    """The subject and body of an e-mail an agent writes (a reply, a transfer): the subject
    on one line (a line break there is refused by the mail library, after the message was
    recorded: a pasted break becomes a space, nothing is lost), and neither holding a
    password or a PIN."""

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if contains_secret(subject):
            raise ValidationError(_("Cet objet semble contenir un mot de passe ou un code PIN : "
                                    "retirez-le."))
        return subject

    def clean_body(self):
        if contains_secret(self.cleaned_data["body"]):
            raise ValidationError(_("Ce message semble contenir un mot de passe ou un code PIN : "
                                    "retirez-le."))
        return self.cleaned_data["body"]


class TransferForm(GuardedMessage, SubmittedOnce, TicketActionForm):
    line = forms.ModelChoiceField(label=_("Ligne nationale"), queryset=SupportLine.objects.all(),
                                  empty_label=_("— Choisissez —"),
                                  widget=forms.Select(attrs={"class": "form-select"}),
                                  error_messages={"required": _("Choisissez la ligne.")})
    # The e-mail to the professional, shown and editable before it leaves (absent the first
    # time: the site writes it, triage.services.transfer_message).
    subject = forms.CharField(label=_("Objet"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), max_length=10000, required=False,
                           widget=forms.Textarea(attrs={"rows": 16}))

    def edited_message(self) -> dict | None:
        """The e-mail as the agent left it, or None to let the site write it."""
        data = self.cleaned_data
        if not (data.get("subject") or data.get("body")):
            return None
        if not (data.get("subject") and data.get("body").strip()):
            return {}
        return {"subject": data["subject"], "body": data["body"]}


class TeamTransferForm(SubmittedOnce, TicketActionForm):
    """« Transférer à une autre équipe »: the problem belongs to another region's service."""

    team = forms.ModelChoiceField(
        label=_("Équipe"), queryset=Team.objects.none(), empty_label=_("— Choisissez —"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Choisissez l'équipe."),
                        "invalid_choice": _("Choisissez une autre équipe.")})
    note = forms.CharField(
        label=_("Note pour l'équipe qui reprend la demande"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000, "class": "form-control"}),
        error_messages={"required": _("Dites en une phrase pourquoi cette équipe.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a team with someone to answer: a request sent to an empty team waits forever.
        self.fields["team"].queryset = Team.objects.filter(
            members__in=agents(Team.objects.all())).exclude(pk=self.ticket.team_id).distinct()

    def clean(self):
        data = super().clean()
        if self.ticket.merged_into_id or self.ticket.anonymised_at or self.ticket.is_closed:
            raise ValidationError(_("Seule une demande ouverte peut changer d'équipe."))
        return data

    def clean_note(self):
        if contains_secret(self.cleaned_data["note"]):
            raise ValidationError(_("Cette note semble contenir un mot de passe ou un code "
                                    "PIN : retirez-le."))
        return self.cleaned_data["note"]


class ReplyForm(GuardedMessage, SubmittedOnce, TicketActionForm):
    subject = forms.CharField(label=_("Objet"), max_length=200,
                              error_messages={"required": _("Indiquez l'objet.")})
    body = forms.CharField(label=_("Message"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           error_messages={"required": _("Écrivez le message.")})
    then_status = forms.ChoiceField(label=_("Après l'envoi, passer le ticket à"),
                                    required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    # The last event the agent had on screen, and their « send anyway » after a warning: a
    # colleague's reply sent meanwhile is shown before this one leaves (triage.views.reply).
    vu = forms.IntegerField(widget=forms.HiddenInput, required=False)
    malgre = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.ticket is not None and not self.is_bound:
            last = self.ticket.events.order_by("-id").values_list("id", flat=True).first()
            self.fields["vu"].initial = last or 0
        self.fields["then_status"].choices = [("", _("En cours (inchangé)")), *[
            (value, label) for value, label in Ticket.Status.choices
            if value in Ticket.AFTER_REPLY]]

    def replies_meanwhile(self, user):
        """Replies a colleague sent after this form was shown: a reason to read before
        sending, unless the agent has already chosen to send anyway."""
        if self.cleaned_data.get("malgre") or self.cleaned_data.get("vu") is None:
            return []
        return list(self.ticket.events.filter(
            kind=TicketEvent.Kind.REPLY, id__gt=self.cleaned_data["vu"]).exclude(
            actor=user).select_related("actor"))


class AnswerForm(SubmittedOnce):
    """The professional's answer on their private page."""

    text = forms.CharField(
        label=_("Votre réponse"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        help_text=_("5 000 caractères au plus. N'indiquez ni mot de passe ni code PIN."),
        error_messages={"required": _("Écrivez votre réponse."),
                        "max_length": _("Votre réponse dépasse 5 000 caractères (elle en compte "
                                        "%(show_value)d) : raccourcissez-la.")})

    def clean_text(self):
        if contains_secret(self.cleaned_data["text"]):
            raise ValidationError(_(
                "Votre réponse semble contenir un mot de passe ou un code PIN. Retirez-le "
                "avant d'envoyer : nous ne vous le demanderons jamais, et personne ne doit le "
                "connaître."))
        return self.cleaned_data["text"]


# A reply's greeting (its first line) and its closing (from « Bien cordialement » to the
# end: signature, reminder): a template brings its own, which an inserted template drops
# when the message already has one, so that a reply never greets or signs twice.
GREETING = re.compile(r"\A\s*(?:Bonjour|Bonsoir|Madame|Monsieur|Chère|Cher)\b[^\n]*(?:\n+|\Z)")
CLOSING = re.compile(r"^(?:Bien |Très )?cordialement\b.*\Z", re.IGNORECASE | re.MULTILINE | re.S)


def template_text(template: ReplyTemplate, ticket: Ticket, build_url) -> str:
    """The template for this ticket, its tutorials' links before its closing (they belong to
    the message, not after the signature)."""
    body = template.body.replace("{nom}", ticket.name).replace("{reference}", ticket.reference)
    links = [f"- {t.title} : {build_url(t.get_absolute_url())}" for t in template.tutorials.all()]
    if links:
        block = gettext("Pour vous aider :") + "\n" + "\n".join(links)
        closing = CLOSING.search(body)
        if closing:
            body = body[:closing.start()].rstrip("\n") + "\n\n" + block + "\n\n" + \
                closing.group(0)
        else:
            body += "\n\n" + block
    return body


def insert_at(typed: str, text: str, cursor: str) -> tuple[str, int]:
    """`text` inserted into what the agent typed, replacing the selection « début,fin »
    (without JavaScript there is none: after the typed text), as paragraphs of its own:
    never glued to a word or an address before or after it. Its greeting and closing are
    left out when the message already has them. Returns the new body and where the cursor
    goes: right after the inserted text."""
    typed = typed.replace("\r\n", "\n")  # browsers send CRLF; the cursor counts LF
    try:
        start, end = sorted(int(part) for part in cursor.split(","))
    except ValueError:
        start = end = None
    if start is None or not 0 <= start <= end <= len(typed):
        start = end = len(typed)
    closing = CLOSING.search(typed)
    if closing and start == end and start >= closing.start():
        start = end = closing.start()  # after the agent's signature: above it instead
    while start == end and 0 < start < len(typed) and not (typed[start - 1].isspace()
                                                           or typed[start].isspace()):
        start = end = start + 1  # inside a word or an address: after it, never cutting it
    before, after = typed[:start], typed[end:]
    if GREETING.search(before + after):
        text = GREETING.sub("", text, count=1)
    if CLOSING.search(before + after):
        text = CLOSING.sub("", text).rstrip("\n")
    if before.strip():
        text = "\n" * (2 - (len(before) - len(before.rstrip("\n")))) + text
    inserted = len(before) + len(text)
    if after.strip():
        text += "\n" * (2 - (len(after) - len(after.lstrip("\n"))))
    return before + text + after, inserted


class ReplyTemplateForm(forms.ModelForm):
    """A reply template, written in the agents' space. A team's agent writes for their team;
    a superuser may also write a national template (no team)."""

    class Meta:
        model = ReplyTemplate
        fields = ["name", "team", "subject", "body", "status", "tutorials"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12}),
                   "tutorials": forms.CheckboxSelectMultiple}
        error_messages = {
            "name": {"required": _("Donnez un nom au modèle."),
                     "unique": _("Un modèle porte déjà ce nom : choisissez-en un autre.")},
            "subject": {"required": _("Indiquez l'objet.")},
            "body": {"required": _("Écrivez le texte du modèle.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = Team.objects.of(user)
        team.error_messages["required"] = _("Choisissez l'équipe du modèle.")
        if user.is_superuser:
            team.empty_label = _("Toutes les équipes (modèle national)")
        else:  # a national template is the superusers' to write
            team.required, team.empty_label, team.help_text = True, None, ""
            if not self.instance.pk:
                team.initial = team.queryset.first()
        self.fields["status"].choices = [("", _("Inchangé")), *[
            choice for choice in self.fields["status"].choices if choice[0]]]
        # Published tutorials, and those already linked (unpublished since), kept on save.
        linked = self.instance.tutorials.all() if self.instance.pk else Tutorial.objects.none()
        self.fields["tutorials"].queryset = (Tutorial.objects.filter(is_published=True)
                                             | linked).distinct()
        self.fields["tutorials"].required = False

    def clean_body(self):
        if contains_secret(self.cleaned_data["body"]):
            raise ValidationError(_("Ce texte semble contenir un mot de passe ou un code PIN : "
                                    "retirez-le."))
        return self.cleaned_data["body"]


LINK_TICKETS_SHOWN = 50


class SendLinkForm(SubmittedOnce):
    """« Envoyer ce lien à l'appelant »: the caller's e-mail, and, if the call is about a
    ticket, that ticket (the link is then on its timeline, from its team)."""

    email = forms.EmailField(
        label=_("Adresse e-mail de l'appelant"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "class": "form-control"}),
        error_messages={"required": _("Indiquez l'adresse e-mail de l'appelant."),
                        "invalid": _("Cette adresse e-mail n'est pas valide : vérifiez-la "
                                     "(par exemple claire.martin@exemple.fr).")})
    ticket = forms.ModelChoiceField(
        label=_("Demande concernée (facultatif)"), queryset=Ticket.objects.none(),
        required=False, empty_label=_("— Aucune —"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Cette demande n'est plus ouverte : choisissez-en "
                                            "une autre, ou aucune.")})
    team = forms.ModelChoiceField(
        label=_("De la part de l'équipe"), queryset=Team.objects.none(), empty_label=None,
        required=False, widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Sans demande choisie : l'équipe qui signe l'e-mail."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The agent's own open requests first, then the newest: a list that stays readable.
        mine_first = (Case(When(assigned_to=user, then=0), default=1), "-created_at")
        shown = Ticket.objects.of(user).filter(
            anonymised_at=None, merged_into=None).exclude(status__in=Ticket.CLOSED).order_by(
            *mine_first).values_list("pk", flat=True)[:LINK_TICKETS_SHOWN]
        self.fields["ticket"].queryset = Ticket.objects.filter(pk__in=list(shown)).order_by(
            *mine_first)
        self.fields["ticket"].label_from_instance = (
            lambda ticket: f"{ticket.reference} — {ticket.name}")
        teams = list(Team.objects.of(user))
        self.fields["team"].queryset = Team.objects.of(user)
        self.only_team = teams[0] if len(teams) == 1 else None
        if self.only_team:
            del self.fields["team"]  # nothing to choose

    def clean(self):
        data = super().clean()
        if data.get("ticket") is not None:
            data["team"] = data["ticket"].team  # the ticket's team answers for it
        elif self.only_team:
            data["team"] = self.only_team
        elif not self.fields["team"].queryset.exists():
            raise ValidationError(_("Vous n'êtes membre d'aucune équipe : demandez à un "
                                    "administrateur de vous ajouter à la vôtre."))
        elif data.get("team") is None and "team" not in self.errors:
            self.add_error("team", _("Choisissez l'équipe qui envoie le lien."))
        return data
