"""One true answer per problem: the fix before the phone number, the same line everywhere,
method B's limit wherever method B is offered, and nothing raw or superseded on screen."""

import re
from html import unescape

import pytest

from kb.models import KnownProblem, Step, SupportLine
from kb.services import PublishRefused, publish_content
from kb.snapshot import published
from kb.tests.test_wizard_paths import answers_on

B_LIMIT = ("La méthode B demande un numéro RPPS : avec un numéro ADELI ou une carte CPE ou CPA, "
           "seule la méthode A (avec la carte) est possible.")
# Where method B is offered to readers who may lack an RPPS number, the same sentence says so.
B_CONDITION = ("Avec une carte CPS et un numéro RPPS, vous pouvez aussi activer votre e-CPS "
               "sans carte")
CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
DETAILS_LEAF = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-coordonnees/"
APP_LEAF = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"


def text_of(html: str) -> str:
    """What a visitor reads: tags out, entities and no-break spaces as plain characters."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"</?(?:a|strong|em|span|abbr|mark|b|i)\b[^>]*>", "", main)  # inline: no gap
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).replace("\u00a0", " ")


def public_pages(client) -> dict[str, str]:
    """Every public page of the published content: each wizard page reached by clicking,
    each tutorial, and the fixed pages."""
    pages, pending = {}, ["/", "/parcours/"]
    while pending:
        url = pending.pop()
        if url in pages:
            continue
        html = client.get(url).content.decode()
        pages[url] = html
        pending += [href for href in re.findall(r'href="(/parcours/[^"#?]*)"', html)
                    if href not in pages]
    content = published.get()
    for url in [t.get_absolute_url() for t in content.published_tutorials] + [
            "/tutoriels/", "/problemes-connus/", "/glossaire/", "/assistance/", "/identifiant/"]:
        pages[url] = client.get(url).content.decode()
    return pages


def test_every_known_problem_of_an_outcome_sends_to_the_outcome_line(seed_tree):
    content = published.get()
    linked = 0
    for step in content.steps.values():
        for problem in step.known_problems:
            linked += 1
            if problem.support_line and step.support_lines:
                assert problem.support_line in step.support_lines, (step.slug, problem.slug)
    assert linked >= 20


def test_no_public_page_offers_a_superseded_number_or_address(client, seed_tree):
    pages = public_pages(client)
    assert len(pages) >= 25
    for url, html in pages.items():
        assert 'href="tel:0809400082"' not in html, url
        assert not re.search(r'href="mailto:[^"]*@asipsante\.fr', html), url
    assert "Ancien numéro, ne plus utiliser : 0 809 40 00 82." in text_of(
        pages["/assistance/"])


def test_no_public_page_shows_raw_markdown_or_editors_notes(client, seed_tree):
    for url, html in public_pages(client).items():
        text = text_of(html)
        assert "**" not in text and "](" not in text, url
        assert "encore cité par le logigramme" not in text, url  # an editor's note
        assert "environ deux minutes" not in text, url  # not in any source


def test_publishing_refuses_markdown_in_a_plain_text_field(seed_tree):
    KnownProblem.objects.filter(slug="qr-code-expire").update(cause="Le **QR code** a expiré.")
    with pytest.raises(PublishRefused, match="le Markdown"):
        publish_content()


def test_publishing_refuses_a_superseded_contact(seed_tree):
    SupportLine.objects.filter(slug="ans-support-e-cps").update(phone="0 809 40 00 82")
    step = Step.objects.get(slug="probleme-application")
    step.body = "Écrivez à [l'ANS](mailto:monserviceclient.e-cps@asipsante.fr)."
    step.save()
    with pytest.raises(PublishRefused) as refused:
        publish_content()
    messages = " ".join(str(p) for p in refused.value.problems)
    assert "0 809 40 00 82 (remplacé par le 0 806 800 213)" in messages
    assert "« probleme-application » propose un lien vers @asipsante.fr" in messages


@pytest.mark.parametrize("url", [CARD_LEAF, DETAILS_LEAF, APP_LEAF])
def test_an_outcome_shows_its_fixes_before_its_line(client, seed_tree, url):
    html = client.get(url).content.decode().replace("\u00a0", " ")
    assert html.index('class="known-fix"') < html.index("Toujours sans solution ?") < html.index(
        "Appeler le ")


def test_the_common_failures_are_solved_on_the_app_outcome(client, seed_tree):
    text = text_of(client.get(APP_LEAF).content.decode())
    for symptom in ["E-mail d'activation avec le QR code non reçu", "« Identifiant inconnu »",
                    "Le mot de passe à 4 chiffres est refusé", "Pas de notification",
                    "Les connexions échouent à répétition", "Le QR code a expiré",
                    "Erreur de sécurité ou d'intégrité"]:
        assert symptom in text, symptom
    details = text_of(client.get(DETAILS_LEAF).content.decode())
    assert "Un téléphone fixe est proposé, ou le SMS n'arrive pas" in details
    assert "MSSanté" not in details  # the e-mail that never comes is the app line's


def test_the_pin_blocked_leaf_speaks_of_a_blocked_pin(client, seed_tree):
    html = client.get(CARD_LEAF).content.decode()
    assert "Code PIN bloqué ou oublié" in text_of(html)
    assert 'id="solution-code-pin-bloque"' in html


def test_adeli_is_never_offered_method_b(client, seed_tree):
    html = client.post("/identifiant/", {"number": "789310596"}).content.decode()
    assert "0789310596" in html
    assert "/tutoriels/activer-e-cps-avec-coordonnees/" not in html
    assert B_LIMIT in text_of(html)
    assert 'href="/parcours/methode-a-obligatoire/"' in html
    rpps = client.post("/identifiant/", {"number": "10002232642"}).content.decode()
    assert "/tutoriels/activer-e-cps-avec-coordonnees/" in rpps
    for url in ["/parcours/methode-b/", "/tutoriels/activer-e-cps-avec-coordonnees/"]:
        assert "numéro ADELI" not in text_of(client.get(url).content.decode()).replace(
            B_LIMIT, ""), url


def test_an_adeli_professional_without_a_card_has_somewhere_to_go(client, seed_tree):
    """Having no RPPS number is an answer to « Avez-vous une carte CPx ? », not to « Votre
    e-CPS est-elle activée ? »; method B's page links to it for whoever came the other way."""
    assert answers_on(client.get("/parcours/")) == {
        "Oui, j'ai une carte CPx": "/parcours/methode-a/",
        "Non, je n'ai pas de carte": "/parcours/methode-b/",
        "Non, et je n'ai pas de numéro RPPS (ADELI)": "/parcours/methode-a-obligatoire/"}
    method_b = client.get("/parcours/methode-b/")
    assert list(answers_on(method_b)) == ["Oui, elle est activée", "Non, elle n'est pas activée"]
    assert 'href="/parcours/methode-a-obligatoire/"' in method_b.content.decode()
    text = text_of(client.get("/parcours/methode-a-obligatoire/").content.decode())
    assert "demandez-la auprès de votre Ordre ou de votre ARS" in text
    assert "le tutoriel pas à pas" in text
    assert "Avez-vous une carte CPx ? Non, et je n'ai pas de numéro RPPS (ADELI)" in text


