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
def fresh_search_index():
    """Each test sees the content of its own database, not an index built by another."""
    from kb.search import _cache

    _cache.invalidate()
    yield
    _cache.invalidate()
