"""Replies by e-mail come back into their ticket (triage.inbound): matched by our
Message-ID, then by the reference from the ticket's own address, then by the private link;
only what is new is kept; machines, floods and broken mails never disturb a ticket."""

import io
import mailbox
from email.message import EmailMessage

import pytest
from django.core.management import call_command

from triage.inbound import FLOOD, MASKED, mask_secrets, new_text, receive
from triage.models import OutgoingMail, Ticket, TicketEvent
from triage.services import send_reply
from triage.tests.factories import make_ticket

PRO = "claire.martin@example.fr"


@pytest.fixture(autouse=True)
def mails_leave_at_once(monkeypatch):
    """A test's transaction never commits: mails leave as soon as they are queued."""
    monkeypatch.setattr("django.db.transaction.on_commit",
                        lambda func, using=None, robust=False: func())


@pytest.fixture
def replied(db, agent):
    """A ticket assigned to Agathe, who has written to the professional and waits."""
    ticket = make_ticket(assigned_to=agent)
    send_reply(ticket=ticket, subject="Votre e-CPS", body="Bonjour, avez-vous essayé ?",
               actor=agent, then_status=Ticket.Status.WAITING)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    return ticket


def reply_to(ticket, text, *, sender=PRO, subject=None, headers=None) -> bytes:
    """The professional's mail client answering the last e-mail of the ticket."""
    sent = OutgoingMail.objects.filter(ticket=ticket, to_agent=False).last()
    message = EmailMessage()
    message["From"] = f"Claire Martin <{sender}>"
    message["To"] = sent.sender
    message["Subject"] = subject if subject is not None else f"RE: {sent.subject}"
    message["Message-ID"] = f"<reponse-{abs(hash(text))}@example.fr>"
    for name, value in (headers if headers is not None else {
            "In-Reply-To": sent.message_id}).items():
        message[name] = value
    message.set_content(text)
    return message.as_bytes()


def answers(ticket) -> list[str]:
    return list(ticket.events.filter(kind=TicketEvent.Kind.ANSWER).values_list("text",
                                                                               flat=True))


def test_an_answer_by_e_mail_lands_in_its_ticket_with_the_effects_of_one_on_the_page(
        replied, agent, mailoutbox):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    assert sent.message_id.startswith("<") and sent.message_id.endswith(">")
    mailoutbox.clear()
    received = receive(reply_to(replied, "Toujours rien reçu.\n\nLe lun. 3 déc. 2026 à 10:00, "
                                         "Assistance <a@b.fr> a écrit :\n> Bonjour, avez-vous "
                                         "essayé ?"))
    assert received.result == "threaded" and received.ticket == replied
    replied.refresh_from_db()
    assert answers(replied) == ["Toujours rien reçu."]
    assert replied.status == Ticket.Status.NEW and replied.due_at is not None
    assert [mail.to for mail in mailoutbox] == [[agent.email]]  # the assignee is told


def test_outgoing_mails_carry_the_message_id_that_is_stored(replied, mailoutbox):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    assert mailoutbox[-1].extra_headers["Message-ID"] == sent.message_id
    assert "OOF" in mailoutbox[-1].extra_headers["X-Auto-Response-Suppress"]


def test_a_reply_citing_us_only_in_its_references_is_matched(replied):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    raw = reply_to(replied, "Voici.", headers={
        "References": f"<autre@example.fr> {sent.message_id}"})
    assert receive(raw).ticket == replied


def test_a_second_reply_citing_the_first_finds_the_ticket(replied):
    first = reply_to(replied, "Premier message.")
    receive(first)
    first_id = TicketEvent.objects.get(ticket=replied, kind=TicketEvent.Kind.ANSWER).message_id
    second = reply_to(replied, "Et j'ajoute ceci.", subject="Complément",
                      headers={"In-Reply-To": first_id})
    assert receive(second).ticket == replied


def test_the_reference_in_the_subject_counts_only_from_the_ticket_s_own_address(replied):
    subject = f"Ma demande {replied.reference}"
    stranger = reply_to(replied, "Je lis votre ticket.", sender="inconnu@example.org",
                        subject=subject, headers={})
    assert receive(stranger).result == "unmatched"
    own = reply_to(replied, "C'est encore moi.", subject=subject, headers={})
    assert receive(own).ticket == replied
    assert answers(replied) == ["C'est encore moi."]


def test_the_private_link_in_the_quoted_mail_is_a_signed_marker(replied):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    link = sent.body.rsplit("http", 1)[1].split()[0]
    raw = reply_to(replied, f"Réponse sans en-têtes.\n\n> Lien : http{link}",
                   subject="sans objet", headers={})
    assert receive(raw).ticket == replied
    forged = reply_to(replied, "Lien forgé : http://x/aide/suivi/12:faux/", subject="x",
                      headers={})
    assert receive(forged).result == "unmatched"