@pytest.mark.parametrize(("url", "sentence"), [
    ("/parcours/methode-b/", B_LIMIT),
    ("/tutoriels/activer-e-cps-avec-coordonnees/", B_LIMIT),
    (CARD_LEAF, B_CONDITION),
    ("/parcours/methode-a/", B_CONDITION),
    ("/tutoriels/activer-e-cps-avec-carte/", B_CONDITION),
])
def test_method_b_is_offered_with_its_limit(client, seed_tree, url, sentence):
    assert sentence in text_of(client.get(url).content.decode())


@pytest.mark.parametrize("slug", ["carte-non-lue", "code-pin-bloque"])
def test_card_solutions_offer_no_method_b(client, seed_tree, slug):
    """They are shown to ADELI professionals too (« Sans numéro RPPS … »); the card outcome
    says once, with its condition, that method B exists."""
    html = client.get("/problemes-connus/").content.decode()
    section = html.split(f'id="{slug}"', 1)[1].split("</section>", 1)[0]
    assert "méthode B" not in text_of(f"<main>{section}</main>")


def test_the_card_reply_template_carries_method_b_limit(seed_tree):
    from django.apps import apps

    template = apps.get_model("triage", "ReplyTemplate").objects.get(
        name="Carte CPx : support national")
    assert B_LIMIT in template.body


