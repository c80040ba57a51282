import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_live_search_with_javascript(live_content, open_page):
    page = open_page(live_content.url + "/recherche/")
    page.get_by_label("Décrivez votre problème en quelques mots").fill("qr code pas recu")
    first = page.locator(".search-result a").first
    first.wait_for()
    assert first.inner_text() == "E-mail d'activation avec le QR code non reçu"
    assert page.locator(".search-result mark").count() > 0
    # The address follows the query (history.pushState), so results can be shared.
    page.wait_for_url(re.compile(r"[?&]q=qr(\+|%20)code(\+|%20)pas(\+|%20)recu$"))


def test_search_without_javascript_from_the_header(live_content, open_page):
    page = open_page(live_content.url + "/tutoriels/", javascript=False)
    page.get_by_label("Rechercher dans l'aide").fill("code pin bloqué")
    page.get_by_role("button", name="Rechercher").click()
    assert "/recherche/?q=code+pin+bloqu" in page.url
    assert page.locator(".search-result a").first.inner_text() == (
        "Code PIN de la carte bloqué ou oublié")


@pytest.mark.parametrize("javascript", [True, False])
def test_the_identifier_helper(live_content, open_page, javascript):
    page = open_page(live_content.url + "/identifiant/", javascript=javascript)
    field = page.get_by_label("Votre numéro RPPS, ADELI ou votre identifiant national")
    field.fill("1000 2232 643")
    page.get_by_role("button", name="Trouver mon identifiant").click()
    error = page.locator("#identifier-error")
    error.wait_for()
    assert "vérifiez votre numéro" in error.inner_text()
    assert field.input_value() == "1000 2232 643"  # nothing typed is lost

    field.fill("1000 2232 642")
    page.get_by_role("button", name="Trouver mon identifiant").click()
    page.locator(".national-identifier").wait_for()
    assert page.locator(".national-identifier").inner_text() == "810002232642"
    if javascript:  # focus moved to the answer after the swap
        expect(page.locator("#identifier-result-title")).to_be_focused()


def test_a_tutorial_prints_as_a_clean_sheet(live_content, open_page):
    page = open_page(live_content.url + "/tutoriels/se-connecter-rcp-sara/")
    assert page.get_by_role("button", name="Imprimer la fiche").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert not page.locator("#avis").is_visible()
    link = page.locator("a[href='https://www.sante-ra.fr/RCPMALADIESRARES/']").first
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://www.sante-ra.fr/RCPMALADIESRARES/" in after
    # Steps may run over a page (two A4 pages per method); a warning or a contact never does.
    assert page.locator(".support-line").first.evaluate(
        "node => getComputedStyle(node).breakInside") == "avoid"
    assert page.locator(".fiche-footer svg").is_visible()  # the page's QR code
    assert not page.locator(".still-stuck .btn").first.is_visible()  # screen-only buttons


@pytest.mark.parametrize("path", [
    "/tutoriels/activer-e-cps-avec-carte/",
    "/recherche/?q=qr+code+pas+re%C3%A7u",
    "/recherche/?q=xylophone",
    "/identifiant/",
    "/problemes-connus/",
])
def test_kb_pages_have_no_accessibility_violation(live_content, open_page, path):
    assert_accessible(open_page(live_content.url + path))


def test_the_identifier_error_state_has_no_accessibility_violation(live_content, open_page):
    page = open_page(live_content.url + "/identifiant/")
    page.get_by_label("Votre numéro RPPS, ADELI ou votre identifiant national").fill("12")
    page.get_by_role("button", name="Trouver mon identifiant").click()
    page.locator("#identifier-error").wait_for()
    assert_accessible(page)