def test_the_sender_s_address_alone_matches_nothing(replied):
    raw = reply_to(replied, "Bonjour, c'est Claire.", subject="Bonjour", headers={})
    assert receive(raw).result == "unmatched"
    assert answers(replied) == []


def test_a_reply_to_a_merged_ticket_goes_to_the_kept_one(replied):
    kept = make_ticket()
    Ticket.objects.filter(pk=replied.pk).update(merged_into=kept)
    assert receive(reply_to(replied, "Pour le ticket fusionné.")).ticket == kept
    assert answers(kept) == ["Pour le ticket fusionné."]


def test_a_reply_to_a_closed_ticket_reopens_it(replied, agent):
    from triage.services import change_status

    change_status(ticket=replied, status=Ticket.Status.RESOLVED, actor=agent)
    receive(reply_to(replied, "En fait non, ça ne marche pas."))
    replied.refresh_from_db()
    assert replied.status == Ticket.Status.NEW and replied.closed_at is None


def test_a_reply_to_a_purged_ticket_is_left_for_the_team(replied):
    from triage.services import anonymise

    raw = reply_to(replied, "Bonjour ?")
    anonymise(replied)
    assert receive(raw).result == "unmatched"


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"X-Autoreply": "yes"},
    {"Precedence": "bulk"},
    {"X-Auto-Response-Suppress": "All"},
    {"List-Id": "<liste.example.fr>"},
])
def test_out_of_office_replies_are_noted_never_taken_as_an_answer(replied, headers):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    raw = reply_to(replied, "Je suis absente jusqu'au 10.",
                   headers={"In-Reply-To": sent.message_id, **headers})
    assert receive(raw).result == "automatic"
    replied.refresh_from_db()
    assert replied.status == Ticket.Status.WAITING and answers(replied) == []
    assert replied.events.filter(summary__startswith="Message automatique reçu").count() == 1


def test_a_bounce_is_recognised(replied):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    bounce = (f"From: MAILER-DAEMON@example.fr\nTo: {sent.sender}\nIn-Reply-To: "
              f"{sent.message_id}\nSubject: Undelivered Mail Returned to Sender\n"
              "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
              "--b\nContent-Type: text/plain\n\nDelivery failed.\n--b\n"
              "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.fr\n"
              "\nAction: failed\n--b--\n")
    assert receive(bounce.encode()).result == "automatic"
    replied.refresh_from_db()
    assert replied.status == Ticket.Status.WAITING


def test_the_same_mail_twice_is_filed_once(replied):
    raw = reply_to(replied, "Une seule fois.")
    assert receive(raw).result == "threaded"
    assert receive(raw).result == "duplicate"
    assert answers(replied) == ["Une seule fois."]


def test_our_own_mail_coming_back_is_not_an_answer(replied, mailoutbox):
    assert receive(mailoutbox[-1].message().as_bytes()).result == "duplicate"


def test_a_sender_writing_in_a_loop_is_throttled(replied):
    count, _period = FLOOD
    results = [receive(reply_to(replied, f"Message {n}.")).result for n in range(count + 1)]
    assert results[:count] == ["threaded"] * count and results[count] == "throttled"


def test_a_pin_in_a_mail_is_masked_and_the_professional_told_once(replied, mailoutbox):
    mailoutbox.clear()
    receive(reply_to(replied, "Bonjour.\n\nMon code PIN est 4821, je l'ai tapé trois fois."
                              "\n\nMerci de votre aide."))
    receive(reply_to(replied, "Mon mot de passe e-CPS est 1397 ! Que faire ?"))
    texts = answers(replied)
    assert texts[0] == f"Bonjour.\n\n{MASKED}\n\nMerci de votre aide."
    assert texts[1] == MASKED
    notices = [mail for mail in mailoutbox if mail.to == [PRO]]
    assert len(notices) == 1 and "masqué" in notices[0].body


@pytest.mark.parametrize("text", [
    "Mon code PIN :\n4821",
    "mot de passe : Jean.Dupont75 merci",
    "Mon mot de passe est « marguerite ».",
    "mon code est quatre huit deux un",
    "Voici mon mdp : P@ssw0rd-2024",
])
def test_no_detected_secret_is_ever_stored(text):
    from kb.privacy import contains_secret

    masked, found = mask_secrets(text)
    assert found and not contains_secret(masked)
    assert masked == MASKED


def test_an_agent_answering_the_notice_is_not_the_professional_answering(replied, agent):
    from triage.services import professional_answer

    professional_answer(ticket=replied, text="Voici.")
    notice = OutgoingMail.objects.filter(ticket=replied, to_agent=True).last()
    message = EmailMessage()
    message["From"] = agent.email
    message["Subject"] = "RE: " + notice.subject
    message["In-Reply-To"] = notice.message_id
    message.set_content("Je m'en occupe.")
    assert receive(message.as_bytes()).result == "unmatched"
    assert answers(replied) == ["Voici."]


