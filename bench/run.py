"""`make bench`: figures, printed. Never a pass/fail on timing (the machine is shared).

Runs against a throw-away SQLite database (WAL) with the real content, through Django's
full middleware stack (the test client goes through the same handler as a real request).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmpdir: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmpdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # as in production: no query log kept in memory
    settings.ALLOWED_HOSTS = ["testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)


class QueryCounter:
    """Counts SQL statements. (CaptureQueriesContext can't be used around a request:
    Django empties its query log when each request starts.)"""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(client, url: str, headers=None) -> int:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return counter.count


def measure(client, url: str, *, n: int, headers=None) -> dict:
    queries = count_queries(client, url, headers)
    durations = []
    start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(url, headers=headers or {})
        durations.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    durations.sort()
    return {
        "rps": n / elapsed,
        "median_ms": statistics.median(durations) * 1000,
        "p95_ms": durations[int(len(durations) * 0.95) - 1] * 1000,
        "queries": queries,
    }


def report(name: str, figures: dict) -> None:
    print(f"{name:<58} {figures['rps']:8.0f} req/s   median {figures['median_ms']:6.2f} ms"
          f"   p95 {figures['p95_ms']:6.2f} ms   {figures['queries']} SQL queries")


def bench_wizard(client) -> None:
    print("\n== Parcours guidé (contenu réel, pile de middlewares complète)")
    outcome = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"
    report("accueil /", measure(client, "/", n=300))
    report("question /parcours/methode-a/", measure(client, "/parcours/methode-a/", n=300))
    report("issue (4 réponses)", measure(client, outcome, n=300))
    report("issue, fragment htmx", measure(client, outcome, n=300, headers={"HX-Request": "true"}))

    from django.db import transaction

    from kb.models import Answer, Step, SupportLine
    from kb.tests.factories import make_big_tree
    from kb.tree import wizard_url

    with transaction.atomic():
        Answer.objects.all().delete()
        Step.objects.all().delete()
        SupportLine.objects.all().delete()
        path = make_big_tree(2000)
        report(f"issue d'un arbre de 2 000 étapes (profondeur {len(path)})",
               measure(client, wizard_url(path), n=300))
        transaction.set_rollback(True)


def make_tutorials(count: int) -> None:
    """`count` tutorials of 4 steps in plausible French, for search at scale."""
    import datetime
    import random

    from kb.models import Tutorial, TutorialStep

    rng = random.Random(42)
    vocabulary = (
        "activation carte lecteur téléphone application identifiant notification courriel "
        "connexion portail établissement messagerie certificat code secret professionnel "
        "annuaire coordonnées attestation activité cabinet département ordre mise jour "
        "sécurité navigateur ordinateur smartphone réseau pharmacie hôpital laboratoire "
        "infirmier médecin kinésithérapeute sage-femme dentiste radiologie biologie"
    ).split()

    def sentence(n):
        return " ".join(rng.choice(vocabulary) for _ in range(n)).capitalize() + "."

    tutorials = Tutorial.objects.bulk_create(
        Tutorial(slug=f"tutoriel-genere-{i}", title=sentence(6), summary=sentence(12),
                 service=Tutorial.Service.ECPS, verified_on=datetime.date(2026, 1, 1),
                 source="bench")
        for i in range(count)
    )
    TutorialStep.objects.bulk_create(
        TutorialStep(tutorial=tutorial, position=n, title=sentence(4), body=sentence(25),
                     where=TutorialStep.Where.PHONE)
        for tutorial in tutorials for n in range(4)
    )


def bench_search(client) -> None:
    from django.db import transaction

    from kb import search
    from kb.tests.test_search import RELEVANCE

    QUERIES = [query for query, _ in RELEVANCE]

    print("\n== Recherche (index déjà construit : 0 requête SQL hors vérification périodique)")
    client.get("/recherche/?q=activation")  # builds the index once
    report("page /recherche/ (contenu réel)",
           measure(client, "/recherche/?q=qr+code+pas+re%C3%A7u", n=200))
    with transaction.atomic():
        make_tutorials(10_000)
        search._cache.invalidate()
        start = time.perf_counter()
        search.search("activation")
        print(f"construction de l'index (10 000 tutoriels de plus) : "
              f"{(time.perf_counter() - start) * 1000:.0f} ms, "
              f"{len(search._cache.index.documents)} documents")
        durations = []
        for _ in range(5):
            for query in QUERIES:
                t0 = time.perf_counter()
                search.search(query)
                durations.append(time.perf_counter() - t0)
        durations.sort()
        print(f"recherche, {len(QUERIES)} requêtes × 5 sur 10 000 tutoriels : "
              f"médiane {statistics.median(durations) * 1000:.2f} ms, "
              f"p95 {durations[int(len(durations) * 0.95) - 1] * 1000:.2f} ms "
              "(objectif : p95 < 30 ms)")
        client.get("/recherche/?q=activation")
        report("page /recherche/ sur 10 000 tutoriels", measure(
            client, "/recherche/?q=activation+carte+lecteur", n=100))
        transaction.set_rollback(True)
    search._cache.invalidate()


def bench_tutorial(client) -> None:
    print("\n== Tutoriel")
    report("page /tutoriels/activer-e-cps-avec-carte/",
           measure(client, "/tutoriels/activer-e-cps-avec-carte/", n=300))


def bench_tickets(client) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from triage.models import Ticket
    from triage.tests.factories import VALID_FORM

    print("\n== Tickets")
    settings.TRIAGE_RATE_LIMIT = (10**9, 60)  # measuring throughput, not the robot guard
    outcome = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"
    with transaction.atomic():
        n = 200
        start = time.perf_counter()
        for i in range(n):
            response = client.post("/aide/", {**VALID_FORM, "name": f"Personne {i}",
                                               "depuis": outcome})
            assert response.status_code == 302, response.status_code
        elapsed = time.perf_counter() - start
        print(f"dépôt d'une demande (formulaire complet, parcours joint) : {n / elapsed:.0f} "
              f"demandes/s, {elapsed / n * 1000:.1f} ms chacune")

        Ticket.objects.bulk_create(
            Ticket(name=f"Personne {i}", email="p@example.fr", profession="medecin",
                   identifier_type="rpps", service="ecps", description="Description.")
            for i in range(10_000 - n)
        )
        agent = get_user_model().objects.create_user("bench-agent", is_staff=True)
        agent.groups.add(Group.objects.get(name="Agents de support"))
        client.force_login(agent)
        print(f"{Ticket.objects.count()} tickets en base")
        report("file /agents/ (page 1)", measure(client, "/agents/", n=100))
        report("file /agents/?page=200 (fin)", measure(client, "/agents/?page=200", n=100))
        report("file filtrée et triée", measure(
            client, "/agents/?status=ouverts&sort=created_at&q=Personne+99", n=100))
        client.logout()
        transaction.set_rollback(True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        setup_django(tmpdir)
        from django.test import Client

        client = Client()
        bench_wizard(client)
        bench_tutorial(client)
        bench_search(client)
        bench_tickets(client)


if __name__ == "__main__":
    main()
