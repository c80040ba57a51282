from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

from triage.models import ReplyTemplate


class Command(BaseCommand):
    help = ("Charge les modèles de réponse de référence (fixtures/reply_templates.json), "
            "seulement s'il n'y en a encore aucun : ceux des agents ne sont jamais écrasés.")

    def handle(self, *args, **options):
        if ReplyTemplate.objects.exists():
            self.stdout.write("Modèles de réponse déjà présents : rien n'a été chargé.")
            return
        call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "reply_templates.json"),
                     verbosity=options["verbosity"])
