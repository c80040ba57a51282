import pytest
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from kb.tests.factories import as_typed
from triage.models import Ticket, TicketEvent
from triage.tests.factories import VALID_FORM

OUTCOME = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"


def post(client, **changes):
    return client.post("/aide/", {**VALID_FORM, "depuis": OUTCOME, **changes})


def test_outcomes_and_tutorials_offer_to_ask_for_help(client, seed_tree):
    assert f'href="/aide/?depuis={OUTCOME}"' in client.get(OUTCOME).content.decode()
    assert 'href="/aide/?depuis=/tutoriels/choisir-mot-de-passe/"' in client.get(
        "/tutoriels/choisir-mot-de-passe/").content.decode()
    # A success needs no help request.
    assert "/aide/?depuis" not in client.get("/parcours/methode-a/ecps-activee/").content.decode()


def test_the_form_shows_the_path_and_pages_that_will_be_attached(client, seed_tree):
    client.get("/tutoriels/installer-application/")
    client.get(OUTCOME)
    html = as_typed(client.get("/aide/", {"depuis": OUTCOME}).content.decode())
    assert "Avez-vous une carte CPx\u00a0? <strong>Non, je n&#x27;ai pas de carte</strong>" in html
    assert "Problème avec l&#x27;application e-CPS\u00a0: contactez le support e-CPS" in html
    assert "Tutoriel\u00a0: Installer et régler l&#x27;application e-CPS" in html
    assert "N&#x27;écrivez jamais votre mot de passe" in html or \
        "N'écrivez jamais votre mot de passe" in html
    assert "conservées 12 mois après la clôture" in html


