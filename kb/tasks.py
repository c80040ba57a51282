"""The editors' slow jobs, run by the task queue's worker (`manage.py db_worker`), never
inside a request: checking the content's external links, and publishing what was scheduled."""

from django_tasks import task


@task()
def check_links() -> int:
    """Every external address of the content, as `manage.py check_links` does at night."""
    from django.core.cache import cache

    from kb.freshness import check_all_links

    checked = len(check_all_links())
    cache.delete("kb:link-check-requested")  # the dashboard stops saying « demandée »
    return checked


@task()
def publish_scheduled() -> int:
    """The scheduled publications that are due (each claimed once, whoever runs it: this
    task at its time, or the `publish_scheduled` timer command)."""
    from kb.services import run_scheduled_publications

    return len(run_scheduled_publications())
