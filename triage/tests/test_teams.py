"""Several teams on one site: each team sees its own tickets and nothing else, signs its own
e-mails, answers within its own target, and hands a request to another team when it is
theirs (issue 19, agents' side)."""

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import make_staff
from teams.models import Team
from triage.models import OutgoingMail, ReplyTemplate, TeamTransfer, Ticket, TicketEvent
from triage.tests.factories import VALID_FORM, make_ticket


@pytest.fixture
def hdf(db):
    return Team.objects.create(slug="hdf", name="Équipe fimatho",
                               organisation="Filière FIMATHO, CHRU de Lille",
                               email="fimatho@chru-lille.fr", phone="03 62 94 39 82",
                               response_target_days=1)


@pytest.fixture
def paca(db):
    return Team.objects.create(slug="paca", name="Portail de santé PACA",
                               email="aide@iess.fr")


def member_client(django_user_model, name, *teams):
    user = make_staff(django_user_model, name, "Agents de support")
    user.teams.set(teams)
    client = Client()
    client.force_login(user)
    return user, client


def test_a_request_on_the_national_site_goes_to_the_national_queue(client, seed_tree):
    client.post("/aide/", VALID_FORM)
    assert Ticket.objects.get().team == Team.national()


def test_an_agent_sees_only_the_tickets_of_their_teams(seed_tree, django_user_model, hdf,
                                                        paca):
    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    make_ticket(team=hdf, name="Hélène Lille")
    make_ticket(team=paca, name="Paul Marseille", email="paul@example.fr")
    for query in ["", "?status=", "?q=Paul", "?q=Marseille", "?status=retard"]:
        html = fimatho_client.get(f"/agents/{query}").content.decode()
        assert "Paul Marseille" not in html, query
    page = fimatho_client.get("/agents/?status=").content.decode()
    assert "Hélène Lille" in page and "1 ticket" in page


def test_a_bulk_action_on_another_teams_ticket_changes_nothing(seed_tree, django_user_model,
                                                               hdf, paca):
    fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    theirs = make_ticket(team=paca)
    response = fimatho_client.post("/agents/lot/", {"tickets": [theirs.pk],
                                                    "action": f"agent:{fimatho.pk}"},
                                   follow=True)
    assert "n&#x27;existe plus" in response.content.decode()
    assert Ticket.objects.get(pk=theirs.pk).assigned_to is None


def test_a_ticket_is_assigned_only_to_members_of_its_team(seed_tree, django_user_model, hdf,
                                                          paca):
    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    paola, _client = member_client(django_user_model, "paola", paca)
    ticket = make_ticket(team=hdf)
    page = fimatho_client.get(ticket.get_absolute_url()).content.decode()
    assert ">fanny<" in page and ">paola<" not in page
    fimatho_client.post(f"{ticket.get_absolute_url()}attribuer/", {"agent": paola.pk})
    assert Ticket.objects.get(pk=ticket.pk).assigned_to is None


def test_a_team_signs_its_own_mails_and_keeps_its_own_target(
        client, seed_tree, hdf, django_user_model, mailoutbox,
        django_capture_on_commit_callbacks):
    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    ticket = make_ticket(team=hdf)
    with django_capture_on_commit_callbacks(execute=True):
        fimatho_client.post(f"{ticket.get_absolute_url()}reponse/", {
            "subject": f"[{ticket.reference}] Votre demande", "body": "Bonjour,"})
    sent = mailoutbox[0]
    assert sent.from_email == "Équipe fimatho <fimatho@chru-lille.fr>"
    assert sent.reply_to == ["Équipe fimatho <fimatho@chru-lille.fr>"]
    assert "Équipe fimatho\nFilière FIMATHO, CHRU de Lille\n03 62 94 39 82" in sent.body
    # The professional answers: the team owes an answer within its own target (1 day).
    client.post(ticket.get_follow_url(), {"text": "Toujours rien."})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert (ticket.due_at - timezone.now()).days <= 3  # one working day, a weekend at most


