"""An agent's day without friction (issue 22 §3): a refused note keeps its text, and the
queue's search finds people as agents type them."""

import pytest

from triage.services import anonymise
from triage.tests.factories import make_ticket


def test_a_refused_internal_note_keeps_its_text(agent_client, seed_tree):
    ticket = make_ticket()
    typed = "Rappelée à 10 h ; elle m'a dit que son code PIN est 4821."
    response = agent_client.post(f"{ticket.get_absolute_url()}note/", {"text": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert typed.replace("'", "&#x27;") in html and "retirez-le" in html
    assert 'aria-invalid="true"' in html
    assert not ticket.events.filter(kind="note").exists()


@pytest.fixture
def people(db):
    return {
        "claire": make_ticket(name="Claire Dupont", phone="06 12 34 56 78",
                              identifier_number="10002232642"),
        "helene": make_ticket(name="Hélène Lefèvre-Martin", email="h.lefevre@example.fr",
                              phone="+33 7 98 76 54 32", identifier_type="adeli",
                              identifier_number="789310596"),
        "paul": make_ticket(name="Paul Durand", email="paul@example.fr", phone="",
                            identifier_number=""),
    }


@pytest.mark.parametrize(("typed", "found"), [
    ("dupont claire", {"claire"}),
    ("Claire DUPONT", {"claire"}),
    ("helene lefevre", {"helene"}),
    ("lefèvre", {"helene"}),
    ("martin hélène", {"helene"}),
    ("06.12.34.56.78", {"claire"}),
    ("0612345678", {"claire"}),
    ("06 12 34", {"claire"}),
    ("07 98 76 54 32", {"helene"}),
    ("+33798765432", {"helene"}),
    ("10002232642", {"claire"}),
    ("810002232642", {"claire"}),  # the national identifier
    ("8 1000 2232 642", {"claire"}),
    ("789310596", {"helene"}),
    ("0789310596", {"helene"}),
    ("paul@example.fr", {"paul"}),
    ("QR code", {"claire", "helene", "paul"}),  # words of the description
    ("durand claire", set()),
])
def test_the_queue_s_search_finds_people_as_agents_type_them(agent_client, people, typed,
                                                             found):
    html = agent_client.get("/agents/", {"q": typed, "status": ""}).content.decode()
    shown = {key for key, ticket in people.items() if ticket.reference in html}
    assert shown == found


def test_an_erased_name_is_no_longer_searchable(agent_client, people):
    anonymise(people["claire"])
    html = agent_client.get("/agents/", {"q": "dupont", "status": ""}).content.decode()
    assert people["claire"].reference not in html


def test_a_ticket_whose_requester_answered_is_marked_and_first_among_equals(agent_client,
                                                                          agent, db):
    from datetime import timedelta

    from django.utils import timezone

    from triage.services import professional_answer, send_reply

    # Due sooner than the answered one, whose answer set a new target: without the answer
    # coming first, it would be listed first.
    waiting = make_ticket(name="Sans Réponse", due_at=timezone.now() + timedelta(hours=1))
    answered = make_ticket(name="A Répondu")
    send_reply(ticket=answered, subject="Question", body="Précisez ?", actor=agent)
    professional_answer(ticket=answered, text="Voici.")
    html = agent_client.get("/agents/").content.decode()
    assert html.index("A Répondu") < html.index("Sans Réponse")
    row = html.split("A Répondu", 1)[1].split("</tr>", 1)[0]
    assert "A répondu</span>" in row
    assert "A répondu</span>" not in html.split("Sans Réponse", 1)[1].split("</tr>", 1)[0]
    assert waiting.reference in html


def test_the_page_title_counts_the_tickets_to_handle(agent_client, db):
    make_ticket()
    make_ticket()
    html = agent_client.get("/agents/").content.decode()
    assert "<title>(2) Tickets — Espace agents</title>" in html
    fragment = agent_client.get("/agents/", headers={"HX-Request": "true"}).content.decode()
    assert "<title>(2) Tickets — Espace agents</title>" in fragment


def test_a_second_agent_replying_is_warned_before_sending(agent_client, agent,
                                                          django_user_model, seed_tree):
    from django.test import Client

    ticket = make_ticket()
    colleague = django_user_model.objects.create_user("bruno", "bruno@example.fr", "x",
                                                      is_staff=True)
    colleague.user_permissions.set(agent.user_permissions.all())
    colleague.groups.set(agent.groups.all())
    ticket.team.members.add(colleague)
    other = Client()
    other.force_login(colleague)
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    seen = page.split('name="vu" value="', 1)[1].split('"', 1)[0]
    # Bruno answers first, while Agathe is still typing.
    other_page = other.get(ticket.get_absolute_url()).content.decode()
    other.post(f"{ticket.get_absolute_url()}reponse/", {
        "subject": "Réponse de Bruno", "body": "Bonjour, c'est réglé de mon côté.",
        "vu": other_page.split('name="vu" value="', 1)[1].split('"', 1)[0]})
    mine = {"subject": "Ma réponse", "body": "Bonjour, voici la procédure.", "vu": seen}
    response = agent_client.post(f"{ticket.get_absolute_url()}reponse/", mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Un collègue a répondu pendant que vous écriviez" in html
    assert "Bonjour, c&#x27;est réglé de mon côté." in html
    assert "Bonjour, voici la procédure." in html  # nothing typed is lost
    assert "Envoyer quand même à" in html
    assert ticket.events.filter(kind="reply").count() == 1
    assert 'value="1" id="id_malgre"' in html  # the next click sends anyway
    sent = agent_client.post(f"{ticket.get_absolute_url()}reponse/", {**mine, "malgre": "1"})
    assert sent.status_code == 302
    assert ticket.events.filter(kind="reply").count() == 2


def test_an_agent_replying_twice_is_not_warned_about_their_own_reply(agent_client, db):
    ticket = make_ticket()
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    seen = page.split('name="vu" value="', 1)[1].split('"', 1)[0]
    for text in ("Premier message.", "Second message."):
        response = agent_client.post(f"{ticket.get_absolute_url()}reponse/", {
            "subject": "Objet", "body": text, "vu": seen})
        assert response.status_code == 302


def test_the_transfer_e_mail_is_shown_editable_and_carries_what_the_line_needs(
        agent_client, seed_tree, mailoutbox, django_capture_on_commit_callbacks):
    from kb.models import SupportLine

    ticket = make_ticket(trail=[{"question": "Avez-vous une carte CPx ?",
                                 "answer": "Oui, j'ai une carte CPx"}],
                         outcome_title="Problème avec votre carte")
    line = SupportLine.objects.get(slug="ans-support-cartes")
    url = f"{ticket.get_absolute_url()}transfert/"
    page = agent_client.get(url, {"line": line.pk}).content.decode()
    body = page.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    for needed in ["Avez-vous une carte CPx ? Oui, j&#x27;ai une carte CPx",
                   "Résultat : Problème avec votre carte",
                   "Ce que vous nous avez décrit : Le QR code n&#x27;arrive pas par e-mail.",
                   ticket.reference]:
        assert needed in body.replace("\u00a0", " "), needed
    token = page.split('name="jeton" value="', 1)[1].split('"', 1)[0]
    form = {"line": line.pk, "jeton": token, "confirmer": "1", "subject": "Contactez-les"}

    refused = agent_client.post(url, {**form, "body": "Votre code PIN 4821 est bloqué."})
    assert refused.status_code == 400
    assert "Votre code PIN 4821 est bloqué." in refused.content.decode()  # nothing lost
    assert "data-error-summary" in refused.content.decode()  # focused, linking the field
    empty = agent_client.post(url, {**form, "body": "  "})
    assert empty.status_code == 400 and "ne peuvent pas être vides" in empty.content.decode()
    assert ticket.events.filter(kind="transferred").count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(url, {**form, "body": "Appelez le support des cartes, de ma part."})
    ticket.refresh_from_db()
    assert ticket.status == "transfere"
    assert mailoutbox[-1].subject == "Contactez-les"
    assert mailoutbox[-1].body.startswith("Appelez le support des cartes, de ma part.")
