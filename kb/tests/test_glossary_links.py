"""The glossary: its terms linked on their first use on a page (never in a heading or a link),
its missing entries added, and its order the dictionary's."""

import re
from dataclasses import dataclass

from kb.glossary_links import link_terms
from kb.snapshot import published


@dataclass
class Term:
    slug: str
    term: str


TERMS = [Term("store", "Store"), Term("rpps", "RPPS"), Term("cps", "CPS"), Term("e-cps", "e-CPS"),
         Term("code-d-ajout", "Code d'ajout"), Term("roote", "Rooté (ou jailbreaké)"),
         Term("annuaire-sante", "Annuaire Santé")]


def linked(html: str) -> list[str]:
    return re.findall(r'<a class="glossary-term" href="/glossaire/#([^"]+)">([^<]*)</a>', html)


def test_only_the_first_use_in_the_main_text_is_linked():
    html = ("<header>RPPS</header><main><h1>Le RPPS</h1><p>Votre numéro RPPS, puis le "
            "RPPS encore. Votre e-CPS (pas une CPS) et le code d&#x27;ajout.</p>"
            "<p><a href='/x/'>RPPS</a> un téléphone rooté, l'Annuaire\u00a0Santé.</p></main>")
    result = link_terms(html, TERMS, "/glossaire/")
    assert linked(result) == [("rpps", "RPPS"), ("e-cps", "e-CPS"), ("cps", "CPS"),
                              ("code-d-ajout", "code d&#x27;ajout"), ("roote", "rooté"),
                              ("annuaire-sante", "Annuaire\u00a0Santé")]
    assert result.startswith("<header>RPPS</header><main><h1>Le RPPS</h1>")  # untouched
    assert "<a href='/x/'>RPPS</a>" in result


def test_a_word_inside_a_name_is_not_the_glossarys_word():
    html = "<main><p>Depuis l'App Store ou Google Play : le store officiel.</p></main>"
    assert linked(link_terms(html, TERMS, "/glossaire/")) == [("store", "store")]


def test_nothing_is_linked_inside_links_buttons_labels_or_the_trail():
    html = ('<main><a href="/">RPPS <span>CPS</span></a><button>RPPS</button>'
            "<label>RPPS</label><nav>RPPS</nav><summary>CPS</summary></main>")
    assert linked(link_terms(html, TERMS, "/glossaire/")) == []


def test_pages_link_their_terms_to_the_glossary_but_not_in_headings(client, seed_tree):
    html = client.get("/parcours/methode-b/").content.decode()
    found = dict(linked(html))
    assert {"rpps", "adeli"} <= set(found)
    for heading in re.findall(r"<h[1-6][^>]*>.*?</h[1-6]>", html, re.S):
        assert "glossary-term" not in heading
    assert len(re.findall(r'href="/glossaire/#rpps"', html)) == 1  # its first use only
    assert "glossary-term" not in client.get("/glossaire/").content.decode()


def test_the_glossary_has_the_missing_terms_in_dictionary_order(client, seed_tree):
    terms = [term.term for term in published.get().glossary]
    for missing in ["eRPPS", "Code d'ajout", "Coordonnées de correspondance",
                    "Rooté (ou jailbreaké)", "Store"]:
        assert missing in terms
    assert terms.index("Annuaire Santé") < terms.index("ANS") < terms.index("ARS")
    assert terms.index("CPx") < terms.index("e-CPS") < terms.index("eRPPS") \
        < terms.index("Identifiant national")
    html = client.get("/glossaire/").content.decode()
    assert html.index('id="annuaire-sante"') < html.index('id="ars"')
