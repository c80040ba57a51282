import json
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand

from teams.models import Team

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "teams.json"


class Command(BaseCommand):
    help = ("Crée les équipes de référence (fixtures/teams.json) qui n'existent pas encore ; "
            "ne modifie jamais une équipe existante.")

    def handle(self, *args, **options):
        created = 0
        for entry in json.loads(REFERENCE.read_text(encoding="utf-8")):
            fields = {key: value for key, value in entry.items() if key not in ("slug", "source")}
            _team, new = Team.objects.get_or_create(slug=entry["slug"], defaults=fields)
            created += new
        self.stdout.write(f"{created} équipe(s) créée(s).")
