import sys

from django.core.management import BaseCommand, CommandError

from kb.models import ContentVersion
from kb.services import export_archive


class Command(BaseCommand):
    help = ("Écrit la version publiée (ou --numero N) dans FICHIER, ou sur la sortie standard ; "
            "un FICHIER en .zip reçoit aussi les captures d'écran qu'elle montre.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Fichier à écrire (par défaut : la sortie).")
        parser.add_argument("--numero", type=int, dest="number",
                            help="Numéro de version (par défaut : la dernière).")

    def handle(self, *args, file=None, number=None, **options):
        versions = ContentVersion.objects.all()
        version = (versions.filter(number=number) if number else versions).first()
        if version is None:
            raise CommandError("Aucune version publiée ne correspond.")
        if file and file.endswith(".zip"):
            with open(file, "wb") as out:
                out.write(export_archive(version))
            self.stderr.write(f"Version {version.number} et ses images écrites dans {file}.")
        elif file:
            with open(file, "w", encoding="utf-8", newline="\n") as out:
                out.write(version.document)
            self.stderr.write(f"Version {version.number} écrite dans {file}.")
        else:
            sys.stdout.write(version.document)