def test_one_service_failing_is_that_service_s_business(client, seed_tree):
    html = client.get("/problemes-connus/").content.decode()
    section = html.split('id="un-seul-service-refuse"', 1)[1].split("</section>", 1)[0]
    text = text_of(f"<main>{section}</main>")
    assert "Le support du service concerné (pour l'outil RCP SARA : l'équipe fimatho)" in text
    assert "tel:0362943982" not in section


def test_the_home_page_promises_as_many_questions_as_the_longest_path(client, seed_tree):
    longest, pending = 0, [("/parcours/", 0)]
    while pending:
        url, depth = pending.pop()
        links = re.findall(r'class="btn btn-answer" href="([^"]+)"',
                           client.get(url).content.decode())
        longest = max(longest, depth)
        pending += [(href, depth + 1) for href in links]
    assert longest == 4
    assert f"En {longest} questions au plus" in text_of(client.get("/").content.decode())


def test_method_a_congratulations_appear_on_the_computer(seed_tree):
    tutorial = published.get().tutorials["activer-e-cps-avec-carte"]
    last = tutorial.steps[-1]
    assert "Félicitations" in last.body and last.where == "ordinateur"


def test_resume_the_wizard_never_means_start_again(client, seed_tree):
    for tutorial in published.get().published_tutorials:
        html = client.get(tutorial.get_absolute_url()).content.decode()
        if "Reprendre le parcours guidé à cette étape" in html:
            link = html.split("Reprendre le parcours guidé à cette étape")[0].rsplit(
                'href="', 1)[1].split('"')[0]
            assert link != "/parcours/carte-cpx/", tutorial.slug
        else:
            assert "Commencer le parcours guidé" in html, tutorial.slug


def test_paca_sheet_says_the_app_sends_the_sms(client, seed_tree):
    text = text_of(client.get("/tutoriels/portail-sante-paca-activer-sans-carte/")
                   .content.decode())
    assert "Autorisez l'application à envoyer un SMS" in text


def test_the_printed_fiche_carries_the_page_address_and_its_qr_code(client, seed_tree):
    html = client.get("/tutoriels/activer-e-cps-avec-carte/").content.decode()
    footer = html.split('class="print-only fiche-footer"', 1)[1].split("</footer>", 1)[0]
    assert "http://testserver/tutoriels/activer-e-cps-avec-carte/" in footer
    assert '<svg' in footer and "QR code de cette page" in footer


def test_french_spacing_everywhere_a_visitor_reads(client, seed_tree):
    """A no-break space before : ; ? ! » and after «, in bodies as in titles."""
    for url, html in public_pages(client).items():
        main = html.split("<main", 1)[1].split("</main>", 1)[0]
        text = unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", main,
                                                         flags=re.S)))
        bad = re.findall(r".{0,25}(?: [:;?!»]|« ).{0,10}", text)
        assert not bad, (url, bad[:3])


def test_a_line_number_is_always_shown_with_its_cost(client, seed_tree):
    """« 0 825 85 20 00 » is never read without « 0,06 €/min + prix de l'appel »: every
    public page, the overview's picture and lists, search results and the 404 page."""
    pages = public_pages(client)
    pages["/vue-d-ensemble/"] = client.get("/vue-d-ensemble/").content.decode()
    pages["/recherche/?q=support"] = client.get("/recherche/?q=support+cartes").content.decode()
    pages["/tutoriels/disparu/"] = client.get("/tutoriels/disparu/").content.decode()
    lines = [line for line in published.get().lines if line.phone and line.call_cost]
    checked = 0
    for url, html in pages.items():
        text = text_of(html)
        for line in lines:
            for found in re.finditer(re.escape(line.phone), text):
                checked += 1
                around = text[found.end():found.end() + 160]
                assert line.call_cost in around, (url, line.phone, around[:80])
        svg = re.search(r'<svg class="tree-picture".*?</svg>', html, re.S)
        if svg:
            drawn = " ".join(re.findall(r">([^<]+)</text>", svg.group()))
            for line in lines:
                if f"Tél. {line.phone}" in drawn:
                    checked += 1
                    assert line.call_cost.split()[0] in drawn, (url, line.phone)
    assert checked >= 20


