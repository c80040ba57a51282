"""The whole loop through real protocols: an agent's reply leaves by SMTP and reaches the
professional's mailbox; the professional answers from it, by SMTP, into the team's mailbox;
`poll_mailbox` reads that over IMAPS and files the answer in the ticket. Broken mails and
strangers' mails in the same mailbox are set aside without stopping the rest."""

import smtplib
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from teams.models import Team
from tests.mail.servers import PRO, TEAM, imap_config
from triage.management.commands.poll_mailbox import connect, poll
from triage.models import OutgoingMail, Ticket, TicketEvent
from triage.services import send_reply
from triage.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def mails_leave_at_once(monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit",
                        lambda func, using=None, robust=False: func())


def inbox(dovecot, user, folder="INBOX") -> list[bytes]:
    with connect(imap_config(dovecot, user)) as client:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder)
        fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[]"])
        return [data[b"BODY[]"] for _uid, data in sorted(fetched.items())]


def empty(dovecot, user) -> None:
    with connect(imap_config(dovecot, user)) as client:
        for folder in ("INBOX", "Traités", "Non rattachés"):
            if client.folder_exists(folder):
                client.select_folder(folder)
                uids = client.search("ALL")
                if uids:
                    client.delete_messages(uids)
                    client.expunge()


def test_a_reply_by_e_mail_comes_back_into_the_ticket(db, dovecot, mail_through_smtp, agent,
                                                      settings):
    empty(dovecot, TEAM)
    empty(dovecot, PRO)
    Team.objects.filter(pk=Team.national().pk).update(email=TEAM)
    ticket = make_ticket(email=PRO, assigned_to=agent)
    send_reply(ticket=ticket, subject="Votre e-CPS", body="Bonjour, avez-vous reçu le SMS ?",
               actor=agent, then_status=Ticket.Status.WAITING)
    sent = OutgoingMail.objects.get(ticket=ticket, to_agent=False)
    assert sent.status == OutgoingMail.Status.SENT

    # The professional finds it in their mailbox and answers from their mail client.
    [raw] = inbox(dovecot, PRO)
    received = message_from_bytes(raw, policy=policy.default)
    assert received["Message-ID"] == sent.message_id
    answer = EmailMessage()
    answer["From"], answer["To"] = f"Claire Martin <{PRO}>", received["Reply-To"]
    answer["Subject"] = "RE: " + received["Subject"]
    answer["In-Reply-To"] = answer["References"] = received["Message-ID"]
    answer["Message-ID"] = "<reponse-1@example.test>"
    quoted = "\n".join("> " + line for line in received.get_content().splitlines())
    answer.set_content("Non, toujours pas de SMS.\n\nLe jeu. 3 déc. 2026 à 10:12, "
                       f"{received['From']} a écrit :\n{quoted}\n")
    with smtplib.SMTP(mail_through_smtp["host"], mail_through_smtp["port"]) as smtp:
        smtp.send_message(answer)

    # In the same mailbox: a stranger's mail, a broken one, one with a huge attachment.
    stray = EmailMessage()
    stray["From"], stray["To"], stray["Subject"] = "x@example.org", TEAM, "Question"
    stray.set_content("Bonjour, comment activer ma e-CPS ?")
    big = EmailMessage()
    big["From"], big["To"], big["Subject"] = PRO, TEAM, f"{received['Subject']} (vidéo)"
    big["Message-ID"] = "<reponse-2@example.test>"
    big.set_content("La vidéo de l'écran.")
    big.add_attachment(b"0" * (30 * 1024 * 1024), maintype="video", subtype="mp4",
                       filename="ecran.mp4")
    with connect(imap_config(dovecot, TEAM)) as client:
        client.append("INBOX", stray.as_bytes())
        client.append("INBOX", b"From: y@example.org\nContent-Type: multipart/mixed; "
                               b"boundary=zz\n\n--zz\nsans fin \xff")
        client.append("INBOX", big.as_bytes())

    counts = poll(imap_config(dovecot, TEAM))
    assert counts == {"threaded": 2, "unmatched": 2}
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    texts = list(ticket.events.filter(kind=TicketEvent.Kind.ANSWER).values_list("text",
                                                                                flat=True))
    assert texts[0] == "Non, toujours pas de SMS."
    assert texts[1].startswith("La vidéo de l'écran.")
    assert inbox(dovecot, TEAM) == []
    assert len(inbox(dovecot, TEAM, "Traités")) == 2
    assert len(inbox(dovecot, TEAM, "Non rattachés")) == 2
    # The assignee is told, by SMTP too.
    assert OutgoingMail.objects.filter(ticket=ticket, to_agent=True,
                                       status=OutgoingMail.Status.SENT).count() == 2
    assert [to for to, _raw in mail_through_smtp["elsewhere"]][-2:] == [agent.email] * 2
    # A second pass finds nothing new.
    assert poll(imap_config(dovecot, TEAM)) == {}


def test_a_mailbox_that_is_down_or_hung_is_a_clear_failure(db, dovecot, settings):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    settings.TRIAGE_IMAP = imap_config(dovecot, TEAM, port=port)
    with pytest.raises(CommandError, match="injoignable"):
        call_command("poll_mailbox")

    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen()  # accepts, never answers
    stop = threading.Event()
    try:
        settings.TRIAGE_IMAP = imap_config(dovecot, TEAM, port=hung.getsockname()[1],
                                           timeout=1)
        with pytest.raises(CommandError, match="injoignable"):
            call_command("poll_mailbox")
    finally:
        stop.set()
        hung.close()


def test_a_wrong_password_is_a_clear_failure(db, dovecot, settings):
    settings.TRIAGE_IMAP = imap_config(dovecot, TEAM, password="faux")
    with pytest.raises(CommandError, match="refusé"):
        call_command("poll_mailbox")


def test_a_mail_with_a_pin_is_masked_in_the_ticket_and_not_kept_in_the_mailbox(
        db, dovecot, mail_through_smtp, agent):
    from triage.inbound import MASKED

    empty(dovecot, TEAM)
    ticket = make_ticket(email=PRO, assigned_to=agent)
    send_reply(ticket=ticket, subject="Votre e-CPS", body="Bonjour", actor=agent)
    sent = OutgoingMail.objects.get(ticket=ticket, to_agent=False)
    answer = EmailMessage()
    answer["From"], answer["To"], answer["Subject"] = PRO, TEAM, "RE: Votre e-CPS"
    answer["In-Reply-To"], answer["Message-ID"] = sent.message_id, "<pin@example.test>"
    answer.set_content("Mon code PIN est 4821, il est bloqué.")
    with connect(imap_config(dovecot, TEAM)) as client:
        client.append("INBOX", answer.as_bytes())
    assert poll(imap_config(dovecot, TEAM)) == {"threaded": 1}
    assert list(ticket.events.filter(kind=TicketEvent.Kind.ANSWER).values_list(
        "text", flat=True)) == [MASKED]
    assert inbox(dovecot, TEAM) == [] and inbox(dovecot, TEAM, "Traités") == []
