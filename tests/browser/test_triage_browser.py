import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from teams.models import Team
from tests.browser.conftest import assert_accessible
from triage.models import Ticket
from triage.tests.factories import make_ticket

pytestmark = pytest.mark.browser

OUTCOME = "/parcours/methode-a/methode-a-erreur/probleme-application/"


def fill_help_form(page):
    page.get_by_label("Nom et prénom").fill("Claire Martin")
    page.get_by_label("Adresse e-mail").fill("claire.martin@example.fr")
    page.get_by_label("Profession").select_option(label="Médecin")
    page.get_by_label("Type d'identifiant").select_option(label="RPPS")
    page.get_by_label("Numéro RPPS ou ADELI").fill("10002232642")
    page.get_by_label("Service que vous voulez utiliser").select_option(
        label="Activation et usage de la e-CPS")
    page.get_by_label("Description du problème").fill("Le QR code ne se scanne pas.")


@pytest.mark.parametrize("javascript", [True, False])
def test_file_a_ticket_from_an_outcome(live_content, open_page, javascript):
    page = open_page(live_content.url + OUTCOME, javascript=javascript)
    page.get_by_role("link", name="Demander de l'aide par écrit").click()
    assert "Oui, j'ai une carte CPx" in page.locator(".origin").first.inner_text()
    fill_help_form(page)
    page.get_by_role("button", name="Envoyer ma demande").click()
    # Forgot the consent: a French message, nothing lost.
    assert "Cochez cette case" in page.content()
    assert page.get_by_label("Nom et prénom").input_value() == "Claire Martin"
    page.get_by_label("J'accepte que ces informations").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    reference = page.locator(".reference").inner_text()
    ticket = Ticket.objects.get()
    assert reference == ticket.reference
    assert ticket.wizard_url == OUTCOME and ticket.suggested_line.slug == "ans-support-e-cps"
    assert OUTCOME in ticket.pages_viewed


@pytest.fixture
def agent_login(live_content, django_user_model, open_page):
    agent = django_user_model.objects.create_user("agathe", "agathe@chru-lille.fr",
                                                  password="x-Secret-42", is_staff=True)
    agent.user_permissions.set(Permission.objects.filter(content_type__app_label="triage"))
    Team.national().members.add(agent)

    def login(javascript=True):
        page = open_page(live_content.url + "/agents/", javascript=javascript)
        page.get_by_label("Nom d’utilisateur").fill("agathe")
        page.get_by_label("Mot de passe").fill("x-Secret-42")
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_url("**/agents/")
        return page

    return login


def test_an_agent_takes_notes_replies_and_resolves(agent_login, mailoutbox):
    ticket = make_ticket(wizard_url=OUTCOME, outcome_title="Problème avec l'application e-CPS",
                         trail=[{"question": "Avez-vous une carte CPx ?",
                                 "answer": "Oui, j'ai une carte CPx"}])
    page = agent_login()
    page.get_by_role("link", name=ticket.reference).click()
    page.get_by_role("button", name="Je le prends").click()
    assert "Ce ticket vous est attribué." in page.content()

    page.get_by_label("Note interne (invisible pour le demandeur)").fill("Rappel prévu demain.")
    page.get_by_role("button", name="Ajouter la note").click()

    page.get_by_label("Insérer un modèle").select_option(label="Identifiant national")
    page.get_by_role("button", name="Insérer").click()
    expect(page.get_by_label("Message")).to_have_value(
        re.compile("tutoriels/trouver-identifiant-national/"))
    page.get_by_role("button", name="Envoyer à claire.martin@example.fr").click()
    assert "Réponse envoyée par e-mail." in page.content()

    page.get_by_label("Nouveau statut").select_option(label="Résolu")
    page.get_by_role("button", name="Appliquer").click()
    assert page.locator("h1 .badge").inner_text() == "Résolu"
    timeline = page.locator(".timeline").inner_text()
    for expected in ["Attribution", "Rappel prévu demain.", "Réponse envoyée", "En cours → Résolu"]:
        assert expected in timeline
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_the_queue_filters_live_and_without_javascript(agent_login):
    make_ticket(name="Paul Ouvert")
    make_ticket(name="Rémi Résolu", status=Ticket.Status.RESOLVED)
    for javascript in (True, False):
        page = agent_login(javascript=javascript)
        page.get_by_label("Statut", exact=True).select_option(label="Résolu")
        if not javascript:
            page.get_by_role("button", name="Filtrer").click()
        expect(page.locator("#queue-results")).not_to_contain_text("Paul Ouvert")
        assert "Rémi Résolu" in page.locator("#queue-results").inner_text()
        assert "status=resolu" in page.url
        page.context.close()