def test_a_request_arrives_triaged(client, seed_tree, mailoutbox,
                                  django_capture_on_commit_callbacks):
    client.get("/tutoriels/installer-application/")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.trail[0] == {"question": "Avez-vous une carte CPx ?",
                               "answer": "Non, je n'ai pas de carte"}
    assert len(ticket.trail) == 4
    assert ticket.outcome_title.startswith("Problème avec l'application e-CPS")
    assert ticket.wizard_url == OUTCOME
    assert ticket.suggested_line.slug == "ans-support-e-cps"
    assert ticket.pages_viewed == ["/tutoriels/installer-application/"]
    assert ticket.identifier_number == "10002232642"
    assert ticket.events.get().kind == TicketEvent.Kind.CREATED

    confirmation = client.get(response["Location"]).content.decode()
    assert ticket.reference in confirmation
    assert ticket.reference.startswith("ECPS-20")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["claire.martin@example.fr"]
    assert ticket.reference in mailoutbox[0].subject
    assert "mot de passe" in mailoutbox[0].body
    # When to expect an answer: the team's response target, in working days.
    due = date_format(localtime(ticket.due_at), "l j F")
    expected = f"vous répondra d'ici le {due} (sous 2 jours ouvrés)"
    assert expected in confirmation.replace("\u00a0", " ")
    assert expected.replace("répondra", "répondra à cette adresse") in mailoutbox[0].body


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Indiquez votre nom."),
    ("email", "claire@", "Saisissez une adresse e-mail complète"),
    ("phone", "12 34", "Saisissez un numéro français à 10 chiffres"),
    ("profession", "", "Choisissez votre profession."),
    ("identifier_number", "12345678901", "clé de contrôle"),
    ("identifier_number", "123456789", "Ce numéro est un numéro ADELI"),
    ("description", "", "Décrivez votre problème"),
    ("description", "x" * 5001, "dépasse 5 000 caractères"),
    ("consent", "", "Cochez cette case"),
])
def test_each_invalid_field_gets_a_french_message_and_the_rest_is_kept(client, seed_tree, field,
                                                                       value, message):
    response = post(client, **{field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    shown = {"name": "Claire Martin", "email": "claire.martin@example.fr",
             "phone": "06 12 34 56 78", "description": "Le QR code n&#x27;arrive pas par e-mail."}
    for other_field, kept in shown.items():
        if other_field != field:
            assert kept in html, kept
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("description", [
    "Mon mot de passe est 4821 et il ne marche pas",
    "code PIN : 1234",
    "j'ai tapé 0000 comme code porteur",
    "MDP 12345678",
])
def test_a_password_or_pin_in_the_description_is_refused(client, seed_tree, description):
    response = post(client, description=description)
    html = response.content.decode()
    assert "semble contenir un mot de passe ou un code PIN" in html
    assert "Claire Martin" in html  # everything else kept
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("description", [
    "Mon code PIN est bloqué, je ne peux pas activer.",
    "Mon RPPS 10002232642 : mot de passe refusé",
    "L'erreur 404 apparaît à l'étape du mot de passe",
])
def test_talking_about_a_password_is_fine(client, seed_tree, description):
    assert post(client, description=description).status_code == 302


def test_the_honeypot_stops_robots(client, seed_tree):
    response = post(client, website="https://spam.example")
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_requests_are_rate_limited_per_ip_and_nothing_typed_is_lost(client, seed_tree, settings):
    settings.TRIAGE_RATE_LIMIT = (2, 600)
    assert post(client).status_code == 302
    assert post(client).status_code == 302
    response = post(client, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 429
    assert "plusieurs demandes en peu de temps" in response.content.decode()
    assert "Claire Martin" in response.content.decode()
    assert Ticket.objects.count() == 2
    other_ip = client.post("/aide/", {**VALID_FORM}, REMOTE_ADDR="10.0.0.2")
    assert other_ip.status_code == 302


def test_a_10_mb_description_or_binary_garbage_is_refused_cleanly(client, seed_tree):
    huge = post(client, description="a" * 10_000_000)
    assert huge.status_code == 400
    assert "Requête invalide" in huge.content.decode()
    garbage = post(client, description="\x00\x01\x02\xff binaire")  # multipart, as a browser
    assert garbage.status_code == 400
    assert "Requête invalide" in garbage.content.decode()
    raw = client.post("/aide/", data=bytes(range(256)) * 100,
                      content_type="application/octet-stream")
    assert raw.status_code == 400
    assert not Ticket.objects.exists()


def test_the_confirmation_link_cannot_be_guessed(client, seed_tree):
    assert client.get("/aide/merci/1/").status_code == 404


def test_pages_served_from_the_page_cache_still_count_as_viewed(client, seed_tree):
    from django.test import Client

    Client().get("/tutoriels/installer-application/")  # another visitor: the page is stored
    response = client.get("/tutoriels/installer-application/")  # served from memory
    assert "ecps_pages" in response.cookies
    post(client)
    assert Ticket.objects.get().pages_viewed == ["/tutoriels/installer-application/"]


def test_the_pages_viewed_end_with_the_visit_and_with_the_request(client, seed_tree,
                                                                   monkeypatch):
    """A shared hospital computer: the next person's request lists none of the previous
    person's pages, whether they filed a request or just walked away."""
    import time

    from kb import pages_viewed as middleware

    client.get("/tutoriels/installer-application/")
    response = client.get("/problemes-connus/")
    assert response.cookies["ecps_pages"]["max-age"] == 30 * 60
    post(client)  # the first person files a request: the list is over
    assert client.cookies["ecps_pages"].value == ""
    client.get("/glossaire/")
    post(client, email="suivant@example.fr", name="Paul Suivant")
    assert Ticket.objects.get(email="suivant@example.fr").pages_viewed == ["/glossaire/"]
    # Someone leaves without filing; 31 minutes later, the browser still open.
    client.get("/tutoriels/installer-application/")
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert middleware.pages_viewed(client.get("/aide/").wsgi_request) == []



def test_a_first_visits_cookie_is_signed_once_a_second_and_read_back(seed_tree, monkeypatch):
    """Issue 23: the first page's cookie is the same for everyone in the same second (signed
    once, not per request); it reads back as that page, and the next page adds itself."""
    import json

    from django.core import signing
    from django.test import Client

    from kb import pages_viewed as middleware

    monkeypatch.setattr(middleware.time, "time", lambda: 1_800_000_000.0)
    middleware.first_page.cache_clear()
    signatures = []
    sign = middleware.signed
    monkeypatch.setattr(middleware, "signed", lambda value: signatures.append(value) or sign(value))
    one, other = Client(), Client()
    first = one.get("/parcours/methode-b/").cookies[middleware.COOKIE]
    assert other.get("/parcours/methode-b/").cookies[middleware.COOKIE].value == first.value
    assert signatures == ['["/parcours/methode-b/"]']  # signed for the first visitor only
    assert first["max-age"] == middleware.VISIT_SECONDS and first["httponly"]
    signer = signing.get_cookie_signer(salt=middleware.COOKIE + middleware.SALT)
    assert json.loads(signer.unsign(first.value)) == ["/parcours/methode-b/"]
    monkeypatch.undo()  # the next page signs the visit's list at the real time
    one.get("/glossaire/")
    help_page = one.get("/aide/").content.decode()
    assert help_page.index("Glossaire") > help_page.index("Pages d'aide consultées")
