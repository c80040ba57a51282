"""The support teams that share the site: who they are, how they sign their e-mails, how fast
they answer, and who works in them. No personal data of the professionals here (tickets are
in triage, which points to a team); kb may read a team, never the reverse."""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kb.models import validate_french_phone, validate_single_line

NATIONAL = "national"
EMBEDDED = "integre"  # /hdf/integre/…: the front door inside a partner's frame


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                       r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


def header_host(host: str) -> str:
    """The host as it may stand in a Content-Security-Policy header: a name in ASCII
    (« łódź.pl » as « xn--d-uga0v4h.pl »), an IPv4 address or a bracketed IPv6 one; "" for
    anything else (a comma or a semicolon would split the policy, a non-ASCII letter would
    make the whole header unreadable to browsers)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address}]" if address.version == 6 else str(address)
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return ascii_host if HOST_NAME.fullmatch(ascii_host) else ""


def parse_origins(text: str) -> list[str]:
    """One origin per line, as a browser writes it (« https://www.sante-ra.fr »): scheme,
    host and port only. Plain http only on this machine (tests, a partner's trial)."""
    origins, wrong = [], []
    for line in text.split():
        parts = urlsplit(line.strip().lower())
        try:
            port = parts.port
        except ValueError:
            port, parts = None, parts._replace(scheme="")
        host = header_host(parts.hostname or "")
        secure_enough = parts.scheme == "https" or (parts.scheme == "http"
                                                    and is_loopback(parts.hostname or ""))
        if (not secure_enough or not host or parts.username or parts.password
                or parts.path not in ("", "/") or parts.query or parts.fragment):
            wrong.append(line)
            continue
        origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
        if origin not in origins:
            origins.append(origin)
    if wrong:
        raise ValidationError(
            _("Ces lignes ne sont pas des origines de site : %(lines)s. Écrivez une origine par "
              "ligne, sous la forme « https://www.exemple.fr » (sans chemin ni « * »)."),
            params={"lines": ", ".join(wrong)}, code="invalid_origin")
    return origins


def validate_origins(text: str) -> None:
    parse_origins(text)


POSTER_LINES = 3


def validate_poster_lines(text: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > POSTER_LINES:
        raise ValidationError(_("Une affiche a trois lignes de texte au plus : raccourcissez."))
    if any(len(line) > 110 for line in lines):
        raise ValidationError(_("Chaque ligne tient en 110 caractères au plus, pour rester "
                                "lisible de loin."))


class TeamQuerySet(models.QuerySet):
    def of(self, user):
        """The teams whose tickets `user` works on: all of them for a superuser."""
        return self if user.is_superuser else self.filter(members=user)


class Team(models.Model):
    """A support team. The national one triages what the national site receives; a
    regional team answers on its own front door (/hdf/…) the problems of its services."""

    slug = models.SlugField(
        _("identifiant"), max_length=30, unique=True,
        help_text=_("Court et définitif : c'est aussi l'adresse de sa porte d'entrée, par "
                    "exemple « hdf » pour /hdf/."))
    name = models.CharField(_("nom"), max_length=100, validators=[validate_single_line],
                            help_text=_("Tel que les demandeurs le lisent, par exemple "
                                        "« Équipe fimatho »."))
    organisation = models.CharField(_("organisme"), max_length=150, blank=True,
                                    validators=[validate_single_line])
    region = models.CharField(_("région"), max_length=100, blank=True,
                              validators=[validate_single_line])
    is_national = models.BooleanField(
        _("file nationale"), default=False, editable=False,
        help_text=_("Reçoit les demandes envoyées depuis le site national."))
    email = models.EmailField(
        _("adresse e-mail de l'équipe"), blank=True,
        help_text=_("Expéditeur et adresse de réponse des e-mails aux demandeurs. Vide : "
                    "l'adresse du site (TRIAGE_TEAM_EMAIL)."))
    phone = models.CharField(_("téléphone"), max_length=20, blank=True,
                             validators=[validate_french_phone])
    opening_hours = models.CharField(_("horaires"), max_length=150, blank=True,
                                     validators=[validate_single_line])
    # Its front door, /<slug>/ (and, if set, its own host name): the national content with
    # what the team adds on top: its overlay, published with the content (kb.Overlay).
    host = models.CharField(
        _("nom d'hôte"), max_length=100, blank=True, validators=[validate_single_line],
        help_text=_("Facultatif : un nom d'hôte qui ouvre directement sa porte d'entrée, par "
                    "exemple « ecps.fimatho.fr » (à ajouter aussi à DJANGO_ALLOWED_HOSTS)."))
    # The sites allowed to show its front door in a frame (issue 20): each is named in the
    # frame-ancestors of its embedded pages (/hdf/integre/…); every other page refuses frames.
    frame_origins = models.TextField(
        _("sites qui peuvent intégrer le parcours"), blank=True, validators=[validate_origins],
        help_text=_("Une origine par ligne, par exemple « https://www.sante-ra.fr ». Seuls ces "
                    "sites peuvent afficher la porte d'entrée de l'équipe dans un cadre "
                    "(iframe) ; le code à coller est donné ci-dessous."))
    # What its posters and cards say (issue 20 §2), above the QR code; empty: the defaults.
    poster_title = models.CharField(
        _("titre de l'affiche"), max_length=80, blank=True, validators=[validate_single_line],
        help_text=_("Vide : « %(default)s »") % {"default": "Votre e-CPS ne fonctionne pas ?"})
    poster_lines = models.TextField(
        _("texte de l'affiche"), max_length=300, blank=True, validators=[validate_poster_lines],
        help_text=_("Trois lignes au plus, sous le titre. Vide : le texte proposé par le site."))
    updated_at = models.DateTimeField(auto_now=True)
    response_target_days = models.PositiveSmallIntegerField(
        _("délai de réponse visé (jours ouvrés)"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)])
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams",
        verbose_name=_("membres"),
        help_text=_("Les agents qui traitent ses demandes ; un agent peut être de plusieurs "
                    "équipes."))

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-is_national", "name"]
        verbose_name = _("équipe")
        verbose_name_plural = _("équipes")
        # The national coordinator's: the figures of every team, never a ticket.
        permissions = [("view_all_figures", _("Voir les chiffres de toutes les équipes"))]
        constraints = [
            models.UniqueConstraint(fields=["is_national"], condition=models.Q(is_national=True),
                                    name="one_national_team"),
            models.UniqueConstraint(fields=["host"], condition=~models.Q(host=""),
                                    name="one_team_per_host"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Its slug opens its front door: it must not be the start of a page of the site."""
        from django.urls import Resolver404, resolve

        taken = self.slug in {"static", "media", "admin", "agents", "aide", "sante", "equipes",
                              EMBEDDED}
        try:
            resolve(f"/{self.slug}/")
            taken = True
        except Resolver404:
            pass
        if taken and not self.is_national:
            raise ValidationError({"slug": _("« %(slug)s » est déjà l'adresse d'une page du "
                                             "site : choisissez un autre identifiant.")
                                   % {"slug": self.slug}})

    @classmethod
    def national(cls) -> "Team":
        """Created by a migration; created again if a test emptied the database."""
        team, _created = cls.objects.get_or_create(
            is_national=True, defaults={"slug": NATIONAL, "name": "Assistance e-CPS"})
        return team

    @property
    def door(self) -> str:
        """The path prefix of its front door: « /hdf », « » for the national site."""
        return "" if self.is_national else f"/{self.slug}"

    @property
    def allowed_frame_origins(self) -> list[str]:
        return parse_origins(self.frame_origins)

    @property
    def sender(self) -> str:
        """From and Reply-To of the team's e-mails: the professional's reply reaches it."""
        return f"{self.name} <{self.email}>" if self.email else settings.TRIAGE_TEAM_EMAIL

    @property
    def signature(self) -> str:
        """The end of every e-mail: who answers, and how to reach them otherwise."""
        lines = [self.name]
        if self.organisation:
            lines.append(self.organisation)
        reach = " — ".join(part for part in [self.phone, self.opening_hours] if part)
        if reach:
            lines.append(reach)
        return "\n".join(lines)


class Scan(models.Model):
    """How many times a team's posters and cards were scanned, per day: the QR code's address
    carries « ?qr=affiche » or « ?qr=carte ». A count, nothing else: no address, no time of
    day, no visitor."""

    class Kind(models.TextChoices):
        POSTER = "affiche", _("Affiche A4")
        CARD = "carte", _("Carte A6")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="scans")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "kind", "day"],
                                               name="one_scan_count_a_day")]
        verbose_name = _("scans d'affiches")
        verbose_name_plural = _("scans d'affiches")

    def __str__(self):
        return f"{self.team} — {self.get_kind_display()} — {self.day} : {self.count}"
