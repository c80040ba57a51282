"""Nobody may ever send us an e-CPS password or a card PIN: every free-text field a
visitor or an agent fills is checked with `contains_secret` before anything is stored."""

import re

from kb.search import fold

# A number of 4 to 8 digits within a few words of "mot de passe", "code PIN"…: most likely
# the secret itself. We refuse it rather than store it.
SECRET_WORDS = r"(?:mot\s*de\s*passe|mdp|code\s*(?:pin|porteur|secret)|\bpin\b|password|passcode)"
SECRET_NEARBY = re.compile(
    rf"{SECRET_WORDS}\W+(?:\w+\W+){{0,4}}?\d{{4,8}}\b|\b\d{{4,8}}\W+(?:\w+\W+){{0,4}}?{SECRET_WORDS}"
)


def contains_secret(text: str) -> bool:
    return bool(SECRET_NEARBY.search(fold(text)))
