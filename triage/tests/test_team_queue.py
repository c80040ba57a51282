"""The queue a team runs on: response target, counts, assignment, bulk actions, merge,
templates that keep the typed text, the phone form, and the team's figures."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from teams.models import Team
from triage.figures import team_figures
from triage.forms import insert_at
from triage.models import ReplyTemplate, Ticket, TicketEvent, add_working_days
from triage.tests.factories import VALID_FORM, make_ticket


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


# --- Response target ----------------------------------------------------------------------

@pytest.mark.parametrize(("start", "days", "due"), [
    ("2026-11-23 10:00", 2, "2026-11-25 10:00"),  # Monday → Wednesday
    ("2026-11-27 16:00", 2, "2026-12-01 16:00"),  # Friday → Tuesday, the weekend skipped
    ("2026-11-28 09:00", 2, "2026-12-01 09:00"),  # Saturday → Tuesday
])
def test_the_response_target_counts_working_days(start, days, due):
    assert add_working_days(at(start), days) == at(due)


def test_overdue_tickets_come_first_and_are_counted(agent_client, seed_tree):
    now = timezone.now()
    late = make_ticket(name="Léa Enretard", due_at=now - timedelta(hours=3))
    soon = make_ticket(name="Sam Bientôt", due_at=now + timedelta(hours=5))
    make_ticket(name="Rita Résolue", status=Ticket.Status.RESOLVED,
                due_at=now - timedelta(days=3))  # closed: owes nothing
    html = agent_client.get("/agents/").content.decode()
    assert html.index("Léa Enretard") < html.index("Sam Bientôt")
    assert "Rita Résolue" not in html  # the default view: « à traiter » and « en cours »
    assert late.is_overdue() and not soon.is_overdue()
    assert '<a href="?status=retard" class="link-overdue"' in html
    overdue_only = agent_client.get("/agents/", {"status": "retard"}).content.decode()
    assert "Léa Enretard" in overdue_only and "Sam Bientôt" not in overdue_only
    assert "À traiter <span class=\"badge text-bg-light\">2</span>" in html


def test_a_web_request_is_due_and_a_phone_call_is_not(seed_tree, agent_client):
    Client().post("/aide/", VALID_FORM)
    agent_client.post("/agents/nouveau/", {**VALID_FORM, "email": ""})
    web, phone = Ticket.objects.order_by("id")
    assert web.due_at and phone.due_at is None


# --- Assignment, bulk actions -------------------------------------------------------------

def test_an_agent_assigns_a_ticket_to_a_colleague(agent_client, seed_tree, django_user_model):
    from conftest import make_staff

    colleague = make_staff(django_user_model, "bruno", "Agents de support")
    editor = make_staff(django_user_model, "eddie", "Éditeurs de contenu")
    ticket = make_ticket()
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert ">bruno</option>" in page and ">eddie</option>" not in page  # agents only
    agent_client.post(f"{ticket.get_absolute_url()}attribuer/", {"agent": colleague.pk})
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague
    agent_client.post(f"{ticket.get_absolute_url()}attribuer/", {"agent": editor.pk})
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague  # an editor is not a valid choice


@pytest.mark.parametrize("count", [2, 200])
def test_bulk_actions_cost_the_same_queries_for_200_tickets(agent_client, agent, seed_tree,
                                                            count, django_assert_num_queries):
    tickets = Ticket.objects.bulk_create(make_ticket_row(n) for n in range(count))
    pks = [ticket.pk for ticket in tickets]
    # session, user, permissions ×2, agents (the action's choices), the tickets, the
    # assignee's teams (each ticket must be of one of them), then savepoint, update, events,
    # savepoint release; and the session saved again (savepoint, update, release)
    with django_assert_num_queries(14):
        response = agent_client.post("/agents/lot/", {"tickets": pks,
                                                      "action": f"agent:{agent.pk}"})
    assert response.status_code == 302
    assert Ticket.objects.filter(assigned_to=agent).count() == count
    with django_assert_num_queries(13):  # the same, but no assignee's teams to check
        agent_client.post("/agents/lot/", {"tickets": pks, "action": "statut:resolu"})
    assert Ticket.objects.filter(status=Ticket.Status.RESOLVED, closed_at__isnull=False,
                                 due_at__isnull=True).count() == count
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.STATUS).count() == count


def make_ticket_row(n: int) -> Ticket:
    data = {key: value for key, value in VALID_FORM.items() if key not in ("consent", "website")}
    return Ticket(**{**data, "name": f"Personne {n}"}, due_at=timezone.now(),
                  team=Team.national())


def test_a_bulk_status_leaves_alone_what_the_workflow_refuses(agent_client, seed_tree):
    waiting = make_ticket(status=Ticket.Status.WAITING)
    resolved = make_ticket(status=Ticket.Status.RESOLVED)
    response = agent_client.post("/agents/lot/", {
        "tickets": [waiting.pk, resolved.pk], "action": "statut:attente_usager"}, follow=True)
    assert "2 laissés tels quels" in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"action": "statut:resolu"}, {"tickets": ["1"]},
                                  {"tickets": ["999999"], "action": "statut:resolu"},
                                  {"tickets": ["x"], "action": "agent:x"}])
def test_a_bad_bulk_request_is_a_french_message(agent_client, seed_tree, data):
    make_ticket()
    response = agent_client.post("/agents/lot/", {**data, "retour": "status=&page=2"},
                                 follow=True)
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert response.redirect_chain[0][0] == "/agents/?status=&page=2"


# --- Merge --------------------------------------------------------------------------------

def test_merge_keeps_both_timelines_and_the_professionals_link(agent_client, agent, seed_tree):
    first = make_ticket(description="Premier message : QR code absent.",
                        created_at=timezone.now() - timedelta(days=2))
    TicketEvent.objects.create(ticket=first, kind=TicketEvent.Kind.NOTE, text="Note sur le 1")
    second = make_ticket(description="Second message : toujours rien.")
    TicketEvent.objects.create(ticket=second, kind=TicketEvent.Kind.NOTE, text="Note sur le 2")
    stranger = make_ticket(email="autre@example.fr", identifier_number="", phone="")
    page = agent_client.get(second.get_absolute_url()).content.decode()
    assert first.reference in page and f"{stranger.reference} du" not in page

    response = agent_client.post(f"{second.get_absolute_url()}fusionner/", {"into": first.pk})
    assert response["Location"] == first.get_absolute_url()
    second.refresh_from_db()
    assert second.merged_into == first and second.is_closed
    timeline = agent_client.get(first.get_absolute_url()).content.decode()
    for text in ["Note sur le 1", "Note sur le 2", "Second message : toujours rien.",
                 second.reference]:
        assert text in timeline
    # The duplicate's page leads to the kept ticket; so does the professional's link.
    assert agent_client.get(second.get_absolute_url())["Location"] == first.get_absolute_url()
    follow = Client().get(second.get_follow_url())
    assert follow.status_code == 200
    assert first.reference in follow.content.decode()
    assert "Second message\u00a0: toujours rien." in follow.content.decode()
    # Only the same person's tickets can be chosen.
    agent_client.post(f"{first.get_absolute_url()}fusionner/", {"into": stranger.pk})
    assert Ticket.objects.get(pk=first.pk).merged_into is None


def test_two_people_with_the_same_rpps_never_read_each_other(agent_client, seed_tree):
    """The RPPS number is public: a second person filing with it (or with the same practice
    phone) is not offered for merging, and a forged merge is refused, so each private link
    keeps showing only its holder's conversation."""
    first = make_ticket(description="Ma demande à moi.", email="claire@example.fr")
    second = make_ticket(description="La demande d'un autre.", email="paul@example.fr")
    assert (first.identifier_number, first.phone) == (second.identifier_number, second.phone)
    page = agent_client.get(second.get_absolute_url()).content.decode()
    assert f"{first.reference} du" not in page and "Doublon ?" not in page
    response = agent_client.post(f"{second.get_absolute_url()}fusionner/", {"into": first.pk},
                                 follow=True)
    assert "ne peut pas être fusionné" in response.content.decode()
    assert Ticket.objects.get(pk=second.pk).merged_into is None
    assert "Ma demande à moi." not in Client().get(second.get_follow_url()).content.decode()
    assert "La demande d'un autre." not in Client().get(
        first.get_follow_url()).content.decode()


