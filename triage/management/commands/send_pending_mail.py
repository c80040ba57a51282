from django.core.management import BaseCommand

from triage.models import OutgoingMail
from triage.services import deliver


class Command(BaseCommand):
    help = ("Réessaie d'envoyer les e-mails restés en attente (serveur de messagerie en panne "
            "ou trop lent). À lancer régulièrement, par exemple toutes les 5 minutes. Plusieurs "
            "lancements simultanés n'envoient jamais deux fois le même e-mail.")

    def handle(self, *args, **options):
        OutgoingMail.objects.release_stale_claims()
        sent = failed = 0
        for pk in OutgoingMail.objects.due().values_list("pk", flat=True):
            if deliver(pk):
                sent += 1
            elif OutgoingMail.objects.filter(pk=pk, status__in=[
                    OutgoingMail.Status.PENDING, OutgoingMail.Status.FAILED]).exists():
                failed += 1  # not sent by us nor by a run beside us
        self.stdout.write(f"{sent} e-mail(s) envoyé(s), {failed} toujours en échec.")
