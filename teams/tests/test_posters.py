"""Issue 20 §2: printable posters (A4) and cards (A6) with a QR code to a team's front door,
a step or a tutorial, and the count of their scans. (Printed to PDF in Chromium:
tests/browser/test_posters_browser.py.)"""

import pytest
import segno
from django.core.management import call_command
from django.utils import timezone

from teams.models import Scan, Team

SITE = "http://127.0.0.1:8000"  # TRIAGE_SITE_URL in the tests


@pytest.fixture
def hdf_agent(seed_tree, agent, client):
    call_command("load_teams", verbosity=0)
    hdf = Team.objects.get(slug="hdf")
    hdf.members.add(agent)
    client.force_login(agent)
    return client


def qr_for(url: str, address: str) -> str:
    return segno.make(url, error="q").svg_inline(omitsize=True, border=2,
                                                 title=f"QR code vers {address}")


def test_a_team_prints_an_a4_poster_to_its_front_door(hdf_agent):
    response = hdf_agent.get("/equipes/affiche/", {"team": "hdf"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="poster-sheet poster-affiche"' in html
    assert "Votre e-CPS ne fonctionne pas" in html
    assert html.count('class="poster-line"') == 3
    assert '<p class="poster-address">127.0.0.1:8000/hdf/</p>' in html
    assert qr_for(f"{SITE}/hdf/?qr=affiche", "127.0.0.1:8000/hdf/") in html
    assert "Équipe fimatho" in html and "03 62 94 39 82" in html  # the team's line


def test_a_card_to_a_tutorial_with_the_text_changed_for_this_print(hdf_agent):
    tutorial = "/tutoriels/activer-e-cps-avec-coordonnees/"
    response = hdf_agent.get("/equipes/affiche/", {
        "team": "hdf", "format": "carte", "page": tutorial, "title": "Activez votre e-CPS",
        "lines": "Sans carte, en cinq minutes.\nAvec votre téléphone."})
    html = response.content.decode()
    assert 'class="poster-sheet poster-carte"' in html
    assert '<p class="poster-title">Activez votre e-CPS</p>' in html
    assert html.count('class="poster-line"') == 2
    address = f"127.0.0.1:8000/hdf{tutorial}"
    assert f'<p class="poster-address">{address}</p>' in html
    assert qr_for(f"{SITE}/hdf{tutorial}?qr=carte", address) in html


def test_a_step_is_reached_by_its_direct_link(hdf_agent):
    html = hdf_agent.get("/equipes/affiche/", {
        "team": "hdf", "page": "/parcours/etape/methode-b/"}).content.decode()
    assert qr_for(f"{SITE}/hdf/parcours/etape/methode-b/?qr=affiche",
                  "127.0.0.1:8000/hdf/parcours/etape/methode-b/") in html


def test_the_teams_saved_text_is_the_default(hdf_agent):
    Team.objects.filter(slug="hdf").update(
        poster_title="Un souci avec RCP SARA ?", poster_lines="Ligne un\nLigne deux")
    html = hdf_agent.get("/equipes/affiche/", {"team": "hdf"}).content.decode()
    assert "Un souci avec RCP SARA" in html and html.count('class="poster-line"') == 2


def test_four_lines_are_refused_in_french_and_kept(hdf_agent):
    response = hdf_agent.get("/equipes/affiche/", {"team": "hdf", "lines": "a\nb\nc\nd"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "trois lignes de texte au plus" in html and ">\na\nb\nc\nd</textarea>" in html


def test_a_team_prints_only_for_itself_and_the_national_site(hdf_agent):
    assert hdf_agent.get("/equipes/affiche/", {"team": "national"}).status_code == 200
    response = hdf_agent.get("/equipes/affiche/", {"team": "paca"})
    assert response.status_code == 400 and "Équipe fimatho" in response.content.decode()


def test_visitors_cannot_open_it(client, seed_tree):
    response = client.get("/equipes/affiche/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_scans_are_counted_per_team_kind_and_day_and_shown(hdf_agent, client):
    from django.test import Client

    visitor = Client()
    for path in ["/hdf/?qr=affiche", "/hdf/?qr=affiche", "/?qr=carte", "/hdf/?qr=autre",
                 "/hdf/", "/hdf/inconnu/?qr=affiche"]:
        visitor.get(path)
    today = timezone.localdate()
    assert set(Scan.objects.values_list("team__slug", "kind", "day", "count")) == {
        ("hdf", "affiche", today, 2), ("national", "carte", today, 1)}
    html = hdf_agent.get("/equipes/affiche/", {"team": "hdf"}).content.decode()
    assert "affiches A4 : 2 ; cartes A6 : 0" in html.replace("\xa0", " ")


def test_a_qr_parameter_counts_only_on_public_pages(hdf_agent):
    from django.test import Client

    Client().get("/admin/login/?qr=affiche")
    Client().get("/hdf/?" + "&".join(f"x{n}=1" for n in range(30)) + "&qr=carte")
    assert not Scan.objects.exists()
