"""Issue 20 §2 in Chromium: the poster prints on exactly one A4 page and the card on exactly
one A6 page, from the browser's own print (as the fiche pratique)."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from teams.models import Team
from tests.browser.conftest import assert_accessible, signed_in

pytestmark = pytest.mark.browser

# Points: A4 is 210 × 297 mm, A6 105 × 148 mm.
SIZES = {"affiche": (595.3, 841.9), "carte": (297.6, 419.5)}


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(width), float(height)) for width, height in re.findall(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]


@pytest.fixture
def agent_page(live_content, django_user_model, open_page):
    call_command("load_teams", verbosity=0)
    agent = django_user_model.objects.create_user("fanny", password="x-Secret-42",
                                                  is_staff=True)
    agent.user_permissions.set(Permission.objects.filter(content_type__app_label="triage"))
    Team.objects.get(slug="hdf").members.add(agent)
    return signed_in(open_page(live_content.url + "/equipes/affiche/", width=1280), "fanny",
                     "**/equipes/affiche/")


@pytest.mark.parametrize("kind", ["affiche", "carte"])
def test_a_poster_and_a_card_print_on_exactly_one_page_of_their_size(agent_page, kind):
    page = agent_page
    page.get_by_label("Format").select_option(kind)
    page.get_by_label("Le QR code mène à").select_option(
        "/tutoriels/activer-e-cps-avec-coordonnees/")
    page.get_by_role("button", name="Mettre à jour l'aperçu").click()
    page.wait_for_url(f"**format={kind}**")
    assert_accessible(page)
    page.screenshot(path=f"/tmp/affiche-ecran-{kind}-1280.png", full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    with open(f"/tmp/{kind}.pdf", "wb") as out:
        out.write(pdf)
    sizes = page_sizes(pdf)
    assert len(sizes) == 1, sizes
    width, height = sizes[0]
    assert abs(width - SIZES[kind][0]) < 1 and abs(height - SIZES[kind][1]) < 1


def test_the_poster_page_at_360(agent_page):
    page = agent_page
    page.set_viewport_size({"width": 360, "height": 740})
    assert_accessible(page)
    page.screenshot(path="/tmp/affiche-ecran-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
