"""No request waits for the mail server, and each mail leaves at most once whatever runs in
parallel (issue 25 §2 and §3)."""

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from kb.models import SupportLine
from triage import services
from triage.models import OutgoingMail
from triage.tests.factories import VALID_FORM, make_ticket
from triage.tests.test_faults import SMTP

SENT: list[str] = []
SENT_LOCK = threading.Lock()


class SlowCountingBackend(django_mail.backends.base.BaseEmailBackend):
    """A mail server that takes a moment per mail (so that two runs overlap) and counts
    what it was given."""

    def send_messages(self, messages):
        for message in messages:
            threading.Event().wait(0.05)
            with SENT_LOCK:
                SENT.append(message.subject)
        return len(messages)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL (make test-pg, .ci/run)")
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_each_mail_once(settings):
    settings.EMAIL_BACKEND = "triage.tests.test_mail_once.SlowCountingBackend"
    ticket = make_ticket()
    OutgoingMail.objects.bulk_create([
        OutgoingMail(ticket=ticket, to=ticket.email, subject=f"Message {n}", body="Bonjour")
        for n in range(20)])
    SENT.clear()

    def run(_):
        try:
            call_command("send_pending_mail", verbosity=0)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, range(2)))
    print(f"\n2 envois simultanés, 20 e-mails : {len(SENT)} envoyés, "
          f"{len(SENT) - len(set(SENT))} en double")
    assert sorted(SENT) == sorted(f"Message {n}" for n in range(20))
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_mail_already_claimed_is_not_sent_again(db, settings, mailoutbox):
    ticket = make_ticket()
    mail = OutgoingMail.objects.create(ticket=ticket, to=ticket.email, subject="Objet",
                                       body="Bonjour")
    assert services.deliver(mail.pk) is True
    assert services.deliver(mail.pk) is False  # a second sender finds it sent
    assert len(mailoutbox) == 1


def test_a_sender_that_died_mid_send_releases_its_mail_after_the_lease(db, mailoutbox):
    from django.utils import timezone

    ticket = make_ticket()
    mail = OutgoingMail.objects.create(
        ticket=ticket, to=ticket.email, subject="Objet", body="Bonjour", status="sending",
        claimed_at=timezone.now() - OutgoingMail.CLAIM_LEASE * 2)
    call_command("send_pending_mail", verbosity=0)
    mail.refresh_from_db()
    assert mail.status == "sent" and len(mailoutbox) == 1


def run_as_the_worker(task, *args):
    """What `db_worker` does with a job, in a thread with its own database connection."""
    try:
        task.call(*args)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_help_request_never_waits_for_a_hung_mail_server(settings):
    """The mail server accepts and does not answer until the test lets it go. The request
    answers at once: its mail is kept and handed to the task queue. The queue's worker then
    waits on the server, and records the failure for its next try."""
    from django_tasks import default_task_backend

    from triage import tasks

    call_command("load_content", verbosity=0)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    settings.TRIAGE_MAIL_IN_BACKGROUND = True
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.getsockname()[1]
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 60
    try:
        response = Client().post("/aide/", VALID_FORM)
        assert response.status_code == 302
        mail = OutgoingMail.objects.get()
        assert mail.status == "pending" and mail.sent_at is None
        [job] = default_task_backend.results
        assert job.task.func is tasks.send_mail.func and job.args == [mail.pk]
        worker = threading.Thread(target=run_as_the_worker, args=[tasks.send_mail, mail.pk])
        worker.start()  # held by the hung server
    finally:
        held, _address = server.accept()  # the worker's connection, waiting for a greeting
        held.close()
        server.close()
        worker.join()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("pending", 1)


def test_a_mail_that_cannot_be_built_is_failed_and_the_agent_is_told(
        agent_client, seed_tree, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    line = SupportLine.objects.get(slug="ans-support-e-cps")
    # A line name published before the single-line check existed.
    monkeypatch.setattr(services, "transfer_message", lambda **kwargs: {
        "subject": "Contactez le Support\nBcc: x@example.org", "body": "Bonjour"})
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(f"/agents/tickets/{ticket.pk}/transfert/",
                                     {"line": line.pk, "confirmer": "1"}, follow=True)
    mail = ticket.mails.get()
    assert (mail.status, mail.last_error) == ("failed", "BadHeaderError")
    assert mailoutbox == []
    event = ticket.events.get(kind="transferred")
    assert "n'a pas pu être préparé" in event.summary and "informée" not in event.summary
    page = response.content.decode()
    assert "prévenez la personne par téléphone" in page and "est informée" not in page
    assert "échec de l" in page


def test_a_line_break_in_a_line_name_is_refused_at_save(admin_user_client, seed_tree):
    from django.core.exceptions import ValidationError

    line = SupportLine.objects.get(slug="ans-support-e-cps")
    line.name = "Support\r\nBcc: x@example.org"
    with pytest.raises(ValidationError) as refused:
        line.full_clean()
    assert "une seule ligne" in str(refused.value)


def test_a_line_break_in_an_imported_line_name_is_refused_at_publication(seed_tree):
    from kb.document import draft_document
    from kb.validation import problems

    document = draft_document()
    document["support_lines"][0]["name"] = "Support\nBcc: x@example.org"
    assert any("une seule ligne" in problem.message for problem in problems(document))

