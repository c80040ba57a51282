"""Screenshots of every page type at 360 and 1280 px, to compare the site's look before and
after a change of its CSS (issue 23: Bootstrap purged of unused rules must change nothing).

    .venv/bin/python bench/screenshots.py /tmp/avant        # before the change
    .venv/bin/python bench/screenshots.py /tmp/apres        # after
    .venv/bin/python bench/screenshots.py --compare /tmp/avant /tmp/apres

Serves the site with `runserver` (DEBUG, static files from static/) on a fresh SQLite file
with the reference content, in Debian's Chromium. --compare prints, for each screenshot, the
number of pixels that differ (Pillow), and exits 1 if any does."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
OUTCOME = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
PUBLIC = {
    "accueil": "/", "question": "/parcours/methode-b/", "issue": OUTCOME,
    "tutoriels": "/tutoriels/", "tutoriel": "/tutoriels/activer-e-cps-avec-carte/",
    "problemes-connus": "/problemes-connus/", "glossaire": "/glossaire/",
    "contacts": "/assistance/", "recherche": "/recherche/?q=qr+code",
    "identifiant": "/identifiant/", "aide": f"/aide/?depuis={OUTCOME}",
    "vue-d-ensemble": "/vue-d-ensemble/", "porte-hdf": "/hdf/", "integre": "/hdf/integre/",
    "introuvable": "/tutoriels/n-existe-pas/",
}
STAFF = {"file": "/agents/", "ticket": "/agents/tickets/1/", "modeles": "/agents/modeles/",
         "chiffres": "/agents/chiffres/", "affiche": "/equipes/affiche/"}
WIDTHS = [360, 1280]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def capture(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    database = Path(tempfile.mkdtemp()) / "captures.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1",
           "DJANGO_SUPERUSER_PASSWORD": "x-Captures-42"}
    for command in (["migrate", "-v0"], ["createcachetable"], ["load_content"],
                    ["load_teams"], ["load_reply_templates"],
                    ["createsuperuser", "--noinput", "--username", "captures",
                     "--email", "captures@example.fr"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        # One ticket, filed as a visitor does, for the ticket page.
        form = {"name": "Claire Martin", "email": "claire.martin@example.fr",
                "profession": "medecin", "identifier_type": "rpps",
                "identifier_number": "10002232642", "service": "ecps", "consent": "on",
                "description": "Le QR code n'arrive pas par e-mail.", "depuis": OUTCOME}
        urllib.request.urlopen(urllib.request.Request(
            base + "/aide/", urllib.parse.urlencode(form).encode(), {"Origin": base}))
        shoot(base, folder)
    finally:
        server.terminate()
        server.wait(timeout=30)


def shoot(base: str, folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800},
                                          locale="fr-FR")
            page = context.new_page()
            for name, path in PUBLIC.items():
                page.goto(base + path)
                page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
            page.goto(base + "/admin/login/?next=/agents/")
            page.fill("#id_username", "captures")
            page.fill("#id_password", "x-Captures-42")
            page.click("[type=submit]")
            page.wait_for_url("**/agents/")
            for name, path in STAFF.items():
                page.goto(base + path)
                page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
            context.close()
        browser.close()


def compare(before: Path, after: Path) -> int:
    from PIL import Image, ImageChops

    changed = 0
    for first in sorted(before.glob("*.png")):
        second = after / first.name
        a, b = Image.open(first).convert("RGB"), Image.open(second).convert("RGB")
        if a.size != b.size:
            print(f"{first.name} : tailles différentes {a.size} → {b.size}")
            changed += 1
            continue
        difference = ImageChops.difference(a, b)
        pixels = sum(1 for value in difference.getdata() if value != (0, 0, 0))
        print(f"{first.name} : {pixels} pixel(s) différent(s)")
        changed += bool(pixels)
    print(f"{changed} capture(s) différente(s) sur {len(list(before.glob('*.png')))}")
    return 1 if changed else 0


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    capture(Path(sys.argv[1]))
