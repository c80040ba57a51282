"""Who a page is for, and who can use what it offers.

Two facts decide how a professional activates an e-CPS (../shared/DOMAIN.md §2 and §6): a
CPx card opens method A (with the card, on a computer); a registration in the RPPS opens
method B (contact details, no card). Four kinds of visitor follow:

- a CPS card and an RPPS number: method A or B;
- a card without an RPPS number (CPE, CPA, an ADELI professional): method A only;
- no card but an RPPS number (RPPS+, a card not received yet): method B only;
- neither: no e-CPS until a card comes.

Steps, tutorials and known problems each say which of these they are for (`audience`), and
publication refuses a page that offers something to visitors who cannot use it (`problems`).
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

CPS_RPPS, CARD_NO_RPPS, RPPS_NO_CARD, NEITHER = "cps_rpps", "card_no_rpps", "rpps_no_card", \
    "neither"


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Tout le monde")
    CARD = "card", _("Avec une carte CPx (méthode A)")
    RPPS = "rpps", _("Enregistrés au RPPS (méthode B)")
    CPS_RPPS = "cps_rpps", _("Carte CPS et numéro RPPS")
    NO_RPPS = "no_rpps", _("Sans numéro RPPS (ADELI, carte CPE ou CPA)")
    NO_CARD = "no_card", _("Sans carte CPx")


KINDS = {
    Audience.EVERYONE: {CPS_RPPS, CARD_NO_RPPS, RPPS_NO_CARD, NEITHER},
    Audience.CARD: {CPS_RPPS, CARD_NO_RPPS},
    Audience.RPPS: {CPS_RPPS, RPPS_NO_CARD},
    Audience.CPS_RPPS: {CPS_RPPS},
    Audience.NO_RPPS: {CARD_NO_RPPS, NEITHER},
    Audience.NO_CARD: {RPPS_NO_CARD, NEITHER},
}
HELP_TEXT = _("Qui peut lire et utiliser ce contenu. La publication refuse une page qui "
              "propose à ses lecteurs un tutoriel ou une méthode qu'ils ne peuvent pas "
              "utiliser (la méthode B demande un numéro RPPS, la méthode A une carte).")


def kinds(audience: str) -> set[str]:
    return KINDS.get(audience or Audience.EVERYONE, KINDS[Audience.EVERYONE])


def label(audience: str) -> str:
    """For publication's messages; a value no version of the site knows (a hand-written
    document) is named as written rather than raised on."""
    if audience and audience not in Audience.values:
        return f"« {audience} »"
    return f"« {Audience(audience or Audience.EVERYONE).label} »"


# A method named in a text: its name, who may use it, and what a line must say for the
# mention to be a condition (« avec une carte CPS et un numéro RPPS, … ») and not an offer.
METHODS = [
    ("B", re.compile(r"m[ée]thode\s+B\b", re.IGNORECASE), Audience.RPPS,
     re.compile(r"RPPS", re.IGNORECASE)),
    ("A", re.compile(r"m[ée]thode\s+A\b", re.IGNORECASE), Audience.CARD,
     re.compile(r"carte", re.IGNORECASE)),
]

BOTH = re.compile(r"m[ée]thodes?\s+A\s+(ou|et)\s+B\b", re.IGNORECASE)


def unconditioned_offers(text: str, audience: str) -> list[tuple[str, str]]:
    """(method, line) for each line of `text` that offers one method, when part of
    `audience` cannot use it and the line does not say who can. A line naming both methods
    describes them (« votre e-CPS activée (méthode A ou B) ») and offers neither."""
    found = []
    for line in (text or "").splitlines():
        line = BOTH.sub("", line)
        named = [(name, method_audience, condition)
                 for name, pattern, method_audience, condition in METHODS
                 if pattern.search(line)]
        if len(named) != 1:
            continue
        name, method_audience, condition = named[0]
        if not kinds(audience) <= kinds(method_audience) and not condition.search(line):
            found.append((name, line.strip()))
    return found


def mentions_method(text: str, method_audience: str) -> bool:
    return any(pattern.search(text or "") for _name, pattern, audience, _condition in METHODS
               if audience == method_audience)
