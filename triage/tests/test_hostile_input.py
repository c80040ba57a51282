"""What a broken or hostile client sends to the help form, the private follow-up page and the
agents' pages gets a French 400 or the page back with its error, never a 500; nothing
personal is logged on the way (issues 24 and 25). Runs on SQLite and on PostgreSQL."""

import logging
from urllib.parse import urlencode

import pytest
from django.test import Client

from kb.middleware import JsonFormatter
from kb.tests.test_hostile_input import CSRF_SECRET, browser, french_400  # one set-up
from triage.models import Ticket
from triage.tests.factories import VALID_FORM, make_ticket


def post_in(charset: str, url: str, form: dict):
    body = urlencode({"csrfmiddlewaretoken": CSRF_SECRET, **form}).encode(charset)
    return browser().generic(
        "POST", url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}")


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
def test_the_help_form_sent_in_another_charset_is_a_french_400_and_files_nothing(
        seed_tree, charset):
    assert french_400(post_in(charset, "/aide/", VALID_FORM))
    assert not Ticket.objects.exists()


def test_the_private_page_sent_in_another_charset_is_a_french_400_with_its_key_unlogged(
        seed_tree, caplog):
    ticket = make_ticket()
    caplog.set_level(logging.DEBUG)
    response = post_in("utf-16", ticket.get_follow_url(), {"text": "Toujours bloquée."})
    assert french_400(response)
    assert not ticket.events.exists()
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"status": 400' in line for line in lines)
    assert not [line for line in lines if ticket.follow_token in line]


def test_a_nul_on_the_private_page_is_refused_without_logging_its_key(seed_tree, caplog):
    ticket = make_ticket()
    caplog.set_level(logging.DEBUG)
    assert french_400(Client().post(ticket.get_follow_url(), {"text": "a\x00b"}))
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert '"path": "/aide/suivi/<clé>/"' in "".join(lines)
    assert not [line for line in lines if ticket.follow_token in line]


@pytest.mark.parametrize("charset", ["rot13", "base64", "undefined", "utf-8\x00"])
def test_a_help_request_labelled_with_a_codec_for_charset_is_read_as_utf8(seed_tree, charset):
    body = urlencode({"csrfmiddlewaretoken": CSRF_SECRET, **VALID_FORM}).encode()
    response = browser().generic(
        "POST", "/aide/?depuis=%2Fparcours%2F", body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert response.status_code == 302
    assert Ticket.objects.get().name == VALID_FORM["name"]


@pytest.mark.parametrize("number", ["999999999999", "99999999999999999999999", "-1", "1e3"])
def test_a_bulk_action_on_a_ticket_number_that_cannot_exist_changes_nothing(agent_client,
                                                                          number):
    ticket = make_ticket()
    response = agent_client.post("/agents/lot/", {"tickets": [ticket.pk, number],
                                                  "action": "statut:en_cours"})
    assert response.status_code == 302
    assert "n&#x27;existe plus" in agent_client.get(response["Location"]).content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
