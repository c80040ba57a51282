"""`make loadtest`: the production configuration under gunicorn (2 workers, loopback) driven
for 60 s from this second process by 16 simulated visitors with a realistic mix: wizard
steps, tutorials, searches, « Cette page vous a-t-elle été utile ? » votes and help requests. On
SQLite, then on PostgreSQL (a database of its own). Prints throughput, latency percentiles,
errors, and help requests sent against tickets created. Figures only: never a pass/fail on
timing. Each visitor has its own address (X-Real-IP, as set by the proxy in production)."""

import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import free_port, manage  # noqa: E402 - bench/ is a folder of scripts

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("LOADTEST_SECONDS", 60))
VISITORS = 16
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
OUTCOME = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
WIZARD = ["/", "/parcours/", "/parcours/methode-a/", "/parcours/methode-b/",
          "/parcours/methode-a/methode-a-erreur/", OUTCOME,
          "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/",
          "/parcours/methode-b/methode-b-probleme/coordonnees-a-mettre-a-jour/"]
TUTORIALS = ["activer-e-cps-avec-carte", "activer-e-cps-avec-coordonnees",
             "installer-application", "choisir-mot-de-passe", "trouver-identifiant-national"]
QUERIES = ["qr code pas reçu", "code pin bloqué", "mot de passe refusé", "identifiant inconnu",
           "ecps expirée", "notification", "kaspersky", "sms pas recu", "rcp sara"]
HELP_FORM = {"name": "Claire Martin", "email": "claire.martin@example.fr", "phone": "",
             "profession": "medecin", "identifier_type": "rpps",
             "identifier_number": "10002232642", "service": "ecps",
             "description": "Le QR code ne s'affiche pas.", "consent": "on", "website": ""}
MIX = [("wizard", 45), ("tutorial", 20), ("search", 20), ("feedback", 10), ("ticket", 5)]


class Visitor:
    def __init__(self, port: int):
        self.port = port
        self.address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, form=None):
        headers = {"X-Forwarded-Proto": "https", "X-Real-IP": self.address,
                   "Origin": f"https://127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form) if form else None
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        text = response.read().decode()
        conn.close()
        return response.status, text

    def act(self, action: str) -> tuple[int, int]:
        """(status, expected status) of the action's last request."""
        if action == "wizard":
            return self.request("GET", random.choice(WIZARD))[0], 200
        if action == "tutorial":
            return self.request("GET", f"/tutoriels/{random.choice(TUTORIALS)}/")[0], 200
        if action == "search":
            query = random.choice(QUERIES) + random.choice(["", f" {random.randrange(99)}"])
            return self.request("GET", "/recherche/?" + urlencode({"q": query}))[0], 200
        if action == "feedback":
            page = f"/tutoriels/{random.choice(TUTORIALS)}/"
            self.request("GET", page)  # the forms carry no token (kb.cross_site): no parsing
            return self.request("POST", "/avis/", {
                "page": page, "helpful": random.choice("01"), "comment": ""})[0], 302
        self.request("GET", f"/aide/?depuis={OUTCOME}")
        return self.request("POST", "/aide/", {**HELP_FORM, "depuis": OUTCOME})[0], 302


def drive(port: int) -> dict:
    deadline = time.monotonic() + SECONDS
    lock = threading.Lock()
    latencies, statuses, errors, tickets_sent = [], Counter(), Counter(), [0]
    actions, weights = zip(*MIX, strict=True)

    def visitor_loop():
        visitor = Visitor(port)
        while time.monotonic() < deadline:
            action = random.choices(actions, weights)[0]
            started = time.perf_counter()
            try:
                status, expected = visitor.act(action)
            except Exception as error:  # noqa: BLE001 - a refused connection is an error too
                status, expected = type(error).__name__, 200
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1
                if status != expected:
                    errors[f"{action} → {status}"] += 1
                elif action == "ticket":
                    tickets_sent[0] += 1
            if action == "ticket" or random.random() < 0.1:
                visitor = Visitor(port)  # done, or gone: a new person arrives

    threads = [threading.Thread(target=visitor_loop) for _ in range(VISITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "statuses": statuses, "errors": errors,
            "tickets_sent": tickets_sent[0]}


def count_in_database(env) -> list[str]:
    script = ("from triage.models import Ticket, OutgoingMail\n"
              "from collections import Counter\n"
              "print(Ticket.objects.count(), "
              "dict(Counter(OutgoingMail.objects.values_list('status', flat=True))))")
    return subprocess.run([sys.executable, "manage.py", "shell", "--verbosity", "0", "-c",
                           script], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout.split(" ", 1)


def run(label: str, database_url: str) -> None:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": database_url,
           "TRIAGE_CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    manage(env, "migrate", "--no-input")
    manage(env, "createcachetable")
    manage(env, "load_content")
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "helpdesk.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--forwarded-allow-ips", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    # The task queue's worker sends the help requests' e-mails, as in production.
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        for _ in range(240):
            try:
                Visitor(port).request("GET", "/")
                break
            except OSError:
                time.sleep(0.5)
        load_before = os.getloadavg()[0]
        figures = drive(port)
        load_after = os.getloadavg()[0]
        time.sleep(5)  # the worker's last e-mails
    finally:
        for process in (server, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    tickets, mails = count_in_database(env)
    latencies = sorted(figures["latencies"])
    percentile = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000  # noqa: E731
    print(f"\n== {label} : {SECONDS} s, {VISITORS} visiteurs simultanés, gunicorn 2 workers")
    print(f"requêtes : {len(latencies)} ({len(latencies) / SECONDS:.0f} req/s) ; "
          f"réponses : {dict(figures['statuses'])}")
    print(f"latence : p50 {percentile(0.50):.1f} ms, p95 {percentile(0.95):.1f} ms, "
          f"p99 {percentile(0.99):.1f} ms, moyenne {statistics.mean(latencies) * 1000:.1f} ms")
    print(f"erreurs : {sum(figures['errors'].values())} {dict(figures['errors'])}")
    print(f"demandes d'aide envoyées (302) : {figures['tickets_sent']} ; tickets en base : "
          f"{tickets} ; e-mails : {mails.strip()}")
    print(f"charge de la machine (1 min) : {load_before:.2f} avant, {load_after:.2f} après ; "
          f"{os.cpu_count()} cœurs")


def fresh_postgres_database() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"),
                             autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS ecps_loadtest")
            conn.execute("CREATE DATABASE ecps_loadtest")
    except psycopg.OperationalError as error:
        print(f"\n== PostgreSQL indisponible ({error}) : mesure sautée")
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/ecps_loadtest"


def main() -> None:
    import tempfile

    run("SQLite (WAL)", f"sqlite:///{tempfile.mkdtemp(prefix='loadtest-')}/loadtest.sqlite3")
    database_url = fresh_postgres_database()
    if database_url:
        run("PostgreSQL", database_url)


if __name__ == "__main__":
    main()
