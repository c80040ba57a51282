"""The editors' dashboard: what to verify again, what was never verified, links that fail
(checked against a local server on loopback) and the visitors' votes per page."""

import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from kb.freshness import check_link, link_problems, never_verified, page_votes, verification_due
from kb.models import Feedback, KnownProblem, LinkCheck, SupportLine, Tutorial


class Site(BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path == "/sans-head":
            self.send_response(405)
        elif self.path == "/ok" or self.path == "/sans-head-get":
            self.send_response(200)
        elif self.path == "/deplace":
            self.send_response(301)
            self.send_header("Location", "https://nouvelle.example/page")
        elif self.path == "/lent":
            time.sleep(2)
            self.send_response(200)
        else:
            self.send_response(404)
        self.end_headers()

    def do_GET(self):
        self.path = "/sans-head-get" if self.path == "/sans-head" else self.path
        self.do_HEAD()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_check_link_reports_what_each_address_does(local_site):
    assert check_link(f"{local_site}/ok", timeout=1) == (200, "", "")
    assert check_link(f"{local_site}/sans-head", timeout=1) == (200, "", "")
    assert check_link(f"{local_site}/deplace", timeout=1) == (301, "https://nouvelle.example/page",
                                                              "")
    assert check_link(f"{local_site}/absente", timeout=1)[0] == 404
    status, _to, error = check_link(f"{local_site}/lent", timeout=0.3)
    assert status is None and error  # bounded: never waits for a slow server
    status, _to, error = check_link("http://127.0.0.1:9/", timeout=1)  # nothing listens
    assert status is None and error


def test_the_link_checker_stores_what_fails_and_where(seed_tree, local_site, settings,
                                                      admin_user_client):
    settings.KB_LINK_CHECK_TIMEOUT = 1
    # The content's real addresses are outside this closed test: point them at the local site.
    SupportLine.objects.update(faq_url="", source="")
    Tutorial.objects.update(video_url="", source="")
    KnownProblem.objects.update(fix="Voir la page.")
    from kb.models import Step, TutorialStep
    Step.objects.update(action_url="", video_url="", body="")
    TutorialStep.objects.update(body="Texte.", warning="")
    Tutorial.objects.update(prerequisites="")
    cards = SupportLine.objects.get(slug="ans-support-cartes")
    cards.faq_url = f"{local_site}/deplace"
    cards.save()
    problem = KnownProblem.objects.first()
    problem.fix = f"Suivez [la procédure]({local_site}/absente) puis [ceci]({local_site}/ok)."
    problem.save()
    call_command("check_links", stdout=None)
    assert LinkCheck.objects.count() == 3
    failing = {check.url: [place.label for place in places]
               for check, places in link_problems()}
    assert failing == {f"{local_site}/deplace": [cards.name],
                       f"{local_site}/absente": [problem.symptom]}
    html = admin_user_client.get("/admin/kb/contentversion/tableau-de-bord/").content.decode()
    assert "redirigée (301) vers https://nouvelle.example/page" in html
    assert "cassée (erreur 404)" in html
    assert f"{local_site}/ok" not in html


def test_the_freshness_lists(seed_tree, settings):
    settings.KB_FRESHNESS_MONTHS = 6
    today = date(2026, 11, 23)
    SupportLine.objects.update(verified_on=today - timedelta(days=30))
    Tutorial.objects.update(verified_on=today - timedelta(days=30))
    old = SupportLine.objects.get(slug="ans-support-cartes")
    old.verified_on = date(2025, 12, 1)
    old.save()
    tutorial = Tutorial.objects.first()
    tutorial.verified_on = date(2026, 3, 1)
    tutorial.save()
    KnownProblem.objects.update(verified_on=today)
    unverified = KnownProblem.objects.first()
    unverified.verified_on = None
    unverified.save()
    due = verification_due(today=today)
    assert [item.label for item in due] == [old.name, tutorial.title]
    assert [item.label for item in never_verified()] == [unverified.symptom]
    assert verification_due(months=12, today=today) == []


def test_votes_per_page_worst_first_with_comments(db):
    for n, helpful in enumerate([True, True, False]):
        Feedback.objects.create(page="/tutoriels/a/", visitor=f"v{n}", helpful=helpful)
    for n, helpful in enumerate([False, False, True]):
        Feedback.objects.create(page="/tutoriels/b/", visitor=f"v{n}", helpful=helpful,
                                comment=f"Commentaire {n}" if not helpful else "")
    votes = page_votes()
    assert [(row["page"], row["yes"], row["no"], row["useful_share"]) for row in votes] == [
        ("/tutoriels/b/", 1, 2, 33), ("/tutoriels/a/", 2, 1, 67)]
    assert sorted(votes[0]["comments"]) == ["Commentaire 0", "Commentaire 1"]


def test_the_dashboard_is_for_editors(seed_tree, editor, agent, client):
    client.force_login(editor)
    html = client.get("/admin/kb/contentversion/tableau-de-bord/").content.decode()
    assert "Jamais vérifiés" in html and "Avis des visiteurs" in html
    client.force_login(agent)
    assert client.get("/admin/kb/contentversion/tableau-de-bord/").status_code == 403


def test_a_new_install_has_nothing_never_verified(seed_tree, settings):
    """The reference content carries when each fact was checked, and against what."""
    settings.KB_FRESHNESS_MONTHS = 6
    assert never_verified() == []
    assert verification_due(today=date(2026, 12, 3)) == []
    assert all(problem.sources for problem in KnownProblem.objects.all())


def test_the_dashboard_opens_with_what_to_do_today_and_the_rest_one_click_away(
        seed_tree, editor, client):
    for n in range(5):
        Feedback.objects.create(page="/tutoriels/installer-application/", visitor=f"v{n}",
                                helpful=False, comment="")
    SupportLine.objects.filter(slug="ans-support-cartes").update(verified_on=date(2024, 1, 1))
    client.force_login(editor)
    html = client.get("/admin/kb/contentversion/tableau-de-bord/").content.decode()
    today, rest = html.split('<h2 class="dashboard-rest">')
    assert "À faire aujourd'hui" in today
    assert "1 information à revérifier" in today and "Support des cartes CPx" in today
    assert "1 page jugée peu utile" in today
    assert "Les liens n'ont jamais été vérifiés." in today
    assert ">Vérifier les liens maintenant</button>" in today
    assert 'href="/agents/chiffres/"' in today  # the figures, one click away
    # The full lists are further down, each folded behind one click.
    assert rest.count("<details") >= 3 and "Jamais vérifiés" in rest


def test_the_link_check_button_puts_a_job_on_the_queue_and_the_job_runs_it(
        seed_tree, editor, client, monkeypatch):
    from django_tasks import default_task_backend

    from kb import freshness, tasks

    checked = []
    monkeypatch.setattr(freshness, "check_link",
                        lambda url, timeout: checked.append(url) or (200, "", ""))
    client.force_login(editor)
    response = client.post("/admin/kb/contentversion/tableau-de-bord/", follow=True)
    html = response.content.decode()
    assert "La vérification des liens est demandée" in html
    assert "Nouvelle vérification demandée à" in html
    assert checked == [] and LinkCheck.objects.count() == 0  # nothing inside the request
    [job] = default_task_backend.results
    assert job.task.func is tasks.check_links.func
    assert tasks.check_links.call() == len(checked) > 0  # what the worker does
    assert LinkCheck.objects.count() == len(checked)
    html = client.get("/admin/kb/contentversion/tableau-de-bord/").content.decode()
    assert "Liens vérifiés le" in html and "Nouvelle vérification demandée" not in html


def test_a_scheduled_publication_is_also_put_on_the_queue_for_its_time(
        seed_tree, editor, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone
    from django_tasks import default_task_backend

    from kb import tasks
    from kb.services import schedule_publication

    SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 01")
    when = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        schedule_publication(keys={"ligne:ans-support-cartes"}, run_at=when, user=editor)
    [job] = default_task_backend.results
    assert job.task.func is tasks.publish_scheduled.func and job.task.run_after == when
