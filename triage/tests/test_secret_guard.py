"""Nothing attached to a ticket may carry a password or a PIN (kb.privacy): neither the pages
viewed before asking for help (a search typed with a PIN), nor any free-text field a visitor
or an agent fills, the reply's subject included."""

import pytest
from django.core import signing

from kb.pages_viewed import COOKIE, SALT
from teams.models import Team
from triage.forms import AnswerForm, NoteForm, ReplyForm, TicketForm
from triage.models import Ticket, TicketEvent
from triage.tests.factories import VALID_FORM, make_ticket

SECRET = "Mon code PIN est 1470"


def test_a_pin_typed_in_the_search_box_never_reaches_the_ticket(client, seed_tree):
    client.get("/tutoriels/installer-application/")
    client.get("/recherche/", {"q": "mon pin 1470"})
    client.get("/recherche/", {"q": "mot de passe Azerty123!"})
    form_page = client.get("/aide/").content.decode()
    assert "1470" not in form_page and "Azerty123" not in form_page
    assert client.post("/aide/", VALID_FORM).status_code == 302
    pages = Ticket.objects.get().pages_viewed
    assert pages == ["/tutoriels/installer-application/", "/recherche/"]
    assert not any("1470" in page or "Azerty" in page for page in pages)


def test_an_innocent_search_is_attached_with_its_query(client, seed_tree):
    client.get("/recherche/", {"q": "erreur 1012"})
    client.post("/aide/", VALID_FORM)
    assert Ticket.objects.get().pages_viewed == ["/recherche/?q=erreur+1012"]


def test_a_secret_recorded_before_the_guard_is_never_read(client, seed_tree):
    pages = '["/recherche/?q=mdp+4821", "/tutoriels/installer-application/"]'
    client.cookies[COOKIE] = signing.get_cookie_signer(salt=COOKIE + SALT).sign(pages)
    client.post("/aide/", VALID_FORM)
    assert Ticket.objects.get().pages_viewed == ["/tutoriels/installer-application/"]


def test_a_reply_subject_cannot_carry_a_pin(agent_client, seed_tree, mailoutbox):
    ticket = make_ticket()
    response = agent_client.post(f"{ticket.get_absolute_url()}reponse/", {
        "subject": "Votre code PIN 1470", "body": "Bonjour, voici la marche à suivre."})
    assert response.status_code == 400
    assert "Cet objet semble contenir un mot de passe ou un code PIN" in (
        response.content.decode().replace("&#x27;", "'"))
    assert not mailoutbox
    assert not ticket.events.filter(kind=TicketEvent.Kind.REPLY).exists()


def test_a_reply_subject_about_the_password_is_sent(agent_client, seed_tree, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(f"{ticket.get_absolute_url()}reponse/", {
            "subject": f"[{ticket.reference}] Réinitialiser votre mot de passe e-CPS",
            "body": "Bonjour, choisissez « Mot de passe oublié » dans l'application."})
    assert response.status_code == 302
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY).exists()


def test_the_agent_mode_form_refuses_a_pin_dictated_on_the_phone(agent_client, seed_tree):
    response = agent_client.post("/agents/nouveau/", {
        **VALID_FORM, "description": "L'appelant m'a donné son code 4821"})
    assert response.status_code == 400
    assert "semble contenir un mot de passe ou un code PIN" in response.content.decode()
    assert not Ticket.objects.exists()


def every_free_text_field():
    """Each form a visitor or an agent fills, with each of its free-text fields."""
    return [
        (lambda: TicketForm(data={**VALID_FORM}), ["name", "description"]),
        (lambda: TicketForm(data={**VALID_FORM}, agent_mode=True,
                            teams=Team.objects.filter(is_national=True)),
         ["name", "description"]),
        (lambda: NoteForm(data={"text": "Rappelé."}, ticket=make_ticket()), ["text"]),
        (lambda: ReplyForm(data={"subject": "Votre demande", "body": "Bonjour."},
                           ticket=make_ticket()), ["subject", "body"]),
        (lambda: AnswerForm(data={"text": "Merci."}), ["text"]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("make_form", "field"), [
    pytest.param(make_form, field, id=f"{number}-{field}")
    for number, (make_form, fields) in enumerate(every_free_text_field()) for field in fields])
def test_every_free_text_field_refuses_a_secret_in_french(make_form, field):
    form = make_form()
    form.data = {**form.data, field: SECRET}
    assert not form.is_valid()
    assert "semble contenir un mot de passe ou un code PIN" in " ".join(form.errors[field])