def test_the_contact_details_route_never_loops_and_regional_facts_say_whose(client,
                                                                           seed_tree):
    """eRPPS needs a working e-CPS: someone whose contact details are wrong is offered the
    card or the Ordre/ARS, never « activate with method B first »; the Occitanie help is
    named as Occitanie's, the portal as the ANS's."""
    html = text_of(client.get("/tutoriels/acceder-portail-erpps/").content.decode())
    assert "activez votre e-CPS par e-mail et SMS" not in html
    assert "connectez-vous avec votre carte CPS" in html and "votre Ordre ou à votre ARS" in html
    assert "portail eRPPS de l'ANS" in html
    assert "Professionnels d'Occitanie : l'ARS Occitanie publie une aide" in html
    step = text_of(client.get("/parcours/methode-b/methode-b-probleme/"
                              "coordonnees-a-mettre-a-jour/").content.decode())
    assert "Mise à jour des coordonnées de correspondance" in step
    # Who registers someone absent from the Annuaire Santé: one answer, everywhere.
    identifier = text_of(client.get("/tutoriels/trouver-identifiant-national/").content.decode())
    assert "Si vous n'y figurez pas, contactez votre ARS" in identifier
    assert "Ordre ou votre ARS" not in identifier


def test_the_known_problems_from_the_ans_pages_are_there_with_their_sources(client,
                                                                           seed_tree):
    from kb.models import KnownProblem

    html = text_of(client.get("/problemes-connus/").content.decode())
    for symptom in ["J'ai installé l'application « e-CPS BAS »",
                    "Je suis enregistré par RPPS+ et je n'ai pas de carte",
                    "Je ne sais pas si c'est ma e-CPS ou le service qui ne marche pas",
                    "Ma e-CPS a expiré"]:
        assert symptom in html, symptom
    assert "appuyez sur Tester ma e-CPS" in html and "Je teste ma e-CPS" not in html
    for slug in ["application-e-cps-bas", "rpps-plus-sans-carte", "tester-ma-e-cps"]:
        assert "DOMAIN.md §" in KnownProblem.objects.get(slug=slug).sources


def test_method_b_gives_the_current_apps_screens_and_the_older_one_as_such(client, seed_tree):
    """Seed 003: « Commencer l'activation » → CGU → « Envoyer une demande d'activation » /
    « J'ai un identifiant RPPS », field « Votre identifiant RPPS » where the 8 is still
    typed; the older « Demander l'activation de la e-CPS » named as an older version's."""
    for url in ["/parcours/methode-b/", "/tutoriels/activer-e-cps-avec-coordonnees/"]:
        text = text_of(client.get(url).content.decode())
        newer = text.index("Commencer l'activation")
        assert newer < text.index("Envoyer une demande d'activation") < text.index(
            "J'ai un identifiant RPPS")
        older = text.index("Sur une version plus ancienne de l'application : Demander "
                           "l'activation de la e-CPS")
        assert newer < older, url
        assert "« Votre identifiant RPPS »" in text and "le 8 reste nécessaire" in text


def test_the_paca_sheet_works_for_a_phone_only_visitor_and_says_its_steps(client, seed_tree):
    """A mail shown on the phone that carries the app cannot be scanned by it: « Démarrer
    l'activation » in the e-mail; the lead counts the steps it shows; the SMS step has the
    same fallback as method B; wrong contact details lead to who updates them."""
    html = client.get("/tutoriels/portail-sante-paca-activer-sans-carte/").content.decode()
    text = text_of(html)
    steps = len(re.findall(r'class="tutorial-step', html)) or text.count("Étape ")
    assert "en quatre étapes" in text and "en trois étapes" not in text
    assert "sur le téléphone (le même qui porte l'application) : appuyez sur Démarrer " \
           "l'activation" in text
    assert "sinon, recopiez-le" in text
    assert 'href="/parcours/etape/coordonnees-a-mettre-a-jour/"' in html
    assert steps >= 4
