from django.core.management import BaseCommand

from triage.models import OutgoingMail
from triage.services import deliver


class Command(BaseCommand):
    help = ("Réessaie d'envoyer les e-mails restés en attente (serveur de messagerie en panne "
            "ou trop lent). À lancer régulièrement, par exemple toutes les 5 minutes.")

    def handle(self, *args, **options):
        sent = failed = 0
        for mail in OutgoingMail.objects.due():
            if deliver(mail):
                sent += 1
            else:
                failed += 1
        self.stdout.write(f"{sent} e-mail(s) envoyé(s), {failed} toujours en échec.")
