import pytest
from django.core.management import call_command

# Real mail servers on loopback (Dovecot, aiosmtpd) for the e-mail loop tests.
pytest_plugins = ["tests.mail.servers"]


@pytest.fixture
def seed_tree(db):
    """The real content (decision tree, tutorials, known problems…) published as version 1,
    as `make run` loads it."""
    call_command("load_content", verbosity=0)
    call_command("load_reply_templates", verbosity=0)


@pytest.fixture
def admin_user_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.fr", "x-Secret-42")
    client.force_login(admin)
    return client


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Rate-limit counters must not leak from one test into the next. The cache is a table of
    the database: cleared for the tests that use the database, the others cannot reach it."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get(
            "transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_published_content(settings):
    """Each test sees the content of its own database, not a snapshot or a page kept from
    another; and a publish inside a test (whose transaction never commits) is seen by the
    next request, because every request asks for the latest version number. Tests of the
    warm, query-free path set KB_CONTENT_CHECK_SECONDS themselves."""
    from kb.page_cache import pages
    from kb.snapshot import published

    settings.KB_CONTENT_CHECK_SECONDS = 0
    settings.KB_CONTENT_CHECK_IN_BACKGROUND = False
    published.forget()
    pages.clear()
    yield
    published.forget()
    pages.clear()


@pytest.fixture(autouse=True)
def tasks_kept_not_run(settings):
    """Jobs put on the task queue are kept in memory (django_tasks' dummy backend), where a
    test finds them and runs them itself: no worker in the tests."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def mail_in_the_calling_thread(settings):
    """Mails leave right after the commit in the test's own thread, where mailoutbox sees
    them; tests of the background thread switch it back on."""
    settings.TRIAGE_MAIL_IN_BACKGROUND = False


# --- Personas: who uses the site --------------------------------------------------------

def make_staff(django_user_model, username: str, group: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, f"{username}@example.fr", "x-Secret-42", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))  # created by triage's data migration
    if group == "Agents de support":
        from teams.models import Team

        Team.national().members.add(user)  # the queue of the national site
    return user


@pytest.fixture
def editor(db, django_user_model):
    return make_staff(django_user_model, "eddie", "Éditeurs de contenu")


@pytest.fixture
def agent(db, django_user_model):
    return make_staff(django_user_model, "agathe", "Agents de support")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def editor_client(editor):
    """An editor signed in, with a client of its own (a test may also use `client`)."""
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploads of a test go to its own folder, never into the project's media/ or var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TRIAGE_ATTACHMENTS_ROOT = tmp_path / "pieces-jointes"
