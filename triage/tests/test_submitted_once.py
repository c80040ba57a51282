"""The same form sent twice (a client that gives up after 3 s and sends it again, a double
tap) files one ticket, records one answer, sends one reply, transfers once (issue 25 §3)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from kb.models import SupportLine
from triage.models import OutgoingMail, Ticket, TicketEvent
from triage.tests.factories import VALID_FORM, make_ticket


def token_of(page) -> str:
    return re.search(r'name="jeton" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def test_a_help_request_sent_twice_files_one_ticket(client, seed_tree, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    token = token_of(client.get("/aide/"))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/aide/", {**VALID_FORM, "jeton": token})
        again = client.post("/aide/", {**VALID_FORM, "jeton": token})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]  # the same confirmation, the same reference
    assert Ticket.objects.count() == 1 and len(mailoutbox) == 1
    # A new form is a new request.
    client.post("/aide/", {**VALID_FORM, "jeton": token_of(client.get("/aide/"))})
    assert Ticket.objects.count() == 2


def test_a_form_with_errors_keeps_its_token(client, seed_tree):
    token = token_of(client.get("/aide/"))
    refused = client.post("/aide/", {**VALID_FORM, "email": "pas-une-adresse", "jeton": token})
    assert refused.status_code == 400 and token_of(refused) == token


def test_an_answer_on_the_private_page_sent_twice_is_recorded_once(client, seed_tree):
    ticket = make_ticket()
    token = token_of(client.get(ticket.get_follow_url()))
    for _ in range(2):
        response = client.post(ticket.get_follow_url(), {"text": "C'est reparti.",
                                                         "jeton": token})
        assert response.status_code == 302
    assert ticket.events.filter(kind=TicketEvent.Kind.ANSWER).count() == 1


def test_an_agent_reply_sent_twice_leaves_once(agent_client, seed_tree, mailoutbox,
                                               django_capture_on_commit_callbacks):
    ticket = make_ticket()
    token = token_of(agent_client.get(ticket.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            agent_client.post(f"/agents/tickets/{ticket.pk}/reponse/", {
                "subject": f"[{ticket.reference}] Votre demande", "body": "Bonjour,",
                "jeton": token})
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY).count() == 1
    assert len(mailoutbox) == 1


def test_a_transfer_confirmed_twice_happens_once(agent_client, seed_tree, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    ticket = make_ticket()
    line = SupportLine.objects.get(slug="ans-support-e-cps")
    url = f"/agents/tickets/{ticket.pk}/transfert/"
    token = token_of(agent_client.get(url, {"line": line.pk}))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = agent_client.post(url, {"line": line.pk, "confirmer": "1",
                                               "jeton": token})
            assert response.status_code == 302
    assert ticket.events.filter(kind=TicketEvent.Kind.TRANSFERRED).count() == 1
    assert OutgoingMail.objects.count() == 1 and len(mailoutbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL (make test-pg, .ci/run)")
@pytest.mark.django_db(transaction=True)
def test_ten_copies_of_one_form_at_the_same_moment_file_one_ticket(settings):
    settings.TRIAGE_RATE_LIMIT = (1000, 60)
    token = "0123456789abcdef0123456789abcdef"

    def submit(_):
        try:
            return Client().post("/aide/", {**VALID_FORM, "jeton": token}).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(submit, range(10)))
    print(f"\n10 envois simultanés du même formulaire : {Ticket.objects.count()} ticket(s)")
    assert statuses == [302] * 10
    assert Ticket.objects.count() == 1
