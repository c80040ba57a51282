from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from kb.models import SupportLine, Tutorial
from teams.models import Team
from triage.models import ReplyTemplate, Ticket, TicketEvent
from triage.tests.factories import make_ticket


@pytest.fixture
def tickets(seed_tree, agent):
    app_line = SupportLine.objects.get(slug="ans-support-e-cps")
    old = make_ticket(name="Paul Ancien", service="rcp-sara",
                      created_at=timezone.now() - timedelta(days=20))
    mine = make_ticket(name="Marie Mienne", assigned_to=agent, suggested_line=app_line,
                       status=Ticket.Status.IN_PROGRESS)
    done = make_ticket(name="Rémi Résolu", status=Ticket.Status.RESOLVED,
                       description="Problème de lecteur de carte")
    return {"old": old, "mine": mine, "done": done}


def names(response):
    html = response.content.decode()
    return {name for name in ["Paul Ancien", "Marie Mienne", "Rémi Résolu"] if name in html}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"Paul Ancien", "Marie Mienne"}),  # by default: « à traiter » and « en cours »
    ({"status": ""}, {"Paul Ancien", "Marie Mienne", "Rémi Résolu"}),
    ({"status": "ouverts"}, {"Paul Ancien", "Marie Mienne"}),
    ({"status": "resolu"}, {"Rémi Résolu"}),
    ({"service": "rcp-sara"}, {"Paul Ancien"}),
    ({"age": "ancien"}, {"Paul Ancien"}),
    ({"age": "24h", "status": ""}, {"Marie Mienne", "Rémi Résolu"}),
    ({"mine": "on"}, {"Marie Mienne"}),
    ({"q": "lecteur", "status": ""}, {"Rémi Résolu"}),
    ({"status": "nonsense", "age": "<script>"}, {"Paul Ancien", "Marie Mienne"}),
])
def test_the_queue_filters(agent_client, tickets, params, expected):
    assert names(agent_client.get("/agents/", params)) == expected


def test_the_queue_filters_by_suggested_line_and_finds_a_reference(agent_client, tickets):
    line = tickets["mine"].suggested_line
    assert names(agent_client.get("/agents/", {"line": line.pk})) == {"Marie Mienne"}
    reference = tickets["old"].reference
    assert names(agent_client.get("/agents/", {"q": reference.lower()})) == {"Paul Ancien"}


def test_the_queue_sorts_oldest_first(agent_client, tickets):
    html = agent_client.get("/agents/", {"sort": "created_at"}).content.decode()
    assert html.index("Paul Ancien") < html.index("Marie Mienne")


