"""The schematic drawings the project ships (static/illustrations/), which an editor can
attach to a tutorial step. They stand in for the seeds' screenshots, lost in extraction.
Each has its text for people who do not see it, written once, here."""

from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

# The step's text says what to do; the description says what the drawing shows, without
# repeating the text to people who hear the page.
ILLUSTRATIONS = {
    "qr-code": (
        _("Scanner le QR code"),
        _("Schéma : le smartphone, dans l'application e-CPS, vise le QR code affiché sur "
          "l'écran de l'ordinateur."),
    ),
    "code-d-ajout": (
        _("Recopier le code d'ajout"),
        _("Schéma : le code d'ajout affiché par le smartphone est recopié, caractère par "
          "caractère, dans les six cases de l'écran de l'ordinateur."),
    ),
    "mot-de-passe": (
        _("Les règles du mot de passe à 4 chiffres"),
        _("Schéma des règles du mot de passe à 4 chiffres : quatre cases à remplir, trois "
          "combinaisons refusées et une déconseillée, comme l'explique le texte."),
    ),
}
CHOICES = [(slug, label) for slug, (label, _description) in ILLUSTRATIONS.items()]


def url(slug: str) -> str:
    return static(f"illustrations/{slug}.svg")


def description(slug: str) -> str:
    return str(ILLUSTRATIONS[slug][1])
