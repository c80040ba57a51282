"""Two application servers on one PostgreSQL database, as behind a load balancer: a request
filed on one is seen on the other, and the rate limit is counted across both."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from triage.models import Ticket
from triage.tests.factories import VALID_FORM

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (make test-pg, .ci/run)")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn worker on the test database, as `make production` starts them."""

    def __init__(self):
        db = settings.DATABASES["default"]
        self.port = free_port()
        env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               "TRIAGE_RATE_LIMIT_COUNT": "3", "KB_CONTENT_CHECK_SECONDS": "0"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "helpdesk.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        for _ in range(120):
            try:
                self.request("GET", "/")
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not start")

    def request(self, method, path, body="", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()

    def file_help_request(self, name):
        """GET the form, then POST it from this site, as a browser does (kb.cross_site)."""
        self.request("GET", "/aide/")
        body = urlencode({**VALID_FORM, "name": name})
        return self.request("POST", "/aide/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{self.port}"})

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_two_servers_share_tickets_and_the_rate_limit():
    call_command("load_content", verbosity=0)
    first, second = Server(), Server()
    try:
        status, headers, _ = first.file_help_request("Claire Martin")
        assert status == 302
        confirmation = {k.lower(): v for k, v in headers}["location"]
        reference = Ticket.objects.get().reference
        _status, _headers, html = second.request("GET", confirmation)
        assert reference in html  # filed on the first, read on the second
        statuses = [first.file_help_request("Deux")[0], second.file_help_request("Trois")[0],
                    second.file_help_request("Quatre")[0], first.file_help_request("Cinq")[0]]
        assert statuses == [302, 302, 429, 429]  # 3 per address, whichever server counts
        assert Ticket.objects.count() == 3
    finally:
        first.stop()
        second.stop()
