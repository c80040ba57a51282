import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kb import illustrations, images
from kb.audience import HELP_TEXT as AUDIENCE_HELP
from kb.audience import Audience
from kb.markdown import render_markdown


def phone_digits(phone: str) -> str:
    """'03.62.94.39.82' -> '0362943982': people and documents write numbers many ways."""
    return re.sub(r"[\s.\-]", "", phone)


def validate_french_phone(value: str) -> None:
    if not re.fullmatch(r"(0|\+33)[1-9][0-9]{8}", phone_digits(value)):
        raise ValidationError(
            _("Saisissez un numéro français à 10 chiffres, par exemple 0 806 800 213.")
        )


def validate_single_line(value: str) -> None:
    """A name or a subject goes into e-mail headers (« Contactez le … »), where a line break
    would either split the header or make the e-mail impossible to send."""
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Écrivez ce texte sur une seule ligne, sans retour à la ligne."))


class ContactLinks:
    """tel: and mailto: links of a support line: the draft row (SupportLine) and the
    published one (kb.snapshot.Line) share them. Needs `phone` and `email`."""

    @property
    def tel_href(self) -> str:
        return f"tel:{phone_digits(self.phone)}" if self.phone else ""

    def mailto_href(self, *, subject: str, body: str) -> str:
        if not self.email:
            return ""
        return f"mailto:{self.email}?subject={quote(subject)}&body={quote(body)}"


class StepRole:
    """What a step is, for the draft row (Step) and the published one (kb.snapshot.Step).
    Needs `kind`, `title`, `question` and `outcome_type`."""

    @property
    def heading(self) -> str:
        return self.title or self.question

    @property
    def is_question(self) -> bool:
        return self.kind == Step.Kind.QUESTION

    @property
    def is_success(self) -> bool:
        return self.outcome_type == Step.OutcomeType.SUCCESS


class SlugNaturalKeyManager(models.Manager):
    """Fixtures refer to steps and support lines by slug, so they read like the content."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SupportLine(ContactLinks, models.Model):
    """A support service people can call or write to, shared by every outcome routing to it,
    so that an editor fixes a phone number in one place."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=150, validators=[validate_single_line])
    organisation = models.CharField(_("organisme"), max_length=150,
                                    validators=[validate_single_line])
    covers = models.TextField(
        _("ce qu'elle traite"),
        help_text=_("Une ou deux phrases : pour quels problèmes l'appeler. Texte simple (pas de "
                    "Markdown)."),
    )
    phone = models.CharField(
        _("téléphone"), max_length=20, blank=True, validators=[validate_french_phone]
    )
    call_cost = models.CharField(
        _("coût de l'appel"), max_length=120, blank=True,
        help_text=_("Par exemple « service gratuit + prix de l'appel »."),
    )
    email = models.EmailField(_("adresse e-mail"), blank=True)
    faq_url = models.URLField(_("lien vers la FAQ"), blank=True)
    opening_hours = models.CharField(_("horaires"), max_length=150, blank=True)
    visitor_notice = models.CharField(
        _("avertissement aux visiteurs"), max_length=200, blank=True,
        help_text=_("Une ligne utile, affichée sous la ligne, par exemple « Ancien numéro, ne "
                    "plus utiliser : 0 809 40 00 82 ». Texte simple (pas de Markdown)."),
    )
    notes = models.TextField(
        _("remarques pour les éditeurs"), blank=True,
        help_text=_("Jamais affichées aux visiteurs : où le numéro a été trouvé, anciens tarifs, "
                    "contradictions entre les sources…"),
    )
    verified_on = models.DateField(_("informations vérifiées le"))
    source = models.CharField(_("source"), max_length=300)
    team = models.SlugField(
        _("équipe"), max_length=30, blank=True,
        help_text=_("Vide : contenu national. Sinon l'identifiant de l'équipe régionale à "
                    "qui il appartient (ses éditeurs le modifient et le publient ; il vient en "
                    "tête sur sa porte d'entrée)."))
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("ligne d'assistance")
        verbose_name_plural = _("lignes d'assistance")

    def __str__(self):
        return f"{self.name} ({self.organisation})"

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if not self.phone and not self.email:
            raise ValidationError(_("Indiquez au moins un téléphone ou une adresse e-mail."))


