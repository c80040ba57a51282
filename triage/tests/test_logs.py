"""What the site logs never holds personal data: not the e-mail, the name, the description,
the identifier, nor a search's words."""

import logging

from kb.middleware import JsonFormatter
from triage.tests.factories import VALID_FORM

PERSONAL = [VALID_FORM["email"], VALID_FORM["name"], "Claire", VALID_FORM["description"],
            VALID_FORM["identifier_number"], "Dupontel", "qr+code", "qr code"]


def logged_lines(caplog) -> list[str]:
    formatter = JsonFormatter()
    return [formatter.format(record) for record in caplog.records]


def test_a_help_request_and_a_search_log_nothing_personal(client, seed_tree, caplog, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/aide/", {**VALID_FORM, "depuis": "/parcours/methode-b/"})
        client.post("/aide/", {**VALID_FORM, "email": "pas-un-email"})  # an error page too
    client.get("/recherche/", {"q": "qr code Dupontel"})
    client.get("/recherche/?q=Dupontel", headers={"HX-Request": "true"})
    lines = logged_lines(caplog)
    requests = [line for line in lines if '"logger": "helpdesk.requests"' in line]
    assert len(requests) == 4
    assert '"path": "/recherche/"' in requests[2] and '"status": 200' in requests[2]
    for line in lines:
        for value in PERSONAL:
            assert value not in line, (value, line)


def test_the_private_link_and_the_answer_are_not_logged(client, seed_tree, caplog):
    from triage.models import Ticket

    client.post("/aide/", VALID_FORM)
    ticket = Ticket.objects.get()
    caplog.set_level(logging.DEBUG)
    client.get(ticket.get_follow_url())
    client.post(ticket.get_follow_url(), {"text": "Réponse de Claire : toujours bloquée."})
    client.post(ticket.get_follow_url(), {"text": ""})  # a 400, which Django logs with its path
    lines = logged_lines(caplog)
    assert any('"logger": "django.request"' in line and "/aide/suivi/<clé>/" in line
               for line in lines)
    assert any('"path": "/aide/suivi/<str:token>/"' in line for line in lines)
    for line in lines:
        assert ticket.follow_token not in line and "toujours bloquée" not in line
