import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kb.identifiers import national_identifier
from kb.models import SupportLine
from kb.privacy import contains_secret
from triage.models import ReplyTemplate, Ticket


class TicketForm(forms.ModelForm):
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

    def __init__(self, *args, agent_mode=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("profession", "service", "identifier_type"):
            self.fields[name].choices = [("", _("— Choisissez —")),
                                         *self.fields[name].choices[1:]]
        if agent_mode:
            self.fields["consent"].label = _("L'appelant accepte que ses informations soient "
                                             "utilisées pour traiter sa demande.")
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

    def ticket_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QueueFilterForm(forms.Form):
    AGES = [("", _("Toutes")), ("24h", _("Moins de 24 h")), ("7j", _("Moins de 7 jours")),
            ("ancien", _("Plus de 7 jours"))]
    SORTS = [("-created_at", _("Plus récents d'abord")), ("created_at", _("Plus anciens d'abord")),
             ("status", _("Par statut"))]

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Statut"), required=False,
                               choices=[("", _("Tous")), ("ouverts", _("Ouverts")),
                                        *Ticket.Status.choices])
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


class TransferForm(TicketActionForm):
    line = forms.ModelChoiceField(label=_("Ligne nationale"), queryset=SupportLine.objects.all(),
                                  widget=forms.Select(attrs={"class": "form-select"}),
                                  error_messages={"required": _("Choisissez la ligne.")})


class ReplyForm(TicketActionForm):
    subject = forms.CharField(label=_("Objet"), max_length=200,
                              error_messages={"required": _("Indiquez l'objet.")})
    body = forms.CharField(label=_("Message"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           error_messages={"required": _("Écrivez le message.")})

    def clean_subject(self):
        # An e-mail subject is one line (a line break there is refused by the mail library,
        # after the reply was recorded): a pasted break becomes a space, nothing is lost.
        return " ".join(self.cleaned_data["subject"].split())

    def clean_body(self):
        if contains_secret(self.cleaned_data["body"]):
            raise ValidationError(_("Ce message semble contenir un mot de passe ou un code PIN : "
                                    "retirez-le."))
        return self.cleaned_data["body"]


def reply_from_template(template: ReplyTemplate, ticket: Ticket, build_url) -> dict:
    body = template.body.replace("{nom}", ticket.name).replace("{reference}", ticket.reference)
    links = [f"- {t.title} : {build_url(t.get_absolute_url())}" for t in template.tutorials.all()]
    if links:
        body += "\n\n" + gettext("Pour vous aider :") + "\n" + "\n".join(links)
    return {"subject": f"[{ticket.reference}] {template.subject}", "body": body}
