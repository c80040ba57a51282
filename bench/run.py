"""`make bench`: the site under gunicorn (2 workers, loopback) driven by wrk, a few seconds a
page. Prints req/s and each page's ratio to a static file served by the same server, in one
run (national pages and pages behind teams' front doors), then with 20 teams, then with
2,000 steps and 10,000 tutorials, with the workers' memory and the machine's load. Figures
only: nothing here passes or fails on timing."""

import gzip
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", 4))
HEADERS = {"X-Forwarded-Proto": "https"}  # as behind the TLS proxy of a real deployment
# What every browser sends: pages and static files alike go compressed when they can (a first
# visit, no cookie: the case issue 23 measures).
ACCEPT_ENCODING = "gzip, deflate, br"
UNIQUE_SEARCH = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/recherche/?q=code+pin+bloque+" .. counter,
                    {["X-Forwarded-Proto"] = "https", ["Accept-Encoding"] = "gzip, deflate, br"})
end
"""


def manage(env, *args, stdin=None):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, input=stdin,
                   text=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS), timeout=60) as r:
        return r.read()


class Server:
    def __init__(self, env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "helpdesk.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "--forwarded-allow-ips", "127.0.0.1",
             "--timeout", "120"],
            cwd=ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 300
        while True:
            try:
                get(self.base + "/bench/constante/")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    sys.exit("gunicorn did not start")
                time.sleep(0.5)

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["ps", "-o", "rss=", "--ppid", str(self.process.pid)],
                                  capture_output=True, text=True).stdout.split()
        return [int(kb) / 1024 for kb in children]

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def wrk(url: str, script: str | None = None) -> tuple[float, float]:
    """(requests per second, mean latency in ms) over SECONDS, 1 thread, 8 connections."""
    command = ["wrk", "-t1", "-c8", f"-d{SECONDS}s", "-H", "X-Forwarded-Proto: https",
               "-H", f"Accept-Encoding: {ACCEPT_ENCODING}", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            command[1:1] = ["-s", lua.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out).groups()
    latency = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  !! {errors.group(1)} réponses en erreur pour {url}")
    return rps, latency


RESOURCE = re.compile(r'<(?:link[^>]*rel="(?:stylesheet|icon)"[^>]*href|script[^>]*src|img[^>]*src)'
                      r'="(/[^"]+)"')


def transferred(url: str) -> tuple[int, bytes]:
    """Bytes on the wire for a browser that accepts brotli and gzip (what whitenoise and the
    page cache send), and the body as the browser reads it."""
    request = urllib.request.Request(url, headers={**HEADERS, "Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        encoding = response.headers.get("Content-Encoding", "")
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    return len(raw), body


def first_visit_weights(server: Server, pages: dict[str, str]) -> None:
    """What a first visit downloads, page and every stylesheet, script, icon and image it
    names, with an empty cache (issue 23: 60 KB at most)."""
    print("\npoids de la première visite (transféré, cache vide) :")
    for name, path in pages.items():
        if path == "UNIQUE":
            continue
        size, html = transferred(server.base + path)
        resources = sorted(set(RESOURCE.findall(html.decode())))
        sizes = {resource: transferred(server.base + resource)[0] for resource in resources}
        total = size + sum(sizes.values())
        detail = ", ".join(f"{Path(r).name.split('.')[0]} {b / 1024:.1f}" for r, b in sizes.items())
        print(f"{name:<48} {total / 1024:5.1f} Ko (page {size / 1024:.1f} ; {detail})")


def measure(server: Server, pages: dict[str, str]) -> None:
    home = get(server.base + "/").decode()
    pages = {"fichier statique (whitenoise)":
             re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home).group(1),
             "réponse constante (plafond)": "/bench/constante/", **pages}
    load_before = os.getloadavg()[0]
    results = {}
    for name, path in pages.items():
        if path == "UNIQUE":  # never twice the same: nothing to warm
            results[name] = wrk(server.base + "/recherche/", UNIQUE_SEARCH)
            continue
        for _ in range(20):  # both workers render and keep the page
            get(server.base + path)
        results[name] = wrk(server.base + path)
    static = results["fichier statique (whitenoise)"][0]
    for name, (rps, latency) in results.items():
        print(f"{name:<48} {rps:8.0f} req/s  {latency:6.2f} ms  ratio {rps / static:4.2f}")
    rss = ", ".join(f"{mb:.0f} Mo" for mb in server.worker_rss_mb())
    print(f"mémoire résidente des workers : {rss}")
    print(f"charge de la machine (1 min) : {load_before:.2f} avant, "
          f"{os.getloadavg()[0]:.2f} après ; {os.cpu_count()} cœurs")


PAGES = {
    "accueil": "/",
    "question": "/parcours/methode-b/",
    "issue": "/parcours/methode-a/methode-a-erreur/probleme-carte/",
    "problèmes connus": "/problemes-connus/",
    "glossaire": "/glossaire/",
    "contacts": "/assistance/",
    "question, porte HdF": "/hdf/parcours/methode-b/",
    "issue, porte PACA": "/paca/parcours/methode-a/methode-a-erreur/probleme-carte/",
    "tutoriel": "/tutoriels/activer-e-cps-avec-carte/",
    "recherche (même requête)": "/recherche/?q=qr+code+pas+re%C3%A7u",
    "recherche (requêtes toutes différentes)": "UNIQUE",
}

# Seventeen more teams, as many regions would have: 20 front doors in all.
MORE_TEAMS = """
from kb.models import Overlay, OverlayStep, Step, SupportLine
from kb.services import publish_content
from teams.models import Team
success, line = Step.objects.get(slug="ecps-activee"), SupportLine.objects.get(slug="fimatho")
for n in range(17):
    Team.objects.create(slug=f"region-{n}", name=f"Équipe régionale {n}",
                        region=f"Région {n}", email=f"equipe{n}@example.fr")
    overlay = Overlay.objects.create(slug=f"region-{n}", welcome="Bienvenue. " * 20,
                                     services=["paca"])
    overlay.lines.set([line])
    OverlayStep.objects.create(overlay=overlay, step=success).support_lines.set([line])
