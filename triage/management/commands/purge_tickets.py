from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand
from django.utils import timezone

from triage.models import OutgoingMail, Ticket
from triage.services import anonymise


class Command(BaseCommand):
    help = ("Anonymise les tickets clos (résolus ou transférés) depuis plus longtemps que la "
            "durée de conservation. Sans effet sur un ticket déjà anonymisé. Efface aussi les "
            "liens envoyés à un appelant sans demande qui n'ont pas pu partir en un jour.")

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=settings.TRIAGE_RETENTION_MONTHS,
                            help="Durée de conservation en mois (défaut : %(default)s).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Affiche ce qui serait anonymisé, sans rien modifier.")

    def handle(self, *args, months, dry_run, **options):
        tickets = list(Ticket.objects.due_for_purge(months=months).order_by("pk"))
        for ticket in tickets:
            if not dry_run:
                anonymise(ticket)
            self.stdout.write(f"{ticket.reference} clos le {ticket.closed_at:%d/%m/%Y}")
        # A link sent to a caller without a ticket is deleted once sent; one the mail server
        # never took keeps an address that no ticket explains: a day is enough to retry it.
        stale_links = OutgoingMail.objects.filter(
            ticket=None, created_at__lt=timezone.now() - timedelta(days=1))
        if not dry_run:
            stale_links.delete()
        verb = "seraient anonymisés" if dry_run else "anonymisés"
        self.stdout.write(self.style.SUCCESS(
            f"{len(tickets)} ticket(s) {verb} (clos depuis plus de {months} mois)."))
