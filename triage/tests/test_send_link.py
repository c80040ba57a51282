"""Issue 20 §3: « Envoyer ce lien à l'appelant », for an agent on the phone, at any step or
tutorial: the page's public address and its QR code by e-mail, from the team; recorded on
the ticket if the call is about one."""

import io
import re

import pytest
import segno
from django.core.management import call_command
from django.test import Client, TestCase

from teams.models import Team
from triage.models import OutgoingMail, TicketEvent
from triage.tests.factories import make_ticket

STEP = "/parcours/methode-b/methode-b-probleme/"
SENT_STEP = "http://127.0.0.1:8000/parcours/etape/methode-b-probleme/?via=agent"
TUTORIAL = "/tutoriels/activer-e-cps-avec-coordonnees/"


def send(client, page, token=None, **data):
    """The form as the agent gets it, then sent; its mail leaves after the commit."""
    form = client.get("/agents/envoyer-lien/", {"page": page}).content.decode()
    token = token or re.search(r'name="jeton" value="([0-9a-f]+)"', form)[1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/agents/envoyer-lien/", {"page": page, "jeton": token, **data})


def qr_png(url: str) -> bytes:
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=6, border=4)
    return image.getvalue()


def test_an_agent_at_a_step_sends_its_direct_link_and_qr_code_and_nothing_is_kept(
        agent_client, seed_tree, mailoutbox):
    html = agent_client.get(STEP).content.decode()
    assert f'href="/agents/envoyer-lien/?page={STEP}"' in html
    response = send(agent_client, STEP, email="appelant@example.fr")
    assert response.status_code == 302 and response["Location"] == STEP
    (mail,) = mailoutbox
    assert mail.to == ["appelant@example.fr"]
    assert mail.from_email == Team.national().sender
    assert mail.subject == "Le lien dont nous avons parlé\xa0: Que se passe-t-il\xa0?"
    assert SENT_STEP in mail.body and "mot de passe" in mail.body
    # Only the page's public address: no session, nothing of the agent nor of the caller.
    (address,) = re.findall(r"https?://\S+", mail.body)
    assert address == SENT_STEP
    ((name, content, kind),) = mail.attachments
    assert (name, kind) == ("qr-code.png", "image/png") and content == qr_png(SENT_STEP)
    assert not OutgoingMail.objects.exists()  # sent without a ticket: the address is gone
    page = agent_client.get(STEP).content.decode()
    assert "Le lien vers « Que se passe-t-il ? » est envoyé à appelant@example.fr." in (
        page.replace("&#x27;", "'").replace("\u202f", " ").replace("\xa0", " ")
        .replace("&laquo;", "«").replace("&raquo;", "»"))


def test_the_caller_lands_on_the_step_and_a_request_says_it_came_from_the_agents_link(
        client, seed_tree):
    path = SENT_STEP.removeprefix("http://127.0.0.1:8000")
    html = client.get(path).content.decode()
    assert "Vous êtes arrivé directement sur cette étape" in html
    assert "?via=agent" in html  # the answers clicked from here keep it


def test_a_link_about_a_ticket_is_on_its_timeline_from_its_team(agent_client, agent,
                                                                seed_tree, mailoutbox):
    ticket = make_ticket(assigned_to=agent)
    response = send(agent_client, TUTORIAL, email="claire.martin@example.fr",
                    ticket=ticket.pk)
    assert response.status_code == 302 and response["Location"] == TUTORIAL
    (mail,) = mailoutbox
    assert mail.subject.startswith(f"[{ticket.reference}] Le lien dont nous avons parlé")
    assert "http://127.0.0.1:8000/tutoriels/activer-e-cps-avec-coordonnees/" in mail.body
    event = ticket.events.get(kind=TicketEvent.Kind.LINK)
    assert event.actor == agent and event.text.endswith("/activer-e-cps-avec-coordonnees/")
    assert OutgoingMail.objects.get().ticket == ticket  # kept with the ticket's mails
    # A reply to it comes back into the ticket (its Message-ID is the ticket's).
    assert mail.extra_headers["Message-ID"] == OutgoingMail.objects.get().message_id