class Step(StepRole, models.Model):
    """A node of the decision tree: a question (with ordered answers) or an outcome."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        OUTCOME = "outcome", _("Issue (fin du parcours)")

    class OutcomeType(models.TextChoices):
        SUCCESS = "success", _("Réussite : vous pouvez accéder à vos services")
        PROCEDURE = "procedure", _("Suivre une procédure")
        EXTERNAL_ACTION = "external_action", _("Faire une démarche sur un site externe")
        CONTACT_SUPPORT = "contact_support", _("Contacter une ligne d'assistance")

    slug = models.SlugField(
        _("adresse (slug)"), max_length=80, unique=True,
        help_text=_("Partie d'adresse lisible, par exemple « methode-a ». La modifier casse les "
                    "liens déjà envoyés : le site redirige alors vers le nouveau chemin."),
    )
    kind = models.CharField(_("type d'étape"), max_length=10, choices=Kind.choices)
    is_start = models.BooleanField(
        _("première question du parcours"), default=False,
        help_text=_("Une seule étape peut être la première."),
    )
    title = models.CharField(
        _("titre"), max_length=200, blank=True,
        help_text=_("Titre de la page. Obligatoire pour une issue ; pour une question, la "
                    "question sert de titre si ce champ est vide."),
    )
    question = models.CharField(
        _("question posée"), max_length=200, blank=True,
        help_text=_("Pour une question : le texte de la question, par exemple « Avez-vous une "
                    "carte CPx ? »."),
    )
    body = models.TextField(
        _("texte"), blank=True, help_text=_("Markdown : **gras**, listes, [lien](https://…).")
    )
    body_html = models.TextField(editable=False, default="")
    outcome_type = models.CharField(
        _("type d'issue"), max_length=20, choices=OutcomeType.choices, blank=True
    )
    action_url = models.URLField(_("lien de la démarche ou de la procédure"), blank=True)
    action_label = models.CharField(_("texte du lien"), max_length=120, blank=True)
    video_url = models.URLField(_("tutoriel vidéo"), blank=True)
    audience = models.CharField(
        _("pour qui"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE,
        help_text=AUDIENCE_HELP)
    support_lines = models.ManyToManyField(
        SupportLine, blank=True, related_name="outcomes", verbose_name=_("lignes d'assistance")
    )
    tutorial = models.ForeignKey(
        "Tutorial", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("tutoriel à suivre"),
    )
    known_problems = models.ManyToManyField(
        "KnownProblem", blank=True, related_name="outcomes",
        verbose_name=_("problèmes connus liés"),
        help_text=_("Les problèmes connus qui correspondent à cette issue. Leur ligne "
                    "d'assistance doit être l'une de celles de l'issue."),
    )
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now, editable=False)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("étape du parcours")
        verbose_name_plural = _("étapes du parcours")
        constraints = [
            models.UniqueConstraint(
                fields=["is_start"], condition=Q(is_start=True), name="kb_single_start_step",
                violation_error_message=_("Une autre étape est déjà la première du parcours."),
            ),
        ]

    def __str__(self):
        """In every admin menu and search result: the step and where it sits, so that two
        questions worded alike (« Quel problème rencontrez-vous ? ») are told apart."""
        return f"{self.heading} — {self.position_label}"

    @property
    def position_label(self) -> str:
        """After which answer of which question (from the draft; prefetch
        `incoming_answers__question` for lists)."""
        incoming = sorted(self.incoming_answers.all(), key=lambda a: (a.position, a.pk))
        if not incoming:
            return gettext("première question du parcours") if self.is_start else gettext(
                "hors du parcours")
        first = incoming[0]
        label = gettext("après « %(answer)s » (%(question)s)") % {
            "answer": first.label, "question": first.question.heading}
        if len(incoming) > 1:
            label += ngettext(", et %(n)d autre chemin", ", et %(n)d autres chemins",
                              len(incoming) - 1) % {"n": len(incoming) - 1}
        return label

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = {}
        if self.is_question:
            if not self.question:
                errors["question"] = _("Une question doit avoir un texte de question.")
            if self.outcome_type:
                errors["outcome_type"] = _("Une question n'a pas de type d'issue.")
        else:
            if not self.title:
                errors["title"] = _("Une issue doit avoir un titre.")
            if not self.outcome_type:
                errors["outcome_type"] = _("Choisissez ce qui se passe à cette issue.")
            if self.is_start:
                errors["is_start"] = _("Le parcours doit commencer par une question.")
            needs_link = (self.OutcomeType.EXTERNAL_ACTION, self.OutcomeType.PROCEDURE)
            if self.outcome_type in needs_link and not (self.action_url or self.video_url):
                errors["action_url"] = _("Indiquez le lien de la démarche ou de la procédure.")
        if self.action_url and not self.action_label:
            errors["action_label"] = _("Indiquez le texte du lien.")
        if errors:
            raise ValidationError(errors)


class Answer(models.Model):
    """One of the ordered answers of a question, leading to the next step."""

    question = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question"),
        limit_choices_to={"kind": Step.Kind.QUESTION},
    )
    label = models.CharField(_("réponse"), max_length=200)
    next_step = models.ForeignKey(
        Step, on_delete=models.PROTECT, related_name="incoming_answers",
        verbose_name=_("étape suivante"),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            # The wizard's URLs are made of step slugs: two answers of one question leading to
            # the same step could not be told apart in the trail.
            models.UniqueConstraint(
                fields=["question", "next_step"], name="kb_one_answer_per_next_step",
                violation_error_message=_("Deux réponses de cette question mènent à la même "
                                          "étape."),
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        if self.question_id and self.question.kind != Step.Kind.QUESTION:
            raise ValidationError(_("Seule une question peut avoir des réponses."))
        if self.question_id and self.question_id == self.next_step_id:
            raise ValidationError({"next_step": _("Une réponse ne peut pas mener à sa propre "
                                                  "question.")})


class TutorialQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Tutorial(models.Model):
    """A step-by-step procedure, written for a clinician with a computer and a phone."""

    class Service(models.TextChoices):
        ECPS = "ecps", _("Activation et usage de la e-CPS")
        RCP_SARA = "rcp-sara", _("Outil RCP SARA")
        ERPPS = "erpps", _("Portail eRPPS")
        PACA = "paca", _("Portail de santé PACA")

    slug = models.SlugField(_("adresse (slug)"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.CharField(_("résumé en une ligne"), max_length=300,
                               help_text=_("Texte simple (pas de Markdown)."))
    team = models.SlugField(
        _("équipe"), max_length=30, blank=True,
        help_text=_("Vide : contenu national. Sinon l'identifiant de l'équipe régionale à "
                    "qui il appartient (ses éditeurs le modifient et le publient ; il vient en "
                    "tête sur sa porte d'entrée)."))
    service = models.CharField(_("service concerné"), max_length=20, choices=Service.choices)
    audience = models.CharField(
        _("pour qui"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE,
        help_text=AUDIENCE_HELP)
    prerequisites = models.TextField(
        _("vous aurez besoin de"), blank=True, help_text=_("Une liste Markdown : « - … »."),
    )
    prerequisites_html = models.TextField(editable=False, default="")
    video_url = models.URLField(_("tutoriel vidéo"), blank=True)
    verified_on = models.DateField(_("vérifié le"))
    source = models.CharField(_("source"), max_length=300)
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("tutoriels liés")
    )
    help_step = models.ForeignKey(
        Step, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("« Toujours bloqué ? » : étape du parcours"),
    )
    help_lines = models.ManyToManyField(
        SupportLine, blank=True, related_name="tutorials",
        verbose_name=_("« Toujours bloqué ? » : lignes d'assistance"),
    )
    is_published = models.BooleanField(
        _("visible des visiteurs"), default=True,
        help_text=_("Décoché, le tutoriel reste en préparation : absent du site même après la "
                    "publication du brouillon, visible seulement dans l'aperçu."),
    )
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now, editable=False)

    objects = SlugNaturalKeyManager.from_queryset(TutorialQuerySet)()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("tutoriel")
        verbose_name_plural = _("tutoriels")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:tutorial", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class TutorialStep(models.Model):
    class Where(models.TextChoices):
        COMPUTER = "ordinateur", _("Sur l'ordinateur")
        PHONE = "smartphone", _("Sur le smartphone")
        BOTH = "les-deux", _("Sur l'ordinateur et le smartphone")

    tutorial = models.ForeignKey(Tutorial, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title = models.CharField(_("titre de l'étape"), max_length=200)
    where = models.CharField(
        _("où"), max_length=12, choices=Where.choices, blank=True,
        help_text=_("Laissez vide si l'étape ne dépend pas de l'appareil."),
    )
    body = models.TextField(_("texte"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, default="")
    illustration = models.CharField(
        _("schéma"), max_length=40, blank=True, choices=illustrations.CHOICES,
        help_text=_("Un des schémas dessinés pour le site (QR code, code d'ajout, mot de passe "
                    "à 4 chiffres). Sa description est fournie."),
    )
    screenshot = models.ImageField(
        _("capture d'écran"), upload_to="tutoriels/", blank=True,
        help_text=_("PNG, JPEG, WebP ou GIF, 10 Mo au plus. Recadrez-la ou masquez ce qui "
                    "nommerait quelqu'un (nom, numéro RPPS, e-mail) : elle sera publique. Elle "
                    "est réduite aux tailles des téléphones et enregistrée en WebP, sans ses "
                    "métadonnées."),
    )
    # Of the largest stored file (kb.images): the page gives the browser every width.
    screenshot_width = models.PositiveIntegerField(_("largeur de la capture"), default=0,
                                                   editable=False)
    screenshot_height = models.PositiveIntegerField(_("hauteur de la capture"), default=0,
                                                    editable=False)
    screenshot_alt = models.CharField(
        _("description de la capture"), max_length=300, blank=True,
        help_text=_("Obligatoire avec une capture : ce qu'elle montre, pour qui ne la voit pas."),
    )
    warning = models.TextField(_("avertissement"), blank=True, help_text=_("Markdown."))
    warning_html = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("étape du tutoriel")
        verbose_name_plural = _("étapes du tutoriel")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.screenshot and not self.screenshot._committed:
            stored = images.store_screenshot(self.screenshot)
            self.screenshot = stored.name  # a name: already in the storage, not saved again
            self.screenshot_width, self.screenshot_height = stored.width, stored.height
        elif not self.screenshot:
            self.screenshot_width = self.screenshot_height = 0
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.screenshot and not self.screenshot._committed:  # a new upload
            try:
                images.decode(self.screenshot)
            except images.ScreenshotError as error:
                errors["screenshot"] = str(error)
        if self.screenshot and not self.screenshot_alt.strip():
            errors["screenshot_alt"] = _("Décrivez la capture d'écran pour les personnes qui "
                                         "ne la voient pas.")
        if errors:
            raise ValidationError(errors)


class KnownProblem(models.Model):
    """A symptom people report, its cause, the fix, and whom to call if the fix fails."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    symptom = models.CharField(_("symptôme"), max_length=200)
    cause = models.TextField(_("cause"), help_text=_("Texte simple (pas de Markdown)."))
    fix = models.TextField(_("solution"), help_text=_("Markdown."))
    fix_html = models.TextField(editable=False, default="")
    support_line = models.ForeignKey(
        SupportLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("qui appeler"),
    )
    contact_note = models.CharField(
        _("qui contacter (autre)"), max_length=200, blank=True,
        help_text=_("Quand ce n'est pas une ligne d'assistance : l'informatique de "
                    "l'établissement, l'Ordre, l'ARS…"),
    )
    tutorial = models.ForeignKey(
        Tutorial, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("tutoriel utile"),
    )
    audience = models.CharField(
        _("pour qui"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE,
        help_text=AUDIENCE_HELP)
    sources = models.CharField(
        _("sources"), max_length=400, blank=True,
        help_text=_("D'où viennent la cause et la solution, avec la date que donne chaque "
                    "source (« FAQ e-CPS de l'ANS, mise à jour du 18/11/2025 »). Jamais "
                    "affiché aux visiteurs."))
    verified_on = models.DateField(
        _("vérifié le"), null=True, blank=True,
        help_text=_("Date à laquelle la cause et la solution ont été vérifiées. Vide : jamais "
                    "vérifié (le tableau de bord des éditeurs le signale)."))
    team = models.SlugField(
        _("équipe"), max_length=30, blank=True,
        help_text=_("Vide : contenu national. Sinon l'identifiant de l'équipe régionale à "
                    "qui il appartient (ses éditeurs le modifient et le publient ; il vient en "
                    "tête sur sa porte d'entrée)."))
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now, editable=False)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["position", "symptom"]
        verbose_name = _("problème connu")
        verbose_name_plural = _("problèmes connus")

    def __str__(self):
        return self.symptom

    def get_absolute_url(self):
        return reverse("kb:known_problems") + f"#{self.slug}"

    def natural_key(self):
        return (self.slug,)


