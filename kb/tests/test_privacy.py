"""The password/PIN guard on a corpus of realistic phrasings: secrets it must catch (at least
90 %) and innocent texts it must let through (at most 5 % refused). Both rates are printed."""

import pytest

from kb.privacy import contains_secret

SECRETS = [
    "Mon code PIN est 4821", "mon mot de passe est 1987", "mdp 4821", "MDP : 0000",
    "PIN : 4821", "pin=4821", "Code PIN 7395, il est bloqué", "mot de passe 1 2 3 4",
    "mon mot de passe c'est 48 21", "le code de ma carte c'est 4821", "password: 5739",
    "passcode 2468", "code porteur 1357", "code confidentiel 0000", "code secret : 9876",
    "code d'accès 7777", "mon code est 4821", "le code c'est 4821", "j'ai tapé 4821",
    "j'ai saisi 4821 et ça ne marche pas", "je tape 4 8 2 1 et ça bloque", "j'ai mis 5739",
    "j'ai choisi 1470 comme mot de passe", "j'ai entré 3692", "je compose 4821",
    "4821 c'est mon code", "4821, c'est mon mot de passe", "4821 (mot de passe)",
    "mon code PIN : quatre huit deux un", "mot de passe quatre huit deux un",
    "j'utilise 2580 pour l'application", "j'ai changé en 1593", "mot de passe modifié en 7531",
    "mon nouveau code : 5739", "Le PIN de la carte est 1 9 8 7", "code de la carte = 0000",
    "mon mdp e-cps est 8642", "MON MOT DE PASSE EST 2468", "le mot de passe: 13 57",
    "PIN 0 0 0 0", "code pin 4-8-2-1", "code pin 4.8.2.1",
    "ma date de naissance 1987 sert de mot de passe", "mot de passe (1987)",
    "voici mon mot de passe 6543 au cas où", "le code que j'utilise est 9513",
    "j'ai essayé 1111 puis 2222 comme mot de passe", "mot de passe e-CPS 3141, refusé",
    "Pour info, PIN 2718.", "code confidentiel de ma CPS : 1618", "le mdp vaut 4242",
    "mon password est 8080", "Mon mot de passe était 7412, je l'ai oublié",
]

INNOCENT = [
    "le code PIN est bloqué depuis 2024", "erreur 1012", "mise à jour 2024", "12/03/2024",
    "le 15/01/2025", "15.01.2025", "mon RPPS est 10002232642", "identifiant 810002232642",
    "ADELI 789310596", "appelez le 06 12 34 56 78", "0 806 800 213", "0 825 85 20 00",
    "j'ai oublié mon code PIN", "le code PIN ne marche plus", "mot de passe refusé",
    "mot de passe à 4 chiffres refusé", "code PIN bloqué après 3 essais",
    "mot de passe refusé, erreur 4012", "l'erreur 1012 s'affiche quand je tape mon mot de passe",
    "mon mot de passe ne marche plus depuis la mise à jour iOS 17.2",
    "depuis 2023 mon code PIN ne fonctionne plus", "en 2024 j'ai changé de mot de passe",
    "mot de passe expiré le 15 janvier 2025", "code postal 59000, mot de passe refusé",
    "code d'ajout P28658 refusé", "le QR code expire au bout de 90 secondes",
    "il reste 112 secondes", "Android 14, mot de passe demandé à chaque fois",
    "ticket ECPS-2026-000123", "code erreur 4012 sur le portail", "version 2.4.1",
    "le code d'activation reçu par SMS ne s'affiche pas", "Je suis médecin à Lille depuis 2015",
    "le lecteur de carte affiche erreur 6982", "PIN bloqué, numéro de carte 8 99700218144",
    "RDV le 12 mars 2024 à 14h30", "Windows 10, Chrome 120", "mon cabinet est au 1254 route",
    "il y a 2 semaines", "le mot de passe ne peut pas être 1234 ou 4321 selon le site",
    "code PIN oublié, carte reçue en 2022", "J'ai une carte CPS depuis 2019",
    "Le mot de passe est demandé à chaque connexion",
    "le SMS avec le code d'activation n'arrive pas", "Finess 590780193",
    "le portail indique erreur 500", "j'ai essayé 3 fois", "le 3 avril 2025 à 9h",
    "ligne 0 809 40 00 82 injoignable", "SIRET 12345678901234",
    "erreur 401 après saisie du mot de passe", "Mon numéro ADELI 2A1234567 est refusé",
]


def test_the_corpus_is_large_enough():
    assert len(SECRETS) >= 50 and len(INNOCENT) >= 50


def test_the_guard_catches_secrets_and_lets_innocent_texts_through(capsys):
    missed = [text for text in SECRETS if not contains_secret(text)]
    refused = [text for text in INNOCENT if contains_secret(text)]
    caught_rate = 1 - len(missed) / len(SECRETS)
    refused_rate = len(refused) / len(INNOCENT)
    with capsys.disabled():
        print(f"\nGarde mot de passe / PIN : {caught_rate:.0%} des {len(SECRETS)} secrets "
              f"détectés, {refused_rate:.0%} des {len(INNOCENT)} textes anodins refusés")
    assert caught_rate >= 0.90, missed
    assert refused_rate <= 0.05, refused


@pytest.mark.parametrize("text", ["", "   ", "1234", "é" * 10_000, "\u00a0" * 50])
def test_odd_input_never_crashes(text):
    contains_secret(text)