def test_a_regional_agent_sends_the_page_behind_the_teams_door(client, seed_tree, agent,
                                                                mailoutbox):
    call_command("load_teams", verbosity=0)
    hdf = Team.objects.get(slug="hdf")
    Team.national().members.remove(agent)
    hdf.members.add(agent)
    client.force_login(agent)
    send(client, "/hdf" + STEP, email="appelant@example.fr")
    (mail,) = mailoutbox
    assert "http://127.0.0.1:8000/hdf/parcours/etape/methode-b-probleme/?via=agent" in mail.body
    assert mail.from_email == hdf.sender


def test_a_bad_address_gets_a_french_error_and_keeps_what_was_typed(agent_client, seed_tree,
                                                                    mailoutbox):
    response = send(agent_client, STEP, email="claire.martin@exemple")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cette adresse e-mail n&#x27;est pas valide" in html
    assert 'value="claire.martin@exemple"' in html and mailoutbox == []


def test_a_ticket_of_another_team_cannot_be_chosen(agent_client, seed_tree, mailoutbox):
    call_command("load_teams", verbosity=0)
    other = make_ticket(team=Team.objects.get(slug="paca"))
    response = send(agent_client, STEP, email="a@example.fr", ticket=other.pk)
    assert response.status_code == 400 and mailoutbox == []
    assert not other.events.filter(kind=TicketEvent.Kind.LINK).exists()


def test_links_are_limited_like_the_help_form(agent_client, seed_tree, settings, mailoutbox):
    settings.TRIAGE_RATE_LIMIT = (2, 600)
    for _ in range(2):
        assert send(agent_client, STEP, email="a@example.fr").status_code == 302
    response = send(agent_client, STEP, email="b@example.fr")
    assert response.status_code == 429
    html = response.content.decode()
    assert "beaucoup de liens en peu de temps" in html and 'value="b@example.fr"' in html
    assert len(mailoutbox) == 2


def test_the_same_form_sent_twice_sends_one_mail(agent_client, seed_tree, mailoutbox):
    form = agent_client.get("/agents/envoyer-lien/", {"page": STEP}).content.decode()
    token = re.search(r'name="jeton" value="([0-9a-f]+)"', form)[1]
    for _ in range(2):
        send(agent_client, STEP, token=token, email="a@example.fr")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("page", ["/agents/", "//evil.example/", "https://evil.example/",
                                  "/parcours/pas-une-etape/", "/aide/"])
def test_only_public_pages_can_be_sent(agent_client, seed_tree, page):
    response = agent_client.get("/agents/envoyer-lien/", {"page": page})
    assert response.status_code == 400 and "ne peut pas être envoyée" in response.content.decode()


def test_visitors_neither_see_nor_use_it(client, seed_tree):
    assert "envoyer-lien" not in client.get(STEP).content.decode()
    assert "envoyer-lien" not in client.get(TUTORIAL).content.decode()
    response = Client().get("/agents/envoyer-lien/", {"page": STEP})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_agent_of_no_team_is_told_why(client, seed_tree, agent, mailoutbox):
    Team.national().members.remove(agent)
    client.force_login(agent)
    response = send(client, STEP, email="a@example.fr")
    assert response.status_code == 400 and mailoutbox == []
    assert "membre d&#x27;aucune équipe" in response.content.decode()


def test_behind_a_door_the_agents_links_lead_to_the_agents_space_at_the_root(
        agent_client, seed_tree):
    call_command("load_teams", verbosity=0)
    html = agent_client.get("/hdf" + STEP).content.decode()
    assert f'href="/agents/envoyer-lien/?page=/hdf{STEP}"' in html
    assert f'href="/agents/nouveau/?depuis=/hdf{STEP}"' in html
    assert agent_client.get(f"/agents/envoyer-lien/?page=/hdf{STEP}").status_code == 200


def test_the_timeline_keeps_the_title_not_the_address(agent_client, agent, seed_tree):
    ticket = make_ticket(assigned_to=agent)
    send(agent_client, TUTORIAL, email="autre.adresse@example.fr", ticket=ticket.pk)
    event = ticket.events.get(kind=TicketEvent.Kind.LINK)
    assert "autre.adresse" not in event.summary and "Activer sa e-CPS" in event.summary
