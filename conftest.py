import pytest
from django.core.management import call_command


@pytest.fixture
def seed_tree(db):
    """The real content (decision tree, tutorials, known problems…), as `make run` loads it."""
    call_command("load_content", verbosity=0)


@pytest.fixture
def admin_user_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.fr", "x-Secret-42")
    client.force_login(admin)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_search_index():
    """Each test sees the content of its own database, not an index built by another."""
    from kb.search import _cache

    _cache.invalidate()
    yield
    _cache.invalidate()


# --- Personas: who uses the site --------------------------------------------------------

def make_staff(django_user_model, username: str, group: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, f"{username}@example.fr", "x-Secret-42", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))  # created by triage's data migration
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
