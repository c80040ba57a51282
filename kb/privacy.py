"""Nobody may ever send us an e-CPS password or a card PIN: every free-text field a visitor
or an agent fills is checked with `contains_secret` before anything is stored.

Both secrets are 4-digit codes. So the guard looks at every code of 4 to 8 digits in the
text ("4821", "48 21", "4-8-2-1", "quatre huit deux un") and decides from its surroundings:
- a secret: a secret word near it ("mot de passe", "mdp", "code PIN", "code confidentiel",
  "password"…), or a verb of saying or typing just before it ("mon code est 4821", "j'ai
  tapé 4821", "c'est 4821");
- innocent: introduced as a year, a date, an error code, a version, a postal code or a
  reference ("bloqué depuis 2024", "erreur 1012"), or part of a longer number (RPPS,
  identifiers, phone numbers), or glued to letters (the "code d'ajout" P28658).
The corpus in kb/tests/test_privacy.py measures both rates.
"""

import re

from kb.search import fold

SPELLED_DIGITS = {
    "zero": "0", "un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5",
    "six": "6", "sept": "7", "huit": "8", "neuf": "9",
}
DIGIT_WORDS = "|".join(SPELLED_DIGITS)
SPELLED_RUN = re.compile(rf"\b(?:(?:{DIGIT_WORDS})\b[\s,-]*){{4,8}}")

# Digits, possibly split by single spaces, dots or dashes, not glued to a letter or digit.
NUMBER = re.compile(r"(?<![\w/])\d+(?:[ .\-]\d+)*(?![\w/])")
DATE = re.compile(r"^\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}$")

SECRET_WORDS = re.compile(
    r"mot\s*de\s*passe|\bmdp\b|\bpass(?:word|code)?\b|\bpin\b|code\s*(?:porteur|secret|"
    r"confidentiel|d'?\s*acces|de\s+(?:ma|la|votre)\s+(?:carte|e-?cps))|\bsecret\b"
)
# Just before the code: the person tells or types it.
SAYING = re.compile(
    r"(?:\b(?:est|c'?est|etait|sera|vaut|tape|tapee?s?|tapez|saisi[se]?|saisis|entre[es]?|"
    r"mis|mets|met|compose[es]?|choisi[es]?|utilise[es]?|devient)|[:=])\W*$"
)
CHANGED_INTO = re.compile(r"\b(?:change|modifie|remplace)[es]{0,2}\s+(?:en|par)\W*$")
# Within the three words before the code: it is something else than a secret.
NOT_A_SECRET_NEAR = re.compile(
    r"\b(?:erreurs?|error|err|version|ios|android|windows|chrome|firefox|build|depuis|annee|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    r"postal|numero|ticket|reference|dossier|rpps|adeli|siret|finess|identifiant)\b"
    r"(?:\W+[\w']+){0,2}\W*$"
)
# The word just before the code says what it is: "le 15", "en 2024", "n° 1234", "v 2.4"…
NOT_A_SECRET_LAST = re.compile(
    r"\b(?:le|du|au|en|an|jusqu'?au|v|n|no|cp|ref|page|ligne|etape|article)\W*$"
)
WINDOW_BEFORE = 60  # characters: about six words
WINDOW_AFTER = 35  # about three words: "4821, c'est mon mot de passe"


def contains_secret(text: str) -> bool:
    folded = fold(text or "")
    folded = SPELLED_RUN.sub(_spelled_to_digits, folded)
    for match in NUMBER.finditer(folded):
        digits = re.sub(r"\D", "", match.group())
        if not 4 <= len(digits) <= 8 or DATE.match(match.group()):
            continue
        before = folded[max(0, match.start() - WINDOW_BEFORE):match.start()]
        after = folded[match.end():match.end() + WINDOW_AFTER]
        if CHANGED_INTO.search(before):  # "changé en 1593": "en" is no year here
            return True
        if NOT_A_SECRET_NEAR.search(before) or NOT_A_SECRET_LAST.search(before):
            continue
        if SAYING.search(before) or SECRET_WORDS.search(before) or SECRET_WORDS.search(after):
            return True
        if re.match(r"\W*(?:c'?est|est)\s+(?:mon|ma|le)\s+code\b", after):
            return True
    return False


def _spelled_to_digits(match: re.Match) -> str:
    words = re.findall(r"[a-z]+", match.group())
    return " ".join(SPELLED_DIGITS[word] for word in words) + " "
