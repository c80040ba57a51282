from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from triage.models import Ticket, TicketEvent
from triage.services import ERASED
from triage.tests.factories import make_ticket


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_tickets", *args, stdout=out)
    return out.getvalue()


def test_it_anonymises_closed_tickets_past_retention_and_nothing_else(db):
    long_ago = timezone.now() - timedelta(days=400)
    old = make_ticket(status=Ticket.Status.RESOLVED, closed_at=long_ago)
    TicketEvent.objects.create(ticket=old, kind=TicketEvent.Kind.NOTE, text="Tél. perso 0611")
    recent = make_ticket(status=Ticket.Status.RESOLVED, closed_at=timezone.now())
    still_open = make_ticket(created_at=long_ago)

    report = purge()

    old.refresh_from_db()
    assert (old.name, old.email, old.phone, old.identifier_number, old.description) == (
        ERASED, "", "", "", ERASED)
    assert old.anonymised_at
    assert old.trail == [] and old.service == "ecps"  # what helps statistics stays
    assert old.events.get(kind=TicketEvent.Kind.NOTE).text == ERASED
    assert old.reference in report and "1 ticket(s) anonymisés" in report
    for ticket in (recent, still_open):
        ticket.refresh_from_db()
        assert ticket.name == "Claire Martin" and ticket.anonymised_at is None


def test_it_is_safe_to_run_twice(db):
    make_ticket(status=Ticket.Status.TRANSFERRED,
                closed_at=timezone.now() - timedelta(days=400))
    assert "1 ticket(s)" in purge()
    assert "0 ticket(s)" in purge()
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ANONYMISED).count() == 1


def test_the_period_is_configurable_and_dry_run_changes_nothing(db):
    ticket = make_ticket(status=Ticket.Status.RESOLVED,
                         closed_at=timezone.now() - timedelta(days=70))
    assert "0 ticket(s)" in purge()
    assert "1 ticket(s) seraient anonymisés" in purge("--months", "2", "--dry-run")
    ticket.refresh_from_db()
    assert ticket.anonymised_at is None
    assert "1 ticket(s) anonymisés" in purge("--months", "2")


def test_a_link_to_a_caller_that_never_left_is_erased_after_a_day(db):
    from triage.models import OutgoingMail

    def link_mail(age: timedelta) -> OutgoingMail:
        return OutgoingMail.objects.create(
            ticket=None, to="appelant@example.fr", subject="Le lien", body="…",
            status=OutgoingMail.Status.FAILED, created_at=timezone.now() - age)

    stale, recent = link_mail(timedelta(days=2)), link_mail(timedelta(hours=2))
    kept_with_its_ticket = OutgoingMail.objects.create(
        ticket=make_ticket(), to="claire.martin@example.fr", subject="Réponse", body="…",
        created_at=timezone.now() - timedelta(days=30))
    purge("--dry-run")
    assert OutgoingMail.objects.count() == 3
    purge()
    assert set(OutgoingMail.objects.all()) == {recent, kept_with_its_ticket}
    assert not OutgoingMail.objects.filter(pk=stale.pk).exists()