def test_the_same_address_written_differently_is_offered_for_merging(agent_client, seed_tree):
    first = make_ticket(email="Claire.Martin@Example.fr")
    second = make_ticket(email="claire.martin@example.fr", identifier_number="")
    assert first in second.merge_candidates()


# --- Templates ----------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "cursor", "body", "position"), [
    ("Bonjour,\r\nmerci.", "9,9", "Bonjour,\n\nTEXTE\n\nmerci.", 15),  # CRLF from the browser
    ("Bonjour,\nmerci.", "0,8", "TEXTE\n\nmerci.", 5),  # a selection is replaced
    ("Bonjour", "", "Bonjour\n\nTEXTE", 14),  # without JavaScript: after the typed text
    ("Bonjour", "3,99", "Bonjour\n\nTEXTE", 14),  # out of range: after the text
    ("", "abc", "TEXTE", 5),
    # Never glued to an address: the cursor right after it, or inside it.
    ("Voir https://x.fr/installer-application/", "40,40",
     "Voir https://x.fr/installer-application/\n\nTEXTE", 47),
    ("Voir https://x.fr/installer-application/ puis", "20,20",
     "Voir https://x.fr/installer-application/\n\nTEXTE\n\n puis", 47),
    # After the agent's own signature (no JavaScript, or the cursor at the end): above it.
    ("Merci.\n\nCordialement,\nJean", "", "Merci.\n\nTEXTE\n\nCordialement,\nJean", 13),
])
def test_a_template_goes_where_the_cursor_is(typed, cursor, body, position):
    assert insert_at(typed, "TEXTE", cursor) == (body, position)


