"""A database that stops answering (a PostgreSQL server stopped with SIGSTOP, a SQLite base
whose write lock another process holds) never holds the site: public pages are served from
memory, forms answer the French 503 within DATABASE_TIMEOUT, and all recovers alone.

Real servers, not mocks: gunicorn as in production, on a PostgreSQL cluster of the test's
own (the machine's is shared) or a SQLite file. The durations are printed, never asserted;
the HTTP client's 60 s timeout only keeps a regression from hanging the suite."""

import contextlib
import glob
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from triage.tests.test_two_servers import ROOT, Server, free_port

# The suite runs once per database; these tests bring their own servers: once is enough.
pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="runs in the SQLite pass of the suite")
DATABASE_TIMEOUT = 3
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


class Site(Server):
    """One gunicorn worker on the given database, with the reference content."""

    def __init__(self, database_url: str):
        self.port = free_port()
        self.env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                    "DATABASE_URL": database_url, "DATABASE_TIMEOUT": str(DATABASE_TIMEOUT),
                    "EMAIL_HOST": ""}
        for command in (["migrate", "--no-input"], ["createcachetable"], ["load_content"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, timeout=300)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "helpdesk.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        for _ in range(240):
            try:
                self.request("GET", "/")
                return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError("gunicorn did not start")

    def timed(self, call, *args):
        started = time.perf_counter()
        status = call(*args)[0]
        return status, round(time.perf_counter() - started, 2)


def walk(site: Site, label: str, hang, release) -> None:
    assert site.request("GET", "/parcours/methode-a/")[0] == 200  # warm: content in memory
    assert site.file_help_request("Avant la panne")[0] == 302
    hang()
    try:
        public = [site.timed(site.request, "GET", path) for path in
                  ["/", "/parcours/methode-a/", "/tutoriels/", "/recherche/?q=qr+code"]]
        form = site.timed(site.file_help_request, "Pendant la panne")
    finally:
        release()
    after = site.timed(site.file_help_request, "Après la panne")
    print(f"\n{label} : pages publiques {public}, formulaire {form}, après reprise {after} "
          f"(statut, secondes ; DATABASE_TIMEOUT={DATABASE_TIMEOUT})")
    assert [status for status, _seconds in public] == [200] * 4
    assert form[0] == 503
    assert after[0] == 302


@pytest.mark.skipif(not PG_BIN, reason="PostgreSQL's server programs are not installed")
def test_a_stopped_postgresql_server_never_holds_the_site():
    folder = tempfile.mkdtemp(prefix="ecps-pg-")
    data, port = os.path.join(folder, "data"), free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres")
    bin_dir = PG_BIN[-1]
    subprocess.run([*as_postgres, f"{bin_dir}/initdb", "-D", data, "-U", "postgres",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True, timeout=120)
    subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-w", "-l",
                    os.path.join(folder, "log"), "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True, timeout=120)
    subprocess.run([*as_postgres, f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port),
                    "-U", "postgres", "ecps"], check=True, capture_output=True, timeout=60)
    site = None
    try:
        site = Site(f"postgres://postgres@127.0.0.1:{port}/ecps")
        postmaster = int(Path(data, "postmaster.pid").read_text().split()[0])

        def signal_cluster(signum):
            # The postmaster and every backend: a server that hangs, not one that is down.
            children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True,
                                      text=True).stdout.split()
            for pid in [postmaster, *map(int, children)]:
                # A backend that ended between pgrep and now has nothing left to stop.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signum)

        walk(site, "PostgreSQL arrêté par SIGSTOP", lambda: signal_cluster(signal.SIGSTOP),
             lambda: signal_cluster(signal.SIGCONT))
    finally:
        if site:
            site.stop()
        subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_sqlite_base_locked_by_another_process_never_holds_the_site(tmp_path):
    base = tmp_path / "verrou.sqlite3"
    site = Site(f"sqlite:///{base}")
    holder = sqlite3.connect(base, isolation_level=None, timeout=30)

    def hold_the_write_lock():
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE kb_supportline SET position = position")

    try:
        walk(site, "SQLite verrouillée en écriture", hold_the_write_lock,
             lambda: holder.execute("ROLLBACK"))
    finally:
        holder.close()
        site.stop()
