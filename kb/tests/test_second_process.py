"""Another process (another gunicorn worker, another server) sees a publish on its next
version check, and between checks it does not even ask."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from kb.models import SupportLine
from kb.snapshot import PublishedContent
from kb.tests.factories import publish

ROOT = Path(__file__).resolve().parents[2]
READER = """
import sys, django
django.setup()
from kb.snapshot import published
for _ in sys.stdin:
    content = published.get()
    line = next(line for line in content.lines if line.slug == "ans-support-cartes")
    print(content.number, line.phone, flush=True)
"""
PUBLISH = """
from kb.models import SupportLine
from kb.services import publish_content
SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 01")
publish_content(note="autre processus")
"""


def test_a_second_process_sees_a_publish(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'partagee.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "helpdesk.settings", "KB_CONTENT_CHECK_SECONDS": "0",
           "KB_CONTENT_CHECK_IN_BACKGROUND": "0"}

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)

    manage("migrate", "--no-input")
    manage("load_content")
    reader = subprocess.Popen([sys.executable, "-c", READER], cwd=ROOT, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        def ask():
            reader.stdin.write("?\n")
            reader.stdin.flush()
            return reader.stdout.readline().strip()

        assert ask() == "1 0 825 85 20 00"
        manage("shell", "-c", PUBLISH)
        assert ask() == "2 0 825 85 20 01"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def test_between_two_checks_a_process_does_not_ask(seed_tree, settings, monkeypatch,
                                                   django_assert_num_queries):
    settings.KB_CONTENT_CHECK_SECONDS = 1.0
    clock = [1000.0]
    monkeypatch.setattr("kb.snapshot.time.monotonic", lambda: clock[0])
    holder = PublishedContent()
    assert holder.get().number == 1
    SupportLine.objects.filter(slug="fimatho").update(opening_hours="9 h - 17 h")
    publish()  # by "another process": this holder is not told
    clock[0] += 0.5
    with django_assert_num_queries(0):
        assert holder.get().number == 1
    clock[0] += 0.6
    assert holder.get().number == 2


def test_a_process_keeps_serving_its_snapshot_while_the_database_is_down(
        client, seed_tree, monkeypatch):
    from django.db import OperationalError

    from kb.models import ContentVersionQuerySet

    assert client.get("/parcours/methode-b/").status_code == 200

    def database_down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ContentVersionQuerySet, "latest_number", database_down)
    for url in ("/parcours/methode-b/", "/tutoriels/installer-application/", "/glossaire/"):
        assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_due_check_never_holds_the_visitor(settings, monkeypatch,
                                             django_assert_num_queries):
    """The version check runs in a thread of its own: the request that finds it due is
    served from memory without a query, and the next one sees what the thread found."""
    call_command("load_content", verbosity=0)
    settings.KB_CONTENT_CHECK_SECONDS = 1.0
    settings.KB_CONTENT_CHECK_IN_BACKGROUND = True
    clock = [1000.0]
    monkeypatch.setattr("kb.snapshot.time.monotonic", lambda: clock[0])
    holder = PublishedContent()
    assert holder.get().number == 1  # a process's first page reads the database itself
    SupportLine.objects.filter(slug="fimatho").update(opening_hours="9 h - 17 h")
    publish()
    clock[0] += 1.1
    with django_assert_num_queries(0):
        assert holder.get().number == 1  # served at once; the check started beside it
    holder.wait_for_check()
    assert holder.checks_in_background == 1
    assert holder.get().number == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_check_keeps_serving_what_the_process_holds(settings, monkeypatch):
    from django.db import OperationalError

    call_command("load_content", verbosity=0)
    settings.KB_CONTENT_CHECK_SECONDS = 0
    settings.KB_CONTENT_CHECK_IN_BACKGROUND = True
    holder = PublishedContent()
    assert holder.get().number == 1

    def database_gone():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("kb.snapshot.ContentVersion.objects.latest_number", database_gone)
    assert holder.get().number == 1
    holder.wait_for_check()
    assert holder.get().number == 1