def test_a_database_failure_leaves_the_mail_for_the_next_pass(replied, monkeypatch):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("triage.inbound.professional_answer", down)
    with pytest.raises(OperationalError):
        receive(reply_to(replied, "Ma réponse."))


def test_the_throttle_is_a_one_minute_window(replied, monkeypatch):
    count, _period = FLOOD
    now = [1_800_000_000.0]
    monkeypatch.setattr("triage.inbound.time.time", lambda: now[0])
    results = [receive(reply_to(replied, f"Message {n}.")).result for n in range(count + 1)]
    assert results[-1] == "throttled"
    now[0] += 60  # the next minute: the sender is heard again
    assert receive(reply_to(replied, "Le suivant.")).result == "threaded"


def png(width=40, height=20) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, "PNG")
    return out.getvalue()


def test_images_and_pdfs_are_kept_for_the_ticket_s_agents_only(replied, agent_client,
                                                              django_user_model):
    message = EmailMessage()
    message["From"] = PRO
    message["Subject"] = "Captures"
    message["In-Reply-To"] = OutgoingMail.objects.get(ticket=replied).message_id
    message.set_content("Voici les captures.")
    message.add_attachment(png(), maintype="image", subtype="png", filename="ecran.png")
    message.add_attachment(b"%PDF-1.4 attestation", maintype="application", subtype="pdf",
                           filename="attestation.pdf")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream",
                           filename="outil.exe")
    message.add_attachment(b"pas une image", maintype="image", subtype="png",
                           filename="faux.png")
    receive(message.as_bytes())
    [text] = answers(replied)
    assert text.startswith("Voici les captures.")
    assert "outil.exe, faux.png" in text and "non conservées" in text
    image, pdf = replied.attachments.order_by("id")
    assert (image.name, image.content_type, pdf.name) == ("ecran.png", "image/png",
                                                          "attestation.pdf")
    page = agent_client.get(replied.get_absolute_url()).content.decode()
    assert image.get_absolute_url() in page and "ecran.png" in page
    shown = agent_client.get(image.get_absolute_url())
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert "sandbox" in shown["Content-Security-Policy"]
    assert b"".join(shown.streaming_content).startswith(b"\x89PNG")
    download = agent_client.get(pdf.get_absolute_url())
    assert download["Content-Disposition"].startswith("attachment")
    # Never public: not under the site's media, and nobody else gets it.
    assert "/media/" not in image.file.path
    from django.test import Client

    assert Client().get(image.get_absolute_url()).status_code == 302  # to the login page
    outsider = django_user_model.objects.create_user("x", "x@example.fr", "x", is_staff=True)
    outsider.user_permissions.set(replied.assigned_to.user_permissions.all())
    stranger = Client()
    stranger.force_login(outsider)  # an agent of no team: the ticket does not exist
    assert stranger.get(image.get_absolute_url()).status_code in (403, 404)


def test_attachments_are_erased_with_the_ticket_s_personal_data(replied):
    from pathlib import Path

    from triage.services import anonymise

    message = EmailMessage()
    message["From"] = PRO
    message["Subject"] = "Capture"
    message["In-Reply-To"] = OutgoingMail.objects.get(ticket=replied).message_id
    message.set_content("Voici.")
    message.add_attachment(png(), maintype="image", subtype="png", filename="ecran.png")
    receive(message.as_bytes())
    path = Path(replied.attachments.get().file.path)
    assert path.exists()
    anonymise(replied)
    assert not path.exists() and not replied.attachments.exists()


# --- Real replies: what is new in them -----------------------------------------------------

