"""Headers on every page type, no-store wherever personal data shows, staff login lockout,
and hostile input that used to answer 500."""

import pytest
from django.core.management import call_command
from django.test import Client

from kb.models import Feedback
from triage.tests.factories import VALID_FORM, make_ticket

PUBLIC = ["/", "/parcours/methode-b/", "/parcours/methode-a/methode-a-erreur/probleme-carte/",
          "/tutoriels/", "/tutoriels/activer-e-cps-avec-carte/", "/recherche/?q=qr+code",
          "/problemes-connus/", "/glossaire/", "/assistance/", "/identifiant/",
          "/aide/?depuis=/parcours/methode-a/methode-a-erreur/probleme-carte/",
          "/admin/login/"]


@pytest.mark.parametrize("url", PUBLIC)
def test_every_page_type_has_a_strict_csp_and_a_permissions_policy(client, seed_tree, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_has_an_inline_script_or_style(client, seed_tree, agent_client):
    ticket = make_ticket()
    for page_client, url in [(client, u) for u in PUBLIC] + [
            (agent_client, "/agents/"), (agent_client, f"/agents/tickets/{ticket.pk}/")]:
        html = page_client.get(url).content.decode()
        assert "<style" not in html and " style=" not in html, url
        inline = [tag for tag in html.split("<script")[1:] if "src=" not in tag.split(">")[0]]
        assert not inline, url


def test_pages_with_personal_data_are_never_stored(client, seed_tree, agent_client):
    ticket = make_ticket()
    for page_client, url in [(agent_client, "/agents/"),
                             (agent_client, f"/agents/tickets/{ticket.pk}/"),
                             (agent_client, "/agents/nouveau/"),
                             (client, "/aide/")]:
        cache_control = page_client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


def test_the_confirmation_page_is_never_stored(client, seed_tree):
    response = client.post("/aide/", VALID_FORM)
    confirmation = client.get(response["Location"])
    assert "no-store" in confirmation["Cache-Control"]


@pytest.fixture
def staff_member(django_user_model):
    return django_user_model.objects.create_user("agathe", password="x-Secret-42", is_staff=True)


def attempt(password):
    return Client(REMOTE_ADDR="203.0.113.9").post(
        "/admin/login/?next=/admin/", {"username": "agathe", "password": password})


def test_fifty_wrong_passwords_lock_the_account_with_a_french_message(db, staff_member):
    statuses = [attempt(f"mauvais-{n}").status_code for n in range(50)]
    assert statuses[:4] == [200] * 4  # the form again, with Django's error
    assert set(statuses[4:]) == {429}  # locked from the fifth failure on
    locked = attempt("x-Secret-42")  # even the right password, for an hour
    assert locked.status_code == 429
    assert "Connexion bloquée pour une heure" in locked.content.decode()


def test_an_administrator_unlocks_the_account(db, staff_member):
    for n in range(5):
        attempt(f"mauvais-{n}")
    assert attempt("x-Secret-42").status_code == 429
    call_command("axes_reset_username", "agathe", verbosity=0)
    assert attempt("x-Secret-42").status_code == 302


def login_behind_proxy(username, password, *, address):
    """As gunicorn sees it behind the README's proxy: every request comes from 127.0.0.1,
    the visitor's address is in X-Real-IP."""
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password})


def test_behind_the_proxy_one_attacker_cannot_lock_out_the_team(db, settings,
                                                                django_user_model):
    settings.TRIAGE_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for name in ["agathe", "bruno"]:
        django_user_model.objects.create_user(name, password="x-Secret-42", is_staff=True)
    statuses = [login_behind_proxy("agathe", f"mauvais-{n}", address="198.51.100.7").status_code
                for n in range(5)]
    assert statuses[-1] == 429  # the attacker's pair is locked…
    assert login_behind_proxy("agathe", "x-Secret-42", address="198.51.100.7").status_code == 429
    # … another agent, from another address, logs in; and so does agathe from her desk.
    assert login_behind_proxy("bruno", "x-Secret-42", address="192.0.2.20").status_code == 302
    assert login_behind_proxy("agathe", "x-Secret-42", address="192.0.2.21").status_code == 302


def test_a_forged_address_header_falls_back_to_the_connection_address(rf, settings):
    from triage.middleware import client_ip

    settings.TRIAGE_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP="<script>", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP=" 2001:db8::1 ")) == "2001:db8::1"


def test_a_reply_subject_with_a_line_break_is_sent_on_one_line(agent_client, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(f"/agents/tickets/{ticket.pk}/reponse/", {
            "subject": "[ECPS] Votre\r\ndemande\nBcc: x@example.org", "body": "Bonjour,"})
    assert response.status_code == 302
    assert mailoutbox[0].subject == (f"[{ticket.reference}] [ECPS] Votre demande Bcc: "
                                     "x@example.org")


def test_a_nul_byte_is_a_french_400_not_a_500(admin_user_client, seed_tree):
    for url in ["/admin/autocomplete/?app_label=kb&model_name=step&field_name=next_step"
                "&term=a%00b", "/recherche/?q=a%00b", "/agents/?q=%00"]:
        response = admin_user_client.get(url)
        assert response.status_code == 400, url
        assert "Requête invalide" in response.content.decode()
    assert Client().post("/aide/", {"name": "a\x00b"}).status_code == 400


def test_feedback_is_stored_only_for_pages_that_exist(client, seed_tree):
    for page in ["/parcours/methode-a/invente/", "/parcours/n/importe/quoi/",
                 "/tutoriels/n-existe-pas/"]:
        assert client.post("/avis/", {"page": page, "helpful": "1"}).status_code == 400, page
    assert not Feedback.objects.exists()
    assert client.post("/avis/", {"page": "/tutoriels/installer-application/",
                                  "helpful": "1"}).status_code == 302


@pytest.mark.parametrize(("url", "field"), [("/aide/", "name"), ("/aide/", "description")])
def test_every_field_a_visitor_fills_is_guarded_against_secrets(client, seed_tree, url, field):
    response = client.post(url, {**VALID_FORM, field: "Dupont, mon code PIN est 4821"})
    assert response.status_code == 400
    assert "mot de passe ou un code PIN" in response.content.decode()


def test_an_agent_note_never_stores_a_secret(agent_client):
    ticket = make_ticket()
    agent_client.post(f"/agents/tickets/{ticket.pk}/note/",
                      {"text": "Au téléphone, il m'a donné son code PIN 4821"})
    assert not ticket.events.filter(kind="note").exists()


def test_a_staff_session_ends_after_a_working_day_without_activity(agent_client, settings):
    response = agent_client.get("/agents/")
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    assert response.cookies["sessionid"]["max-age"] == 10 * 3600  # renewed by each page
