"""A refused help request, on a phone: the first field is on the first screen; after a
refusal, the summary of what to correct is at the top and has the focus, and each of its
links leads to its field."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_triage_browser import OUTCOME, fill_help_form

pytestmark = pytest.mark.browser


def test_a_refused_help_request_focuses_a_summary_that_links_each_field(live_content,
                                                                       open_page):
    page = open_page(live_content.url + "/aide/?depuis=" + OUTCOME)
    name = page.get_by_label("Nom et prénom")
    assert name.bounding_box()["y"] + name.bounding_box()["height"] <= 740  # first screen
    fill_help_form(page)
    page.get_by_label("Adresse e-mail").fill("claire.martin@")
    page.get_by_role("button", name="Envoyer ma demande").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < 200
    expect(summary).to_contain_text("Votre demande n'est pas encore envoyée")
    page.screenshot(path="/tmp/aide-erreurs-360.png", full_page=False)
    assert_accessible(page)
    summary.get_by_role("link", name="Adresse e-mail").click()
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    # Nothing typed was lost.
    assert page.get_by_label("Description du problème").input_value() == \
        "Le QR code ne se scanne pas."


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("door", ["", "/paca"])
def test_the_search_box_shows_its_whole_placeholder(live_content, open_page, width, door):
    from django.core.management import call_command

    call_command("load_teams", verbosity=0)
    page = open_page(live_content.url + door + "/", width=width)
    box = page.locator("#site-search-q")
    room, needed = box.evaluate("""input => {
        const style = getComputedStyle(input);
        const context = document.createElement("canvas").getContext("2d");
        context.font = `${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft)
                     - parseFloat(style.paddingRight);
        return [room, context.measureText(input.placeholder).width];
    }""")
    assert needed <= room, (width, needed, room)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
