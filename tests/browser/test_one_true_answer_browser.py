"""Issue « one true answer »: on a phone the answers are on the first screen, the fixes open
in place with or without JavaScript, and the method A fiche prints on two A4 pages at most."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible

pytestmark = pytest.mark.browser

APP_LEAF = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"


@pytest.mark.parametrize("path", [
    "/", "/parcours/", "/parcours/methode-a/methode-a-erreur/",
    "/parcours/methode-b/methode-b-probleme/",
    "/parcours/methode-b/methode-b-probleme/methode-b-erreur/",
])
def test_on_a_phone_the_answers_are_on_the_first_screen(live_content, open_page, path):
    page = open_page(live_content.url + path)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= PHONE["height"] / 5, header
    answers = page.locator(".answers .btn-answer")
    assert answers.count() >= 2
    for i in range(answers.count()):
        box = answers.nth(i).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], (path, i, box)
    if path == "/":
        page.screenshot(path="/tmp/accueil-360.png")


@pytest.mark.parametrize("path", ["/parcours/methode-a/", "/parcours/methode-b/"])
def test_a_method_page_shows_how_first_and_the_question_one_tap_away(live_content, open_page,
                                                                    path):
    """Someone who has not tried yet reads the method before « Votre e-CPS est-elle
    activée ? »; someone coming back reaches the answers from the first screen."""
    page = open_page(live_content.url + path)
    jump = page.get_by_role("link", name="Vous avez déjà essayé ? Dites-nous où vous en êtes")
    box = jump.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert page.get_by_role("heading", name="Comment faire").bounding_box()["y"] < \
        page.locator(".answers").bounding_box()["y"]
    jump.click()  # the page scrolls (smoothly) to the question and its answers
    expect(page.locator(".answers .btn-answer").first).to_be_in_viewport()


def test_the_heading_focused_after_a_tap_has_no_frame(live_content, open_page):
    page = open_page(live_content.url + "/parcours/")
    page.get_by_role("link", name="Oui, j'ai une carte CPx").click()
    heading = page.locator("h1#step-heading")
    heading.wait_for()
    expect(heading).to_be_focused()  # moved there by the site's script after the swap
    style = heading.evaluate(
        "h => [getComputedStyle(h).outlineStyle, getComputedStyle(h).boxShadow]")
    assert style == ["none", "none"], style


@pytest.mark.parametrize("javascript", [True, False])
def test_a_known_fix_opens_and_closes_in_place(live_content, open_page, javascript):
    page = open_page(live_content.url + APP_LEAF, javascript=javascript)
    fix = page.locator("#solution-mail-qr-code-non-recu")
    body = fix.locator(".known-fix-body")
    assert not body.is_visible()
    fix.locator("summary").click()
    assert body.is_visible()
    assert "courrier indésirable" in body.inner_text()
    fix.locator("summary").click()
    assert not body.is_visible()


def test_an_outcome_with_its_fixes_is_accessible(live_content, open_page):
    page = open_page(live_content.url + APP_LEAF)
    page.locator("#solution-identifiant-inconnu summary").click()
    assert_accessible(page)
    page.screenshot(path="/tmp/issue-app-360.png", full_page=True)
    wide = open_page(live_content.url + APP_LEAF, width=1280)
    wide.locator("#solution-identifiant-inconnu summary").click()
    assert_accessible(wide)
    wide.screenshot(path="/tmp/issue-app-1280.png", full_page=True)


@pytest.mark.parametrize("slug", ["activer-e-cps-avec-carte", "activer-e-cps-avec-coordonnees"])
def test_a_method_prints_on_two_a4_pages_at_most(live_content, open_page, slug):
    page = open_page(live_content.url + f"/tutoriels/{slug}/", width=1280)
    pdf = page.pdf(format="A4", print_background=False)
    with open(f"/tmp/fiche-{slug}.pdf", "wb") as out:
        out.write(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages


@pytest.mark.parametrize("javascript", [True, False])
def test_a_method_b_walk_then_a_request_attaches_exactly_the_answers_clicked(
        live_content, open_page, javascript):
    """Issue 17 §1: a phone, method B, three answers clicked, then a help request: the
    ticket's trail is those three answers, never the shortest path's."""
    from triage.models import Ticket

    page = open_page(live_content.url + "/", javascript=javascript)
    clicked = [("Avez-vous une carte CPx ?", "Non, je n'ai pas de carte"),
               ("Votre e-CPS est-elle activée ?", "Non, elle n'est pas activée"),
               ("Que se passe-t-il ?", "L'e-mail d'activation n'arrive pas")]
    for _question, answer in clicked:
        page.get_by_role("link", name=answer).click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "L'e-mail d'activation n'arrive pas")
    if javascript:
        page.screenshot(path="/tmp/methode-b-mail-360.png", full_page=True)
    page.get_by_role("link", name="Demander de l'aide par écrit").click()
    page.get_by_label("Nom et prénom").fill("Claire Martin")
    page.get_by_label("Adresse e-mail").fill("claire.martin@example.fr")
    page.get_by_label("Profession").select_option(label="Médecin")
    page.get_by_label("Type d'identifiant").select_option(label="RPPS")
    page.get_by_label("Service que vous voulez utiliser").select_option(
        label="Activation et usage de la e-CPS")
    page.get_by_label("Description du problème").fill("Toujours pas d'e-mail.")
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/aide/merci/**")
    ticket = Ticket.objects.get()
    assert [(step["question"], step["answer"]) for step in ticket.trail] == clicked
    assert ticket.outcome_title == "L'e-mail d'activation n'arrive pas"


@pytest.mark.parametrize("path", [
    "/parcours/methode-a/", "/parcours/methode-b/",
    "/tutoriels/portail-sante-paca-activer-sans-carte/",
    "/parcours/etape/probleme-application/?via=recherche",
])
def test_e_cps_never_breaks_at_its_hyphen_at_320_pixels(live_content, open_page, path):
    page = open_page(live_content.url + path, width=320)
    words = page.locator("main .text-nowrap")
    assert words.count() > 0
    broken = page.evaluate("""() => [...document.querySelectorAll('main .text-nowrap')]
        .filter(span => span.getClientRects().length > 1).length""")
    assert broken == 0
    name = path.strip("/").replace("/", "-").split("?")[0]
    page.screenshot(path=f"/tmp/ecps-320-{name}.png", full_page=True)
