"""The professional's side of the conversation: the private link, answers, « c'est réglé »,
and what the e-mails carry."""

import pytest
from django.test import Client

from triage.models import OutgoingMail, Ticket, TicketEvent
from triage.tests.factories import VALID_FORM, make_ticket
from triage.tests.test_permissions import altered

NOTE = "Note interne : appeler l'Ordre, ne pas le dire au demandeur."


@pytest.fixture
def conversation(seed_tree, agent, agent_client, django_capture_on_commit_callbacks):
    """A web request, taken by an agent who notes something and replies."""
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/aide/", {**VALID_FORM, "description": "Mon QR code ne s'affiche pas."})
    ticket = Ticket.objects.get()
    url = ticket.get_absolute_url()
    agent_client.post(f"{url}prendre/")
    agent_client.post(f"{url}note/", {"text": NOTE})
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"{url}reponse/", {"subject": "Votre QR code",
                                             "body": "Bonjour, essayez ceci.",
                                             "then_status": Ticket.Status.WAITING})
    ticket.refresh_from_db()
    return ticket


def test_every_email_to_the_professional_carries_the_private_link(conversation, mailoutbox,
                                                                  settings):
    link = settings.TRIAGE_SITE_URL + conversation.get_follow_url()
    acknowledgement, reply = mailoutbox
    assert link in acknowledgement.body and link in reply.body
    assert reply.subject == f"[{conversation.reference}] Votre QR code"
    assert reply.from_email == settings.TRIAGE_TEAM_EMAIL
    assert reply.reply_to == [settings.TRIAGE_TEAM_EMAIL]
    # The macro's status was applied after the reply.
    assert conversation.status == Ticket.Status.WAITING and conversation.due_at is None


def test_the_private_link_shows_the_ticket_to_its_holder_only(conversation):
    other = make_ticket(name="Bernard Autre", email="bernard@example.fr",
                        description="Problème de Bernard.")
    page = Client().get(conversation.get_follow_url()).content.decode()
    assert "Mon QR code ne s&#x27;affiche pas." in page
    assert "Bonjour, essayez ceci." in page
    assert "Bernard" not in page
    assert Client().get(other.get_follow_url()).content.decode().count("Problème de Bernard.")
    token = conversation.follow_token
    for wrong in [altered(token), token.replace(token.split(":")[0], other.follow_token.split(
            ":")[0]), "1", "MQ", "", "x" * 300, token + "x"]:
        response = Client().get(f"/aide/suivi/{wrong}/")
        assert response.status_code == 404, wrong
        assert b"Bernard" not in response.content and b"QR code" not in response.content


def test_internal_notes_never_reach_the_professional(conversation, mailoutbox):
    page = Client().get(conversation.get_follow_url()).content.decode()
    assert "appeler l&#x27;Ordre" not in page and "Note interne" not in page
    assert "agathe" not in page  # nor who in the team handled it
    assert not any("appeler l'Ordre" in mail.body for mail in mailoutbox)
    assert not OutgoingMail.objects.filter(body__contains="appeler l'Ordre").exists()


def test_an_answer_reopens_the_ticket_and_notifies_the_assignee(
        conversation, agent, mailoutbox, django_capture_on_commit_callbacks):
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(conversation.get_follow_url(),
                                 {"text": "Le message dit « compte bloqué »."})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Ticket.Status.NEW and conversation.due_at
    assert conversation.events.filter(kind=TicketEvent.Kind.ANSWER,
                                      text="Le message dit « compte bloqué ».").exists()
    notice = mailoutbox[sent]
    assert notice.to == [agent.email]
    assert conversation.reference in notice.subject
    assert conversation.get_absolute_url() in notice.body
    assert "compte bloqué" not in notice.body  # read in the workspace, not in a mailbox
    assert len(mailoutbox) == sent + 1
    page = Client().get(conversation.get_follow_url()).content.decode()
    # Shown with French spacing, like every page (what was typed is stored as it was).
    assert "Le message dit «\u00a0compte bloqué\u00a0»." in page


def test_an_answer_on_a_closed_ticket_reopens_it(conversation):
    Client().post(f"{conversation.get_follow_url()}regle/")
    conversation.refresh_from_db()
    assert conversation.status == Ticket.Status.RESOLVED and conversation.closed_at
    assert "le demandeur indique que c'est réglé" in conversation.events.last().summary
    Client().post(conversation.get_follow_url(), {"text": "Finalement, ça recommence."})
    conversation.refresh_from_db()
    assert conversation.status == Ticket.Status.NEW and conversation.closed_at is None


@pytest.mark.parametrize("text", ["", "   ", "mon mot de passe e-CPS est 4821",
                                  "code PIN : 1234", "x" * 5001])
def test_a_refused_answer_keeps_what_was_typed(conversation, text):
    response = Client().post(conversation.get_follow_url(), {"text": text})
    assert response.status_code == 400
    if text.strip():
        assert text[:50] in response.content.decode().replace("&#x27;", "'")
    assert not conversation.events.filter(kind=TicketEvent.Kind.ANSWER).exists()


def test_no_link_once_the_data_is_erased(conversation):
    from triage.services import anonymise

    anonymise(conversation)
    assert Client().get(conversation.get_follow_url()).status_code == 404


def test_the_confirmation_page_offers_the_follow_up_page(seed_tree, client):
    response = client.post("/aide/", VALID_FORM, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.get_follow_url() in response.content.decode()
