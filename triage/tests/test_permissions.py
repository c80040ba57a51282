"""Who sees what: every agent and admin URL × {anonymous, editor, agent, superuser}."""

import pytest
from django.test import Client

from kb.models import SupportLine
from triage.tests.factories import make_ticket

SECRET_MARKERS = ["Claire Martin", "claire.martin@example.fr", "QR code n&#x27;arrive pas"]
ALLOW, LOGIN, FORBIDDEN = 200, "login", 403


@pytest.fixture
def clients(db, seed_tree, editor, agent, admin_user):
    result = {"anonyme": Client()}
    for name, user in [("éditeur", editor), ("agent", agent), ("superutilisateur", admin_user)]:
        result[name] = Client()
        result[name].force_login(user)
    return result


@pytest.fixture
def ticket(seed_tree):
    return make_ticket()


def urls(ticket):
    t = f"/agents/tickets/{ticket.pk}"
    return {
        # url: expected for anonymous, editor, agent, superuser
        ("GET", "/agents/"): (LOGIN, FORBIDDEN, ALLOW, ALLOW),
        ("GET", f"{t}/"): (LOGIN, FORBIDDEN, ALLOW, ALLOW),
        ("GET", "/agents/nouveau/"): (LOGIN, FORBIDDEN, ALLOW, ALLOW),
        ("POST", f"{t}/note/"): (LOGIN, FORBIDDEN, 302, 302),
        ("POST", f"{t}/prendre/"): (LOGIN, FORBIDDEN, 302, 302),
        ("POST", f"{t}/statut/"): (LOGIN, FORBIDDEN, 302, 302),
        ("POST", f"{t}/transfert/"): (LOGIN, FORBIDDEN, 302, 302),
        ("GET", f"{t}/transfert/?line={SupportLine.objects.first().pk}"):
            (LOGIN, FORBIDDEN, ALLOW, ALLOW),  # the confirmation page
        ("POST", f"{t}/reponse/"): (LOGIN, FORBIDDEN, 302, 302),
        ("GET", "/admin/"): (LOGIN, ALLOW, ALLOW, ALLOW),
        ("GET", "/admin/kb/step/"): (LOGIN, ALLOW, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/step/add/"): (LOGIN, ALLOW, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/supportline/"): (LOGIN, ALLOW, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/tutorial/"): (LOGIN, ALLOW, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/knownproblem/"): (LOGIN, ALLOW, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/feedback/"): (LOGIN, ALLOW, FORBIDDEN, ALLOW),
        ("GET", "/admin/triage/replytemplate/"): (LOGIN, FORBIDDEN, ALLOW, ALLOW),
        ("GET", "/admin/auth/user/"): (LOGIN, FORBIDDEN, FORBIDDEN, ALLOW),
    }


ROLES = ["anonyme", "éditeur", "agent", "superutilisateur"]


def test_the_permission_matrix(clients, ticket):
    failures = []
    for (method, url), expected in urls(ticket).items():
        for role, want in zip(ROLES, expected, strict=True):
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = response.status_code
            redirected_to_login = got == 302 and "/login/" in response.get("Location", "")
            if not (redirected_to_login if want == LOGIN else got == want):
                failures.append(f"{method} {url} as {role}: {got}, expected {want}")
            if role in ("anonyme", "éditeur") and got == 200:
                html = response.content.decode()
                leaked = [m for m in SECRET_MARKERS if m in html]
                if leaked:
                    failures.append(f"{method} {url} as {role} shows ticket data {leaked}")
    assert failures == []


def test_no_ticket_data_in_any_page_an_editor_or_visitor_can_open(clients, ticket):
    for role in ("anonyme", "éditeur"):
        for url in ["/", "/admin/", "/tutoriels/", "/recherche/?q=claire", "/assistance/",
                    "/recherche/?q=Martin"]:
            html = clients[role].get(url).content.decode()
            assert not any(marker in html for marker in SECRET_MARKERS), (role, url)


def test_agents_cannot_change_content(clients):
    assert clients["agent"].post("/admin/kb/supportline/1/change/", {}).status_code == 403
    assert clients["agent"].get("/admin/kb/step/").status_code == 403


def test_staff_log_in_at_one_login_page(clients, agent):
    response = clients["anonyme"].get("/agents/")
    assert response["Location"].startswith("/admin/login/?next=/agents/")
    login = Client()
    response = login.post("/admin/login/?next=/agents/",
                          {"username": "agathe", "password": "x-Secret-42", "next": "/agents/"})
    assert response["Location"] == "/agents/"
    assert login.get("/agents/").status_code == 200
