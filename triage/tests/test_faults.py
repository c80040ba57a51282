"""Mail and database failures never turn a saved request into an error page."""

import socket
import threading

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import OperationalError

from triage.models import OutgoingMail, Ticket
from triage.tests.factories import VALID_FORM

SMTP = "django.core.mail.backends.smtp.EmailBackend"


class BrokenBackend(django_mail.backends.base.BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def silent_smtp_server():
    """A mail server that accepts the connection and then never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    yield server.getsockname()[1]
    for connection, _address in accepted:
        connection.close()
    server.close()


def file_request(client, capture):
    with capture(execute=True):
        return client.post("/aide/", VALID_FORM)


def test_a_failing_mail_server_keeps_the_ticket_and_shows_the_reference(
        client, seed_tree, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "triage.tests.test_faults.BrokenBackend"
    response = file_request(client, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.reference in client.get(response["Location"]).content.decode()
    mail = ticket.mails.get()
    assert (mail.status, mail.attempts, mail.last_error) == ("pending", 1,
                                                             "ConnectionRefusedError")


def test_a_hanging_mail_server_costs_its_timeout_then_the_mail_waits(
        client, seed_tree, settings, silent_smtp_server, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_smtp_server
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 1
    response = file_request(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    mail = OutgoingMail.objects.get()
    # smtplib reports the timeout while waiting for the greeting as a disconnection.
    assert (mail.status, mail.attempts, mail.last_error) == ("pending", 1,
                                                             "SMTPServerDisconnected")


def test_the_timer_sends_what_waited_and_the_agent_sees_each_state(
        client, agent_client, seed_tree, settings, mailoutbox,
        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "triage.tests.test_faults.BrokenBackend"
    file_request(client, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    page = agent_client.get(f"/agents/tickets/{ticket.pk}/").content.decode()
    assert "en attente d&#x27;envoi" in page or "en attente d'envoi" in page
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_mail", verbosity=0)
    assert OutgoingMail.objects.get().status == "sent"
    assert len(django_mail.outbox) == 1 and ticket.reference in django_mail.outbox[0].subject
    assert "envoyé" in agent_client.get(f"/agents/tickets/{ticket.pk}/").content.decode()


def test_after_five_attempts_a_mail_is_marked_failed(client, seed_tree, settings,
                                                      django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "triage.tests.test_faults.BrokenBackend"
    file_request(client, django_capture_on_commit_callbacks)
    for _ in range(10):
        call_command("send_pending_mail", verbosity=0)
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts) == ("failed", OutgoingMail.MAX_ATTEMPTS)


def test_a_database_failure_is_a_french_503_not_a_500(client, seed_tree, monkeypatch):
    def database_gone(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("triage.services.file_ticket", database_gone)
    response = client.post("/aide/", VALID_FORM)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service momentanément indisponible" in response.content.decode()
    monkeypatch.undo()  # the database is back: no restart needed
    assert client.post("/aide/", VALID_FORM).status_code == 302


def test_the_health_endpoint_reports_database_and_cache(client, db):
    response = client.get("/sante/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert set(response.json().values()) == {"OK"} and len(response.json()) == 2


def test_purge_erases_the_mails_too(client, seed_tree, django_capture_on_commit_callbacks):
    from triage.services import anonymise

    file_request(client, django_capture_on_commit_callbacks)
    anonymise(Ticket.objects.get())
    mail = OutgoingMail.objects.get()
    assert (mail.to, mail.body) == ("", "[effacé]")


HUNG_DATABASE_VISIT = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/aide/")
print(response.status_code, "Service momentanément indisponible" in response.content.decode())
"""


def test_a_hung_database_gives_the_french_503_after_its_connect_timeout(silent_smtp_server):
    """A PostgreSQL address that accepts the connection and never answers (the same silent
    server as for mail): the connect timeout ends the wait and the visitor gets the 503."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:{silent_smtp_server}/test",
           "DATABASE_TIMEOUT": "2"}
    result = subprocess.run([sys.executable, "-c", HUNG_DATABASE_VISIT], env=env,
                            cwd=Path(__file__).resolve().parents[2], capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.split() == ["503", "True"], result.stderr[-2000:]
