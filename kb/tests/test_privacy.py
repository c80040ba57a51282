"""The password/PIN guard on a corpus of realistic phrasings, kept as data files (one text a
line, UTF-8) in kb/tests/privacy_corpus/: secrets.txt, which it must catch (at least 97 %),
and innocent.txt, which it must let through (at most 2 % refused). Both rates are printed."""

from pathlib import Path

import pytest

from kb.privacy import contains_secret

CORPUS = Path(__file__).parent / "privacy_corpus"


def corpus(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


SECRETS = corpus("secrets.txt")
INNOCENT = corpus("innocent.txt")


def test_the_corpus_is_large_enough_and_has_no_duplicates():
    assert len(SECRETS) >= 100 and len(INNOCENT) >= 100
    assert len(set(SECRETS)) == len(SECRETS) and len(set(INNOCENT)) == len(INNOCENT)
    assert not set(SECRETS) & set(INNOCENT)


def test_the_guard_catches_secrets_and_lets_innocent_texts_through(capsys):
    missed = [text for text in SECRETS if not contains_secret(text)]
    refused = [text for text in INNOCENT if contains_secret(text)]
    caught_rate = 1 - len(missed) / len(SECRETS)
    refused_rate = len(refused) / len(INNOCENT)
    with capsys.disabled():
        print(f"\nGarde mot de passe / PIN : secrets détectés : {len(SECRETS) - len(missed)} "
              f"sur {len(SECRETS)} ({caught_rate:.1%}) ; textes anodins refusés : "
              f"{len(refused)} sur {len(INNOCENT)} ({refused_rate:.1%})")
    assert caught_rate >= 0.97, missed
    assert refused_rate <= 0.02, refused


@pytest.mark.parametrize("text", [
    "mot de passe Azerty123!", "mdp Ecps2024", "mot de passe : MonChat75",
    "Mon PIN c'est le 1470", "mon code c'est 1 4 7 0",
])
def test_the_probe_s_misses_are_caught(text):
    assert contains_secret(text)


@pytest.mark.parametrize("text", [
    "le code postal de mon cabinet est 59000", "code d'ajout P28658",
    "ticket ECPS-2025-000123, mot de passe refusé", "mot de passe envoyé à dr.martin59@gmail.com",
])
def test_what_the_guard_must_let_through(text):
    assert not contains_secret(text)


@pytest.mark.parametrize("text", ["", "   ", "1234", "é" * 10_000, "\u00a0" * 50,
                                  "mot de passe " * 800, "1 " * 5000, "un " * 3000])
def test_odd_input_never_crashes(text):
    contains_secret(text)
