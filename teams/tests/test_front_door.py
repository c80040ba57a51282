"""A team's front door: every public page behind /hdf/ (or the team's host name), with the
team's name, welcome, lines and regional tutorials; a help request filed there goes to the
team and its e-mails carry the team's identity (issue 19, public side)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kb.tests.factories import as_typed
from teams.models import Team
from triage.models import Ticket
from triage.tests.factories import VALID_FORM

PAGES = ["", "parcours/", "parcours/methode-b/",
         "parcours/methode-a/methode-a-erreur/probleme-carte/", "tutoriels/",
         "tutoriels/se-connecter-rcp-sara/", "problemes-connus/", "glossaire/", "assistance/",
         "identifiant/", "recherche/?q=qr+code", "vue-d-ensemble/",
         "aide/?depuis=/parcours/methode-b/"]
# Links of the site's pages that, at a front door, must stay behind it.
ROOT_LINK = re.compile(r'href="/(?!hdf/|static/|media/)')


@pytest.fixture
def teams(seed_tree):
    call_command("load_teams", verbosity=0)


@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_opens_behind_the_door_and_its_links_stay_there(client, teams,
                                                                          page):
    response = client.get(f"/hdf/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Équipe fimatho" in html  # the header line
    assert ROOT_LINK.findall(html) == []


def test_the_door_shows_the_teams_welcome_lines_and_tutorials_first(client, teams):
    home = client.get("/hdf/").content.decode()
    assert "L&#x27;équipe fimatho du CHRU de Lille vous aide" in home
    assert "03 62 94 39 82" in home and "fimatho@chru-lille.fr" in home  # footer contact
    contacts = client.get("/hdf/assistance/").content.decode()
    regional = contacts.index("Votre équipe régionale")
    assert regional < contacts.index("Équipe fimatho</h3>") < contacts.index("Lignes nationales")
    assert contacts.index("Lignes nationales") < contacts.index("Support des cartes CPx")
    tutorials = as_typed(client.get("/hdf/tutoriels/").content.decode())
    assert tutorials.index("Outil RCP SARA</h2>") < tutorials.index(
        "Activation et usage de la e-CPS</h2>")
    national = as_typed(client.get("/tutoriels/").content.decode())
    assert national.index("Activation et usage de la e-CPS</h2>") < national.index(
        "Outil RCP SARA</h2>")
    # The national site is as it was.
    national = client.get("/").content.decode()
    assert "Équipe fimatho" not in national and "Votre équipe d" not in national
    assert "Votre équipe régionale" not in client.get("/assistance/").content.decode()


def test_search_results_lead_behind_the_door(client, teams):
    html = client.get("/hdf/recherche/?q=rcp+sara").content.decode()
    assert 'href="/hdf/tutoriels/se-connecter-rcp-sara/"' in html
    # The index is shared: the national search still links to the root.
    html = client.get("/recherche/?q=rcp+sara").content.decode()
    assert 'href="/tutoriels/se-connecter-rcp-sara/"' in html


def test_staff_pages_are_not_behind_a_door(client, teams, agent_client):
    for path in ["/hdf/agents/", "/hdf/admin/", "/hdf/admin/login/", "/hdf/sante/",
                 "/hdf/apercu/"]:
        assert agent_client.get(path).status_code == 404, path
    assert client.get("/inconnue/").status_code == 404
    assert client.get("/hdf")["Location"] == "/hdf/"


def test_a_request_at_the_paca_door_goes_to_paca_with_paca_identity(
        client, teams, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/paca/aide/", {**VALID_FORM,
                                               "depuis": "/paca/parcours/methode-b/"})
    assert response["Location"].startswith("/paca/aide/merci/")
    ticket = Ticket.objects.get()
    assert ticket.team.slug == "paca"
    assert ticket.trail[0]["answer"] == "Non, je n'ai pas de carte"  # the trail, found
    assert client.get(response["Location"]).status_code == 200
    mail = mailoutbox[0]
    assert mail.from_email == "Portail de santé PACA <aide@iess.fr>"
    assert mail.reply_to == ["Portail de santé PACA <aide@iess.fr>"]
    assert f"http://127.0.0.1:8000/paca/aide/suivi/{ticket.follow_token}/" in mail.body
    follow = client.get(f"/paca/aide/suivi/{ticket.follow_token}/").content.decode()
    assert "Portail de santé PACA" in follow


def test_a_team_host_name_opens_its_door_at_the_root(client, teams, settings):
    settings.ALLOWED_HOSTS = ["ecps.iess.fr", "testserver"]
    Team.objects.filter(slug="paca").update(host="ecps.iess.fr")
    html = client.get("/", HTTP_HOST="ecps.iess.fr").content.decode()
    assert "Portail de santé PACA" in html and 'href="/paca/' not in html
    assert "Portail de santé PACA" not in client.get("/").content.decode()


def test_a_warm_door_page_costs_no_query(client, teams, settings, django_assert_num_queries):
    settings.KB_CONTENT_CHECK_SECONDS = 3600
    client.get("/hdf/parcours/methode-b/")
    with django_assert_num_queries(0):
        assert client.get("/hdf/parcours/methode-b/").status_code == 200
        assert client.get("/paca/tutoriels/").status_code == 200


def test_a_change_to_a_team_is_seen_without_a_publication(client, teams):
    """Who the team is and how to reach it is not content: no publication needed."""
    client.get("/hdf/")
    team = Team.objects.get(slug="hdf")
    team.phone = "03 20 44 59 62"
    team.save()
    assert 'href="tel:0320445962"' in client.get("/hdf/").content.decode()


def test_the_welcome_is_content_seen_only_once_published(client, teams):
    from kb.models import Overlay
    from kb.services import publish_content

    client.get("/hdf/")
    Overlay.objects.filter(slug="hdf").update(welcome="Nouvel accueil de l'équipe.")
    assert "Nouvel accueil" not in client.get("/hdf/").content.decode()
    publish_content(only={"equipe:hdf"})
    assert "Nouvel accueil de l&#x27;équipe." in client.get("/hdf/").content.decode()


def test_a_team_cannot_take_the_address_of_a_page(db):
    for slug in ["parcours", "tutoriels", "agents", "admin"]:
        with pytest.raises(ValidationError):
            Team(slug=slug, name="Équipe").full_clean()
    Team(slug="bretagne", name="Équipe Bretagne").full_clean()


def test_a_link_written_in_the_content_stays_behind_the_door(client, teams):
    html = client.get("/hdf/parcours/methode-b/").content.decode()
    assert 'href="/hdf/parcours/methode-a-obligatoire/"' in html
    assert 'href="/parcours/methode-a-obligatoire/"' in client.get(
        "/parcours/methode-b/").content.decode()
