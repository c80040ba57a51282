"""The national identifier (idNat_PS) typed into the e-CPS app: 8 + RPPS, or 0 + ADELI.

RPPS: 11 digits, the last one a Luhn check digit. The Luhn check runs on the 11 RPPS
digits only: with the leading 8 of the national identifier, a valid number never passes.
ADELI: 9 characters, département (2 digits, or 2A/2B, 9A-9F overseas) + 7 digits. Its check
key is not publicly documented, so only the format is checked: a real number must never be
refused on a guessed checksum.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ADELI = re.compile(r"(?:\d{2}|2[AB]|9[A-F])\d{7}")
SEPARATORS = re.compile(r"[\s.\-_/]")


@dataclass(frozen=True)
class NationalIdentifier:
    register: str  # "RPPS" or "ADELI"
    number: str  # the RPPS or ADELI number, without the prefix
    identifier: str  # what to type in the app

    @property
    def explanation(self) -> str:
        prefix = "8" if self.register == "RPPS" else "0"
        return _("« %(prefix)s » suivi de votre numéro %(register)s %(number)s") % {
            "prefix": prefix, "register": self.register, "number": self.number,
        }


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:  # every second digit from the right is doubled
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def national_identifier(raw: str) -> NationalIdentifier:
    """Read what a professional typed (RPPS, ADELI or the identifier itself, with or without
    spaces and dots) and return their national identifier, or raise a ValidationError that
    says in French what to check."""
    value = SEPARATORS.sub("", raw or "").upper()
    if not value:
        raise ValidationError(_("Saisissez votre numéro RPPS, ADELI ou votre identifiant "
                                "national."), code="required")

    if value.isdigit() and len(value) == 12 and value.startswith("8"):
        value = value[1:]  # the identifier itself: check the RPPS inside
    elif len(value) == 10 and value.startswith("0") and ADELI.fullmatch(value[1:]):
        value = value[1:]

    if value.isdigit() and len(value) == 11:
        if not luhn_is_valid(value):
            raise ValidationError(
                _("Ce numéro RPPS n'est pas valide (sa clé de contrôle ne correspond pas) : "
                  "vérifiez votre numéro, chiffre par chiffre."), code="luhn")
        return NationalIdentifier("RPPS", value, "8" + value)
    if ADELI.fullmatch(value):
        return NationalIdentifier("ADELI", value, "0" + value)

    if not re.fullmatch(r"[0-9A-Z]+", value):
        raise ValidationError(_("Saisissez uniquement des chiffres (les espaces et les points "
                                "sont acceptés)."), code="characters")
    if not value.isdigit() and len(value) == 9:
        raise ValidationError(
            _("Un numéro ADELI ne contient que des chiffres, sauf pour le département (2A, 2B, "
              "ou 9A à 9F outre-mer) : vérifiez votre numéro."), code="adeli_format")
    if not value.isdigit():
        raise ValidationError(_("Un numéro RPPS ou ADELI ne contient que des chiffres (sauf le "
                                "département ADELI, par exemple 2A) : vérifiez votre numéro."),
                              code="letters")
    raise ValidationError(
        _("Ce numéro a %(count)s chiffres. Un numéro RPPS en a 11, un numéro ADELI 9 ; "
          "l'identifiant national en a 12 (8 + RPPS) ou 10 (0 + ADELI).") % {"count": len(value)},
        code="length")