def test_a_team_is_offered_its_own_templates_and_the_national_ones(
        seed_tree, django_user_model, hdf, paca):
    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    ReplyTemplate.objects.create(name="RCP SARA : droits", subject="Vos droits", body="…",
                                 team=hdf)
    theirs = ReplyTemplate.objects.create(name="Portail PACA : accès", subject="Accès",
                                          body="Texte PACA", team=paca)
    ticket = make_ticket(team=hdf)
    page = fimatho_client.get(ticket.get_absolute_url()).content.decode()
    assert "RCP SARA : droits" in page and "Portail PACA : accès" not in page
    assert ReplyTemplate.objects.filter(team__isnull=True).exists()  # the shared ones
    inserted = fimatho_client.post(f"{ticket.get_absolute_url()}modele/", {
        "modele": theirs.pk, "subject": "", "body": ""}).content.decode()
    assert "Texte PACA" not in inserted


def test_an_agent_of_two_teams_chooses_the_team_of_a_call(seed_tree, django_user_model, hdf,
                                                           paca):
    _both, both_client = member_client(django_user_model, "bea", hdf, paca)
    form = both_client.get("/agents/nouveau/").content.decode()
    assert "Équipe qui traite l&#x27;appel" in form
    refused = both_client.post("/agents/nouveau/", {**VALID_FORM})
    assert "Choisissez l&#x27;équipe." in refused.content.decode()
    both_client.post("/agents/nouveau/", {**VALID_FORM, "team": paca.pk})
    assert Ticket.objects.get().team == paca
    _one, one_client = member_client(django_user_model, "fanny", hdf)
    assert "Équipe qui traite" not in one_client.get("/agents/nouveau/").content.decode()


def test_transfer_to_another_team(client, seed_tree, django_user_model, hdf, paca, mailoutbox,
                                  django_capture_on_commit_callbacks):
    fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    _paola, paca_client = member_client(django_user_model, "paola", paca)
    ticket = make_ticket(team=hdf, assigned_to=fimatho, status=Ticket.Status.IN_PROGRESS,
                         service="paca")
    with django_capture_on_commit_callbacks(execute=True):
        response = fimatho_client.post(f"{ticket.get_absolute_url()}equipe/", {
            "team": paca.pk, "note": "Accès au Portail PACA : c'est leur outil."})
    assert response["Location"] == "/agents/"  # no longer ours to see
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assigned_to, ticket.status) == (paca, None, "nouveau")
    assert ticket.due_at is not None
    # The sending team keeps a trace, not the ticket.
    assert fimatho_client.get(ticket.get_absolute_url()).status_code == 404
    queue = fimatho_client.get("/agents/").content.decode()
    assert "Transférés à une autre équipe" in queue and ticket.reference in queue
    assert "c&#x27;est leur outil" in queue
    # The receiving team finds it to do, with the note.
    assert ticket.reference in paca_client.get("/agents/").content.decode()
    page = paca_client.get(ticket.get_absolute_url()).content.decode()
    assert "Équipe fimatho → Portail de santé PACA" in page and "c&#x27;est leur outil" in page
    # The professional is told, by the new team.
    told = mailoutbox[-1]
    assert told.from_email == "Portail de santé PACA <aide@iess.fr>"
    assert "relève de Portail de santé PACA" in told.body
    opened = client.get(ticket.get_follow_url())  # an old link: behind PACA's door now
    assert opened["Location"] == f"/paca{ticket.get_follow_url()}"
    follow = client.get(opened["Location"]).content.decode()
    assert "Suivie par\u00a0: Portail de santé PACA." in follow
    assert "c&#x27;est leur outil" not in follow  # the agents' note stays between teams
    assert TeamTransfer.objects.get().from_team == hdf
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM).count() == 1


def test_merging_stays_within_a_team(seed_tree, hdf, paca):
    first = make_ticket(team=hdf)
    other_team = make_ticket(team=paca)
    assert other_team not in first.merge_candidates()