SAMPLES = {
    "gmail": ("Merci, ça marche !\n\nLe jeu. 3 déc. 2026 à 10:12, Assistance e-CPS <"
              "assistance@example.fr> a écrit :\n> Bonjour,\n> Avez-vous essayé ?\n",
              "Merci, ça marche !"),
    "gmail, header on two lines": (
        "Toujours pas.\n\nLe jeu. 3 déc. 2026 à 10:12, Équipe d'assistance e-CPS de l'ARS <\n"
        "assistance-tres-longue@example.fr> a écrit :\n> Bonjour,\n", "Toujours pas."),
    "outlook": ("Bonjour,\nLe SMS n'arrive pas.\n\nCordialement,\nDr Martin\n\n"
                "________________________________\nDe : Assistance e-CPS <a@example.fr>\n"
                "Envoyé : jeudi 3 décembre 2026 10:12\nÀ : Claire Martin <c@example.fr>\n"
                "Objet : [ECPS-2026-000001] Votre e-CPS\n\nBonjour,\n",
                "Bonjour,\nLe SMS n'arrive pas."),
    "outlook without spaces": ("Ok pour moi.\n\nDe: Assistance <a@example.fr>\nEnvoyé: jeudi\n"
                               "À: Claire\nObjet: RE: x\n\nBonjour\n", "Ok pour moi."),
    "message d'origine": ("C'est réglé.\n\n-----Message d'origine-----\nDe : Assistance\n"
                          "Objet : x\n", "C'est réglé."),
    "iphone": ("D'accord.\n\nEnvoyé de mon iPhone\n\n> Le 3 déc. 2026 à 10:12, Assistance "
               "<a@example.fr> a écrit :\n>\n> Bonjour\n", "D'accord."),
    "thunderbird": ("Ça ne fonctionne toujours pas.\n\n-- \nPaul Durand\nInfirmier\n\n"
                    "Le 03/12/2026 à 10:12, Assistance a écrit :\n> Bonjour\n",
                    "Ça ne fonctionne toujours pas."),
    "a list in the answer": ("J'ai essayé :\n- la réinstallation\n- un autre téléphone\n\n"
                             "Le jeu. 3 déc. 2026 à 10:12, A <a@b.fr> a écrit :\n> x\n",
                             "J'ai essayé :\n- la réinstallation\n- un autre téléphone"),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_only_what_is_new_is_kept(name):
    full, expected = SAMPLES[name]
    assert new_text(full) == expected


def test_an_html_only_reply_is_read_without_its_quote(replied):
    message = EmailMessage()
    message["From"] = PRO
    message["Subject"] = "Re"
    message["In-Reply-To"] = OutgoingMail.objects.get(ticket=replied).message_id
    message.set_content('<div dir="ltr">Résolu, merci&nbsp;!</div><div class="gmail_quote">'
                        "<blockquote>Bonjour, avez-vous essayé ?</blockquote></div>",
                        subtype="html")
    receive(message.as_bytes())
    assert answers(replied) == ["Résolu, merci\u00a0!"]


# --- Broken mails never stop the rest ------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b"From: x@example.fr\nContent-Type: multipart/mixed; boundary=\"zzz\"\n\n--zzz\n"
    b"Content-Type: text/plain\n\nsans fin",
    b"From: x@example.fr\nSubject: =?x-inconnu?q?=E9t=E9?=\nContent-Type: text/plain; "
    b"charset=x-inconnu\n\n\xe9t\xe9 \xff\xfe",
    b"From: x@example.fr\nSubject: a\r\nBcc: victime@example.org\n\nbonjour",
    b"\x00\x01\x02 pas un e-mail",
    b"",
])
def test_a_broken_mail_is_answered_never_raised(db, raw):
    assert receive(raw).result in ("unmatched", "unreadable")


def test_a_wrong_charset_still_reaches_its_ticket(replied):
    sent = OutgoingMail.objects.get(ticket=replied, to_agent=False)
    raw = (f"From: {PRO}\nIn-Reply-To: {sent.message_id}\nMessage-ID: <cs@example.fr>\n"
           "Subject: re\nContent-Type: text/plain; charset=x-inconnu\n\n"
           "Toujours bloqu\xe9e.").encode("latin-1")
    assert receive(raw).result == "threaded"
    assert answers(replied)[0].startswith("Toujours bloqu")


def test_a_huge_attachment_does_not_stop_the_answer(replied):
    message = EmailMessage()
    message["From"] = PRO
    message["Subject"] = "Vidéo"
    message["In-Reply-To"] = OutgoingMail.objects.get(ticket=replied).message_id
    message.set_content("Voici la vidéo.")
    message.add_attachment(b"0" * (30 * 1024 * 1024), maintype="video", subtype="mp4",
                           filename="ecran.mp4")
    assert receive(message.as_bytes()).result == "threaded"
    assert "ecran.mp4" in answers(replied)[0] and not replied.attachments.exists()


# --- The pipe command ----------------------------------------------------------------------

def test_the_pipe_command_files_a_reply_and_leaves_the_rest_in_the_team_s_folder(
        replied, settings, tmp_path, monkeypatch):
    settings.TRIAGE_UNMATCHED_MAILDIR = str(tmp_path / "non-rattaches")
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(reply_to(replied, "Ok."))))
    call_command("receive_mail", stdout=out)
    assert out.getvalue().strip() == "ajouté à son ticket" and answers(replied) == ["Ok."]
    stray = reply_to(replied, "Bonjour", subject="Question", headers={})
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stray)))
    call_command("receive_mail", stdout=io.StringIO())
    kept = list(mailbox.Maildir(settings.TRIAGE_UNMATCHED_MAILDIR))
    assert len(kept) == 1 and kept[0]["Subject"] == "Question"
