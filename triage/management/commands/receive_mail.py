import mailbox
import sys

from django.conf import settings
from django.core.management import BaseCommand

from triage.inbound import RESULTS, receive

# Exit codes a mail server's pipe transport understands (sysexits.h): 75 asks it to try
# again later, so that nothing is lost.
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = ("Reçoit un e-mail sur l'entrée standard (transport « pipe » de Postfix ou d'Exim) "
            "et, s'il répond à un ticket, l'ajoute à la conversation. Un message qui ne "
            "correspond à aucun ticket est déposé pour l'équipe dans le dossier Maildir "
            "TRIAGE_UNMATCHED_MAILDIR ; un expéditeur qui écrit trop vite est différé.")

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        received = receive(raw)
        if received.result == "throttled":
            self.stderr.write(RESULTS[received.result])
            sys.exit(EX_TEMPFAIL)
        if received.for_the_team:
            try:
                mailbox.Maildir(settings.TRIAGE_UNMATCHED_MAILDIR, create=True).add(raw)
            except OSError:
                self.stderr.write("unmatched, and the folder cannot be written")
                sys.exit(EX_TEMPFAIL)
        self.stdout.write(RESULTS[received.result])