def test_help_form_queue_and_ticket_have_no_accessibility_violation(live_content, open_page,
                                                                     agent_login):
    form = open_page(live_content.url + "/aide/?depuis=" + OUTCOME)
    assert_accessible(form)
    form.get_by_role("button", name="Envoyer ma demande").click()  # with errors shown
    assert_accessible(form)
    ticket = make_ticket()
    page = agent_login()
    assert_accessible(page)
    page.goto(live_content.url + ticket.get_absolute_url())
    assert_accessible(page)


def test_the_staff_login_page_has_no_accessibility_violation(live_content, open_page):
    page = open_page(live_content.url + "/agents/")  # redirected to the one login page
    assert "/admin/login/" in page.url
    assert_accessible(page)


def test_an_agent_confirms_a_transfer_after_seeing_the_email(agent_login):
    ticket = make_ticket()
    page = agent_login()
    page.goto(page.url.split("/agents/")[0] + ticket.get_absolute_url())
    page.get_by_label("Transférer au support national").select_option(
        label="Support des cartes CPx (Agence du Numérique en Santé (ANS))")
    page.get_by_role("button", name="Transférer…").click()
    assert "0 825 85 20 00" in page.locator(".mail-preview").input_value()
    assert_accessible(page)
    page.screenshot(path="/tmp/transfert-360.png", full_page=True)
    page.get_by_role("button", name="Confirmer le transfert").click()
    assert "la personne est informée par e-mail" in page.content()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.TRANSFERRED


@pytest.mark.parametrize("javascript", [True, False])
def test_a_template_inserted_after_typing_keeps_the_typed_text(agent_login, javascript):
    ticket = make_ticket()
    page = agent_login(javascript=javascript)
    page.goto(page.url.split("/agents/")[0] + ticket.get_absolute_url())
    message = page.get_by_label("Message")
    message.fill("Merci pour votre appel de ce matin.")
    if javascript:
        message.press("Control+Home")  # the cursor at the start: the template goes there
    page.get_by_label("Insérer un modèle").select_option(
        label="Demande d'informations (puis en attente de l'usager)")
    page.get_by_role("button", name="Insérer").click()
    expect(page.get_by_label("Après l'envoi, passer le ticket à")).to_have_value(
        "attente_usager")  # the macro's status
    body = message.input_value()
    assert "Merci pour votre appel de ce matin." in body
    assert "Bonjour Claire Martin," in body
    if javascript:
        assert body.index("Bonjour Claire Martin,") < body.index("Merci pour votre appel")
        # Focus moves back to the message once htmx has settled (a few ms after the swap).
        expect(page.locator("#id_body")).to_be_focused()
    else:
        assert body.index("Merci pour votre appel") < body.index("Bonjour Claire Martin,")
    assert page.get_by_label("Objet").input_value() == (
        f"[{ticket.reference}] Quelques précisions pour vous aider")


def test_the_whole_loop_between_a_professional_and_an_agent(live_content, open_page,
                                                            agent_login, mailoutbox):
    # A professional asks for help from an outcome of the guided path.
    visitor = open_page(live_content.url + OUTCOME)
    visitor.get_by_role("link", name="Demander de l'aide par écrit").click()
    fill_help_form(visitor)
    visitor.get_by_label("J'accepte que ces informations").check()
    visitor.get_by_role("button", name="Envoyer ma demande").click()
    visitor.get_by_role("link", name="Suivre ma demande").click()
    follow_url = visitor.url
    assert "Reçue" in visitor.locator(".follow-status").inner_text()
    assert_accessible(visitor)
    ticket = Ticket.objects.get()
    assert follow_url.endswith(ticket.get_follow_url())

    # An agent replies with a macro: the reply asks for details and waits for the answer.
    agent = agent_login()
    agent.get_by_role("link", name=ticket.reference).click()
    agent.get_by_role("button", name="Je le prends").click()
    agent.get_by_label("Note interne (invisible pour le demandeur)").fill("Voir avec l'Ordre.")
    agent.get_by_role("button", name="Ajouter la note").click()
    agent.get_by_label("Insérer un modèle").select_option(
        label="Demande d'informations (puis en attente de l'usager)")
    agent.get_by_role("button", name="Insérer").click()
    expect(agent.get_by_label("Après l'envoi, passer le ticket à")).to_have_value(
        "attente_usager")
    agent.get_by_role("button", name="Envoyer à claire.martin@example.fr").click()
    assert agent.locator("h1 .badge").first.inner_text() == "En attente de l'usager"

    # The professional reads it through the link and answers.
    visitor.goto(follow_url)
    assert "Quelques précisions pour vous aider" in visitor.content()
    assert "Voir avec l" not in visitor.content()  # never the internal note
    visitor.get_by_label("Votre réponse").fill("Le message dit : compte bloqué, sur iPhone.")
    visitor.get_by_role("button", name="Envoyer ma réponse").click()
    assert "Votre réponse est envoyée" in visitor.content()
    assert_accessible(visitor)
    visitor.screenshot(path="/tmp/suivi-360.png", full_page=True)

    # The agent finds it back « à traiter » in the queue, reads the answer and resolves.
    agent.goto(live_content.url + "/agents/")
    row = agent.locator("tr", has_text=ticket.reference)
    expect(row).to_contain_text("À traiter")
    agent.get_by_role("link", name=ticket.reference).click()
    assert "compte bloqué, sur iPhone" in agent.locator(".timeline").inner_text()
    agent.get_by_label("Nouveau statut").select_option(label="Résolu")
    agent.get_by_role("button", name="Appliquer").click()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert any(mail.to == ["agathe@chru-lille.fr"] for mail in mailoutbox)  # the notice


