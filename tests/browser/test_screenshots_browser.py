"""Images in tutorials, as people see them: an editor uploads a screenshot with its
description; a phone downloads the small file and a computer a larger one; the project's
drawings of methods A and B are shown on screen and printed on the fiche pratique."""


import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

METHOD_A = "/tutoriels/activer-e-cps-avec-carte/"


def screenshot_file(tmp_path) -> str:
    image = Image.new("RGB", (1600, 900), "white")
    image.paste((10, 74, 158), (0, 0, 1600, 120))  # a title bar
    image.paste((25, 135, 84), (600, 400, 1000, 500))  # a green button
    path = tmp_path / "portail.png"
    image.save(path)
    return str(path)


def natural_width(image) -> int:
    return image.evaluate("img => img.complete ? img.naturalWidth : 0")


def test_an_editor_uploads_a_screenshot_and_a_phone_gets_the_small_file(
        editor_page, open_page, live_content, tmp_path):
    page = editor_page
    page.goto(live_content.url + "/admin/kb/tutorial/")
    page.get_by_role("link", name="Activer sa e-CPS avec sa carte CPx (méthode A)").click()
    step = page.locator(".inline-related").filter(
        has=page.locator("input[value=\"Commencez l'activation\"]"))
    step.locator("summary").click()  # its text and images open on demand
    step.locator("input[type=file]").set_input_files(screenshot_file(tmp_path))
    page.get_by_role("button", name="Enregistrer et continuer les modifications").click()
    # Refused without its description; the editor's other changes are kept.
    expect(page.locator(".errorlist").first).to_contain_text("Décrivez la capture d'écran")
    step = page.locator(".inline-related").filter(
        has=page.locator("input[value=\"Commencez l'activation\"]"))
    step.locator("input[type=file]").set_input_files(screenshot_file(tmp_path))
    step.get_by_label("Description de la capture").fill(
        "Le portail e-CPS et son bouton vert « Commencer l'activation »")
    page.get_by_role("button", name="Enregistrer et continuer les modifications").click()
    expect(page.locator(".messagelist")).to_contain_text("enregistré dans le brouillon")
    step = page.locator(".inline-related").filter(
        has=page.locator("input[value=\"Commencez l'activation\"]"))
    step.locator("summary").click()
    expect(step.locator("img.step-picture")).to_be_visible()  # what visitors will see
    step.screenshot(path="/tmp/admin-screenshot-1280.png")
    page.goto(live_content.url + "/admin/kb/contentversion/publier/")
    page.get_by_role("button", name="Tout publier").click()
    expect(page.locator(".messagelist")).to_contain_text("publiée")

    for width, wanted in [(360, "-360.webp"), (1280, "-1080.webp")]:
        public = open_page(live_content.url + METHOD_A, width=width)
        shot = public.get_by_role(
            "img", name="Le portail e-CPS et son bouton vert « Commencer l'activation »")
        shot.scroll_into_view_if_needed()
        expect(shot).to_be_visible()
        public.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                 arg=shot.element_handle())
        # The phone takes the 360-pixel file; the computer's 46rem column a sharper one.
        assert shot.evaluate("img => img.currentSrc").endswith(wanted)
        box = shot.bounding_box()
        assert box["width"] <= width and box["height"] <= 740 * 0.8 + 1
        public.screenshot(path=f"/tmp/tutorial-screenshot-{width}.png")


@pytest.mark.parametrize("width", [360, 1280])
def test_method_a_shows_its_three_drawings(live_content, open_page, width):
    page = open_page(live_content.url + METHOD_A, width=width)
    drawings = page.locator(".step-figure.illustration img")
    expect(drawings).to_have_count(3)
    for n in range(3):
        drawing = drawings.nth(n)
        drawing.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=drawing.element_handle())
        assert drawing.bounding_box()["width"] <= min(width, 480)
        assert drawing.get_attribute("alt").startswith("Schéma")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    drawings.nth(1).scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/method-a-drawing-{width}.png")
    assert_accessible(page)


def test_the_drawings_are_printed_on_the_fiche(live_content, open_page):
    page = open_page(live_content.url + METHOD_A, width=1280)
    page.emulate_media(media="print")
    drawings = page.locator(".step-figure.illustration img")
    for n in range(3):
        drawing = drawings.nth(n)
        expect(drawing).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=drawing.element_handle())
        # Small, beside the text: the fiche stays within two A4 pages
        # (test_a_method_prints_on_two_a4_pages_at_most).
        assert drawing.bounding_box()["width"] <= 5.2 / 2.54 * 96 + 1
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path="/tmp/fiche-methode-a.png", full_page=True)
