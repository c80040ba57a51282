"""Issue 19's story, in Chromium: a PACA visitor files a request at the PACA front door, the
PACA agent answers, the fimatho agent never sees it, and the visitor's follow-up page and
e-mails carry PACA's identity."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail as django_mail
from django.core.management import call_command
from playwright.sync_api import expect

from teams.models import Team
from tests.browser.conftest import assert_accessible
from triage.models import Ticket

pytestmark = pytest.mark.browser


def agent_of(django_user_model, name: str, team: Team):
    agent = django_user_model.objects.create_user(name, f"{name}@example.fr",
                                                  password="x-Secret-42", is_staff=True)
    agent.user_permissions.set(Permission.objects.filter(content_type__app_label="triage"))
    team.members.add(agent)


def log_in(page, base: str, name: str):
    page.goto(base + "/agents/")
    page.get_by_label("Nom d’utilisateur").fill(name)
    page.get_by_label("Mot de passe").fill("x-Secret-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/agents/")


def test_a_paca_request_stays_with_paca(live_content, open_page, django_user_model,
                                        mailoutbox):
    call_command("load_teams", verbosity=0)
    paca, hdf = Team.objects.get(slug="paca"), Team.objects.get(slug="hdf")
    agent_of(django_user_model, "paola", paca)
    agent_of(django_user_model, "fanny", hdf)
    base = live_content.url

    # The visitor, on a phone, at the PACA door: the team's welcome, then the wizard.
    visitor = open_page(base + "/paca/")
    expect(visitor.locator(".site-name")).to_contain_text("Portail de santé PACA")
    expect(visitor.locator(".team-welcome")).to_contain_text("Portail de santé PACA vous aide")
    assert_accessible(visitor)
    visitor.screenshot(path="/tmp/porte-paca-360.png", full_page=True)
    visitor.get_by_role("link", name="Non, je n'ai pas de carte").click()
    visitor.wait_for_url("**/paca/parcours/**")  # the wizard stays behind the door
    visitor.goto(base + "/paca/aide/?depuis=/paca/parcours/methode-b/")
    visitor.get_by_label("Nom et prénom").fill("Paul Marseille")
    visitor.get_by_label("Adresse e-mail").fill("paul@example.fr")
    visitor.get_by_label("Profession").select_option(label="Médecin")
    visitor.get_by_label("Type d'identifiant").select_option(label="RPPS")
    visitor.get_by_label("Service que vous voulez utiliser").select_option(
        label="Portail de santé PACA")
    visitor.get_by_label("Description du problème").fill("Le SMS n'arrive pas.")
    visitor.get_by_label("J'accepte").check()
    visitor.get_by_role("button", name="Envoyer ma demande").click()
    visitor.wait_for_url("**/paca/aide/merci/**")
    ticket = Ticket.objects.get()
    assert ticket.team == paca
    assert ticket.trail == [{"question": "Avez-vous une carte CPx ?",
                             "answer": "Non, je n'ai pas de carte"}]
    acknowledgement = django_mail.outbox[0]
    assert acknowledgement.from_email == "Portail de santé PACA <aide@iess.fr>"

    # The fimatho agent never sees it.
    fimatho = open_page(base, width=1280)
    log_in(fimatho, base, "fanny")
    fimatho.goto(base + "/agents/?status=")
    expect(fimatho.get_by_text("Paul Marseille")).to_have_count(0)
    assert fimatho.goto(base + ticket.get_absolute_url()).status == 404

    # The PACA agent answers.
    agent = open_page(base, width=1280)
    log_in(agent, base, "paola")
    agent.get_by_role("link", name=re.compile(ticket.reference)).click()
    agent.get_by_label("Message").fill("Bonjour, vérifiez le numéro de mobile de l'annuaire.")
    agent.get_by_role("button", name="Envoyer à paul@example.fr").click()
    expect(agent.get_by_text("Réponse envoyée par e-mail.")).to_be_visible()
    agent.screenshot(path="/tmp/ticket-paca-1280.png", full_page=True)
    reply = django_mail.outbox[-1]
    assert reply.from_email == "Portail de santé PACA <aide@iess.fr>"
    link = re.search(r"/paca/aide/suivi/\S+/", reply.body).group(0)

    # The visitor's follow-up page, behind the PACA door.
    visitor.goto(base + link)
    expect(visitor.locator(".site-name")).to_contain_text("Portail de santé PACA")
    expect(visitor.get_by_text("Suivie par : Portail de santé PACA.")).to_be_visible()
    expect(visitor.get_by_text("vérifiez le numéro de mobile")).to_be_visible()
    visitor.screenshot(path="/tmp/suivi-paca-360.png", full_page=True)
