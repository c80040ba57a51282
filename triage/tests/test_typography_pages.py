"""French typography on the professional's own pages and e-mails too: the help form, its
confirmation, the follow-up page and the acknowledgement (« Votre référence : », « réglé ? »
with a no-break space), while what the person typed in a field is kept exactly as typed."""

import re
from html import unescape

from django.core import mail

from triage.models import Ticket
from triage.tests.factories import VALID_FORM

PLAIN_SPACE_BEFORE = re.compile(r"\w ([?!:;»])|« \w")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_help_form_confirmation_follow_page_and_e_mail_have_french_spacing(
        client, seed_tree, django_capture_on_commit_callbacks):
    pages = {"formulaire": client.get("/aide/").content.decode()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/aide/", {**VALID_FORM,
                                          "description": "Erreur : rien ne marche ?"},
                               follow=True)
    pages["confirmation"] = response.content.decode()
    assert "Votre référence\u00a0:" in pages["confirmation"]
    ticket = Ticket.objects.get()
    pages["suivi"] = client.get(ticket.get_follow_url()).content.decode()
    assert "Votre problème est réglé\u00a0?" in pages["suivi"]
    for name, html in pages.items():
        found = PLAIN_SPACE_BEFORE.findall(visible_text(html))
        assert found == [], (name, found)
    [acknowledgement] = mail.outbox
    assert "Votre référence\u00a0: " in acknowledgement.body
    assert not PLAIN_SPACE_BEFORE.search(acknowledgement.body)
    assert ticket.description == "Erreur : rien ne marche ?"  # stored as typed


def test_what_was_typed_comes_back_exactly_as_typed_after_an_error(client, seed_tree):
    response = client.post("/aide/", {**VALID_FORM, "email": "pas-une-adresse",
                                      "description": "Code : « X » refusé ?"})
    html = response.content.decode()
    assert ">\nCode : « X » refusé ?</textarea>" in unescape(html)
