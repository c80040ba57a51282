import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_the_public_overview_on_a_phone_and_a_desk(live_content, open_page, width):
    page = open_page(live_content.url + "/vue-d-ensemble/", width=width)
    assert_accessible(page)
    # The page itself never scrolls sideways: only the picture's own frame does.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/vue-d-ensemble-{width}.png", full_page=True)
    page.locator(".tree-box[data-slug='methode-b']").click()
    # The box opens its step as reached directly: no answer is claimed for the visitor.
    page.wait_for_url("**/parcours/etape/methode-b/?via=vue-d-ensemble")
    assert page.get_by_text("Vous êtes arrivé directement sur cette étape").is_visible()


def test_an_editor_sees_the_drafts_tree_and_opens_a_step(editor_page):
    from kb.models import Step

    Step.objects.filter(slug="probleme-carte").update(title="Problème de carte : appelez")
    page = editor_page
    page.get_by_role("link", name="Voir l'arbre du parcours").click()
    assert page.locator(".tree-flagged[data-slug='probleme-carte']").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="À côté de la version publiée (1)").click()
    assert page.locator("svg.tree-picture").count() == 2
    page.screenshot(path="/tmp/arbre-admin-1280.png", full_page=True)
    page.locator(".tree-box[data-slug='methode-b']").first.click()
    page.wait_for_url("**/admin/kb/step/*/change/")


def test_an_editor_previews_a_markdown_field_before_saving(editor_page, live_content):
    from kb.models import KnownProblem

    problem = KnownProblem.objects.exclude(fix="").first()
    page = editor_page
    page.goto(f"{live_content.url}/admin/kb/knownproblem/{problem.pk}/change/")
    preview = page.locator("#id_fix_apercu")
    page.locator("#id_fix").fill("**Redémarrez** le téléphone, puis :\n\n- ouvrez l'application")
    expect(preview.locator("strong")).to_have_text("Redémarrez")
    expect(preview.locator("li")).to_have_text("ouvrez l'application")
    assert_accessible(page)
    page.screenshot(path="/tmp/apercu-markdown-1280.png", full_page=True)
    problem.refresh_from_db()
    assert "Redémarrez" not in problem.fix  # nothing saved until « Enregistrer »


def test_the_editors_dashboard(editor_page, live_content):
    from kb.models import Feedback

    Feedback.objects.create(page="/tutoriels/installer-application/", visitor="a",
                            helpful=False, comment="Il manque l'étape Android.")
    page = editor_page
    page.goto(f"{live_content.url}/admin/kb/contentversion/tableau-de-bord/")
    assert "Il manque l'étape Android." in page.content()
    assert_accessible(page)
    page.screenshot(path="/tmp/tableau-de-bord-1280.png", full_page=True)
