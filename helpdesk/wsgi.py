import os

from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

application = get_wsgi_application()


def warm_up() -> None:
    """Each gunicorn worker builds its copy of the published content (and its search index)
    when it starts, so that no visitor waits for it."""
    from kb.snapshot import published

    try:
        published.get().search_index  # noqa: B018 - built on first access
    except DatabaseError:
        pass  # not migrated yet: built on the first request instead
    finally:
        connection.close()  # never carry a connection into the first request


warm_up()
