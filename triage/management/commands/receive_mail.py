import logging
import mailbox
import sys

from django.conf import settings
from django.core.management import BaseCommand

from triage.inbound import RESULTS, receive

logger = logging.getLogger(__name__)
# Exit code a mail server's pipe transport understands (sysexits.h): « try again later ».
# Any failure of ours ends with it, so that the server keeps the mail and never bounces a
# professional's reply.
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = ("Reçoit un e-mail sur l'entrée standard (transport « pipe » de Postfix ou d'Exim) "
            "et, s'il répond à un ticket, l'ajoute à la conversation. Un message qui ne "
            "correspond à aucun ticket est déposé pour l'équipe dans le dossier Maildir "
            "TRIAGE_UNMATCHED_MAILDIR ; un expéditeur qui écrit trop vite est différé ; en cas "
            "de panne, le serveur de messagerie réessaie plus tard (code 75).")

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        try:
            received = receive(raw)
            if received.for_the_team:
                mailbox.Maildir(settings.TRIAGE_UNMATCHED_MAILDIR, create=True).add(raw)
        except Exception as error:  # noqa: BLE001 - the database, the disk: retried later
            logger.warning("inbound mail deferred: %s", type(error).__name__)
            self.stderr.write("Réception différée : le serveur de messagerie réessaiera.")
            sys.exit(EX_TEMPFAIL)
        if received.result == "throttled":
            self.stderr.write(RESULTS[received.result])
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(RESULTS[received.result])
