import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kb.models import GlossaryTerm, KnownProblem, Step, Tutorial, TutorialStep
from kb.tests.factories import as_typed, publish

TUTORIALS = {
    "activer-e-cps-avec-carte": ["wallet.esw.esante.gouv.fr", "Commencer l'activation",
                                 "90 secondes", "P28658", "Sur l&#x27;ordinateur"],
    "activer-e-cps-avec-coordonnees": ["810002232642", "Par SMS", "48 heures",
                                       "Sur le smartphone", "courrier indésirable"],
    "se-connecter-rcp-sara": ["https://www.sante-ra.fr/RCPMALADIESRARES/",
                              "Mémoriser mon identifiant", "notifications",
                              "fimatho@chru-lille.fr"],
    "acceder-portail-erpps": ["FranceConnect", "PRO SANTÉ CONNECT", "télécharger vos attestations",
                              "cesser une activité", "annuaire.esante.gouv.fr"],
    "portail-sante-paca-activer-sans-carte": ["tutos.iess.fr", "Annuaire Santé",
                                              "notifications autorisées"],
    "trouver-identifiant-national": ["première ligne", "810002232642", "0123456789",
                                     "e-CPS BAS"],
    "choisir-mot-de-passe": ["1234", "4321", "1111", "date de naissance"],
    "installer-application": ["iOS 15", "Android 8", "macOS 12", "rooté"],
}


@pytest.mark.parametrize(("slug", "facts"), TUTORIALS.items())
def test_each_tutorial_page_shows_its_content(client, seed_tree, slug, facts):
    response = client.get(f"/tutoriels/{slug}/")
    html = as_typed(response.content.decode()).replace("\u00a0", " ")  # spaces as spaces
    assert response.status_code == 200
    for fact in facts:
        assert fact in html, fact
    assert "Toujours sans solution ?" in html
    assert "Vérifié le 22 novembre 2026" in html
    assert "Cette page vous a-t-elle été utile ?" in html


def test_still_stuck_leads_back_to_the_right_wizard_step_and_line(client, seed_tree):
    html = client.get("/tutoriels/activer-e-cps-avec-carte/").content.decode()
    assert 'href="/parcours/etape/methode-a-erreur/?via=tutoriel"' in html
    step = client.get("/parcours/etape/methode-a-erreur/?via=tutoriel").content.decode()
    assert "Vous êtes arrivé directement sur cette étape" in step
    assert 'href="tel:0825852000"' in html


def test_wizard_steps_link_their_tutorial(client, seed_tree):
    html = client.get("/parcours/methode-b/").content.decode()
    assert 'href="/tutoriels/activer-e-cps-avec-coordonnees/"' in html


def test_the_tutorial_list_groups_by_service(client, seed_tree):
    html = as_typed(client.get("/tutoriels/").content.decode())
    assert html.index("Activation et usage de la e-CPS") < html.index("Outil RCP SARA")
    main = html.split('<main', 1)[1]  # the header's menu links to /tutoriels/ too
    assert main.count('<li><a href="/tutoriels/') == Tutorial.objects.count()


def test_an_editor_cannot_inject_script(client, seed_tree):
    tutorial = Tutorial.objects.get(slug="choisir-mot-de-passe")
    TutorialStep.objects.create(
        tutorial=tutorial, position=9, title="Piège", where="",
        body=('<script>alert(1)</script> <img src=x onerror="alert(2)"> '
              '[cliquez](javascript:alert(3)) <a href="javascript:alert(4)">ici</a> '
              '<p onclick="alert(5)">texte</p> [sûr](https://esante.gouv.fr)'),
    )
    tutorial.prerequisites = "<iframe src='https://evil.example'></iframe>- ok"
    tutorial.save()
    publish()
    html = client.get("/tutoriels/choisir-mot-de-passe/").content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert '<a href="https://esante.gouv.fr" rel="noopener noreferrer">sûr</a>' in html


def test_an_unpublished_tutorial_is_hidden_from_visitors_and_previewed_by_staff(
        admin_user_client, seed_tree):
    Tutorial.objects.filter(slug="choisir-mot-de-passe").update(is_published=False)
    # Publishing refuses links to an unpublished tutorial: remove them first.
    Step.objects.filter(tutorial__slug="choisir-mot-de-passe").update(tutorial=None)
    KnownProblem.objects.filter(tutorial__slug="choisir-mot-de-passe").update(tutorial=None)
    Tutorial.related.through.objects.filter(to_tutorial__slug="choisir-mot-de-passe").delete()
    publish()
    client = Client()  # an anonymous visitor
    response = client.get("/tutoriels/choisir-mot-de-passe/")
    assert response.status_code == 404
    assert "Ce tutoriel n&#x27;existe pas ou plus" in response.content.decode()
    assert "choisir-mot-de-passe" not in client.get("/tutoriels/").content.decode()
    admin_user_client.post("/apercu/", {"suivant": "/"})
    response = admin_user_client.get("/tutoriels/choisir-mot-de-passe/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aperçu du brouillon" in html and "Ce tutoriel n'est pas publié" in html
    assert "no-cache" in response["Cache-Control"]


def test_a_screenshot_needs_its_description(seed_tree):
    step = TutorialStep(tutorial=Tutorial.objects.first(), title="x", body="x",
                        screenshot="tutoriels/capture.png", screenshot_alt=" ")
    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert "screenshot_alt" in error.value.message_dict


def test_the_known_problems_page_lists_symptom_cause_fix_and_contact(client, seed_tree):
    html = client.get("/problemes-connus/").content.decode()
    assert KnownProblem.objects.count() >= 17
    for symptom in ["Les connexions échouent à répétition", "Pas de notification",
                    "E-mail d&#x27;activation avec le QR code non reçu",
                    "L&#x27;e-mail ou le téléphone proposé par l&#x27;application est faux",
                    "n&#x27;apparaît pas", "Android 15", "FranceConnect ne donne pas accès",
                    "L&#x27;application ne s&#x27;installe pas"]:
        assert symptom in html, symptom
    assert "attendez 48 heures" in html
    assert "Kaspersky" in html
    assert html.count("<dt>Cause</dt>") == KnownProblem.objects.count()


def test_the_glossary_defines_the_acronyms(client, seed_tree):
    html = client.get("/glossaire/").content.decode()
    for term in ["CPx", "CPS", "CPE", "CPA", "CPF", "CDE", "RPPS", "ADELI", "e-CPS",
                 "Pro Santé Connect", "ANS"]:
        assert GlossaryTerm.objects.filter(term=term).exists(), term
        assert f">{term}" in html
