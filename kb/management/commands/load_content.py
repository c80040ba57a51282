from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Charge (ou recharge) le contenu de référence de fixtures/ et vérifie l'arbre."

    def handle(self, *args, **options):
        # One loaddata call: the tree and the tutorials refer to each other.
        folder = Path(settings.BASE_DIR) / "fixtures"
        fixtures = sorted(str(path) for path in folder.glob("*.json"))
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
        call_command("check", "--tag", "kb", "--fail-level", "WARNING",
                     verbosity=options["verbosity"])
