"""Say each fact once: a text that needs a support line cites it, [[ligne:…]], and the site
shows it with its number and its cost as they are in the published version; publication
refuses a line's number or address typed in a text."""

import re

import pytest

from kb.models import KnownProblem, Step, SupportLine
from kb.services import PublishRefused, publish_content
from kb.tests.factories import as_typed


def test_a_cited_line_is_shown_with_its_number_and_cost_and_follows_its_changes(client,
                                                                               seed_tree):
    step = Step.objects.get(slug="probleme-application")
    step.body += "\n\nEn dernier recours : [[ligne:ans-support-e-cps]]."
    step.save()
    publish_content()
    url = "/parcours/methode-a/methode-a-erreur/probleme-application/"
    html = as_typed(re.sub(r'<a class="glossary-term" [^>]+>([^<]+)</a>', r"\1",
                           client.get(url).content.decode()))
    assert ('Support de l&#x27;application e-CPS (<a href="tel:0806800213">0 806 800 213</a>, '
            "Service gratuit + prix de l&#x27;appel)") in html
    assert "[[ligne:" not in html
    SupportLine.objects.filter(slug="ans-support-e-cps").update(phone="0 806 800 214")
    publish_content()
    assert 'href="tel:0806800214"' in client.get(url).content.decode()


def test_a_number_or_address_typed_in_a_text_is_refused_with_the_way_to_cite_it(seed_tree):
    problem = KnownProblem.objects.get(slug="carte-non-lue")
    problem.fix += " Appelez le 0 825 85 20 00."
    problem.save()
    with pytest.raises(PublishRefused) as refused:
        publish_content()
    messages = [str(p) for p in refused.value.problems]
    assert any("le numéro de la ligne « Support des cartes CPx » est écrit dans le texte. "
               "Écrivez [[ligne:ans-support-cartes]]" in m for m in messages), messages
    problem.fix = problem.fix.replace(" Appelez le 0 825 85 20 00.",
                                      " Écrivez à monserviceclient.cartes@esante.gouv.fr.")
    problem.save()
    with pytest.raises(PublishRefused, match="l'adresse de la ligne « Support des cartes"):
        publish_content()
    problem.fix = problem.fix.replace(" Écrivez à monserviceclient.cartes@esante.gouv.fr.",
                                      " Sinon : [[ligne:inconnue]].")
    problem.save()
    with pytest.raises(PublishRefused, match=r"\[\[ligne:inconnue\]\] cite une ligne qui"):
        publish_content()


def test_the_reference_content_types_no_line_number_in_its_texts(seed_tree):
    """The publish-time lint run on fixtures/content.json (seed_tree publishes it)."""
    from kb.services import published_document
    from kb.validation import _contacts_in_prose

    assert _contacts_in_prose(published_document()) == []


def test_a_button_of_the_app_written_another_way_is_pointed_out_before_publishing(
        seed_tree, editor):
    from django.test import Client

    from kb.models import Tutorial
    from kb.services import published_document
    from kb.validation import warnings

    assert warnings(published_document()) == []  # the reference content: each one way
    tutorial = Tutorial.objects.get(slug="acceder-portail-erpps")
    step = tutorial.steps.get(title="Connectez-vous avec e-CPS")
    step.body = step.body.replace("**Se connecter avec e-CPS**", "**SE CONNECTER AVEC E-CPS**")
    step.save()
    client = Client()
    client.force_login(editor)
    html = client.get("/admin/kb/contentversion/publier/").content.decode()
    assert "À vérifier (n'empêche pas de publier)" in html
    assert "le bouton « Se connecter avec e-CPS » est écrit **SE CONNECTER AVEC E-CPS**" in html
    publish_content()  # a warning, not a refusal


def test_a_line_with_a_number_and_no_cost_is_refused(seed_tree):
    SupportLine.objects.filter(slug="ans-support-cartes").update(call_cost=" ")
    with pytest.raises(PublishRefused) as refused:
        publish_content()
    assert any("a un numéro mais pas de coût d'appel" in str(problem)
               for problem in refused.value.problems)