def test_a_second_template_never_greets_or_signs_twice():
    first = ("Bonjour Claire Martin,\n\nPremier point.\n\nBien cordialement,\n"
             "L'équipe d'assistance e-CPS")
    second = ("Bonjour Claire Martin,\n\nSecond point.\n\nBien cordialement,\n"
              "L'équipe d'assistance e-CPS\n\n(Nous ne vous demanderons jamais…)")
    after_first_point = first.index("\n\nBien")
    body, _cursor = insert_at(first, second, f"{after_first_point},{after_first_point}")
    assert body == ("Bonjour Claire Martin,\n\nPremier point.\n\nSecond point.\n\n"
                    "Bien cordialement,\nL'équipe d'assistance e-CPS")


def test_a_template_s_tutorials_come_before_its_signature(agent_client, seed_tree):
    ticket = make_ticket()
    template = ReplyTemplate.objects.filter(tutorials__isnull=False).first()
    body = agent_client.post(f"{ticket.get_absolute_url()}modele/", {
        "modele": template.pk, "subject": "", "body": "", "curseur": ""},
        headers={"HX-Request": "true"}).content.decode()
    assert body.index("Pour vous aider") < body.index("Bien cordialement")


def test_inserting_a_template_keeps_the_typed_text_and_sets_the_macros_status(
        agent_client, seed_tree):
    ticket = make_ticket()
    template = ReplyTemplate.objects.get(name="Demande d'informations")
    assert template.status == Ticket.Status.WAITING
    response = agent_client.post(f"{ticket.get_absolute_url()}modele/", {
        "modele": template.pk, "subject": "Mon objet à moi", "body": "Déjà écrit.",
        "curseur": ""})
    html = response.content.decode()
    assert "Déjà écrit.\n\nBonjour Claire Martin," in html
    assert 'value="Mon objet à moi"' in html  # a typed subject is kept
    assert '<option value="attente_usager" selected>' in html
    fragment = agent_client.post(f"{ticket.get_absolute_url()}modele/", {
        "modele": template.pk, "subject": "", "body": "Déjà écrit.", "curseur": "0,0"},
        headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="reply-fields" data-cursor=')
    assert "Quelques précisions pour vous aider" in fragment
    assert "Bonjour Claire Martin," in fragment and "Déjà écrit." in fragment


def test_a_refused_reply_comes_back_with_its_text(agent_client, seed_tree):
    ticket = make_ticket()
    response = agent_client.post(f"{ticket.get_absolute_url()}reponse/", {
        "subject": "Objet", "body": "Long texte. Votre code PIN est 4821."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Long texte. Votre code PIN est 4821." in html and "retirez-le" in html


# --- Phone calls --------------------------------------------------------------------------

def test_the_phone_form_speaks_to_the_agent_and_accepts_a_phone_instead_of_an_email(
        agent_client, seed_tree, mailoutbox, django_capture_on_commit_callbacks):
    page = agent_client.get("/agents/nouveau/").content.decode()
    assert "Nom et prénom de l&#x27;appelant" in page and "Votre numéro" not in page
    assert ('<span class="signed-in-as">Connecté en tant que</span> <strong>agathe</strong>' in page
            and "Problèmes connus" not in page)
    empty = agent_client.post("/agents/nouveau/", {}).content.decode()
    for message in ["Indiquez le nom de l&#x27;appelant.",
                    "Choisissez la profession de l&#x27;appelant.",
                    "Décrivez le problème de l&#x27;appelant en quelques mots."]:
        assert message in empty
    assert "Choisissez votre profession" not in empty
    neither = agent_client.post("/agents/nouveau/", {**VALID_FORM, "email": "", "phone": ""})
    assert neither.status_code == 400
    assert "Notez l&#x27;e-mail ou le téléphone de l&#x27;appelant" in neither.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post("/agents/nouveau/", {**VALID_FORM, "email": ""})
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.email == "" and mailoutbox == []
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "rappelez la personne au 06 12 34 56 78" in html


def test_the_public_form_still_requires_an_email(seed_tree, client):
    response = client.post("/aide/", {**VALID_FORM, "email": ""})
    assert response.status_code == 400
    assert "Indiquez l&#x27;adresse e-mail" in response.content.decode()


# --- Figures ------------------------------------------------------------------------------

def scripted_tickets():
    """Two weeks of a small team: known arrivals, first replies, closures."""
    monday = at("2026-11-16 09:00")

    def ticket(created, *, reply_after=None, **fields):
        made = make_ticket(created_at=created, **fields)
        if reply_after is not None:
            TicketEvent.objects.create(ticket=made, kind=TicketEvent.Kind.REPLY,
                                       at=created + timedelta(hours=reply_after), text="…")
            TicketEvent.objects.create(ticket=made, kind=TicketEvent.Kind.REPLY,
                                       at=created + timedelta(hours=90), text="…")
        return made

    ticket(monday - timedelta(days=7), reply_after=2, status=Ticket.Status.RESOLVED,
           outcome_title="Problème avec l'application e-CPS",
           pages_viewed=["/tutoriels/installer-application/", "/recherche/?q=Claire+Martin"])
    ticket(monday - timedelta(days=6), reply_after=10, status=Ticket.Status.TRANSFERRED,
           outcome_title="Problème avec l'application e-CPS",
           pages_viewed=["/tutoriels/installer-application/",
                         "/tutoriels/installer-application/"])
    ticket(monday, reply_after=4, status=Ticket.Status.RESOLVED,
           outcome_title="Coordonnées à mettre à jour")
    ticket(monday + timedelta(days=1), status=Ticket.Status.NEW)
    ticket(monday + timedelta(days=1), reply_after=0.5, source=Ticket.Source.PHONE,
           status=Ticket.Status.RESOLVED)  # a phone call: not timed
    duplicate = ticket(monday + timedelta(days=2))
    duplicate.merged_into = Ticket.objects.first()
    duplicate.save()
    ticket(monday - timedelta(days=30))  # before the period


def test_the_figures_match_a_scripted_set_of_tickets(seed_tree):
    scripted_tickets()
    figures = team_figures(teams=Team.objects.all(), weeks=2, now=at("2026-11-20 12:00"))
    assert [week.opened for week in figures.weeks] == [2, 3]
    assert [f"{week.monday:%Y-%m-%d}" for week in figures.weeks] == ["2026-11-09",
                                                                    "2026-11-16"]
    assert [week.median_hours for week in figures.weeks] == [6.0, 4.0]
    assert figures.median_hours == 4.0  # of 2, 10 and 4 hours
    assert (figures.resolved, figures.transferred, figures.resolved_share) == (3, 1, 75)
    assert figures.outcomes == [("Problème avec l'application e-CPS", 2),
                                ("Coordonnées à mettre à jour", 1)]
    paths = [(path, count) for path, _title, count in figures.pages]
    assert paths == [("/tutoriels/installer-application/", 2), ("/recherche/", 1)]


def test_the_figures_page_and_csv_hold_no_personal_data(agent_client, seed_tree):
    scripted_tickets()
    page = agent_client.get("/agents/chiffres/", {"semaines": "52"}).content.decode()
    assert "<svg class=\"chart\"" in page and "Problème avec l&#x27;application e-CPS" in page
    response = agent_client.get("/agents/chiffres.csv", {"semaines": "52"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Indicateur", "Libellé", "Valeur"]
    assert ["Demandes closes", "résolues sans transfert", "3"] in rows
    for personal in ["Claire", "Martin", "claire.martin", "10002232642", "QR code n'arrive"]:
        assert personal not in page and personal not in text


@pytest.mark.parametrize(("before", "then_status", "after"), [
    (Ticket.Status.NEW, "", Ticket.Status.IN_PROGRESS),
    (Ticket.Status.NEW, Ticket.Status.WAITING, Ticket.Status.WAITING),
    (Ticket.Status.RESOLVED, "", Ticket.Status.RESOLVED),  # a follow-up on a closed ticket
    (Ticket.Status.RESOLVED, Ticket.Status.WAITING, Ticket.Status.WAITING),
    (Ticket.Status.TRANSFERRED, Ticket.Status.WAITING, Ticket.Status.WAITING),
    (Ticket.Status.WAITING, Ticket.Status.RESOLVED, Ticket.Status.RESOLVED),
])
def test_a_reply_with_a_macro_reaches_its_status_from_any_status(agent_client, seed_tree,
                                                                 before, then_status, after):
    now = timezone.now()
    ticket = make_ticket(status=before, due_at=now,
                         closed_at=now if before in Ticket.CLOSED else None)
    response = agent_client.post(f"{ticket.get_absolute_url()}reponse/", {
        "subject": "Objet", "body": "Bonjour,", "then_status": then_status})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == after and ticket.due_at is None
    assert bool(ticket.closed_at) == (after in Ticket.CLOSED)
