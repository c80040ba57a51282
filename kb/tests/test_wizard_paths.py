"""Every root-to-leaf path of the national flowchart (seed 004), walked over HTTP by
following the links a person would click, from the home page."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

CARD_LINE = {"tel": "tel:0825852000", "phone": "0 825 85 20 00", "cost": "0,06 €/min",
             "email": "monserviceclient.cartes@esante.gouv.fr"}
APP_LINE = {"tel": "tel:0806800213", "phone": "0 806 800 213",
            "cost": "Service gratuit + prix de l&#x27;appel",
            "email": "monserviceclient.e-cps@esante.gouv.fr",
            "faq": "https://esante.gouv.fr/foire-aux-questions/produits-services/e-cps"}
UPDATE_DETAILS = "https://esante.gouv.fr/securite/e-cps/mise-jour-des-coordonnees-de-correspondance"

YES_CARD, NO_CARD = "Oui, j'ai une carte CPx", "Non, je n'ai pas de carte"
ACTIVATED = "Oui, elle est activée"

# The flowchart, path for path: the answers clicked, the URL reached, what the leaf offers.
SEED_PATHS = [
    ([YES_CARD, ACTIVATED], "/parcours/methode-a/ecps-activee/", "success"),
    ([YES_CARD, "Non, je rencontre une erreur",
      "J'ai un problème avec ma carte (code PIN, lecteur…)"],
     "/parcours/methode-a/methode-a-erreur/probleme-carte/", CARD_LINE),
    ([YES_CARD, "Non, je rencontre une erreur", "J'ai un problème avec l'application e-CPS"],
     "/parcours/methode-a/methode-a-erreur/probleme-application/", APP_LINE),
    ([NO_CARD, ACTIVATED], "/parcours/methode-b/ecps-activee/", "success"),
    ([NO_CARD, "Non, elle n'est pas activée",
      "Mes coordonnées (e-mail, téléphone portable) ne sont pas à jour"],
     "/parcours/methode-b/methode-b-probleme/coordonnees-a-mettre-a-jour/", UPDATE_DETAILS),
    ([NO_CARD, "Non, elle n'est pas activée", "Je rencontre une erreur",
      "J'ai un problème avec mes coordonnées"],
     "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-coordonnees/",
     CARD_LINE),
    ([NO_CARD, "Non, elle n'est pas activée", "Je rencontre une erreur",
      "J'ai un problème avec l'application e-CPS"],
     "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/",
     APP_LINE),
]
# Beyond the flowchart, the ways out it lacks: method B is closed to professionals without an
# RPPS number (ANS FAQ, seed 003; ../shared/DOMAIN.md §2), so they get their real next step;
# and the most common problem, an activation e-mail that never arrives, which nobody thinks
# of as « une erreur » (DOMAIN.md §3 n° 3 and 6), has an answer of its own.
ADDED_PATHS = [
    (["Non, et je n'ai pas de numéro RPPS (ADELI)"], "/parcours/methode-a-obligatoire/",
     "procedure"),
    ([NO_CARD, "Non, elle n'est pas activée", "L'e-mail d'activation n'arrive pas"],
     "/parcours/methode-b/methode-b-probleme/mail-activation-non-recu/", APP_LINE),
]


class AnswerLinks(HTMLParser):
    """Collects the answer buttons of a page: {label: href}."""

    def __init__(self, html):
        super().__init__()
        self.links, self._href = {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "btn-answer" in (attrs.get("class") or ""):
            self._href, self._text = attrs["href"], ""

    def handle_data(self, data):
        if self._href:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href:
            self.links[self._text.strip()] = self._href
            self._href = None


def answers_on(response) -> dict[str, str]:
    return AnswerLinks(response.content.decode()).links


@pytest.mark.parametrize(("labels", "leaf_url", "leaf"), SEED_PATHS)
def test_each_seed_path_leads_to_its_leaf(client, seed_tree, labels, leaf_url, leaf):
    response = client.get("/")
    for label in labels:
        assert response.status_code == 200
        links = answers_on(response)
        assert label in links, f"« {label} » absent de {response.request['PATH_INFO']}"
        response = client.get(links[label])

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == leaf_url
    assert answers_on(response) == {}, "une issue ne propose plus de réponse"
    html = response.content.decode()
    if leaf == "success":
        assert "vous pouvez accéder à vos services" in html
    elif isinstance(leaf, str):
        assert f'href="{leaf}"' in html
    else:
        assert f'href="{leaf["tel"]}"' in html
        assert f"Appeler le {leaf['phone']}" in html
        assert leaf["cost"] in html
        assert f'href="mailto:{leaf["email"]}?subject=' in html
        if "faq" in leaf:
            assert f'href="{leaf["faq"]}"' in html
    # Superseded contacts are only ever mentioned in notes, never offered as links.
    assert 'href="tel:0809400082"' not in html
    assert "@asipsante.fr?" not in html


def test_the_tree_has_exactly_the_seed_paths(client, seed_tree):
    """Crawl every branch: no seed path missing or changed, nothing added but the one way out
    the flowchart lacks."""
    found, pending = [], [([], "/parcours/")]
    while pending:
        labels, url = pending.pop()
        links = answers_on(client.get(url))
        if not links:
            found.append((tuple(labels), url))
        pending.extend(([*labels, label], href) for label, href in links.items())
    expected = {(tuple(labels), url) for labels, url, _ in SEED_PATHS + ADDED_PATHS}
    assert set(found) == expected
    assert len(found) == len(expected)


def test_the_prefilled_email_carries_the_path_taken(client, seed_tree):
    labels, url, line = SEED_PATHS[6]
    html = client.get(url).content.decode()
    start = html.index(f'href="mailto:{line["email"]}?') + len('href="')
    mailto = html[start:html.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(mailto).query)
    subject, body = query["subject"][0], unquote(query["body"][0])
    # The visitor's own last answer: it makes sense to the line that receives it.
    assert subject == f"[e-CPS] {labels[-1]}"
    assert "contactez le support" not in subject
    for label in labels:
        assert label in body
    assert "http://testserver" + url in body
    assert "mot de passe" in body  # the reminder never to send it


def test_each_contact_shows_when_it_was_verified_and_the_superseded_number(client, seed_tree):
    html = client.get(SEED_PATHS[2][1]).content.decode()
    assert "Informations vérifiées le 22 novembre 2026" in html
    assert "0 809 40 00 82" in html  # the older number, explained in the line's notes


def test_the_local_fimatho_line_is_listed(client, seed_tree):
    html = client.get("/assistance/").content.decode()
    assert 'href="tel:0362943982"' in html
    assert 'href="mailto:fimatho@chru-lille.fr"' in html
    assert "CHRU de Lille" in html
