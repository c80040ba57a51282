"""Reply templates are written in the agents' space, where they are used (issue 22 §3): a
team writes its own, reads the national ones, never another team's."""

import pytest

from teams.models import Team
from triage.models import ReplyTemplate


@pytest.fixture
def other_team(db):
    return Team.objects.create(slug="paca", name="Portail de santé PACA")


def test_the_workspace_links_to_its_own_templates_page(agent_client, seed_tree):
    html = agent_client.get("/agents/").content.decode()
    assert 'href="/agents/modeles/"' in html and "/admin/triage/replytemplate" not in html
    listing = agent_client.get("/agents/modeles/").content.decode()
    assert "Demande d&#x27;informations" in listing and "lecture seule" in listing


def test_an_agent_writes_a_template_for_their_team_and_uses_it(agent_client, agent,
                                                               seed_tree):
    response = agent_client.post("/agents/modeles/nouveau/", {
        "name": "RCP SARA : droits", "team": Team.national().pk, "subject": "Vos droits",
        "body": "Bonjour {nom},\n\nVos droits sont ouverts.\n\nBien cordialement,"})
    assert response.status_code == 302
    template = ReplyTemplate.objects.get(name="RCP SARA : droits")
    assert template.team == Team.national()
    edit = agent_client.post(f"/agents/modeles/{template.pk}/", {
        "name": template.name, "team": Team.national().pk, "subject": "Vos droits RCP SARA",
        "body": template.body})
    assert edit.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Vos droits RCP SARA"


def test_a_refused_template_keeps_what_was_typed(agent_client, seed_tree):
    response = agent_client.post("/agents/modeles/nouveau/", {
        "name": "", "team": Team.national().pk, "subject": "Objet",
        "body": "Votre code PIN 4821 est bloqué."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Donnez un nom au modèle." in html and "retirez-le" in html
    assert "Votre code PIN 4821 est bloqué." in html


def test_a_national_template_is_read_only_to_a_team_s_agent(agent_client, seed_tree):
    national = ReplyTemplate.objects.filter(team__isnull=True).first()
    page = agent_client.get(f"/agents/modeles/{national.pk}/").content.decode()
    assert "Modèle national" in page and "<textarea" not in page
    response = agent_client.post(f"/agents/modeles/{national.pk}/", {
        "name": national.name, "subject": "Changé", "body": "x"})
    assert response.status_code == 403
    national.refresh_from_db()
    assert national.subject != "Changé"


def test_another_team_s_template_does_not_exist_for_an_agent(agent_client, other_team,
                                                             seed_tree):
    theirs = ReplyTemplate.objects.create(name="PACA seulement", subject="x", body="y",
                                          team=other_team)
    assert agent_client.get(f"/agents/modeles/{theirs.pk}/").status_code == 404
    assert "PACA seulement" not in agent_client.get("/agents/modeles/").content.decode()
    response = agent_client.post("/agents/modeles/nouveau/", {
        "name": "Pour PACA", "team": other_team.pk, "subject": "x", "body": "y"})
    assert response.status_code == 400  # not one of the agent's teams
    assert not ReplyTemplate.objects.filter(name="Pour PACA").exists()


def test_a_linked_tutorial_unpublished_since_is_kept_when_the_template_is_saved(
        agent_client, seed_tree):
    from kb.models import Tutorial

    tutorial = Tutorial.objects.get(slug="installer-application")
    template = ReplyTemplate.objects.create(name="Équipe", subject="x", body="y",
                                            team=Team.national())
    template.tutorials.add(tutorial)
    Tutorial.objects.filter(pk=tutorial.pk).update(is_published=False)
    response = agent_client.post(f"/agents/modeles/{template.pk}/", {
        "name": "Équipe", "team": Team.national().pk, "subject": "x", "body": "y z",
        "tutorials": [tutorial.pk]})
    assert response.status_code == 302
    assert list(template.tutorials.all()) == [tutorial]
