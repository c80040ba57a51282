from django.core.management import BaseCommand

from kb.services import run_scheduled_publications


class Command(BaseCommand):
    help = ("Publie les publications programmées arrivées à échéance (à lancer chaque minute "
            "par un minuteur). Une publication refusée ne change rien ; son auteur est prévenu "
            "par e-mail.")

    def handle(self, *args, **options):
        for scheduled in run_scheduled_publications():
            self.stdout.write(f"{scheduled} : {scheduled.get_status_display()}. "
                              f"{scheduled.outcome}")
