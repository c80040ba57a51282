"""Boot the production configuration exactly as the README documents it (`make production`:
DJANGO_DEBUG=0, collectstatic, migrate, load_content, gunicorn with 2 workers), then fetch
every page type and a static file. Fails on anything but 200 and on a missing security
header. Uses DATABASE_URL when set, otherwise a fresh SQLite file."""

import base64
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY_WEBP = (  # 360 × 200, blue
    "UklGRtIAAABXRUJQVlA4IMYAAACwEwCdASpoAcgAPm02mUmkIyKhICgAgA2JaW7hd2Ee3AfgAAAT2Ae+2TkP"
    "fbJyHvtk5D32ych77ZOQ99snIe+2TkPfbJyHvtk5D32ych77ZOQ99snIe+2TkPfbJyHvtk5D32ych77ZOQ99"
    "snIe+2TkPfbJyHvtk5D32ych77ZOQ99snIe+2TkPfbJyHvtk5D32ych77ZOQ99snIe+2TkPfbJyHvtjgAP7/"
    "wsv///M0THMftX///izkYjsvAAAAAAAAAAAAAAA="
)
PAGES = {
    "accueil": "/",
    "question": "/parcours/methode-b/",
    "issue": "/parcours/methode-a/methode-a-erreur/probleme-carte/",
    "tutoriels": "/tutoriels/",
    "tutoriel": "/tutoriels/activer-e-cps-avec-carte/",
    "recherche": "/recherche/?q=qr+code+pas+re%C3%A7u",
    "problèmes connus": "/problemes-connus/",
    "glossaire": "/glossaire/",
    "contacts": "/assistance/",
    "identifiant": "/identifiant/",
    "demande d'aide": "/aide/?depuis=/parcours/methode-a/methode-a-erreur/probleme-carte/",
    "page disparue (404)": "/tutoriels/n-existe-plus/",
    "connexion de l'équipe": "/admin/login/",
    "espace agents → connexion": "/agents/",
    "lien de suivi faux (404)": "/aide/suivi/MQ:signature-fausse/",
    "porte d'une équipe": "/hdf/",
    "porte d'une équipe, intégrée (aucun site autorisé : DENY)": "/hdf/integre/",
    "question (porte PACA)": "/paca/parcours/methode-b/",
    "contacts (porte HdF)": "/hdf/assistance/",
    "agents derrière une porte (404)": "/hdf/agents/",
}
REQUIRED_HEADERS = {
    "Strict-Transport-Security": "max-age=",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'",
    "Permissions-Policy": "camera=()",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str):
    # Behind the TLS proxy of a real deployment: the proxy says the request came over https.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server stopped during start-up (exit {server.returncode}).")
        try:
            fetch(base + "/")
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("The server did not answer within 180 s.")


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp(prefix="production-")
    env = {
        **os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "PORT": str(port),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/production.sqlite3")
    # An editor's screenshot, as kb.images stores it: the site must serve it with DEBUG=0.
    env["DJANGO_MEDIA_ROOT"] = f"{tmp}/media"
    os.makedirs(f"{tmp}/media/tutoriels")
    screenshot = "tutoriels/0123456789abcdef-360.webp"
    with open(f"{tmp}/media/{screenshot}", "wb") as out:
        out.write(base64.b64decode(TINY_WEBP))
    print(f"== make production on {base} (database: {env['DATABASE_URL'].split('://')[0]})")
    server = subprocess.Popen(["make", "--no-print-directory", "production", f"PORT={port}"],
                              cwd=ROOT, env=env, start_new_session=True)
    failures = []
    try:
        wait_until_up(base, server)
        for name, path in PAGES.items():
            status, headers, body = fetch(base + path)
            missing = [header for header, value in REQUIRED_HEADERS.items()
                       if value not in (headers.get(header) or "")]
            if "unsafe-" in (headers.get("Content-Security-Policy") or ""):
                missing.append("Content-Security-Policy stricte")
            missing += [f"Secure sur le cookie {cookie.split('=', 1)[0]}"
                        for cookie in headers.get_all("Set-Cookie") or []
                        if "; secure" not in cookie.lower()]
            print(f"{status}  {name:<22} {path}"
                  + (f"   missing headers: {', '.join(missing)}" if missing else ""))
            if status != (404 if "404" in name else 200) or missing:
                failures.append(name)
            if name == "porte d'une équipe" and (b"\xc3\x89quipe fimatho" not in body or
                                                 b'href="/static/css/site.' not in body):
                print("   the team's name, or the site's styles at /static/, are missing")
                failures.append(name)
            if name == "tutoriel":
                drawing = re.search(rb'src="(/static/illustrations/qr-code\.[0-9a-f]{12}\.svg)"',
                                    body)
                for kind, path in [("schéma", drawing and drawing.group(1).decode()),
                                   ("capture d'écran", f"/media/{screenshot}")]:
                    status, headers, _ = fetch(base + path) if path else (0, {}, b"")
                    print(f"{status}  {kind:<22} {path}   {headers.get('Content-Type')}, "
                          f"Cache-Control: {headers.get('Cache-Control')}")
                    if status != 200 or "immutable" not in (headers.get("Cache-Control") or ""):
                        failures.append(kind)
            if name == "accueil":
                # The site's styles, and Bootstrap as `make css` built it (issue 23).
                for label, pattern in [
                        ("fichier statique", rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"'),
                        ("Bootstrap construit",
                         rb'href="(/static/build/bootstrap\.min\.[0-9a-f]{12}\.css)"')]:
                    css = re.search(pattern, body)
                    if css is None:
                        failures.append(f"hashed static file name ({label})")
                        continue
                    status, headers, _ = fetch(base + css.group(1).decode())
                    print(f"{status}  {label:<22} {css.group(1).decode()}   "
                          f"Cache-Control: {headers.get('Cache-Control')}")
                    if status != 200 or "immutable" not in (headers.get("Cache-Control") or ""):
                        failures.append(f"static file ({label})")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if failures:
        print(f"FAILED: {', '.join(failures)}")
        return 1
    print(f"{len(PAGES) + 3} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