def test_queue_and_figures_are_accessible_on_a_phone_and_a_desk(agent_login, live_content):
    make_ticket(name="Paul Ouvert", outcome_title="Problème avec l'application e-CPS",
                pages_viewed=["/tutoriels/installer-application/"])
    make_ticket(name="Rémi Résolu", status=Ticket.Status.RESOLVED)
    for width in (360, 1280):
        page = agent_login()
        page.set_viewport_size({"width": width, "height": 740 if width == 360 else 800})
        assert_accessible(page)
        page.screenshot(path=f"/tmp/file-{width}.png", full_page=True)
        page.get_by_role("link", name="Chiffres").click()
        assert page.locator("svg.chart").count() == 1  # no reply yet: no delay chart
        assert "Aucune donnée sur la période." in page.content()
        assert_accessible(page)
        page.screenshot(path=f"/tmp/chiffres-{width}.png", full_page=True)
        page.get_by_role("link", name="Nouveau ticket (appel)").click()
        assert_accessible(page)
        page.screenshot(path=f"/tmp/appel-{width}.png", full_page=True)
        page.get_by_role("link", name="Modèles de réponse").click()
        assert_accessible(page)
        page.get_by_role("link", name="Nouveau modèle").click()
        page.get_by_role("button", name="Enregistrer").click()  # empty: refused, explained
        expect(page.locator("[data-error-summary]")).to_be_focused()
        assert_accessible(page)
        page.screenshot(path=f"/tmp/modele-{width}.png", full_page=True)
        page.context.close()


def test_bulk_assignment_from_the_queue(agent_login):
    tickets = [make_ticket(name=f"Personne {n}") for n in range(3)]
    page = agent_login(javascript=False)
    for ticket in tickets[:2]:
        page.get_by_label(f"Sélectionner {ticket.reference}").check()
    page.get_by_label("Pour les tickets cochés").select_option(label="agathe")
    page.get_by_role("button", name="Appliquer aux tickets cochés").click()
    assert "2 tickets attribués." in page.content()
    assert [Ticket.objects.get(pk=t.pk).assigned_to_id is not None for t in tickets] == [
        True, True, False]


def test_the_queue_on_a_desk_shows_about_eight_tickets_and_its_tools_first(agent_login):
    """1280×800: the header on one line, the bulk bar above the list, « Tout sélectionner »,
    and about eight tickets on the first screen."""
    for n in range(12):
        make_ticket(name=f"Personne {n}", outcome_title="Problème avec l'application e-CPS")
    page = agent_login()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    header = page.locator("header").first.bounding_box()
    assert header["height"] <= 100, header
    bar, table = page.locator(".bulk-actions").bounding_box(), page.locator(
        ".queue-table").bounding_box()
    assert bar["y"] < table["y"]
    rows = page.locator(".queue-table tbody tr")
    on_screen = [rows.nth(i).bounding_box() for i in range(rows.count())]
    page.screenshot(path="/tmp/file-1280-bureau.png")
    assert sum(box["y"] + box["height"] <= 800 for box in on_screen) >= 7
    page.get_by_label("Tout sélectionner").check()
    assert page.locator(".bulk-check:checked").count() == 12
    page.screenshot(path="/tmp/file-1280-bureau.png")
    assert_accessible(page)
