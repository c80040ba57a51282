import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

APP_PROBLEM_PATH = [
    "Non, je n'ai pas de carte",
    "Non, elle n'est pas activée",
    "Je rencontre une erreur",
    "J'ai un problème avec l'application e-CPS",
]


def click_answer(page, label):
    page.get_by_role("link", name=label, exact=True).click()


def test_a_path_with_javascript_swaps_only_the_step(live_content, open_page):
    page = open_page(live_content.url + "/")
    page.evaluate("window.notReloaded = true")

    click_answer(page, APP_PROBLEM_PATH[0])
    page.wait_for_url("**/parcours/methode-b/")
    # htmx swapped the step in: same document, focus on the new heading, title updated.
    expect(page.locator("#step-heading")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert "méthode B" in page.title()

    for label in APP_PROBLEM_PATH[1:]:
        click_answer(page, label)
        expect(page.locator("#step-heading")).to_be_focused()
    page.wait_for_url("**/methode-b-erreur/probleme-application/")
    assert page.evaluate("window.notReloaded") is True
    call = page.get_by_role("link", name="Appeler le 0 806 800 213")
    assert call.get_attribute("href") == "tel:0806800213"

    # The back button returns to the previous question, with its answers.
    page.go_back()
    page.wait_for_url("**/methode-b-probleme/methode-b-erreur/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Quel problème rencontrez-vous\u00a0?"


def test_a_path_without_javascript_uses_plain_links(live_content, open_page):
    page = open_page(live_content.url + "/", javascript=False)
    for label in ["Oui, j'ai une carte CPx", "Non, je rencontre une erreur",
                  "J'ai un problème avec ma carte (code PIN, lecteur…)"]:
        click_answer(page, label)
    assert page.url.endswith("/parcours/methode-a/methode-a-erreur/probleme-carte/")
    assert page.get_by_role("link", name="Appeler le 0 825 85 20 00").get_attribute(
        "href") == "tel:0825852000"

    # Changing an earlier answer goes back to that question.
    page.get_by_role("link", name="Modifier la réponse à « Avez-vous une carte CPx ? »").click()
    assert page.url.endswith("/parcours/")
    click_answer(page, "Non, je n'ai pas de carte")
    assert page.url.endswith("/parcours/methode-b/")


def test_the_wizard_is_usable_with_the_keyboard_alone(live_content, open_page):
    page = open_page(live_content.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"
    # Tab to the first answer and press Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('btn-answer')"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/parcours/methode-a/")


@pytest.mark.parametrize("path", [
    "/",
    "/parcours/methode-a/",
    "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/",
    "/parcours/methode-b/methode-b-probleme/coordonnees-a-mettre-a-jour/",
    "/assistance/",
])
def test_pages_have_no_accessibility_violation(live_content, open_page, path):
    assert_accessible(open_page(live_content.url + path))


@pytest.mark.parametrize("path", [
    "/", "/parcours/methode-a/", "/parcours/methode-a/methode-a-erreur/probleme-carte/",
])
def test_pages_fit_a_320_pixel_screen(live_content, open_page, path):
    page = open_page(live_content.url + path, width=320)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
