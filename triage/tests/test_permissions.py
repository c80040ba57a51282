"""Who sees what: every agent, admin and follow-up URL × {anonymous, visitor holding their
private link, editor, agent, superuser}."""

import pytest
from django.test import Client

from kb.models import SupportLine
from triage.tests.factories import make_ticket

SECRET_MARKERS = ["Claire Martin", "claire.martin@example.fr", "QR code n&#x27;arrive pas"]
ALLOW, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404


@pytest.fixture
def other_team_agent(db, django_user_model):
    """An agent of the PACA team: the national team's tickets are none of their business."""
    from conftest import make_staff
    from teams.models import Team

    agent = make_staff(django_user_model, "paola", "Agents de support")
    agent.teams.set([Team.objects.create(slug="paca", name="Portail de santé PACA")])
    return agent


@pytest.fixture
def clients(db, seed_tree, editor, agent, other_team_agent, admin_user):
    result = {"anonyme": Client(), "visiteur avec lien": Client()}
    for name, user in [("éditeur", editor), ("agent", agent),
                       ("agent d'une autre équipe", other_team_agent),
                       ("superutilisateur", admin_user)]:
        result[name] = Client()
        result[name].force_login(user)
    return result


@pytest.fixture
def ticket(seed_tree):
    return make_ticket()


def altered(token: str) -> str:
    """The same link with one character of its signature changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def urls(ticket):
    t = f"/agents/tickets/{ticket.pk}"
    line = SupportLine.objects.first().pk
    return {
        # url: expected for anonymous, visitor with their link, editor, agent of the ticket's
        # team, agent of another team (a 404: for them the ticket does not exist), superuser
        ("GET", "/agents/"): (LOGIN, LOGIN, FORBIDDEN, ALLOW, ALLOW, ALLOW),
        ("GET", f"{t}/"): (LOGIN, LOGIN, FORBIDDEN, ALLOW, NOT_FOUND, ALLOW),
        ("GET", "/agents/nouveau/"): (LOGIN, LOGIN, FORBIDDEN, ALLOW, ALLOW, ALLOW),
        ("POST", f"{t}/note/"): (LOGIN, LOGIN, FORBIDDEN, 400, NOT_FOUND, 400),  # empty
        ("POST", f"{t}/prendre/"): (LOGIN, LOGIN, FORBIDDEN, 302, NOT_FOUND, 302),
        ("POST", f"{t}/statut/"): (LOGIN, LOGIN, FORBIDDEN, 302, NOT_FOUND, 302),
        ("POST", f"{t}/transfert/"): (LOGIN, LOGIN, FORBIDDEN, 302, NOT_FOUND, 302),
        ("GET", f"{t}/transfert/?line={line}"):
            (LOGIN, LOGIN, FORBIDDEN, ALLOW, NOT_FOUND, ALLOW),  # the confirmation page
        ("POST", f"{t}/reponse/"): (LOGIN, LOGIN, FORBIDDEN, 400, NOT_FOUND, 400),  # empty
        ("POST", f"{t}/modele/"): (LOGIN, LOGIN, FORBIDDEN, ALLOW, NOT_FOUND, ALLOW),
        ("POST", f"{t}/attribuer/"): (LOGIN, LOGIN, FORBIDDEN, 302, NOT_FOUND, 302),
        ("POST", f"{t}/fusionner/"): (LOGIN, LOGIN, FORBIDDEN, 302, NOT_FOUND, 302),
        ("POST", f"{t}/equipe/"): (LOGIN, LOGIN, FORBIDDEN, 302, NOT_FOUND, 302),
        ("POST", "/agents/lot/"): (LOGIN, LOGIN, FORBIDDEN, 302, 302, 302),
        # Figures hold no personal data: editors see what the content should fix next.
        ("GET", "/agents/chiffres/"): (LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW),
        ("GET", "/agents/chiffres.csv"): (LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW),
        # The private link is the key: whoever holds it sees that ticket, and only it.
        ("GET", f"/aide/suivi/{ticket.follow_token}/"): (ALLOW,) * 6,
        ("POST", f"/aide/suivi/{ticket.follow_token}/"): (400,) * 6,  # empty: refused
        ("GET", f"/aide/suivi/{altered(ticket.follow_token)}/"): (NOT_FOUND,) * 6,
        ("POST", f"/aide/suivi/{altered(ticket.follow_token)}/regle/"): (NOT_FOUND,) * 6,
        ("GET", "/admin/"): (LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW),
        ("GET", "/admin/kb/step/"): (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/contentversion/arbre/"):
            (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/contentversion/tableau-de-bord/"):
            (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/vue-d-ensemble/"): (ALLOW,) * 6,
        ("GET", "/admin/kb/step/add/"): (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/supportline/"): (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/tutorial/"): (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/knownproblem/"): (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/kb/feedback/"): (LOGIN, LOGIN, ALLOW, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/triage/replytemplate/"):
            (LOGIN, LOGIN, FORBIDDEN, ALLOW, ALLOW, ALLOW),
        # Reply templates, in the agents' space: empty form refused, never saved.
        ("GET", "/agents/modeles/"): (LOGIN, LOGIN, FORBIDDEN, ALLOW, ALLOW, ALLOW),
        ("GET", "/agents/modeles/nouveau/"): (LOGIN, LOGIN, FORBIDDEN, ALLOW, ALLOW, ALLOW),
        ("POST", "/agents/modeles/nouveau/"): (LOGIN, LOGIN, FORBIDDEN, 400, 400, 400),
        ("GET", "/admin/teams/team/"): (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW),
        ("GET", "/admin/auth/user/"): (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW),
    }


ROLES = ["anonyme", "visiteur avec lien", "éditeur", "agent", "agent d'une autre équipe",
         "superutilisateur"]
# Who must never see the ticket's personal data on a page they open.
OUTSIDERS = ("anonyme", "visiteur avec lien", "éditeur", "agent d'une autre équipe")


def test_the_permission_matrix(clients, ticket):
    clients["visiteur avec lien"].get(ticket.get_follow_url())
    failures = []
    for (method, url), expected in urls(ticket).items():
        for role, want in zip(ROLES, expected, strict=True):
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = response.status_code
            redirected_to_login = got == 302 and "/login/" in response.get("Location", "")
            if not (redirected_to_login if want == LOGIN else got == want):
                failures.append(f"{method} {url} as {role}: {got}, expected {want}")
            own_link = url.startswith(f"/aide/suivi/{ticket.follow_token}/")
            if role in OUTSIDERS and got in (200, 400) and not own_link:
                html = response.content.decode()
                leaked = [m for m in SECRET_MARKERS if m in html]
                if leaked:
                    failures.append(f"{method} {url} as {role} shows ticket data {leaked}")
    assert failures == []


def test_no_ticket_data_in_any_page_an_editor_or_visitor_can_open(clients, ticket):
    for role in ("anonyme", "éditeur", "agent d'une autre équipe"):
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