class GlossaryTerm(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    term = models.CharField(_("terme"), max_length=80)
    expansion = models.CharField(_("forme développée"), max_length=200, blank=True)
    definition = models.TextField(_("définition"),
                                  help_text=_("Texte simple (pas de Markdown)."))
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now, editable=False)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["term"]
        verbose_name = _("terme du glossaire")
        verbose_name_plural = _("glossaire")

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return reverse("kb:glossary") + f"#{self.slug}"

    def natural_key(self):
        return (self.slug,)


class LinkCheck(models.Model):
    """The last check of an external address of the content (`manage.py check_links`)."""

    url = models.URLField(_("adresse"), max_length=500, unique=True)
    status = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    redirect_to = models.CharField(_("redirige vers"), max_length=500, blank=True)
    error = models.CharField(_("erreur"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("vérifiée le"))

    class Meta:
        verbose_name = _("vérification de lien")
        verbose_name_plural = _("vérifications de liens")

    def __str__(self):
        return self.url

    @property
    def verdict(self) -> str:
        if self.status is None:
            return _("injoignable (%(error)s)") % {"error": self.error}
        if 300 <= self.status < 400:
            return _("redirigée (%(status)s) vers %(to)s") % {"status": self.status,
                                                               "to": self.redirect_to or "?"}
        if self.status >= 400:
            return _("cassée (erreur %(status)s)") % {"status": self.status}
        return _("répond")


class Feedback(models.Model):
    """« Cette page vous a-t-elle été utile ? » One vote per visitor and page, anonymous: the
    visitor is a random cookie token, stored hashed."""

    page = models.CharField(_("page"), max_length=300)
    visitor = models.CharField(max_length=64, editable=False)
    helpful = models.BooleanField(_("utile"))
    comment = models.TextField(_("commentaire"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("avis sur une page")
        verbose_name_plural = _("avis sur les pages")
        constraints = [
            models.UniqueConstraint(fields=["page", "visitor"], name="kb_one_vote_per_page"),
        ]

    def __str__(self):
        return f"{self.page} : {'utile' if self.helpful else 'pas utile'}"


class ContentVersionQuerySet(models.QuerySet):
    def latest_number(self) -> int:
        return self.order_by("-number").values_list("number", flat=True).first() or 0


class ContentVersion(models.Model):
    """One published state of everything a visitor can see, frozen as a JSON document.

    The other content models are the editors' draft; the public site reads only the latest
    version (see kb.snapshot). A version is never changed: reverting publishes an earlier
    document again under a new number.
    """

    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    document = models.TextField(_("contenu publié"), editable=False)
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    published_by = models.CharField(_("publiée par"), max_length=150, blank=True,
                                    editable=False)
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now, editable=False)
    reverted_to = models.PositiveIntegerField(
        _("rétablit la version"), null=True, blank=True, editable=False
    )

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("version publiée")
        verbose_name_plural = _("versions publiées")
        permissions = [
            ("publish_content", _("Peut publier et rétablir le contenu")),
            # Without it, an editor publishes only the overlays of the teams they belong to.
            ("edit_national_content", _("Peut modifier et publier le contenu national")),
        ]

    def __str__(self):
        return _("Version %(number)s") % {"number": self.number}


class Overlay(models.Model):
    """What a regional team adds on top of the national content at its front door (/hdf/…),
    never a copy of it: its welcome text, the services and lines it puts first, and lines
    hung on given steps (« Pour l'outil RCP SARA : l'équipe fimatho »). Its own tutorials,
    known problems and lines are the objects whose `team` is its slug. Published with the
    rest of the content, by the team's editors."""

    slug = models.SlugField(
        _("équipe"), max_length=30, unique=True,
        help_text=_("L'identifiant de l'équipe, celui de sa porte d'entrée (« hdf » pour /hdf/)."))
    welcome = models.TextField(
        _("texte d'accueil"), blank=True, max_length=600,
        help_text=_("Deux ou trois phrases en tête de sa porte d'entrée. Texte simple (pas de "
                    "Markdown)."))
    services = models.JSONField(
        _("services régionaux"), default=list, blank=True,
        help_text=_("Les services dont les tutoriels viennent en tête sur sa porte d'entrée, "
                    "par exemple [\"rcp-sara\"]."))
    lines = models.ManyToManyField(
        SupportLine, blank=True, related_name="+", verbose_name=_("ses lignes, en tête"),
        help_text=_("Montrées en premier sur la page des contacts de sa porte d'entrée."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("ajouts d'une équipe")
        verbose_name_plural = _("ajouts des équipes")

    def __str__(self):
        return gettext("Ajouts de l'équipe « %(slug)s »") % {"slug": self.slug}


class OverlayStep(models.Model):
    """Lines a team shows first on one step of the national tree, at its front door only."""

    overlay = models.ForeignKey(Overlay, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("étape"))
    support_lines = models.ManyToManyField(SupportLine, related_name="+",
                                           verbose_name=_("lignes montrées en tête"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ajout sur une étape")
        verbose_name_plural = _("ajouts sur des étapes")

    def __str__(self):
        return str(self.step)


class ScheduledPublication(models.Model):
    """« Publier le 1er janvier à 8 h » : the changes an editor ticked, frozen as they were
    when scheduled (later edits of the draft do not slip in), published at `run_at` on top
    of what visitors see then, after the same checks as a publication made by hand. Run by
    `manage.py publish_scheduled` (a timer, every minute)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("programmée")
        RUNNING = "running", _("en cours")
        PUBLISHED = "published", _("publiée")
        REFUSED = "refused", _("refusée")
        CANCELLED = "cancelled", _("annulée")

    run_at = models.DateTimeField(_("publier le"))
    changes = models.JSONField(
        _("modifications"), editable=False,
        help_text=_("Chaque modification cochée avec son contenu au moment de la "
                    "programmation ; null pour une suppression."))
    summary = models.TextField(_("résumé"), editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    scheduled_by = models.CharField(_("programmée par"), max_length=150, editable=False)
    notify = models.EmailField(_("prévenir"), blank=True, editable=False)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices,
                              default=Status.WAITING, editable=False)
    outcome = models.TextField(_("résultat"), blank=True, editable=False)
    version_number = models.PositiveIntegerField(_("version"), null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_at", "pk"]
        verbose_name = _("publication programmée")
        verbose_name_plural = _("publications programmées")

    def __str__(self):
        return _("Publication du %(when)s") % {
            "when": timezone.localtime(self.run_at).strftime("%d/%m/%Y à %H h %M")}


# Markdown is rendered once on save, never per request. Receivers rather than save(),
# because loaddata saves fixtures "raw", without calling Model.save(); same for updated_at.
@receiver(pre_save, sender=Step)
def render_step_body(sender, instance, **kwargs):
    instance.body_html = render_markdown(instance.body)
    instance.updated_at = timezone.now()


@receiver(pre_save, sender=Tutorial)
def render_tutorial(sender, instance, **kwargs):
    instance.prerequisites_html = render_markdown(instance.prerequisites)
    instance.updated_at = timezone.now()


@receiver(pre_save, sender=TutorialStep)
def render_tutorial_step(sender, instance, **kwargs):
    instance.body_html = render_markdown(instance.body)
    instance.warning_html = render_markdown(instance.warning)


@receiver(pre_save, sender=KnownProblem)
def render_known_problem(sender, instance, **kwargs):
    instance.fix_html = render_markdown(instance.fix)
    instance.updated_at = timezone.now()


@receiver(pre_save, sender=GlossaryTerm)
def touch_glossary_term(sender, instance, **kwargs):
    instance.updated_at = timezone.now()
