"""E-mails to professionals and agents, sent by the task queue's worker (`manage.py
db_worker`), never inside a request: a hung mail server then holds a worker of the queue,
never a visitor. The mail itself is kept in the database (triage.models.OutgoingMail), so a
worker that dies loses nothing: `send_pending_mail` (a timer) sends what was left."""

from django_tasks import task


@task()
def send_mail(pk: int) -> bool:
    from triage.services import deliver

    return deliver(pk)
