"""Nobody may ever send us an e-CPS password or a card PIN: every free-text field a visitor
or an agent fills is checked with `contains_secret` before anything is stored.

Both secrets are 4-digit codes, but people also give the passwords of their other accounts
("mot de passe : MonChat75"). So the guard looks at two things:

1. Every code of 4 to 8 digits in the text ("4821", "48 21", "4-8-2-1", "quatre huit deux
   un"), judged from its surroundings:
   - a secret: a secret word near it ("mot de passe", "mdp", "code PIN", "code
     confidentiel", "password"…), a verb of saying or typing just before it ("mon code est
     4821", "j'ai tapé 4821", "c'est le 1470"), someone's code ("son code 4821"), or told
     to be one just after it ("4821 est le bon code", "1975 comme code PIN");
   - innocent: introduced as a year, a date, an error code, a version, a postal code or a
     reference ("bloqué depuis 2024", "erreur 1012", "numéro de série du lecteur : 4521
     8796", "cabinet à Roubaix 59100"), or part of a longer number (RPPS, identifiers,
     phone numbers), or glued to letters (the "code d'ajout" P28658), or a quantity ("1350
     patients"), or a code not to choose ("évitez 1234").
2. A password-like word, letters and digits mixed ("Azerty123!", "Ecps2024"), or any word in
   quotes ("mon mot de passe est « marguerite »"), given right after a secret word or just
   before "comme mot de passe". Our ticket references (ECPS-2025-000123), e-mail and web
   addresses, and what an error code or a version introduces are not passwords.

The corpus in kb/tests/privacy_corpus/ (secrets.txt, innocent.txt) measures both rates.
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
# A date written with dots or dashes, or with spaces and a full year: a real day, a real
# month ("15.01.25" and "12 03 1975" are dates; "12 34 56" and "1 2 34" are not).
DAY_MONTH = r"(?:0?[1-9]|[12]\d|3[01])([ .\-])(?:0?[1-9]|1[0-2])\1"
DATE = re.compile(rf"^{DAY_MONTH}(?:\d{{4}}|(?<! )\d{{2}})$")
YEAR = re.compile(r"^(?:19|20)\d\d$")

# "mot-de-passe" and "motdepasse" too: people type the hyphens or drop the spaces.
SECRET_WORDS = re.compile(
    r"mots?[\s\-]*de[\s\-]*passe|\bmdp\b|\bpass(?:word|code)?\b|\bpin\b|code\s*(?:porteur|"
    r"secret|confidentiel|d'?\s*acces|de\s+(?:ma|la|votre)\s+(?:carte|e-?cps))|\bsecret\b"
)
# Just before the code: the person tells or types it ("mon code c'est le 1470" too, where
# "le" would otherwise announce a date; "je tape toujours 1974").
SAYING = re.compile(
    r"(?:\b(?:est|c'?est|etait|sera|vaut|tape|tapee?s?|tapez|saisi[se]?|saisis|entre[es]?|"
    r"rentre[es]?|mis|mets|met|mettre|compose[es]?|choisi[es]?|utilise[es]?|devient|"
    r"essaye[es]?|donne[es]?|dicte[es]?|j'?ai\s+fait|je\s+fais)"
    r"(?:\s+(?:toujours|bien|encore|juste|pourtant|aussi))?(?:\s+le)?|[:=>])\W*$"
)
# Someone's code, or a code typed or chosen: "son code 4821", "j'ai choisi le code 9632",
# "ma carte a le code 4710". A code only shown ("le lecteur affiche le code 6982") is not.
OWN_CODE = r"\b(?:mon|ma|son|sa|votre|ton)\s+(?:nouveau\s+|ancien\s+)?code\b"
THE_CODE_GIVEN = re.compile(
    rf"(?:{OWN_CODE}|\b(?:a|tape|saisi|entre|rentre|choisi|mis|donne|dicte|utilise)\s+"
    rf"(?:le|un|ce)\s+code)\W*$"
)
# Just after the code: it is said to be someone's secret ("4821 c'est mon code", "1975 comme
# code PIN"), stronger than anything that introduced it ("année de naissance 1975 comme…").
NOT_THAT_CODE = r"(?!\s*(?:d'?\s*)?(?:erreur|ajout|activation|postal))"
TOLD_AFTER = re.compile(
    rf"\W*(?:(?:c'?est|est)\s+(?:mon|ma|son|sa|votre)\s+(?:bon\s+)?|comme\s+(?:mon\s+|ma\s+|"
    rf"le\s+|nouveau\s+)*)(?:code\b{NOT_THAT_CODE}|pin\b|mdp\b|mots?[\s\-]*de[\s\-]*passe)"
)
# Weaker, only when nothing else introduced it: "4821 est le bon code" (but "l'erreur 4012,
# c'est le code affiché" and "4012 est le code d'erreur" are not secrets).
TOLD_AFTER_AS_THE_CODE = re.compile(
    rf"\W*(?:c'?est|est)\s+le\s+(?:bon\s+)?code\b{NOT_THAT_CODE}"
)
# Just after the code: a quantity ("1350 patients", "1500 euros", "1200 km").
COUNTED_AFTER = re.compile(
    r"\s*(?:patients?|personnes?|euros?|eur\b|€|km|kilometres?|secondes?|minutes?|heures?|"
    r"jours?|semaines?|mois|ans|fois|actes?|feuilles?|fse)\b"
)
# Advice on the codes not to choose: "évitez 1234, 0000", "il ne peut pas être 1234".
NOT_TO_CHOOSE = re.compile(
    r"\b(?:evite[rz]?|interdits?|ne\s+(?:peut|doit)\s+pas\s+etre)\b[^.!?\n]*$"
)
CHANGED_INTO = re.compile(r"\b(?:change|modifie|remplace)[es]{0,2}\s+(?:en|par)\W*$")
# Within the four words before the code: it is something else than a secret, unless a secret
# word or someone's code comes in between ("RPPS 10002232642, mot de passe 4821", "depuis
# mars, mon code est 4821").
NOT_A_SECRET_NEAR = re.compile(
    r"\b(?:erreurs?|error|err|version|ios|android|windows|chrome|firefox|build|depuis|annee|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    r"postal|numero|ticket|reference|dossier|commande|serie|rpps|adeli|siret|finess|"
    r"identifiant)\b(?P<tail>(?:\W+[\w']+){0,4}\W*)$"
)
# The word just before the code says what it is: "le 15", "en 2024", "n° 1234", "v 2.4"…
NOT_A_SECRET_LAST = re.compile(
    r"\b(?:le|du|au|en|an|jusqu'?au|v|n|no|cp|ref|page|ligne|etape|article)\W*$"
)
# Five digits after an address or a town are a postal code ("12 rue de la Paix 75002",
# "cabinet à Roubaix 59100", "le code postal de mon cabinet est 59000").
POSTAL_CONTEXT = re.compile(
    r"\b(?:postal|cp|cedex|rue|avenue|av|boulevard|bd|chemin|route|place|allee|impasse|quai|"
    r"cours)\b|\ba\s+[a-z][a-z'\-]+\W*$"
)
WINDOW_BEFORE = 60  # characters: about six words
WINDOW_AFTER = 35  # about three words: "4821, c'est mon mot de passe"

# A password of letters and digits mixed: at least two of each ("Azerty123!", "MonChat75",
# "Xk7pQ2"), so that "CPS3", "14h30", "A52", "P28658" or "0x80070005" are not taken for one.
WORD = re.compile(r"[^\s\"«»“”(),;:\[\]]+")
PASSWORD_LIKE = re.compile(r"^(?=(?:.*[a-z]){2})(?=(?:.*\d){2})")
# Our ticket references, e-mail addresses, web addresses ("https://…" is cut at the colon)
# and percent-encoded URLs ("bloqu%C3%A9").
NOT_A_PASSWORD = re.compile(r"^ecps-\d{4}-\d+|@.+\.[a-z]{2,}$|^//|^www\.|%[0-9a-f]{2}")
# How far after a secret word its value may come: "mot de passe de mon compte est
# Infirmiere33", "mdp oublié, l'ancien était Clinique2023". Up to the end of the sentence.
VALUE_WINDOW = 40
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n")
# Any word in quotes right after a secret word: "mon mot de passe est « marguerite »". Not a
# quote that closes the secret word itself: "cliquez sur « Mot de passe » « Suivant »".
QUOTED_AFTER = re.compile(
    r"[^\w\"»”]{0,3}(?:(?:est|c'?est|etait)[^\w\"»”]+)?[\"«“]\s*[^\s\"»”]{3,}\s*[\"»”]"
)
# "Azerty2024! comme mot de passe", "Bonjour2024 est mon mot de passe".
AS_THE_PASSWORD = re.compile(
    rf"\W*(?:comme|c'?est|est|etait)\s+(?:mon\s+|ma\s+|le\s+|nouveau\s+)*"
    rf"(?:{SECRET_WORDS.pattern})"
)


def contains_secret(text: str) -> bool:
    folded = fold(text or "")
    folded = SPELLED_RUN.sub(_spelled_to_digits, folded)
    return (any(_code_is_secret(folded, match) for match in NUMBER.finditer(folded))
            or _password_is_given(folded))


def _code_is_secret(folded: str, match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match.group())
    if not 4 <= len(digits) <= 8 or DATE.match(match.group()):
        return False
    before = folded[max(0, match.start() - WINDOW_BEFORE):match.start()]
    after = folded[match.end():match.end() + WINDOW_AFTER]
    if TOLD_AFTER.match(after):
        return True
    if COUNTED_AFTER.match(after) or NOT_TO_CHOOSE.search(before):
        return False
    if CHANGED_INTO.search(before):  # "changé en 1593": "en" is no year here, 2023 is one
        return not YEAR.match(digits)
    if _introduced_as_something_else(before):
        return False
    if len(digits) == 5 and POSTAL_CONTEXT.search(before):
        return False
    if SAYING.search(before) or THE_CODE_GIVEN.search(before):
        return True
    if NOT_A_SECRET_LAST.search(before):
        return False
    return bool(SECRET_WORDS.search(before) or SECRET_WORDS.search(after)
                or TOLD_AFTER_AS_THE_CODE.match(after))


def _introduced_as_something_else(before: str) -> bool:
    near = NOT_A_SECRET_NEAR.search(before)
    return bool(near) and not (SECRET_WORDS.search(near.group("tail"))
                               or re.search(OWN_CODE, near.group("tail")))


def _password_is_given(folded: str) -> bool:
    for secret_word in SECRET_WORDS.finditer(folded):
        following = folded[secret_word.end():secret_word.end() + VALUE_WINDOW]
        if QUOTED_AFTER.match(following):
            return True
        sentence_end = SENTENCE_END.search(following)
        clause = following[:sentence_end.start()] if sentence_end else following
        if any(_is_a_password(word, clause[:word.start()])
               for word in WORD.finditer(clause)):
            return True
    for word in WORD.finditer(folded):
        if (AS_THE_PASSWORD.match(folded, word.end())
                and _is_a_password(word, folded[max(0, word.start() - WINDOW_BEFORE):
                                                word.start()])):
            return True
    return False


def _is_a_password(word: re.Match, before: str) -> bool:
    value = word.group()
    return (bool(PASSWORD_LIKE.match(value)) and not NOT_A_PASSWORD.search(value)
            and not _introduced_as_something_else(before))


def _spelled_to_digits(match: re.Match) -> str:
    words = re.findall(r"[a-z]+", match.group())
    return " ".join(SPELLED_DIGITS[word] for word in words) + " "
