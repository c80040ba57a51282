"""An agent replies in the browser; the professional answers *by e-mail*, through real SMTP
and IMAP servers; after one pass of the mailbox timer the agent reads the answer in the
ticket."""

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from teams.models import Team
from tests.browser.test_triage_browser import agent_login  # noqa: F401 - a fixture
from tests.mail.servers import PRO, TEAM, imap_config
from tests.mail.test_mail_loop import empty, inbox
from triage.management.commands.poll_mailbox import poll
from triage.models import Ticket
from triage.tests.factories import make_ticket

pytestmark = pytest.mark.browser


def test_an_answer_by_e_mail_appears_in_the_ticket_after_one_poll(agent_login, dovecot,  # noqa: F811
                                                                  mail_through_smtp):
    empty(dovecot, TEAM)
    empty(dovecot, PRO)
    Team.objects.filter(pk=Team.national().pk).update(email=TEAM)
    ticket = make_ticket(email=PRO)
    page = agent_login()
    page.get_by_role("link", name=ticket.reference).click()
    page.get_by_label("Message").fill("Bonjour, le SMS est-il arrivé ?")
    page.get_by_role("button", name=f"Envoyer à {PRO}").click()
    assert "Réponse envoyée par e-mail." in page.content()

    [raw] = inbox(dovecot, PRO)
    received = message_from_bytes(raw, policy=policy.default)
    answer = EmailMessage()
    answer["From"], answer["To"] = PRO, received["Reply-To"]
    answer["Subject"] = "RE: " + received["Subject"]
    answer["In-Reply-To"] = received["Message-ID"]
    answer["Message-ID"] = "<reponse-navigateur@example.test>"
    answer.set_content("Oui, merci : c'est activé.\n\n> " + received.get_content()[:80])
    with smtplib.SMTP(mail_through_smtp["host"], mail_through_smtp["port"]) as smtp:
        smtp.send_message(answer)

    assert poll(imap_config(dovecot, TEAM)) == {"threaded": 1}  # the timer's one pass
    page.reload()
    timeline = page.locator(".timeline").inner_text()
    assert "Le demandeur a répondu par e-mail" in timeline
    assert "Oui, merci : c'est activé." in timeline
    assert "le SMS est-il arrivé" in timeline  # the reply, once; the quote is not kept twice
    assert timeline.count("le SMS est-il arrivé") == 1
    page.screenshot(path="/tmp/reponse-par-email.png", full_page=True)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
