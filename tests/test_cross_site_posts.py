"""Issue 23: the visitors' forms carry no CSRF token, so that a public page is the same
bytes for everyone and a first visit sets no CSRF cookie; a post sent from another site is
refused by where it comes from (kb.cross_site). Staff forms keep Django's token."""

import pytest
from django.test import Client

from kb.models import Feedback
from triage.models import Ticket, TicketEvent
from triage.tests.factories import VALID_FORM, make_ticket

OUTCOME = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
SITE = "http://testserver"


def visitor() -> Client:
    """A browser: Django's check is enforced, as it is outside tests."""
    return Client(enforce_csrf_checks=True)


def public_forms():
    """Each visitors' form, its valid data and how to count what it saved."""
    ticket = make_ticket()
    return [
        ("/avis/", {"page": OUTCOME, "helpful": "1"}, Feedback.objects.count),
        ("/aide/", {**VALID_FORM, "depuis": OUTCOME}, Ticket.objects.count),
        (ticket.get_follow_url(), {"text": "Toujours bloqué."}, TicketEvent.objects.count),
        (ticket.get_follow_url() + "regle/", {}, lambda: Ticket.objects.filter(
            closed_at__isnull=False).count()),
    ]


def test_a_first_visit_gets_the_same_page_as_everyone_and_no_csrf_cookie(seed_tree):
    first, second = visitor().get(OUTCOME), visitor().get(OUTCOME)  # the second from memory
    assert first.content == second.content
    assert b"csrfmiddlewaretoken" not in first.content
    assert "csrftoken" not in first.cookies and "csrftoken" not in second.cookies


@pytest.mark.parametrize("headers", [
    {"HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_ORIGIN": "null"},
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://autre.testserver"},
    # A page may not forge Sec-Fetch-Site, and a browser that sends it is believed over a
    # Referer (which a page can choose to withhold, never to forge).
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_REFERER": f"{SITE}/"},
    {"HTTP_REFERER": "https://evil.example/page"},
    {},  # no origin, no referer: nothing says it came from here
], ids=["origin", "null-origin", "fetch-site", "sibling-host", "fetch-over-referer",
        "referer", "nothing"])
def test_a_cross_site_post_of_each_visitors_form_is_refused_and_saves_nothing(
        seed_tree, headers):
    for url, data, saved in public_forms():
        before = saved()
        response = visitor().post(url, data, **headers)
        assert response.status_code == 403, url
        assert "Ce formulaire n'a pas pu être envoyé" in response.content.decode()
        assert saved() == before, url


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": SITE},
    {"HTTP_ORIGIN": SITE},
    {"HTTP_REFERER": f"{SITE}{OUTCOME}"},
], ids=["fetch-site", "origin", "referer"])
def test_the_same_post_from_this_site_is_accepted(seed_tree, headers):
    for url, data, saved in public_forms():
        before = saved()
        response = visitor().post(url, data, **headers)
        assert response.status_code == 302, (url, response.status_code)
        assert saved() == before + 1, url


def test_a_team_host_posts_to_itself(seed_tree, settings):
    settings.ALLOWED_HOSTS = ["ecps.fimatho.fr", "testserver"]
    response = visitor().post("/avis/", {"page": OUTCOME, "helpful": "0"},
                              HTTP_HOST="ecps.fimatho.fr",
                              HTTP_ORIGIN="http://ecps.fimatho.fr")
    assert response.status_code == 302
    response = visitor().post("/avis/", {"page": OUTCOME, "helpful": "0"},
                              HTTP_HOST="ecps.fimatho.fr", HTTP_ORIGIN=SITE)
    assert response.status_code == 403


def test_staff_forms_still_need_their_csrf_token(agent):
    ticket = make_ticket()
    staff = visitor()
    staff.force_login(agent)
    response = staff.post(f"/agents/tickets/{ticket.pk}/prendre/",
                          HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN=SITE)
    assert response.status_code == 403
    assert "Ce formulaire n'a pas pu être envoyé" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assigned_to is None
