"""What people typed is shown as text, never as markup, on every page that shows stored
text, with the Content-Security-Policy bypassed: escaping must hold on its own, the CSP is
the second wall (issue 24 §1)."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from kb.models import SupportLine
from teams.models import Team
from tests.browser.hostile_markup import INJECTED_ELEMENTS_JS, PAYLOADS
from triage.models import Ticket, TicketEvent
from triage.tests.factories import make_ticket

pytestmark = pytest.mark.browser


def hostile_tickets():
    """One ticket carrying every payload in each of its stored texts, and one ticket per
    payload in its name and outcome (what the queue and the figures list)."""
    target = make_ticket(
        name=PAYLOADS[0][:150], description="\n".join(PAYLOADS),
        trail=[{"question": payload, "answer": payload} for payload in PAYLOADS],
        outcome_title=PAYLOADS[1][:200], pages_viewed=[f"/recherche/?q={p}" for p in PAYLOADS],
        status=Ticket.Status.IN_PROGRESS)
    now = timezone.now()
    TicketEvent.objects.bulk_create(
        [TicketEvent(ticket=target, at=now, kind=kind, summary=payload[:300], text=payload)
         for payload in PAYLOADS
         for kind in (TicketEvent.Kind.NOTE, TicketEvent.Kind.REPLY, TicketEvent.Kind.ANSWER)])
    for payload in PAYLOADS:
        make_ticket(name=payload[:150], outcome_title=payload[:200], email="autre@example.fr")
    return target


@pytest.fixture
def unprotected_page(browser):
    """A page in a context that ignores the site's CSP, and counts every dialog opened."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800},
                                  locale="fr-FR")
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def test_no_payload_becomes_markup_on_any_page_that_shows_stored_text(
        live_content, django_user_model, unprotected_page):
    agent = django_user_model.objects.create_user("agathe", "agathe@chru-lille.fr",
                                                  password="x-Secret-42", is_staff=True)
    agent.user_permissions.set(Permission.objects.filter(content_type__app_label="triage"))
    Team.national().members.add(agent)
    ticket = hostile_tickets()
    line = SupportLine.objects.get(slug="ans-support-e-cps")
    page = unprotected_page
    base = live_content.url
    page.goto(base + "/admin/login/?next=/agents/")
    page.get_by_label("Nom d’utilisateur").fill("agathe")
    page.get_by_label("Mot de passe").fill("x-Secret-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/agents/")

    places = {
        # place: (pages to open, payloads it shows)
        "file des tickets (noms)": (
            [f"{base}/agents/?status=&page={n}" for n in range(1, 8)], len(PAYLOADS)),
        "ticket : description, parcours, notes, réponses, réponses du demandeur": (
            [f"{base}/agents/tickets/{ticket.pk}/"], len(PAYLOADS) * 5),
        "aperçu de l'e-mail de transfert (nom, parcours)": (
            [f"{base}/agents/tickets/{ticket.pk}/transfert/?line={line.pk}"],
            len(PAYLOADS) + 1),
        "chiffres de l'équipe (issues atteintes)": ([f"{base}/agents/chiffres/"], 10),
        "page de suivi du demandeur (description, réponses)": (
            [base + ticket.get_follow_url()], len(PAYLOADS) * 3),
    }
    injected, shown = {}, 0
    for place, (urls, count) in places.items():
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            found = page.evaluate(INJECTED_ELEMENTS_JS)
            if found:
                injected[place] = found
        shown += count
    print(f"\n{len(PAYLOADS)} charges, {len(places)} endroits, {shown} textes affichés sans "
          f"CSP : {sum(map(len, injected.values()))} éléments injectés, "
          f"{len(page.dialogs)} boîtes de dialogue")
    assert injected == {}
    assert page.dialogs == []
