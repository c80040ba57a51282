"""The editor's whole story with versions, in Chromium: change a number in the draft, the
visitor does not see it, the editor previews it, publishes it alone while a change to the tree
is unfinished, the visitor sees it, the editor reverts, the old number is back."""

import pytest
from playwright.sync_api import expect

from kb.models import Answer, ContentVersion, Step
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
OLD, NEW = "Appeler le 0 825 85 20 00", "Appeler le 0 825 85 20 01"


def test_draft_preview_publish_revert(live_content, editor_page, open_page):
    base = live_content.url
    visitor = open_page(base + CARD_LEAF)
    assert visitor.get_by_role("link", name=OLD).is_visible()

    editor = editor_page
    assert "Le brouillon est identique à cette version." in editor.content()
    editor.get_by_role("link", name="Lignes d'assistance").click()
    editor.get_by_role("link", name="Support des cartes CPx").click()
    editor.get_by_label("Téléphone").fill("0 825 85 20 01")
    editor.get_by_role("button", name="Enregistrer", exact=True).click()
    # A new number is a fact someone checked: the form asks when.
    expect(editor.locator(".errorlist").first).to_contain_text(
        "indiquez la date à laquelle vous l'avez vérifié")
    editor.locator("#id_verified_on").fill("23/11/2026")
    editor.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "Le brouillon a été modifié depuis" in editor.goto(base + "/admin/").text()

    visitor.reload()  # the draft is not live
    assert visitor.get_by_role("link", name=OLD).is_visible()

    editor.goto(base + "/apercu/?suivant=" + CARD_LEAF)
    editor.get_by_role("button", name="Voir le brouillon").click()
    assert editor.get_by_role("region", name="Aperçu du brouillon").is_visible()
    assert editor.get_by_role("link", name=NEW).is_visible()
    editor.screenshot(path="/tmp/apercu-brouillon.png", full_page=True)
    # Meanwhile a colleague's change to the tree is unfinished: a question with one answer.
    question = Step.objects.create(slug="mail-non-recu", kind="question",
                                   question="L'e-mail est-il arrivé ?")
    Answer.objects.create(question=question, label="Oui", position=1,
                          next_step=Step.objects.get(slug="ecps-activee"))
    Answer.objects.create(question=Step.objects.get(slug="methode-b-probleme"), position=9,
                          label="Je n'ai pas reçu l'e-mail", next_step=question)
    editor.get_by_role("link", name="Modifications et publication").click()
    assert "0 825 85 20 00" in editor.locator("del").first.inner_text()
    expect(editor.locator(".not-ready")).to_contain_text("Pas prête")
    assert editor.get_by_role("button", name="Tout publier").count() == 0
    assert_accessible(editor)  # the draft's changes, object by object
    editor.get_by_label("Ligne « Support des cartes CPx » (modifié)").check()
    editor.get_by_label("Note (ce qui change, en une phrase)").fill("Nouveau numéro carte")
    editor.screenshot(path="/tmp/publier-selection.png", full_page=True)
    editor.get_by_role("button", name="Publier la sélection maintenant").click()
    assert "Version 2 publiée" in editor.content()
    assert_accessible(editor)  # a version's page: its diff
    editor.screenshot(path="/tmp/version-2.png", full_page=True)

    visitor.reload()
    assert visitor.get_by_role("link", name=NEW).is_visible()
    visitor.goto(base + "/parcours/methode-b/methode-b-probleme/")
    assert visitor.get_by_text("Je n'ai pas reçu l'e-mail").count() == 0  # still a draft
    editor.goto(base + "/admin/kb/contentversion/publier/")
    assert "2 modifications en attente" in editor.content()
    visitor.goto(base + CARD_LEAF)

    editor.goto(base + "/admin/kb/contentversion/")
    assert_accessible(editor)  # the history
    editor.screenshot(path="/tmp/historique.png", full_page=True)
    editor.get_by_role("link", name="1", exact=True).click()
    editor.get_by_role("link", name="Rétablir la version 1…").click()
    assert_accessible(editor)  # the confirmation
    editor.get_by_role("button", name="Confirmer : rétablir la version 1").click()
    assert "Version 3 publiée avec le contenu de la version 1" in editor.content()
    assert ContentVersion.objects.first().reverted_to == 1

    visitor.reload()
    assert visitor.get_by_role("link", name=OLD).is_visible()
    editor.goto(base + "/admin/kb/contentversion/comparer/?de=2&a=3")
    assert_accessible(editor)
    editor.goto(base + CARD_LEAF)  # still in preview: the banner offers the way out
    editor.get_by_role("button", name="Quitter l'aperçu").click()
    assert editor.get_by_role("region", name="Aperçu du brouillon").count() == 0