publish_content(note="20 équipes et leurs ajouts")
"""
TEAM_PAGES = {
    "question": "/parcours/methode-b/",
    "issue": "/parcours/methode-a/methode-a-erreur/probleme-carte/",
    "question, porte d'une équipe sur 20": "/region-7/parcours/methode-b/",
    "issue, porte d'une équipe sur 20":
        "/region-12/parcours/methode-a/methode-a-erreur/probleme-carte/",
}

BIG_CONTENT = """
import json, random
from kb.document import to_json, checksum
from kb.models import ContentVersion
from kb.services import REFERENCE_CONTENT

random.seed(4)
WORDS = ("activation carte code lecteur application téléphone courriel identifiant "
         "coordonnées mot passe vérifier écran ordinateur connexion service erreur notification "
         "portail structure établissement professionnel annuaire sécurité").split()

def sentence(n):
    return " ".join(random.choice(WORDS) for _ in range(n)).capitalize() + "."

document = json.loads(REFERENCE_CONTENT.read_text())
line = document["support_lines"][0]["slug"]
size, branching = 2000, 2
questions = (size - 1) // branching
steps = []
for i in range(size):
    question = i < questions
    steps.append({
        "slug": f"etape-{i}", "kind": "question" if question else "outcome", "is_start": i == 0,
        "title": "" if question else f"Issue {i}",
        "question": f"Question {i} ?" if question else "",
        "body": sentence(20), "body_html": f"<p>{sentence(20)}</p>",
        "outcome_type": "" if question else "contact_support", "action_url": "",
        "action_label": "", "video_url": "", "tutorial": None,
        "support_lines": [] if question else [line], "known_problems": [], "answers": [],
    })
children = iter(range(1, size))
for i in range(questions):
    for n in range(branching + (size - 1) % branching if i == 0 else branching):
        steps[i]["answers"].append({"label": f"Réponse {n}",
                                    "next_step": f"etape-{next(children)}"})
document["steps"] = steps
for t in document["tutorials"]:
    t["help_step"] = None
document["tutorials"] += [{
    "slug": f"tutoriel-genere-{i}", "title": sentence(6), "summary": sentence(12),
    "service": "ecps", "prerequisites": "", "prerequisites_html": "", "video_url": "",
    "verified_on": "2026-01-01", "source": "Banc d'essai", "is_published": True,
    "position": 100, "related": [], "help_step": None, "help_lines": [],
    "steps": [{"title": sentence(4), "where": "smartphone", "body": sentence(25),
               "body_html": f"<p>{sentence(25)}</p>", "screenshot": "", "screenshot_alt": "",
               "warning": "", "warning_html": ""} for _ in range(4)],
} for i in range(10_000)]
text = to_json(document)
ContentVersion.objects.create(number=ContentVersion.objects.latest_number() + 1, document=text,
                              checksum=checksum(text), note="Banc d'essai")
"""


def deepest_path(size=2000, branching=2) -> list[str]:
    """The slugs from the start to the last outcome of BIG_CONTENT's tree."""
    parents, children = {}, iter(range(1, size))
    for i in range((size - 1) // branching):
        for _ in range(branching + (size - 1) % branching if i == 0 else branching):
            parents[next(children)] = i
    path, node = [], size - 1
    while node:
        path.append(f"etape-{node}")
        node = parents[node]
    return path[::-1]


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_DEBUG": "0",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    manage(env, "migrate", "--no-input")
    manage(env, "createcachetable")
    manage(env, "load_content")
    manage(env, "load_teams")
    print(f"== Contenu réel, 3 équipes, gunicorn 2 workers, wrk {SECONDS} s par page, "
          "8 connexions")
    server = Server(env)
    try:
        measure(server, PAGES)
        first_visit_weights(server, PAGES)
    finally:
        server.stop()

    manage(env, "shell", stdin=MORE_TEAMS)
    print("\n== 20 équipes (17 générées)")
    server = Server(env)
    try:
        measure(server, TEAM_PAGES)
    finally:
        server.stop()

    manage(env, "shell", stdin=BIG_CONTENT)
    path = deepest_path()
    print("\n== 2 000 étapes et 10 000 tutoriels de plus")
    started = time.monotonic()
    server = Server(env)
    print(f"démarrage des workers (instantané et index de recherche construits) : "
          f"{time.monotonic() - started:.1f} s")
    try:
        measure(server, {
            "accueil": "/",
            "question (profondeur 9)": "/parcours/" + "".join(f"{s}/" for s in path[:-1]),
            "issue (profondeur 10)": "/parcours/" + "".join(f"{s}/" for s in path),
            "tutoriel généré": "/tutoriels/tutoriel-genere-4321/",
            "recherche (même requête)": "/recherche/?q=qr+code+pas+re%C3%A7u",
            "recherche (requêtes toutes différentes)": "UNIQUE",
        })
    finally:
        server.stop()


if __name__ == "__main__":
    main()