def test_htmx_gets_only_the_results(agent_client, tickets):
    response = agent_client.get("/agents/", {"status": "resolu"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "Rémi Résolu" in html


@pytest.mark.parametrize("count", [10, 120])
def test_the_queue_costs_the_same_queries_whatever_the_number_of_tickets(
        agent_client, seed_tree, count, django_assert_num_queries):
    line = SupportLine.objects.first()
    Ticket.objects.bulk_create(
        Ticket(name=f"Personne {i}", email="p@example.fr", profession="medecin",
               identifier_type="rpps", service="ecps", description="…", suggested_line=line,
               team=Team.national())
        for i in range(count)
    )
    # session, user, user permissions, group permissions, ticket count, support line count
    # and support lines (the filter's choices), the page of tickets with their joins, the
    # counts per status, the overdue count, the agents (the bulk action's choices), the
    # user's teams (named at the top), the tickets they handed to another team, and the
    # session saved again (savepoint, update, release: it lasts a working day from now)
    with django_assert_num_queries(16):
        response = agent_client.get("/agents/")
    assert response.status_code == 200


def test_the_ticket_page_shows_the_path_and_the_suggested_route(agent_client, client, seed_tree):
    client.get("/tutoriels/choisir-mot-de-passe/")
    client.post("/aide/", {
        "name": "Claire Martin", "email": "claire@example.fr", "profession": "medecin",
        "identifier_type": "inconnu", "service": "ecps", "description": "Bloquée.",
        "consent": "on",
        "depuis": "/parcours/methode-a/methode-a-erreur/probleme-carte/",
    })
    ticket = Ticket.objects.get()
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "Avez-vous une carte CPx ? <strong>Oui, j&#x27;ai une carte CPx</strong>" in html
    assert 'href="/parcours/methode-a/methode-a-erreur/probleme-carte/"' in html
    assert 'data-copy="0 825 85 20 00"' in html
    assert 'data-copy="monserviceclient.cartes@esante.gouv.fr"' in html
    # The pages the professional read, by title, linked for the agent to open.
    title = Tutorial.objects.get(slug="choisir-mot-de-passe").title
    assert f'<a href="/tutoriels/choisir-mot-de-passe/">Tutoriel : {escape(title)}</a>' in html


def test_an_agent_takes_notes_replies_with_a_template_and_resolves(
        agent_client, agent, tickets, mailoutbox, django_capture_on_commit_callbacks):
    ticket = tickets["old"]
    url = ticket.get_absolute_url()
    agent_client.post(f"{url}prendre/")
    agent_client.post(f"{url}note/", {"text": "Rappelée, coordonnées fausses."})

    template = ReplyTemplate.objects.get(name="Coordonnées à mettre à jour")
    html = agent_client.post(f"{url}modele/", {"modele": template.pk, "subject": "",
                                                 "body": ""}).content.decode()
    assert "Bonjour Paul Ancien" in html
    assert "http://testserver/tutoriels/acceder-portail-erpps/" in html
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"{url}reponse/", {
            "subject": f"[{ticket.reference}] Vos coordonnées",
            "body": "Bonjour,\n\nVoici : http://testserver/tutoriels/acceder-portail-erpps/",
        })
    assert mailoutbox[-1].to == ["claire.martin@example.fr"]
    assert "acceder-portail-erpps" in mailoutbox[-1].body

    agent_client.post(f"{url}statut/", {"status": Ticket.Status.RESOLVED})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED and ticket.closed_at
    assert ticket.assigned_to == agent
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [TicketEvent.Kind.ASSIGNED, TicketEvent.Kind.NOTE, TicketEvent.Kind.REPLY,
                     TicketEvent.Kind.STATUS, TicketEvent.Kind.STATUS]
    assert all(event.actor == agent for event in ticket.events.all())
    timeline = agent_client.get(url).content.decode()
    assert "Rappelée, coordonnées fausses." in timeline
    assert "À traiter → En cours" in timeline and "En cours → Résolu" in timeline


def test_a_transfer_records_which_line_and_when(agent_client, tickets):
    ticket = tickets["mine"]
    line = SupportLine.objects.get(slug="ans-support-cartes")
    agent_client.post(f"{ticket.get_absolute_url()}transfert/", {"line": line.pk,
                                                                 "confirmer": "1"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.TRANSFERRED
    assert ticket.transferred_to == line and ticket.transferred_at
    assert "Transféré à Support des cartes CPx" in agent_client.get(
        ticket.get_absolute_url()).content.decode()


def test_a_status_outside_the_workflow_is_refused(agent_client, tickets):
    ticket = tickets["done"]  # resolved: may only be reopened
    response = agent_client.post(f"{ticket.get_absolute_url()}statut/",
                                 {"status": Ticket.Status.WAITING}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_a_reply_cannot_carry_a_pin(agent_client, tickets, mailoutbox):
    ticket = tickets["old"]
    agent_client.post(f"{ticket.get_absolute_url()}reponse/",
                      {"subject": "x", "body": "Votre code PIN est 1234"})
    assert not mailoutbox
    assert not ticket.events.exists()


def test_a_transfer_asks_for_confirmation_then_writes_to_the_professional(
        agent_client, tickets, mailoutbox, django_capture_on_commit_callbacks):
    ticket = tickets["mine"]
    line = SupportLine.objects.get(slug="ans-support-cartes")
    url = f"{ticket.get_absolute_url()}transfert/"
    page = agent_client.get(url, {"line": line.pk}).content.decode()
    assert "Confirmer le transfert" in page and "0 825 85 20 00" in page
    assert agent_client.post(url, {"line": line.pk}).status_code == 200  # no « confirmer »
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.TRANSFERRED and not mailoutbox
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(url, {"line": line.pk, "confirmer": "1"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.TRANSFERRED
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [ticket.email]
    body = mailoutbox[0].body
    assert "Support des cartes CPx" in mailoutbox[0].subject
    assert "0 825 85 20 00" in body and "monserviceclient.cartes@esante.gouv.fr" in body
    assert ticket.reference in body and "mot de passe" in body
    event = ticket.events.get(kind="transferred")
    assert "informée par e-mail" in event.summary and "0 825 85 20 00" in event.text
