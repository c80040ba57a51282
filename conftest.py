import pytest
from django.core.management import call_command


@pytest.fixture
def seed_tree(db):
    """The real decision tree of the national flowchart, as `make run` loads it."""
    call_command("loaddata", "fixtures/decision_tree.json", verbosity=0)


@pytest.fixture
def admin_user_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.fr", "x-Secret-42")
    client.force_login(admin)
    return client
