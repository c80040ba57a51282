"""`make lighthouse`: Lighthouse's mobile performance score of every public page type, against
the production configuration (gunicorn, DEBUG off, collected and compressed static files),
in Debian's Chromium. Lighthouse 12.2.3 (the last to run on Node.js 20) is pinned by
bench/lighthouse/package-lock.json. Figures only: nothing here passes or fails."""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import PAGES, ROOT, Server, manage  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index"]
EXTRA_PAGES = {"tutoriels": "/tutoriels/", "identifiant": "/identifiant/",
               "demande d'aide": "/aide/?depuis=/parcours/methode-b/",
               "porte intégrée": "/hdf/integre/"}


def score(url: str, report: Path) -> dict:
    subprocess.run([str(LIGHTHOUSE), url, "--only-categories=performance",
                    "--form-factor=mobile", "--quiet", "--output=json",
                    f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}"],
                   env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, check=True,
                   timeout=180)
    data = json.loads(report.read_text())
    return {"score": round(data["categories"]["performance"]["score"] * 100),
            **{metric: data["audits"][metric]["displayValue"] for metric in METRICS}}


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    # Plain http on loopback: no redirection to https, which the proxy would do in production.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_DEBUG": "0",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SECURE_SSL_REDIRECT": "0", "DATABASE_URL": f"sqlite:///{tmp}/site.sqlite3"}
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    manage(env, "migrate", "--no-input")
    manage(env, "createcachetable")
    manage(env, "load_content")
    manage(env, "load_teams")
    server = Server(env)
    print("Lighthouse 12.2.3, performance, profil mobile (Moto G Power, 4G lente simulée)")
    try:
        for name, path in {**PAGES, **EXTRA_PAGES}.items():
            if path == "UNIQUE":
                continue
            result = score(server.base + path, tmp / "report.json")
            metrics = ", ".join(f"{metric.split('-')[0]} {value}" for metric, value in
                                result.items() if metric != "score")
            print(f"{name:<32} {result['score']:3d}   ({metrics})".replace("\xa0", " "))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