def test_figures_are_per_team_and_the_coordinator_reads_every_team(
        seed_tree, django_user_model, hdf, paca):
    from django.contrib.auth.models import Group

    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    make_ticket(team=hdf, outcome_title="Issue fimatho")
    make_ticket(team=paca, outcome_title="Issue PACA", email="paul@example.fr")
    page = fimatho_client.get("/agents/chiffres/").content.decode()
    assert "Issue fimatho" in page and "Issue PACA" not in page
    coordinator = django_user_model.objects.create_user("coline", password="x", is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Coordination nationale"))
    coordination = Client()
    coordination.force_login(coordinator)
    everything = coordination.get("/agents/chiffres/").content.decode()
    assert "Issue fimatho" in everything and "Issue PACA" in everything
    one = coordination.get("/agents/chiffres/?equipe=paca").content.decode()
    assert "Issue PACA" in one and "Issue fimatho" not in one
    assert "Issue PACA" in coordination.get("/agents/chiffres.csv?equipe=paca").content.decode()
    assert coordination.get("/agents/").status_code == 403  # no ticket, ever


def test_the_reference_teams_are_created_once_and_never_overwritten(db):
    call_command("load_teams", verbosity=0)
    assert set(Team.objects.values_list("slug", flat=True)) >= {"hdf", "occitanie", "paca"}
    Team.objects.filter(slug="hdf").update(phone="03 20 44 59 62")
    call_command("load_teams", verbosity=0)
    assert Team.objects.get(slug="hdf").phone == "03 20 44 59 62"
    assert Team.objects.get(slug="hdf").email == "fimatho@chru-lille.fr"


@pytest.mark.django_db(transaction=True)
def test_an_installation_from_before_teams_keeps_its_tickets_and_agents():
    """Migrating a single-team base: its tickets and its agents belong to the national
    team, so the queue is the same as before."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("triage", "0007_submission_tokens"), ("teams", None)]
    executor.migrate(before)
    try:
        apps = executor.loader.project_state([("triage", "0007_submission_tokens")]).apps
        User = apps.get_model("auth", "User")
        Permission = apps.get_model("auth", "Permission")
        # The agents' group as triage.0002 made it (a test before this one may have emptied
        # the database, groups included).
        group, _created = apps.get_model("auth", "Group").objects.get_or_create(
            name="Agents de support")
        group.permissions.add(Permission.objects.get(codename="change_ticket"))
        agent = User.objects.create(username="ancienne", is_staff=True)
        agent.groups.add(group)
        old = apps.get_model("triage", "Ticket").objects.create(
            name="Avant les équipes", email="a@example.fr", profession="medecin",
            identifier_type="rpps", service="ecps", description="…")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    national = Team.objects.get(is_national=True)
    assert Ticket.objects.get(pk=old.pk).team == national
    assert list(national.members.values_list("username", flat=True)) == ["ancienne"]


def test_a_mail_of_a_team_without_address_leaves_from_the_site(seed_tree, settings,
                                                               mailoutbox):
    settings.TRIAGE_TEAM_EMAIL = "Assistance e-CPS <assistance@example.fr>"
    team = Team.objects.create(slug="occitanie", name="ARS Occitanie")
    ticket = make_ticket(team=team)
    mail = OutgoingMail.objects.create(ticket=ticket, to=ticket.email, subject="Objet",
                                       body="Bonjour")
    from triage.services import deliver

    deliver(mail.pk)
    assert django_mail.outbox[0].from_email == "Assistance e-CPS <assistance@example.fr>"


def test_only_an_open_ticket_moves_and_its_duplicates_move_with_it(
        seed_tree, django_user_model, hdf, paca):
    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    member_client(django_user_model, "paola", paca)
    keep = make_ticket(team=hdf)
    duplicate = make_ticket(team=hdf)
    fimatho_client.post(f"{duplicate.get_absolute_url()}fusionner/", {"into": keep.pk})
    # The duplicate itself is only a way to the kept ticket: nothing is done to it.
    assert fimatho_client.post(f"{duplicate.get_absolute_url()}equipe/", {
        "team": paca.pk, "note": "Pour PACA."}).status_code == 404
    assert fimatho_client.post(f"{duplicate.get_absolute_url()}reponse/", {
        "subject": "Objet", "body": "Bonjour"}).status_code == 404
    fimatho_client.post(f"{keep.get_absolute_url()}equipe/", {"team": paca.pk,
                                                              "note": "Pour PACA."})
    assert Ticket.objects.get(pk=duplicate.pk).team == paca
    closed = make_ticket(team=hdf, status=Ticket.Status.RESOLVED)
    refused = fimatho_client.post(f"{closed.get_absolute_url()}equipe/", {
        "team": paca.pk, "note": "Pour PACA."}, follow=True).content.decode()
    assert "Seule une demande ouverte peut changer d&#x27;équipe." in refused
    assert Ticket.objects.get(pk=closed.pk).team == hdf


def test_a_team_without_agents_is_not_offered(seed_tree, django_user_model, hdf, paca):
    _fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    Team.objects.create(slug="bretagne", name="Équipe sans personne")
    member_client(django_user_model, "paola", paca)
    page = fimatho_client.get(make_ticket(team=hdf).get_absolute_url()).content.decode()
    assert "Portail de santé PACA</option>" in page
    assert "Équipe sans personne" not in page


def test_the_purge_erases_the_transfer_note(seed_tree, django_user_model, hdf, paca):
    from triage import services

    fimatho, _client = member_client(django_user_model, "fanny", hdf)
    member_client(django_user_model, "paola", paca)
    ticket = make_ticket(team=hdf)
    services.transfer_to_team(ticket=ticket, team=paca, note="Mme Claire Martin, 06 12 34 56 78",
                              actor=fimatho)
    services.anonymise(ticket)
    assert TeamTransfer.objects.get().note == services.ERASED


def test_a_mail_written_before_a_transfer_is_signed_by_its_writer(
        seed_tree, django_user_model, hdf, paca, mailoutbox):
    from triage import services

    fimatho, _client = member_client(django_user_model, "fanny", hdf)
    member_client(django_user_model, "paola", paca)
    ticket = make_ticket(team=hdf)
    services.queue_mail(ticket=ticket, subject="Réponse de fimatho", body="Bonjour")
    services.transfer_to_team(ticket=ticket, team=paca, note="Pour PACA.", actor=fimatho)
    for mail in OutgoingMail.objects.all():
        services.deliver(mail.pk)
    senders = {sent.subject: sent.from_email for sent in mailoutbox}
    assert senders["Réponse de fimatho"] == "Équipe fimatho <fimatho@chru-lille.fr>"


def test_agents_write_only_their_teams_reply_templates(seed_tree, django_user_model, hdf,
                                                       paca):
    fimatho, fimatho_client = member_client(django_user_model, "fanny", hdf)
    theirs = ReplyTemplate.objects.create(name="PACA", subject="Accès", body="Texte PACA",
                                          team=paca)
    ours = ReplyTemplate.objects.create(name="fimatho", subject="Droits", body="…", team=hdf)
    national = ReplyTemplate.objects.filter(team__isnull=True).first()
    listing = fimatho_client.get("/admin/triage/replytemplate/").content.decode()
    assert "Texte PACA" not in listing and ">PACA<" not in listing
    assert fimatho_client.get(f"/admin/triage/replytemplate/{theirs.pk}/change/"
                              ).status_code in (302, 404)
    fimatho_client.post(f"/admin/triage/replytemplate/{theirs.pk}/change/",
                        {"name": "PACA", "subject": "Accès", "body": "modifié", "team": hdf.pk})
    assert ReplyTemplate.objects.get(pk=theirs.pk).body == "Texte PACA"
    # The national ones are read, not written, by a team's agent.
    page = fimatho_client.get(f"/admin/triage/replytemplate/{national.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert fimatho_client.get(f"/admin/triage/replytemplate/{ours.pk}/change/"
                              ).status_code == 200
