from triage.models import Ticket

STEP = "/parcours/methode-b/methode-b-probleme/"


def test_an_agent_walking_the_wizard_can_file_a_ticket_at_any_step(agent_client, agent,
                                                                    seed_tree):
    html = agent_client.get(STEP).content.decode()
    assert f'href="/agents/nouveau/?depuis={STEP}"' in html

    form = agent_client.get("/agents/nouveau/", {"depuis": STEP}).content.decode()
    assert "Votre e-CPS est-elle activée ? <strong>Non, elle n&#x27;est pas activée</strong>" \
        in form
    response = agent_client.post("/agents/nouveau/", {
        "depuis": STEP, "name": "Jean Appel", "email": "jean@example.fr",
        "profession": "infirmier", "identifier_type": "adeli", "identifier_number": "2A1234567",
        "service": "ecps", "description": "Appel : ne reçoit pas le SMS.", "consent": "on",
    })
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.source == Ticket.Source.PHONE
    assert ticket.assigned_to == agent and ticket.status == Ticket.Status.IN_PROGRESS
    assert [entry["answer"] for entry in ticket.trail] == [
        "Non, je n'ai pas de carte", "Non, elle n'est pas activée"]
    assert ticket.outcome_title == "Que se passe-t-il ?"


def test_visitors_do_not_see_agent_mode(client, seed_tree):
    assert "/agents/nouveau/" not in client.get(STEP).content.decode()
