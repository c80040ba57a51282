"""Search finds the right page from the words people actually type, on SQLite and
PostgreSQL alike (the suite runs on both)."""

import re
import unicodedata

import pytest

from kb.models import KnownProblem
from kb.search import fold, normalize, stem, words
from kb.snapshot import published
from kb.tests.factories import publish


def search(query):
    return published.get().search_index.search(query)

T = "/tutoriels/"
P = "/problemes-connus/#"
RELEVANCE = [
    # (what people type, a page that must be in the top 3)
    ("activation", T + "activer-e-cps-avec-carte/"),
    ("activée", T + "activer-e-cps-avec-coordonnees/"),
    ("ACTIVER MA ECPS", T + "activer-e-cps-avec-carte/"),
    ("e cps sans carte", T + "activer-e-cps-avec-coordonnees/"),
    ("E-CPS avec ma carte", T + "activer-e-cps-avec-carte/"),
    ("qr code pas reçu", P + "mail-qr-code-non-recu"),
    ("qrcode expiré", P + "qr-code-expire"),
    ("code pin bloqué", P + "code-pin-bloque"),
    ("code porteur oublie", P + "code-pin-bloque"),
    ("identifiant inconu", P + "identifiant-inconnu"),
    ("mot de pase refusé", P + "mot-de-passe-refuse"),
    ("mdp 1234", T + "choisir-mot-de-passe/"),
    ("notifcations", P + "pas-de-notification"),
    ("rcp sara", T + "se-connecter-rcp-sara/"),
    ("RCP maladies rares connexion", T + "se-connecter-rcp-sara/"),
    ("erpps attestation", T + "acceder-portail-erpps/"),
    ("france connect", T + "acceder-portail-erpps/"),
    ("franceconnect erpps ne marche pas", P + "franceconnect-au-lieu-de-pro-sante-connect"),
    ("portail paca", T + "portail-sante-paca-activer-sans-carte/"),
    ("bouton commencer l'activation absent", P + "bouton-commencer-activation-absent"),
    ("kaspersky", P + "bouton-commencer-activation-absent"),
    ("carte pas lue lecteur", P + "carte-non-lue"),
    ("ecps expirée", P + "e-cps-expiree"),
    ("téléphone rooté", P + "erreur-securite-integrite"),
    ("mail spam", P + "mail-qr-code-non-recu"),
    ("sms pas recu telephone fixe", P + "telephone-fixe-pas-de-sms"),
    ("mettre a jour mes coordonnees",
     "/parcours/etape/coordonnees-a-mettre-a-jour/?via=recherche"),
    ("numéro rpps", T + "trouver-identifiant-national/"),
    ("identifiant adeli", T + "trouver-identifiant-national/"),
    ("instaler l'application", T + "installer-application/"),
    ("iphone compatible ios", T + "installer-application/"),
    ("heure du telephone", P + "connexions-echouent-heure"),
    ("numero support ecps", "/assistance/#ligne-ans-support-e-cps"),
    ("que veut dire CPE", "/glossaire/#cpe"),
]


@pytest.mark.parametrize(("query", "expected"), RELEVANCE)
def test_realistic_queries_find_the_right_page_in_the_top_3(seed_tree, query, expected):
    top3 = [result.document.url for result in search(query)[:3]]
    assert expected in top3, f"{query!r}: {top3}"


def test_there_are_enough_realistic_queries():
    assert len(RELEVANCE) >= 25


@pytest.mark.parametrize(("written", "same_as"), [
    ("e-CPS", "ecps"), ("E CPS", "ecps"), ("e‑cps", "ecps"), ("Activée", "activee"),
    ("QR code", "qrcode"), ("mots de passe", "motdepasse"),
])
def test_spellings_fold_to_one_word(written, same_as):
    assert words(written) == [same_as] or normalize(written).split() == [same_as]


@pytest.mark.parametrize("forms", [
    ("activation", "activer", "activez", "activée", "activées", "active"),
    ("connexion", "connecter", "connecte"),
    ("carte", "cartes"), ("identifiant", "identifiants"), ("installer", "installation"),
])
def test_plurals_and_verb_forms_share_a_stem(forms):
    assert len({stem(words(form)[0]) for form in forms}) == 1


def test_a_typo_is_tolerated_only_in_long_words(seed_tree):
    assert search("notifcation")  # 11 letters, one letter missing
    assert not search("sar")  # too short for a typo: "sara" is not guessed


def test_titles_weigh_more_than_bodies(seed_tree):
    # "expiré" is in three titles of known problems, and in the body of a tutorial.
    results = search("expiré")
    in_title = ["expir" in r.document.title for r in results]
    assert in_title == sorted(in_title, reverse=True)  # every title match first
    assert in_title.count(True) == 3 and in_title.count(False) >= 1


def test_results_show_the_matching_passage_highlighted(seed_tree):
    result = search("kaspersky")[0]
    assert "<mark>Kaspersky</mark>" in result.snippet_html


def test_highlighting_escapes_the_content(seed_tree):
    problem = KnownProblem.objects.get(slug="qr-code-expire")
    problem.cause = "<b>QR</b> 90 secondes"
    problem.save()
    publish()
    result = next(r for r in search("qr code expiré") if "qr-code-expire" in r.document.url)
    assert "<b>" not in result.snippet_html
    assert "&lt;b&gt;" in result.snippet_html


def test_a_published_edit_is_searchable_at_once_and_a_draft_edit_is_not(seed_tree):
    assert not search("zanzibar")
    problem = KnownProblem.objects.get(slug="qr-code-expire")
    problem.cause = "Un QR code venu de Zanzibar."
    problem.save()
    assert not search("zanzibar")  # the draft: visitors do not see it yet
    publish()
    assert search("zanzibar")[0].document.url.endswith("#qr-code-expire")


def test_the_search_page_works_without_javascript(client, seed_tree):
    html = client.get("/recherche/", {"q": "qr code pas reçu"}).content.decode()
    assert "<html" in html
    assert 'href="/problemes-connus/#mail-qr-code-non-recu"' in html
    assert "<mark>" in html


def test_live_search_returns_only_the_results(client, seed_tree):
    response = client.get("/recherche/", {"q": "kaspersky"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "search-result" in html
    assert "HX-Request" in response["Vary"]


def test_an_empty_result_proposes_the_wizard_and_the_support_lines(client, seed_tree):
    html = client.get("/recherche/", {"q": "xylophone"}).content.decode()
    assert "Aucun résultat pour «\u00a0xylophone\u00a0»" in html
    assert 'href="/parcours/"' in html
    assert 'href="tel:0806800213"' in html and 'href="tel:0825852000"' in html


def test_odd_queries_never_crash(client, seed_tree):
    for query in ["", "   ", "'; DROP TABLE kb_step; --", "é" * 5000, "\x01\x02", "<script>"]:
        response = client.get("/recherche/", {"q": query})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main", 1)[1]
    assert client.get("/recherche/", {"q": "qr\x00code"}).status_code == 400  # NUL: refused


def test_the_fast_fold_agrees_with_full_unicode_decomposition():
    def decomposed(text):
        text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
        text = "".join(char for char in text if not unicodedata.combining(char))
        return re.sub(r"[\u2010-\u2015\u2212]", "-", text)

    for code in range(0x20, 0x2300):
        char = chr(code)
        if len(decomposed(char)) == 1:
            assert fold(char) == decomposed(char), hex(code)
    sentence = "L’ÉCRAN « Activée » – Ça dépend… de l'œuvre\u00a0? cafe\u0301"
    assert fold(sentence) == decomposed(sentence)
